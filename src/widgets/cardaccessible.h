#pragma once

#include <QAccessibleWidget>

class CardListView;
class CardWidget;

// A card as a screen reader sees it: a list item of its CardListView (not a child of the
// view's viewport, which assistive technology never sees), named after its row, with its
// labels and buttons as children, selectable like the row it shows.
class CardAccessible : public QAccessibleWidget
{
public:
    explicit CardAccessible(CardWidget *card);

    QAccessibleInterface *parent() const override;
    QAccessible::State state() const override;
    // What a mouse or the keyboard does to a row, for assistive technology: make it the
    // current row (focus), and select or deselect it (toggle), as Ctrl+click does.
    QStringList actionNames() const override;
    void doAction(const QString &actionName) override;

private:
    CardWidget *card() const;
    CardListView *list() const;
};
