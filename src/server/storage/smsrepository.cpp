#include "smsrepository.h"

#include "changelog.h"
#include "sqlquery.h"
#include "transaction.h"
#include "versionconflict.h"
#include "wireformat.h"

namespace {

const QString columns = QStringLiteral(
    "SELECT id, org_id, owner_id, lead_id, to_phone, body, status, attempts, last_error,"
    " provider_message_id, version, created_at, updated_at, provider_key, next_attempt_at_ms,"
    " send_started_at_ms "
    "FROM sms_messages ");

QVariant nullable(const QString &text)
{
    return text.isNull() ? QVariant(QMetaType::fromType<QString>()) : QVariant(text);
}

QVariant nullable(const std::optional<qint64> &ms)
{
    return ms ? QVariant(*ms) : QVariant(QMetaType::fromType<qint64>());
}

SmsRepository::OutboxItem fromRow(const SqlQuery &q)
{
    SmsRepository::OutboxItem item;
    SmsMessage &s = item.sms;
    s.id = q.text(0);
    s.orgId = q.text(1);
    s.ownerId = q.text(2);
    s.leadId = q.text(3);
    s.toPhone = q.text(4);
    s.body = q.text(5);
    s.status = SmsMessage::statusFromName(q.text(6)).value_or(SmsMessage::Status::Queued);
    s.attempts = int(q.integer(7));
    s.lastError = q.isNull(8) ? QString() : q.text(8);
    s.providerMessageId = q.isNull(9) ? QString() : q.text(9);
    s.version = q.integer(10);
    s.createdAt = WireFormat::parseTimestamp(q.text(11));
    s.updatedAt = WireFormat::parseTimestamp(q.text(12));
    item.providerKey = q.text(13);
    item.nextAttemptAtMs = q.integer(14);
    if (!q.isNull(15))
        item.sendStartedAtMs = q.integer(15);
    return item;
}

QList<SmsRepository::OutboxItem> collect(SqlQuery &q)
{
    QList<SmsRepository::OutboxItem> out;
    while (q.next())
        out.append(fromRow(q));
    return out;
}

} // namespace

void SmsRepository::insert(Transaction &tx, const OutboxItem &item)
{
    const SmsMessage &s = item.sms;
    tx.query(
          QStringLiteral("INSERT INTO sms_messages (id, org_id, owner_id, lead_id, to_phone, body,"
                         " status, attempts, next_attempt_at_ms, last_error, provider_message_id,"
                         " provider_key, version, created_at, updated_at, send_started_at_ms)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"))
        .bind(s.id)
        .bind(s.orgId)
        .bind(s.ownerId)
        .bind(s.leadId)
        .bind(s.toPhone)
        .bind(s.body)
        .bind(SmsMessage::statusName(s.status))
        .bind(s.attempts)
        .bind(item.nextAttemptAtMs)
        .bind(nullable(s.lastError))
        .bind(nullable(s.providerMessageId))
        .bind(item.providerKey)
        .bind(s.version)
        .bind(WireFormat::timestamp(s.createdAt))
        .bind(WireFormat::timestamp(s.updatedAt))
        .bind(nullable(item.sendStartedAtMs))
        .exec();
    ChangeLog::append(tx,
        { QStringLiteral("sms_messages"), ChangeLog::Type::Insert, s.orgId, s.ownerId, s.id,
            s.toJson(), {} });
}

QList<SmsMessage> SmsRepository::forLead(Transaction &tx, const QString &leadId)
{
    SqlQuery q
        = tx.query(columns + QStringLiteral("WHERE lead_id = ? ORDER BY created_at DESC, id DESC"));
    q.bind(leadId).exec();
    QList<SmsMessage> out;
    for (const OutboxItem &item : collect(q))
        out.append(item.sms);
    return out;
}

std::optional<SmsRepository::OutboxItem> SmsRepository::find(Transaction &tx, const QString &id)
{
    SqlQuery q = tx.query(columns + QStringLiteral("WHERE id = ?"));
    q.bind(id).exec();
    if (!q.next())
        return std::nullopt;
    return fromRow(q);
}

QList<SmsRepository::OutboxItem> SmsRepository::due(Transaction &tx, qint64 nowMs, int limit)
{
    SqlQuery q = tx.query(columns
        + QStringLiteral("WHERE status IN ('queued', 'sending') AND next_attempt_at_ms <= ?"
                         " ORDER BY next_attempt_at_ms, created_at LIMIT ?"));
    q.bind(nowMs).bind(limit).exec();
    return collect(q);
}

std::optional<qint64> SmsRepository::nextDueAtMs(Transaction &tx)
{
    SqlQuery q = tx.query(QStringLiteral("SELECT MIN(next_attempt_at_ms) FROM sms_messages"
                                         " WHERE status IN ('queued', 'sending')"));
    q.exec();
    if (!q.next() || q.isNull(0))
        return std::nullopt;
    return q.integer(0);
}

qint64 SmsRepository::undeliveredCount(Transaction &tx)
{
    SqlQuery q = tx.query(
        QStringLiteral("SELECT COUNT(*) FROM sms_messages WHERE status IN ('queued', 'sending')"));
    q.exec();
    return q.next() ? q.integer(0) : 0;
}

SmsRepository::OutboxItem SmsRepository::update(
    Transaction &tx, const OutboxItem &current, OutboxItem changed)
{
    SmsMessage &s = changed.sms;
    s.version = current.sms.version + 1;
    s.updatedAt = QDateTime::fromMSecsSinceEpoch(tx.nowMs(), Qt::UTC);
    SqlQuery q = tx.query(QStringLiteral(
        "UPDATE sms_messages SET status = ?, attempts = ?, next_attempt_at_ms = ?, last_error = ?,"
        " provider_message_id = ?, version = ?, updated_at = ?, send_started_at_ms = ?"
        " WHERE id = ? AND version = ?"));
    q.bind(SmsMessage::statusName(s.status))
        .bind(s.attempts)
        .bind(changed.nextAttemptAtMs)
        .bind(nullable(s.lastError))
        .bind(nullable(s.providerMessageId))
        .bind(s.version)
        .bind(WireFormat::timestamp(s.updatedAt))
        .bind(nullable(changed.sendStartedAtMs))
        .bind(s.id)
        .bind(current.sms.version)
        .exec();
    if (q.rowsAffected() != 1)
        throw VersionConflict(QStringLiteral("sms_messages"));
    ChangeLog::append(tx,
        { QStringLiteral("sms_messages"), ChangeLog::Type::Update, s.orgId, s.ownerId, s.id,
            s.toJson(), current.sms.toJson() });
    return changed;
}
