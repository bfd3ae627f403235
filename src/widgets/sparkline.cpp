#include "sparkline.h"

#include <QPainter>
#include <QPainterPath>

Sparkline::Sparkline(QString label, QWidget *parent)
    : QWidget(parent)
    , m_label(std::move(label))
{
    setMinimumHeight(48);
}

void Sparkline::addSample(double value)
{
    m_samples.append(value);
    while (m_samples.size() > m_capacity)
        m_samples.removeFirst();
    setAccessibleDescription(tr("%1: latest %2").arg(m_label).arg(value));
    update();
}

void Sparkline::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QRectF area = rect().adjusted(2, 16, -2, -2);
    p.setPen(palette().color(QPalette::Mid));
    p.drawRect(area);
    const double top = m_samples.isEmpty()
        ? 1.0
        : std::max(1.0, *std::max_element(m_samples.cbegin(), m_samples.cend()));
    p.setPen(palette().color(QPalette::WindowText));
    p.drawText(rect().adjusted(2, 0, -2, 0), Qt::AlignTop | Qt::AlignLeft,
        tr("%1 (max %2)").arg(m_label).arg(top, 0, 'g', 4));
    if (m_samples.size() < 2)
        return;
    QPainterPath path;
    for (int i = 0; i < m_samples.size(); ++i) {
        const QPointF point(area.left() + area.width() * i / double(m_capacity - 1),
            area.bottom() - area.height() * m_samples[i] / top);
        i == 0 ? path.moveTo(point) : path.lineTo(point);
    }
    QPen pen(palette().color(QPalette::Highlight));
    pen.setWidthF(1.8);
    p.setPen(pen);
    p.drawPath(path);
}
