#pragma once

#include "rowstore.h"

// The leads the signed-in user may see, with each lead's latest SMS (its status moves
// queued -> sending -> sent | failed as the outbox works). The SMS rows are held here because
// their descriptor names leads as their parent; they arrive through take() like any row.
class LeadStore : public RowStore
{
    Q_OBJECT
public:
    enum Role {
        NameRole = FirstFieldRole,
        PhoneRole,
        EmailRole,
        StatusRole,
        UpdatedAtRole,
        OwnerIdRole,
        LastSmsRole = FirstFieldRole + 16,
        LastSmsStatusRole,
        LastSmsErrorRole
    };

    explicit LeadStore(QObject *parent = nullptr);

    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    bool take(const QString &table, const QJsonObject &row) override;
    qint64 versionIn(const QString &table, const QString &id) const override;

    // An SMS row from realtime, a gap fill or a lead's GET: kept if newer.
    bool applySms(const QJsonObject &sms) { return take(smsTable(), sms); }
    qint64 smsVersion(const QString &smsId) const { return m_smsVersions.value(smsId, -1); }
    QJsonObject lastSms(const QString &leadId) const { return m_lastSms.value(leadId); }

private:
    static QString smsTable() { return QStringLiteral("sms_messages"); }
    bool takeChild(const QString &table, const QJsonObject &row);

    QHash<QString, qint64> m_smsVersions;
    QHash<QString, QJsonObject> m_lastSms; // lead id -> its newest SMS
};
