#pragma once

#include <QLabel>

// A small coloured label for a row's status ("pending", "confirmed", ...), readable in light
// and dark palettes (white text on a saturated colour).
class StatusChip : public QLabel
{
    Q_OBJECT
public:
    explicit StatusChip(QWidget *parent = nullptr);
    void setStatus(const QString &status, bool pending);

    static QColor colorFor(const QString &status);
};
