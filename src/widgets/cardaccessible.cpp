#include "cardaccessible.h"

#include "cardlistview.h"
#include "cardwidget.h"

CardAccessible::CardAccessible(CardWidget *card)
    : QAccessibleWidget(card, QAccessible::ListItem)
{ }

CardWidget *CardAccessible::card() const
{
    return static_cast<CardWidget *>(widget());
}

CardListView *CardAccessible::list() const
{
    // card → viewport → list view
    for (QWidget *w = card()->parentWidget(); w; w = w->parentWidget()) {
        if (auto *list = qobject_cast<CardListView *>(w))
            return list;
    }
    return nullptr;
}

QAccessibleInterface *CardAccessible::parent() const
{
    if (CardListView *view = list())
        return QAccessible::queryAccessibleInterface(view);
    return QAccessibleWidget::parent();
}

QAccessible::State CardAccessible::state() const
{
    QAccessible::State s = QAccessibleWidget::state();
    s.selectable = true;
    s.selected = card()->isSelected();
    s.focusable = true;
    const CardListView *view = list();
    s.focused = view && view->hasFocus() && view->currentIndex() == card()->index();
    return s;
}

QStringList CardAccessible::actionNames() const
{
    return { setFocusAction(), toggleAction() };
}

void CardAccessible::doAction(const QString &actionName)
{
    CardListView *view = list();
    const QModelIndex index = card()->index();
    if (!view || !index.isValid() || !view->selectionModel())
        return;
    if (actionName == setFocusAction()) {
        view->selectionModel()->setCurrentIndex(index, QItemSelectionModel::NoUpdate);
        view->setFocus(Qt::OtherFocusReason);
    } else if (actionName == toggleAction()) {
        view->selectionModel()->setCurrentIndex(index, QItemSelectionModel::Toggle);
    }
}
