#include "bookingrepository.h"

#include "auth/principal.h"
#include "changelog.h"
#include "sqlquery.h"
#include "transaction.h"
#include "versionconflict.h"
#include "visiblerows.h"
#include "wireformat.h"

namespace {

const QString columns = QStringLiteral(
    "SELECT id, org_id, owner_id, customer_name, service, starts_at, status, version, updated_at "
    "FROM bookings ");

Booking fromRow(const SqlQuery &q)
{
    Booking b;
    b.id = q.text(0);
    b.orgId = q.text(1);
    b.ownerId = q.text(2);
    b.customerName = q.text(3);
    b.service = q.text(4);
    b.startsAt = WireFormat::parseTimestamp(q.text(5));
    b.status = Booking::statusFromName(q.text(6)).value_or(Booking::Status::Pending);
    b.version = q.integer(7);
    b.updatedAt = WireFormat::parseTimestamp(q.text(8));
    return b;
}

} // namespace

QList<Booking> BookingRepository::visible(Transaction &tx, const Principal &principal)
{
    return VisibleRows::all(tx, principal, columns, QStringLiteral("starts_at, id"), fromRow);
}

std::optional<Booking> BookingRepository::findVisible(
    Transaction &tx, const Principal &principal, const QString &id)
{
    return VisibleRows::byId(tx, principal, columns, id, fromRow);
}

Booking BookingRepository::update(Transaction &tx, const Booking &current, Booking changed)
{
    changed.version = current.version + 1;
    changed.updatedAt = QDateTime::fromMSecsSinceEpoch(tx.nowMs(), Qt::UTC);
    SqlQuery q = tx.query(QStringLiteral("UPDATE bookings SET customer_name = ?, service = ?, "
                                         "starts_at = ?, status = ?, version = ?,"
                                         " updated_at = ? WHERE id = ? AND version = ?"));
    q.bind(changed.customerName)
        .bind(changed.service)
        .bind(WireFormat::timestamp(changed.startsAt))
        .bind(Booking::statusName(changed.status))
        .bind(changed.version)
        .bind(WireFormat::timestamp(changed.updatedAt))
        .bind(current.id)
        .bind(current.version)
        .exec();
    if (q.rowsAffected() != 1)
        throw VersionConflict(QStringLiteral("bookings"));
    ChangeLog::append(tx,
        { QStringLiteral("bookings"), ChangeLog::Type::Update, changed.orgId, changed.ownerId,
            changed.id, changed.toJson(), current.toJson() });
    return changed;
}

void BookingRepository::remove(Transaction &tx, const Booking &current)
{
    SqlQuery q = tx.query(QStringLiteral("DELETE FROM bookings WHERE id = ? AND version = ?"));
    q.bind(current.id).bind(current.version).exec();
    if (q.rowsAffected() != 1)
        throw VersionConflict(QStringLiteral("bookings"));
    ChangeLog::append(tx,
        { QStringLiteral("bookings"), ChangeLog::Type::Delete, current.orgId, current.ownerId,
            current.id, {}, current.toJson() });
}

void BookingRepository::insert(Transaction &tx, const Booking &b)
{
    tx.query(QStringLiteral(
                 "INSERT INTO bookings (id, org_id, owner_id, customer_name, service,"
                 " starts_at, status, version, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"))
        .bind(b.id)
        .bind(b.orgId)
        .bind(b.ownerId)
        .bind(b.customerName)
        .bind(b.service)
        .bind(WireFormat::timestamp(b.startsAt))
        .bind(Booking::statusName(b.status))
        .bind(b.version)
        .bind(WireFormat::timestamp(b.updatedAt))
        .exec();
}
