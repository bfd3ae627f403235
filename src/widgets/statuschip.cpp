#include "statuschip.h"

#include <QPainter>

StatusChip::StatusChip(QWidget *parent)
    : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
}

QColor StatusChip::colorFor(const QString &status)
{
    if (status == QLatin1String("confirmed") || status == QLatin1String("won")
        || status == QLatin1String("sent"))
        return QColor(0x2e, 0x7d, 0x32);
    if (status == QLatin1String("cancelled") || status == QLatin1String("lost")
        || status == QLatin1String("failed"))
        return QColor(0xc6, 0x28, 0x28);
    if (status == QLatin1String("contacted") || status == QLatin1String("qualified")
        || status == QLatin1String("sending"))
        return QColor(0x15, 0x65, 0xc0);
    return QColor(0x6d, 0x4c, 0x41); // pending, new, queued
}

void StatusChip::setStatus(const QString &status, bool pending)
{
    const QString label = pending ? tr("%1 (pending)").arg(status) : status;
    if (label == m_text)
        return;
    m_text = label;
    m_color = colorFor(status);
    m_pending = pending;
    setAccessibleName(tr("Status: %1").arg(label));
    updateGeometry();
    update();
}

QSize StatusChip::sizeHint() const
{
    const QFontMetrics metrics(font());
    return { std::max(84, metrics.horizontalAdvance(m_text) + 20), metrics.height() + 6 };
}

void StatusChip::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(Qt::NoPen);
    p.setBrush(m_color);
    const QRectF r = QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5);
    p.drawRoundedRect(r, r.height() / 2, r.height() / 2);
    QFont f = font();
    f.setItalic(m_pending);
    p.setFont(f);
    p.setPen(Qt::white);
    p.drawText(rect(), Qt::AlignCenter, m_text);
}
