#pragma once

#include <QWidget>

// A small coloured pill for a row's status ("pending", "confirmed", ...), readable in light
// and dark palettes (white text on a saturated colour). Painted directly: cards are re-bound
// while scrolling, and a style sheet per bind would cost a style recomputation each time.
class StatusChip : public QWidget
{
    Q_OBJECT
public:
    explicit StatusChip(QWidget *parent = nullptr);
    void setStatus(const QString &status, bool pending);
    QString text() const { return m_text; }

    QSize sizeHint() const override;
    static QColor colorFor(const QString &status);

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QString m_text;
    QColor m_color;
    bool m_pending = false;
};
