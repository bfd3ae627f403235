#include "leadstore.h"

LeadStore::LeadStore(QObject *parent)
    : RowStore(QStringLiteral("leads"),
        { "name", "phone", "email", "status", "updated_at", "owner_id" }, parent)
{ }

QHash<int, QByteArray> LeadStore::roleNames() const
{
    QHash<int, QByteArray> roles = RowStore::roleNames();
    roles.insert(LastSmsRole, "last_sms");
    roles.insert(LastSmsStatusRole, "last_sms_status");
    roles.insert(LastSmsErrorRole, "last_sms_error");
    return roles;
}

QVariant LeadStore::data(const QModelIndex &index, int role) const
{
    if (role == LastSmsRole || role == LastSmsStatusRole || role == LastSmsErrorRole) {
        const QJsonObject sms = m_lastSms.value(idAt(index.row()));
        if (role == LastSmsRole)
            return sms;
        return sms
            .value(
                role == LastSmsStatusRole ? QLatin1String("status") : QLatin1String("last_error"))
            .toVariant();
    }
    return RowStore::data(index, role);
}

bool LeadStore::take(const QString &table, const QJsonObject &row)
{
    return table == this->table() ? apply(row) : table == smsTable() && takeChild(table, row);
}

qint64 LeadStore::versionIn(const QString &table, const QString &id) const
{
    return table == smsTable() ? smsVersion(id) : RowStore::versionIn(table, id);
}

bool LeadStore::takeChild(const QString &table, const QJsonObject &sms)
{
    const QString id = sms.value(QLatin1String("id")).toString();
    const qint64 version = sms.value(QLatin1String("version")).toInteger();
    if (id.isEmpty() || m_smsVersions.value(id, -1) >= version)
        return false;
    m_smsVersions.insert(id, version);
    const QString leadId = sms.value(QLatin1String("lead_id")).toString();
    const QJsonObject current = m_lastSms.value(leadId);
    // The newest message of the lead is the one its card shows.
    if (current.isEmpty() || current.value(QLatin1String("id")).toString() == id
        || current.value(QLatin1String("created_at")).toString()
            <= sms.value(QLatin1String("created_at")).toString()) {
        m_lastSms.insert(leadId, sms);
        if (const int at = indexOf(leadId); at >= 0)
            rowChanged(at);
    }
    emit versionObserved(table, id, version, false);
    return true;
}
