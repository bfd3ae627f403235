#include "cardlistview.h"

#include "cardlistaccessible.h"
#include "cardwidget.h"

#include <QAccessible>
#include <QScrollBar>
#include <QStyledItemDelegate>

namespace {

// Rows are all one height; the card widget draws them.
class CardDelegate : public QStyledItemDelegate
{
public:
    CardDelegate(int height, QObject *parent)
        : QStyledItemDelegate(parent)
        , m_height(height)
    { }
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &) const override
    {
        return { option.rect.width(), m_height };
    }
    void paint(QPainter *, const QStyleOptionViewItem &, const QModelIndex &) const override { }

private:
    int m_height;
};

} // namespace

CardListView::CardListView(Factory factory, int cardHeight, QWidget *parent)
    : QListView(parent)
    , m_factory(std::move(factory))
    , m_cardHeight(cardHeight)
{
    CardListAccessible::install();
    setItemDelegate(new CardDelegate(cardHeight, this));
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff); // cards take the viewport's width
    setUniformItemSizes(true);
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    setSpacing(3);
    m_sync.setSingleShot(true);
    connect(&m_sync, &QTimer::timeout, this, &CardListView::syncCards);
}

void CardListView::setModel(QAbstractItemModel *model)
{
    QListView::setModel(model);
    connect(model, &QAbstractItemModel::rowsInserted, this, &CardListView::scheduleSync);
    connect(model, &QAbstractItemModel::rowsRemoved, this, &CardListView::scheduleSync);
    connect(model, &QAbstractItemModel::modelReset, this, &CardListView::scheduleSync);
    connect(model, &QAbstractItemModel::layoutChanged, this, &CardListView::scheduleSync);
    scheduleSync();
}

void CardListView::scheduleSync()
{
    if (!m_sync.isActive())
        m_sync.start(0);
}

void CardListView::resizeEvent(QResizeEvent *event)
{
    QListView::resizeEvent(event);
    syncCards();
}

void CardListView::scrollContentsBy(int dx, int dy)
{
    QListView::scrollContentsBy(dx, dy);
    syncCards(); // right away: a card left behind would show the wrong row for a frame
}

void CardListView::selectionChanged(
    const QItemSelection &selected, const QItemSelection &deselected)
{
    QListView::selectionChanged(selected, deselected);
    for (CardWidget *card : std::as_const(m_byRow))
        card->setSelected(selectionModel()->isSelected(card->index()));
}

void CardListView::dataChanged(
    const QModelIndex &topLeft, const QModelIndex &bottomRight, const QList<int> &roles)
{
    QListView::dataChanged(topLeft, bottomRight, roles);
    // Only cards on screen care; everything else is drawn when it scrolls into view.
    for (int row = topLeft.row(); row <= bottomRight.row(); ++row) {
        if (CardWidget *card = m_byRow.value(row))
            card->bind(model()->index(row, 0));
    }
}

CardWidget *CardListView::cardForRow(int row) const
{
    return m_byRow.value(row);
}

QList<CardWidget *> CardListView::visibleCards() const
{
    return m_byRow.values();
}

void CardListView::syncCards()
{
    if (!model())
        return;
    // A list with rows always has a current one (a filter may have taken the last), so Enter
    // and Delete act on something and a screen reader has a row to announce.
    if (!currentIndex().isValid() && model()->rowCount() > 0 && selectionModel())
        selectionModel()->setCurrentIndex(model()->index(0, 0), QItemSelectionModel::NoUpdate);
    QMap<int, CardWidget *> wanted;
    const int rows = model()->rowCount();
    // Uniform rows: the first visible one follows from the scroll offset.
    const int step = m_cardHeight + 2 * spacing();
    const int first = std::max(0, verticalOffset() / std::max(1, step) - 1);
    if (rows > 0) {
        for (int row = first; row < rows; ++row) {
            const QModelIndex index = model()->index(row, 0);
            const QRect rect = visualRect(index);
            if (rect.top() > viewport()->height())
                break;
            CardWidget *card = m_byRow.take(row);
            if (!card || card->index() != index) {
                if (card)
                    m_pool.append(card);
                card = m_pool.isEmpty() ? nullptr : m_pool.takeLast();
                if (!card) {
                    card = m_factory(viewport());
                    connect(card, &CardWidget::pressed, this,
                        [this, card](
                            Qt::KeyboardModifiers modifiers) { onCardPressed(card, modifiers); });
                }
                card->bind(index);
            }
            card->setGeometry(rect);
            card->setSelected(selectionModel() && selectionModel()->isSelected(index));
            card->show();
            wanted.insert(row, card);
        }
    }
    for (CardWidget *unused : std::as_const(m_byRow)) {
        unused->hide();
        m_pool.append(unused);
    }
    const bool reordered = wanted != m_byRow;
    m_byRow = wanted;
    if (reordered && QAccessible::isActive()) {
        // Other rows on screen: assistive technology re-reads the list's children.
        QAccessibleEvent event(this, QAccessible::ObjectReorder);
        QAccessible::updateAccessibility(&event);
    }
}

void CardListView::onCardPressed(CardWidget *card, Qt::KeyboardModifiers modifiers)
{
    const QModelIndex index = card->index();
    if (!index.isValid())
        return;
    QItemSelectionModel::SelectionFlags flags = QItemSelectionModel::ClearAndSelect;
    if (modifiers & Qt::ControlModifier)
        flags = QItemSelectionModel::Toggle;
    if ((modifiers & Qt::ShiftModifier) && currentIndex().isValid()) {
        const QModelIndex anchor = currentIndex();
        selectionModel()->select(
            QItemSelection(model()->index(std::min(anchor.row(), index.row()), 0),
                model()->index(std::max(anchor.row(), index.row()), 0)),
            QItemSelectionModel::ClearAndSelect);
        selectionModel()->setCurrentIndex(index, QItemSelectionModel::NoUpdate);
    } else {
        selectionModel()->setCurrentIndex(index, flags);
    }
    setFocus(Qt::MouseFocusReason);
}
