#include "changelog.h"

#include "auth/principal.h"
#include "sqlquery.h"
#include "transaction.h"
#include "wireformat.h"

#include <QDateTime>
#include <QJsonDocument>

namespace {

QJsonArray describe(std::initializer_list<std::pair<const char *, const char *>> columns)
{
    QJsonArray out;
    for (const auto &[name, type] : columns)
        out.append(QJsonObject { { QStringLiteral("name"), QLatin1String(name) },
            { QStringLiteral("type"), QLatin1String(type) } });
    return out;
}

QJsonObject parseObject(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

QString compact(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

const QString selectColumns = QStringLiteral(
    "SELECT seq, org_id, owner_id, table_name, change_type, record, old_record, commit_timestamp "
    "FROM change_log ");

ChangeLog::Row rowFrom(const SqlQuery &q)
{
    ChangeLog::Row row;
    row.seq = q.integer(0);
    row.orgId = q.text(1);
    row.ownerId = q.text(2);
    row.table = q.text(3);
    row.data = QJsonObject {
        { QStringLiteral("schema"), QStringLiteral("public") },
        { QStringLiteral("table"), row.table },
        { QStringLiteral("commit_timestamp"), q.text(7) },
        { QStringLiteral("type"), q.text(4) },
        { QStringLiteral("columns"), ChangeLog::columnsOf(row.table) },
        { QStringLiteral("record"), parseObject(q.text(5)) },
        { QStringLiteral("old_record"), parseObject(q.text(6)) },
        { QStringLiteral("errors"), QJsonValue::Null },
        { QStringLiteral("seq"), row.seq },
    };
    return row;
}

} // namespace

QString ChangeLog::typeName(Type type)
{
    switch (type) {
    case Type::Insert:
        return QStringLiteral("INSERT");
    case Type::Update:
        return QStringLiteral("UPDATE");
    case Type::Delete:
        return QStringLiteral("DELETE");
    }
    return {};
}

QJsonArray ChangeLog::columnsOf(const QString &table)
{
    static const QJsonArray bookings
        = describe({ { "id", "uuid" }, { "org_id", "uuid" }, { "owner_id", "uuid" },
            { "customer_name", "text" }, { "service", "text" }, { "starts_at", "timestamptz" },
            { "status", "text" }, { "version", "int8" }, { "updated_at", "timestamptz" } });
    static const QJsonArray leads = describe({ { "id", "uuid" }, { "org_id", "uuid" },
        { "owner_id", "uuid" }, { "name", "text" }, { "phone", "text" }, { "email", "text" },
        { "status", "text" }, { "version", "int8" }, { "updated_at", "timestamptz" } });
    static const QJsonArray sms = describe({ { "id", "uuid" }, { "org_id", "uuid" },
        { "owner_id", "uuid" }, { "lead_id", "uuid" }, { "to_phone", "text" }, { "body", "text" },
        { "status", "text" }, { "attempts", "int4" }, { "last_error", "text" },
        { "provider_message_id", "text" }, { "version", "int8" }, { "created_at", "timestamptz" },
        { "updated_at", "timestamptz" } });
    if (table == QLatin1String("bookings"))
        return bookings;
    if (table == QLatin1String("leads"))
        return leads;
    if (table == QLatin1String("sms_messages"))
        return sms;
    return {};
}

qint64 ChangeLog::append(Transaction &tx, const Entry &entry)
{
    // The single-row counter serialises writers that log changes until they commit, so seq
    // order is commit order on every driver.
    tx.query(QStringLiteral("UPDATE sync_state SET last_seq = last_seq + 1 WHERE id = 1")).exec();
    SqlQuery next = tx.query(QStringLiteral("SELECT last_seq FROM sync_state WHERE id = 1"));
    next.exec();
    next.next();
    const qint64 seq = next.integer(0);
    tx.query(
          QStringLiteral("INSERT INTO change_log (seq, org_id, owner_id, table_name, change_type,"
                         " record_id, record, old_record, commit_timestamp)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"))
        .bind(seq)
        .bind(entry.orgId)
        .bind(entry.ownerId)
        .bind(entry.table)
        .bind(typeName(entry.type))
        .bind(entry.recordId)
        .bind(compact(entry.record))
        .bind(compact(entry.oldRecord))
        .bind(WireFormat::timestamp(QDateTime::fromMSecsSinceEpoch(tx.nowMs(), Qt::UTC)))
        .exec();
    tx.noteSeq(seq);
    return seq;
}

QList<QJsonObject> ChangeLog::visibleSince(
    Transaction &tx, const Principal &principal, qint64 since, int limit)
{
    SqlQuery q = tx.query(selectColumns + QStringLiteral("WHERE seq > ? AND ")
        + principal.visibilitySql() + QStringLiteral(" ORDER BY seq LIMIT ?"));
    q.bind(since);
    for (const QVariant &v : principal.visibilityBinds())
        q.bind(v);
    q.bind(limit).exec();
    QList<QJsonObject> out;
    while (q.next())
        out.append(rowFrom(q).data);
    return out;
}

QList<ChangeLog::Row> ChangeLog::allSince(Transaction &tx, qint64 since, int limit)
{
    SqlQuery q = tx.query(selectColumns + QStringLiteral("WHERE seq > ? ORDER BY seq LIMIT ?"));
    q.bind(since).bind(limit).exec();
    QList<Row> out;
    while (q.next())
        out.append(rowFrom(q));
    return out;
}

void ChangeLog::announce(Transaction &tx, qint64 seq)
{
    // Only the last seq of the transaction: a listener reads the log from its own last one.
    tx.query(QStringLiteral("SELECT pg_notify(?, ?)"))
        .bind(QLatin1String(channel))
        .bind(QString::number(seq))
        .exec();
}

qint64 ChangeLog::head(Transaction &tx)
{
    SqlQuery q = tx.query(QStringLiteral("SELECT last_seq FROM sync_state WHERE id = 1"));
    q.exec();
    return q.next() ? q.integer(0) : 0;
}

int ChangeLog::purgeBefore(Transaction &tx, qint64 cutoffMs, int limit)
{
    // Walk the oldest rows by key (no scan past the slice) and cut at the first young one:
    // commit timestamps are only nearly monotonic in seq, and the log must stay a suffix.
    const QString cutoff = WireFormat::timestamp(QDateTime::fromMSecsSinceEpoch(cutoffMs, Qt::UTC));
    qint64 last = -1;
    {
        SqlQuery oldest = tx.query(
            QStringLiteral("SELECT seq, commit_timestamp FROM change_log ORDER BY seq LIMIT ?"));
        oldest.bind(limit).exec();
        while (oldest.next()) {
            // Same fixed-width UTC ISO form on both sides, so text order is time order.
            if (oldest.text(1) >= cutoff)
                break;
            last = oldest.integer(0);
        }
    } // reset before the DELETE: no cursor left open on the table
    if (last < 0)
        return 0;
    SqlQuery remove = tx.query(QStringLiteral("DELETE FROM change_log WHERE seq <= ?"));
    remove.bind(last).exec();
    return remove.rowsAffected();
}

qint64 ChangeLog::purgedThrough(Transaction &tx)
{
    // Seqs are gapless (the counter is taken inside each writing transaction), so the row
    // before the oldest one kept is the last one purged.
    SqlQuery q = tx.query(QStringLiteral("SELECT MIN(seq) FROM change_log"));
    q.exec();
    if (q.next() && !q.isNull(0))
        return q.integer(0) - 1;
    return head(tx);
}
