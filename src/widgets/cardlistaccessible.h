#pragma once

#include <QAccessibleWidget>

class CardListView;

// A CardListView as a screen reader sees it: a list whose items are the cards on screen (the
// view keeps cards only for visible rows, so a screen reader reads what a sighted user sees
// and reaches the rest by scrolling or filtering). Qt's own item-view interface would expose
// the model's empty cells instead and hide the cards and their buttons.
class CardListAccessible : public QAccessibleWidget
{
public:
    explicit CardListAccessible(CardListView *list);

    int childCount() const override;
    QAccessibleInterface *child(int index) const override;
    int indexOfChild(const QAccessibleInterface *child) const override;
    QAccessibleInterface *focusChild() const override;

    // Registers the factory for CardListView and CardWidget; once per process.
    static void install();

private:
    CardListView *list() const;
};
