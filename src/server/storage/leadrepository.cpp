#include "leadrepository.h"

#include "auth/principal.h"
#include "changelog.h"
#include "sqlquery.h"
#include "transaction.h"
#include "versionconflict.h"
#include "visiblerows.h"
#include "wireformat.h"

namespace {

const QString columns = QStringLiteral(
    "SELECT id, org_id, owner_id, name, phone, email, status, version, updated_at FROM leads ");

Lead fromRow(const SqlQuery &q)
{
    Lead l;
    l.id = q.text(0);
    l.orgId = q.text(1);
    l.ownerId = q.text(2);
    l.name = q.text(3);
    l.phone = q.text(4);
    l.email = q.text(5);
    l.status = Lead::statusFromName(q.text(6)).value_or(Lead::Status::New);
    l.version = q.integer(7);
    l.updatedAt = WireFormat::parseTimestamp(q.text(8));
    return l;
}

} // namespace

QList<Lead> LeadRepository::visible(Transaction &tx, const Principal &principal)
{
    return VisibleRows::all(tx, principal, columns, QStringLiteral("name, id"), fromRow);
}

std::optional<Lead> LeadRepository::findVisible(
    Transaction &tx, const Principal &principal, const QString &id)
{
    return VisibleRows::byId(tx, principal, columns, id, fromRow);
}

Lead LeadRepository::update(Transaction &tx, const Lead &current, Lead changed)
{
    changed.version = current.version + 1;
    changed.updatedAt = QDateTime::fromMSecsSinceEpoch(tx.nowMs(), Qt::UTC);
    SqlQuery q
        = tx.query(QStringLiteral("UPDATE leads SET name = ?, phone = ?, email = ?, status = ?,"
                                  " version = ?, updated_at = ? WHERE id = ? AND version = ?"));
    q.bind(changed.name)
        .bind(changed.phone)
        .bind(changed.email)
        .bind(Lead::statusName(changed.status))
        .bind(changed.version)
        .bind(WireFormat::timestamp(changed.updatedAt))
        .bind(current.id)
        .bind(current.version)
        .exec();
    if (q.rowsAffected() != 1)
        throw VersionConflict(QStringLiteral("leads"));
    ChangeLog::append(tx,
        { QStringLiteral("leads"), ChangeLog::Type::Update, changed.orgId, changed.ownerId,
            changed.id, changed.toJson(), current.toJson() });
    return changed;
}

void LeadRepository::insert(Transaction &tx, const Lead &l)
{
    tx.query(QStringLiteral("INSERT INTO leads (id, org_id, owner_id, name, phone, email, status,"
                            " version, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"))
        .bind(l.id)
        .bind(l.orgId)
        .bind(l.ownerId)
        .bind(l.name)
        .bind(l.phone)
        .bind(l.email)
        .bind(Lead::statusName(l.status))
        .bind(l.version)
        .bind(WireFormat::timestamp(l.updatedAt))
        .exec();
}
