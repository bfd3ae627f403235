#include "bookingsview.h"

#include "bookingcard.h"
#include "bookingstore.h"
#include "cardlistview.h"
#include "mutationengine.h"
#include "mutationhandle.h"
#include "syncbuttonwithconfirm.h"
#include "syncbuttonwithprogress.h"
#include "syncsession.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QJsonObject>
#include <QLineEdit>
#include <QShortcut>
#include <QSortFilterProxyModel>
#include <QVBoxLayout>

namespace {

// Status (exact) and free text (customer or service), on the displayed row.
class BookingFilter : public QSortFilterProxyModel
{
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;
    void setStatus(const QString &status)
    {
        m_status = status;
        invalidateRowsFilter();
    }
    void setText(const QString &text)
    {
        m_text = text;
        invalidateRowsFilter();
    }

protected:
    bool filterAcceptsRow(int row, const QModelIndex &parent) const override
    {
        const QJsonObject b
            = sourceModel()->index(row, 0, parent).data(RowStore::RowRole).toJsonObject();
        if (!m_status.isEmpty() && b.value(QLatin1String("status")).toString() != m_status)
            return false;
        if (m_text.isEmpty())
            return true;
        return b.value(QLatin1String("customer_name"))
                   .toString()
                   .contains(m_text, Qt::CaseInsensitive)
            || b.value(QLatin1String("service")).toString().contains(m_text, Qt::CaseInsensitive);
    }

private:
    QString m_status;
    QString m_text;
};

} // namespace

BookingsView::BookingsView(SyncSession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_search(new QLineEdit(this))
    , m_status(new QComboBox(this))
{
    auto *filter = new BookingFilter(this);
    filter->setSourceModel(session->bookings());
    m_proxy = filter;
    m_list = new CardListView(
        [this](QWidget *host) {
            auto *card = new BookingCard(
                [this](const QString &id) {
                    return std::make_pair(latest(id, QStringLiteral("confirm")),
                        latest(id, QStringLiteral("delete")));
                },
                host);
            connect(card, &BookingCard::confirmRequested, this, &BookingsView::confirm);
            connect(card, &BookingCard::deleteRequested, this, &BookingsView::remove);
            connect(card, &BookingCard::retryRequested, this, &BookingsView::retry);
            connect(card, &BookingCard::settled, this, &BookingsView::notify);
            return card;
        },
        BookingCard::height, this);
    m_list->setModel(m_proxy);
    m_list->setAccessibleName(tr("Bookings"));

    m_search->setPlaceholderText(tr("Search customer or service (Ctrl+F)"));
    m_search->setClearButtonEnabled(true);
    m_search->setAccessibleName(tr("Search bookings"));
    m_status->addItem(tr("All statuses"), QString());
    for (const auto &[label, value] : { std::pair { tr("Pending"), QStringLiteral("pending") },
             std::pair { tr("Confirmed"), QStringLiteral("confirmed") },
             std::pair { tr("Cancelled"), QStringLiteral("cancelled") } })
        m_status->addItem(label, value);
    m_status->setAccessibleName(tr("Filter by status"));
    connect(m_search, &QLineEdit::textChanged, this,
        [filter](const QString &text) { filter->setText(text); });
    connect(m_status, &QComboBox::currentIndexChanged, this,
        [this, filter] { filter->setStatus(m_status->currentData().toString()); });

    m_bulk = new SyncButtonWithProgress(
        tr("Confirm selected"),
        [this](const QString &id) {
            MutationHandle *h = m_session->confirmBooking(id);
            if (h)
                refreshCard(id);
            return h;
        },
        [this](const QString &key) { return m_session->engine()->discard(key); }, this);

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_search, 1);
    bar->addWidget(m_status);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_list, 1);
    layout->addWidget(m_bulk);

    connect(m_list->selectionModel(), &QItemSelectionModel::selectionChanged, this,
        &BookingsView::selectionChanged);
    selectionChanged();

    auto shortcut = [this](const QKeySequence &keys, auto action) {
        auto *s = new QShortcut(keys, m_list, action);
        s->setContext(Qt::WidgetShortcut);
    };
    shortcut(QKeySequence(Qt::Key_Return),
        [this] { confirm(m_list->currentIndex().data(RowStore::IdRole).toString()); });
    shortcut(QKeySequence(Qt::Key_Enter),
        [this] { confirm(m_list->currentIndex().data(RowStore::IdRole).toString()); });
    shortcut(QKeySequence::Delete, [this] {
        if (BookingCard *card = cardFor(m_list->currentIndex().data(RowStore::IdRole).toString()))
            card->deleteButton()->click();
    });
    // Anywhere in the window while this tab shows (a shortcut of a hidden widget is inactive):
    // the focus may be on the tab bar, outside this view.
    auto *find = new QShortcut(
        QKeySequence::Find, this, [this] { m_search->setFocus(Qt::ShortcutFocusReason); });
    find->setContext(Qt::WindowShortcut);
}

BookingCard *BookingsView::cardFor(const QString &bookingId) const
{
    for (CardWidget *card : m_list->visibleCards()) {
        auto *booking = static_cast<BookingCard *>(card);
        if (booking->bookingId() == bookingId)
            return booking;
    }
    return nullptr;
}

void BookingsView::confirm(const QString &id)
{
    if (id.isEmpty())
        return;
    // A confirm already on its way for this booking: the button says so; nothing to add.
    if (MutationHandle *busy = latest(id, QStringLiteral("confirm")); busy && !busy->isFinal())
        return;
    if (m_session->bookings()->row(id).value(QStringLiteral("status")).toString()
        != QLatin1String("pending"))
        return;
    if (m_session->confirmBooking(id))
        refreshCard(id);
}

void BookingsView::remove(const QString &id)
{
    if (MutationHandle *busy = latest(id, QStringLiteral("delete")); busy && !busy->isFinal())
        return;
    if (m_session->deleteBooking(id))
        refreshCard(id);
}

void BookingsView::retry(const QString &key)
{
    MutationHandle *h = m_session->engine()->handle(key);
    if (!h)
        return;
    const QString id = h->mutation().entityId;
    // A resubmit comes back as a new handle, now the booking's latest: the card binds it.
    MutationHandle *now = m_session->engine()->retry(key);
    if (now && now != h)
        refreshCard(id);
}

MutationHandle *BookingsView::latest(const QString &id, const QString &action) const
{
    return m_session->engine()->latest(QStringLiteral("bookings"), id, action);
}

void BookingsView::refreshCard(const QString &id)
{
    if (BookingCard *card = cardFor(id))
        card->bind(card->index());
}

void BookingsView::selectionChanged()
{
    QStringList ids;
    for (const QModelIndex &index : m_list->selectionModel()->selectedIndexes()) {
        if (index.data(RowStore::RowRole).toJsonObject().value(QStringLiteral("status")).toString()
            == QLatin1String("pending"))
            ids.append(index.data(RowStore::IdRole).toString());
    }
    m_bulk->setItems(ids);
}
