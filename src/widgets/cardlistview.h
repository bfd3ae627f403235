#pragma once

#include <QListView>
#include <QMap>
#include <QTimer>
#include <functional>

class CardWidget;

// A list view whose rows are card widgets — but only for the rows on screen: cards are
// created for the visible rows, reused as the view scrolls, and re-bound when their row
// changes. Ten thousand rows cost ten cards. Selection (click, Ctrl, Shift) and keyboard
// navigation stay the view's.
class CardListView : public QListView
{
    Q_OBJECT
public:
    using Factory = std::function<CardWidget *(QWidget *parent)>;

    CardListView(Factory factory, int cardHeight, QWidget *parent = nullptr);

    void setModel(QAbstractItemModel *model) override;
    // The card currently showing `row` (of the view's model), or null when it is off screen.
    CardWidget *cardForRow(int row) const;
    // The cards on screen, in row order.
    QList<CardWidget *> visibleCards() const;
    int cardHeight() const { return m_cardHeight; }

protected:
    void resizeEvent(QResizeEvent *event) override;
    void scrollContentsBy(int dx, int dy) override;
    void selectionChanged(
        const QItemSelection &selected, const QItemSelection &deselected) override;
    void dataChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight,
        const QList<int> &roles = {}) override;

private:
    void scheduleSync();
    void syncCards();
    void onCardPressed(CardWidget *card, Qt::KeyboardModifiers modifiers);

    Factory m_factory;
    const int m_cardHeight;
    QList<CardWidget *> m_pool;
    QMap<int, CardWidget *> m_byRow; // row order: what a screen reader lists
    QTimer m_sync;
};
