#pragma once

#include "rowstore.h"

// The leads the signed-in user may see, with each lead's latest SMS (its status moves
// queued -> sending -> sent | failed as the outbox works).
class LeadStore : public RowStore
{
    Q_OBJECT
public:
    enum Role {
        NameRole = FirstFieldRole, PhoneRole, EmailRole, StatusRole, UpdatedAtRole, OwnerIdRole,
        LastSmsRole = FirstFieldRole + 16, LastSmsStatusRole, LastSmsErrorRole
    };

    explicit LeadStore(QObject *parent = nullptr);

    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // An SMS row from realtime, a gap fill or a lead's GET: kept if newer.
    bool applySms(const QJsonObject &sms);
    qint64 smsVersion(const QString &smsId) const { return m_smsVersions.value(smsId, -1); }
    QJsonObject lastSms(const QString &leadId) const { return m_lastSms.value(leadId); }

private:
    QHash<QString, qint64> m_smsVersions;
    QHash<QString, QJsonObject> m_lastSms; // lead id -> its newest SMS
};
