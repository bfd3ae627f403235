#include "statuschip.h"

StatusChip::StatusChip(QWidget *parent) : QLabel(parent)
{
    setAlignment(Qt::AlignCenter);
    setMinimumWidth(84);
}

QColor StatusChip::colorFor(const QString &status)
{
    if (status == QLatin1String("confirmed") || status == QLatin1String("won") || status == QLatin1String("sent"))
        return QColor(0x2e, 0x7d, 0x32);
    if (status == QLatin1String("cancelled") || status == QLatin1String("lost") || status == QLatin1String("failed"))
        return QColor(0xc6, 0x28, 0x28);
    if (status == QLatin1String("contacted") || status == QLatin1String("qualified") || status == QLatin1String("sending"))
        return QColor(0x15, 0x65, 0xc0);
    return QColor(0x6d, 0x4c, 0x41); // pending, new, queued
}

void StatusChip::setStatus(const QString &status, bool pending)
{
    const QString label = pending ? tr("%1 (pending)").arg(status) : status;
    setText(label);
    setAccessibleName(tr("Status: %1").arg(label));
    setStyleSheet(QStringLiteral("QLabel { color: white; background: %1; border-radius: 8px; padding: 2px 8px; %2 }")
                      .arg(colorFor(status).name(), pending ? QStringLiteral("font-style: italic;") : QString()));
}
