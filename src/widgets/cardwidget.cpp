#include "cardwidget.h"

#include <QMouseEvent>
#include <QStyle>

CardWidget::CardWidget(QWidget *parent)
    : QFrame(parent)
{
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::Base);
}

void CardWidget::setSelected(bool selected)
{
    if (selected == m_selected)
        return;
    m_selected = selected;
    setBackgroundRole(selected ? QPalette::Highlight : QPalette::Base);
    setForegroundRole(selected ? QPalette::HighlightedText : QPalette::Text);
}

void CardWidget::mousePressEvent(QMouseEvent *event)
{
    emit pressed(event->modifiers());
    QFrame::mousePressEvent(event);
}
