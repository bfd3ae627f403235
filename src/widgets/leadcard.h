#pragma once

#include "cardwidget.h"

#include <QHash>
#include <QJsonObject>
#include <functional>

class MutationHandle;
class QLabel;
class StatusChip;
class SyncButton;

// A lead as a card: name, phone, status chip, its latest SMS (queued → sending → sent /
// failed, live from realtime); Mark as contacted / qualified / won / lost, and Send SMS.
class LeadCard : public CardWidget
{
    Q_OBJECT
public:
    // The mutation a button shows for a lead: its newest of `action` ("status", "send-sms")
    // whose body holds `match` (the status a button sets); null if none.
    using Handles = std::function<MutationHandle *(
        const QString &leadId, const QString &action, const QJsonObject &match)>;

    LeadCard(Handles handles, QWidget *parent = nullptr);

    void bind(const QModelIndex &index) override;
    QString leadId() const { return m_id; }
    SyncButton *statusButton(const QString &status) const { return m_statusButtons.value(status); }
    SyncButton *smsButton() const { return m_sms; }

    static constexpr int height = 96;
    static const QStringList &statuses();

signals:
    void statusRequested(const QString &leadId, const QString &status);
    void smsRequested(const QString &leadId, const QString &name);
    void retryRequested(const QString &key);
    void settled(bool success, const QString &message);

private:
    Handles m_handles;
    QString m_id;
    QString m_name;
    QLabel *m_title;
    QLabel *m_contact;
    QLabel *m_lastSms;
    StatusChip *m_chip;
    QHash<QString, SyncButton *> m_statusButtons;
    SyncButton *m_sms;
};
