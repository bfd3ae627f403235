#pragma once

#include <QWidget>

class BookingCard;
class CardListView;
class MutationHandle;
class QComboBox;
class QLineEdit;
class QSortFilterProxyModel;
class SyncButtonWithProgress;
class SyncSession;

// The bookings: a filterable list of cards (status and text), Confirm and Delete on each,
// multi-select with "Confirm selected (N)" and its progress. Enter confirms the current
// booking, Delete deletes it (after asking), Ctrl+F searches.
class BookingsView : public QWidget
{
    Q_OBJECT
public:
    explicit BookingsView(SyncSession *session, QWidget *parent = nullptr);

    CardListView *list() const { return m_list; }
    BookingCard *cardFor(const QString &bookingId) const;
    SyncButtonWithProgress *bulk() const { return m_bulk; }
    QLineEdit *search() const { return m_search; }
    QComboBox *statusFilter() const { return m_status; }
    QSortFilterProxyModel *proxy() const { return m_proxy; }

signals:
    void notify(bool success, const QString &message);

private:
    void confirm(const QString &id);
    void remove(const QString &id);
    void retry(const QString &key);
    void refreshCard(const QString &id);
    void selectionChanged();
    // The booking's newest mutation of `action` ("confirm", "delete"), as the engine holds it.
    MutationHandle *latest(const QString &id, const QString &action) const;

    SyncSession *m_session;
    QSortFilterProxyModel *m_proxy;
    CardListView *m_list;
    QLineEdit *m_search;
    QComboBox *m_status;
    SyncButtonWithProgress *m_bulk;
};
