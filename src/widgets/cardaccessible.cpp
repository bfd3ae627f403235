#include "cardaccessible.h"

#include "cardlistview.h"
#include "cardwidget.h"

CardAccessible::CardAccessible(CardWidget *card) : QAccessibleWidget(card, QAccessible::ListItem)
{
}

CardWidget *CardAccessible::card() const
{
    return static_cast<CardWidget *>(widget());
}

QAccessibleInterface *CardAccessible::parent() const
{
    // card → viewport → list view
    for (QWidget *w = card()->parentWidget(); w; w = w->parentWidget()) {
        if (auto *list = qobject_cast<CardListView *>(w))
            return QAccessible::queryAccessibleInterface(list);
    }
    return QAccessibleWidget::parent();
}

QAccessible::State CardAccessible::state() const
{
    QAccessible::State s = QAccessibleWidget::state();
    s.selectable = true;
    s.selected = card()->isSelected();
    return s;
}
