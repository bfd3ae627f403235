#include "cardlistaccessible.h"

#include "cardaccessible.h"
#include "cardlistview.h"
#include "cardwidget.h"

namespace {

QAccessibleInterface *cardFactory(const QString &className, QObject *object)
{
    if (className == QLatin1String("CardListView"))
        return new CardListAccessible(static_cast<CardListView *>(object));
    if (className == QLatin1String("CardWidget"))
        return new CardAccessible(static_cast<CardWidget *>(object));
    return nullptr;
}

} // namespace

CardListAccessible::CardListAccessible(CardListView *list)
    : QAccessibleWidget(list, QAccessible::List)
{ }

void CardListAccessible::install()
{
    static const bool installed = [] {
        QAccessible::installFactory(cardFactory);
        return true;
    }();
    Q_UNUSED(installed);
}

CardListView *CardListAccessible::list() const
{
    return static_cast<CardListView *>(widget());
}

int CardListAccessible::childCount() const
{
    return int(list()->visibleCards().size());
}

QAccessibleInterface *CardListAccessible::child(int index) const
{
    const QList<CardWidget *> cards = list()->visibleCards();
    if (index < 0 || index >= cards.size())
        return nullptr;
    return QAccessible::queryAccessibleInterface(cards.at(index));
}

int CardListAccessible::indexOfChild(const QAccessibleInterface *child) const
{
    if (!child)
        return -1;
    return int(list()->visibleCards().indexOf(qobject_cast<CardWidget *>(child->object())));
}

QAccessibleInterface *CardListAccessible::focusChild() const
{
    if (CardWidget *card = list()->cardForRow(list()->currentIndex().row()))
        return QAccessible::queryAccessibleInterface(card);
    return nullptr;
}
