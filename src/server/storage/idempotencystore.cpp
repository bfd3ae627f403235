#include "idempotencystore.h"

#include "sqlquery.h"
#include "transaction.h"

std::optional<IdempotencyStore::Record> IdempotencyStore::find(
    Transaction &tx, const QString &userId, const QString &key)
{
    SqlQuery q = tx.query(QStringLiteral(
        "SELECT fingerprint, method, route, response_status, response_content_type, response_body,"
        " created_at_ms FROM idempotency_keys WHERE user_id = ? AND idem_key = ?"));
    q.bind(userId).bind(key).exec();
    if (!q.next())
        return std::nullopt;
    Record r;
    r.fingerprint = q.text(0);
    r.method = q.text(1);
    r.route = q.text(2);
    r.status = int(q.integer(3));
    r.contentType = q.text(4).toLatin1();
    r.body = q.text(5).toUtf8();
    r.createdAtMs = q.integer(6);
    return r;
}

void IdempotencyStore::insert(
    Transaction &tx, const QString &userId, const QString &key, const Record &record)
{
    tx.query(QStringLiteral(
                 "INSERT INTO idempotency_keys (user_id, idem_key, fingerprint, method, route,"
                 " response_status, response_content_type, response_body, created_at_ms)"
                 " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"))
        .bind(userId)
        .bind(key)
        .bind(record.fingerprint)
        .bind(record.method)
        .bind(record.route)
        .bind(record.status)
        .bind(QString::fromLatin1(record.contentType))
        .bind(QString::fromUtf8(record.body))
        .bind(record.createdAtMs)
        .exec();
}

int IdempotencyStore::purgeCreatedBefore(Transaction &tx, qint64 cutoffMs, int limit)
{
    // Row values work in SQLite (>= 3.15) and PostgreSQL alike; the table has no rowid.
    SqlQuery q = tx.query(QStringLiteral("DELETE FROM idempotency_keys WHERE (user_id, idem_key) IN"
                                         " (SELECT user_id, idem_key FROM idempotency_keys WHERE "
                                         "created_at_ms < ? ORDER BY created_at_ms LIMIT ?)"));
    q.bind(cutoffMs).bind(limit).exec();
    return q.rowsAffected();
}

qint64 IdempotencyStore::count(Transaction &tx)
{
    SqlQuery q = tx.query(QStringLiteral("SELECT COUNT(*) FROM idempotency_keys"));
    q.exec();
    return q.next() ? q.integer(0) : 0;
}

void IdempotencyStore::remove(Transaction &tx, const QString &userId, const QString &key)
{
    tx.query(QStringLiteral("DELETE FROM idempotency_keys WHERE user_id = ? AND idem_key = ?"))
        .bind(userId)
        .bind(key)
        .exec();
}
