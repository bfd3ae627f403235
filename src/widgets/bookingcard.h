#pragma once

#include "cardwidget.h"

#include <functional>

class MutationHandle;
class QLabel;
class StatusChip;
class SyncButton;
class SyncButtonWithConfirm;

// A booking as a card: customer, time, service, status chip, last update; Confirm and Delete.
class BookingCard : public CardWidget
{
    Q_OBJECT
public:
    // The mutations in flight for a booking id: (confirm, delete); either may be null.
    using Handles = std::function<std::pair<MutationHandle *, MutationHandle *>(const QString &id)>;

    BookingCard(Handles handles, QWidget *parent = nullptr);

    void bind(const QModelIndex &index) override;
    QString bookingId() const { return m_id; }
    SyncButton *confirmButton() const { return m_confirm; }
    SyncButtonWithConfirm *deleteButton() const { return m_delete; }

    static constexpr int height = 84;

signals:
    void confirmRequested(const QString &id);
    void deleteRequested(const QString &id);
    void retryRequested(const QString &key);
    void settled(bool success, const QString &message);

private:
    Handles m_handles;
    QString m_id;
    QLabel *m_customer;
    QLabel *m_details;
    QLabel *m_updated;
    StatusChip *m_chip;
    SyncButton *m_confirm;
    SyncButtonWithConfirm *m_delete;
};
