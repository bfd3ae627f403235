#include "migrator.h"

#include "logging.h"
#include "sqldialect.h"
#include "sqlquery.h"

#include <QSqlError>
#include <vector>

namespace {

// pg_advisory_xact_lock key of the schema migration ("syncloom" in ASCII).
constexpr qint64 advisoryLockKey = 0x73796e636c6f6f6d;

// Append only: a shipped migration never changes. Plain SQL that SQLite and PostgreSQL accept,
// with two placeholders for layout hints (see SqlDialect::expand).
const std::vector<QStringList> &migrations()
{
    static const std::vector<QStringList> all {
        // 1: the initial schema.
        {
            QStringLiteral("CREATE TABLE organisations (id TEXT PRIMARY KEY, name TEXT NOT NULL)"),
            QStringLiteral("CREATE TABLE users ("
                           " id TEXT PRIMARY KEY,"
                           " org_id TEXT NOT NULL REFERENCES organisations(id),"
                           " email TEXT NOT NULL UNIQUE,"
                           " password_hash TEXT NOT NULL,"
                           " role TEXT NOT NULL CHECK (role IN ('agent', 'admin')),"
                           " created_at TEXT NOT NULL)"),
            QStringLiteral(
                "CREATE TABLE bookings ("
                " id TEXT PRIMARY KEY,"
                " org_id TEXT NOT NULL REFERENCES organisations(id),"
                " owner_id TEXT NOT NULL REFERENCES users(id),"
                " customer_name TEXT NOT NULL,"
                " service TEXT NOT NULL,"
                " starts_at TEXT NOT NULL,"
                " status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'cancelled')),"
                " version BIGINT NOT NULL,"
                " updated_at TEXT NOT NULL)"),
            QStringLiteral("CREATE INDEX bookings_visibility ON bookings (org_id, owner_id)"),
            QStringLiteral("CREATE TABLE leads ("
                           " id TEXT PRIMARY KEY,"
                           " org_id TEXT NOT NULL REFERENCES organisations(id),"
                           " owner_id TEXT NOT NULL REFERENCES users(id),"
                           " name TEXT NOT NULL,"
                           " phone TEXT NOT NULL,"
                           " email TEXT NOT NULL,"
                           " status TEXT NOT NULL CHECK (status IN ('new', 'contacted', "
                           "'qualified', 'won', 'lost')),"
                           " version BIGINT NOT NULL,"
                           " updated_at TEXT NOT NULL)"),
            QStringLiteral("CREATE INDEX leads_visibility ON leads (org_id, owner_id)"),
            QStringLiteral(
                "CREATE TABLE sms_messages ("
                " id TEXT PRIMARY KEY,"
                " org_id TEXT NOT NULL REFERENCES organisations(id),"
                " owner_id TEXT NOT NULL REFERENCES users(id),"
                " lead_id TEXT NOT NULL,"
                " to_phone TEXT NOT NULL,"
                " body TEXT NOT NULL,"
                " status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed')),"
                " attempts INTEGER NOT NULL,"
                " next_attempt_at_ms BIGINT NOT NULL,"
                " last_error TEXT,"
                " provider_message_id TEXT,"
                " provider_key TEXT NOT NULL,"
                " version BIGINT NOT NULL,"
                " created_at TEXT NOT NULL,"
                " updated_at TEXT NOT NULL)"),
            QStringLiteral("CREATE INDEX sms_outbox ON sms_messages (status, next_attempt_at_ms)"),
            QStringLiteral("CREATE INDEX sms_by_lead ON sms_messages (lead_id, created_at)"),
            QStringLiteral(
                "CREATE TABLE change_log ("
                " seq {sequence_key},"
                " org_id TEXT NOT NULL,"
                " owner_id TEXT NOT NULL,"
                " table_name TEXT NOT NULL,"
                " change_type TEXT NOT NULL CHECK (change_type IN ('INSERT', 'UPDATE', 'DELETE')),"
                " record_id TEXT NOT NULL,"
                " record TEXT NOT NULL,"
                " old_record TEXT NOT NULL,"
                " commit_timestamp TEXT NOT NULL)"),
            QStringLiteral(
                "CREATE INDEX change_log_visibility ON change_log (org_id, owner_id, seq)"),
            // One row: the change sequence. Taking it inside the write transaction orders seq
            // by commit, which the change feed and realtime fan-out rely on.
            QStringLiteral(
                "CREATE TABLE sync_state (id INTEGER PRIMARY KEY, last_seq BIGINT NOT NULL)"),
            QStringLiteral("INSERT INTO sync_state (id, last_seq) VALUES (1, 0)"),
            QStringLiteral("CREATE TABLE idempotency_keys ("
                           " user_id TEXT NOT NULL,"
                           " idem_key TEXT NOT NULL,"
                           " fingerprint TEXT NOT NULL,"
                           " method TEXT NOT NULL,"
                           " route TEXT NOT NULL,"
                           " response_status INTEGER NOT NULL,"
                           " response_content_type TEXT NOT NULL,"
                           " response_body TEXT NOT NULL,"
                           " created_at_ms BIGINT NOT NULL,"
                           " PRIMARY KEY (user_id, idem_key)) {clustered}"),
            QStringLiteral("CREATE INDEX idempotency_expiry ON idempotency_keys (created_at_ms)"),
            QStringLiteral("CREATE TABLE refresh_tokens ("
                           " token_hash TEXT PRIMARY KEY,"
                           " user_id TEXT NOT NULL REFERENCES users(id),"
                           " family_id TEXT NOT NULL,"
                           " created_at_ms BIGINT NOT NULL,"
                           " expires_at_ms BIGINT NOT NULL,"
                           " used_at_ms BIGINT,"
                           " revoked INTEGER NOT NULL DEFAULT 0)"),
            QStringLiteral("CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id)"),
        },
        // 2: retention purges refresh tokens by expiry, oldest first (the change log goes by seq).
        {
            QStringLiteral("CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at_ms)"),
        },
        // 3: when a send call whose outcome is unknown went out (NULL: none). A row that was
        // `sending` before may have had a call in flight: its next attempt asks the provider.
        {
            QStringLiteral("ALTER TABLE sms_messages ADD COLUMN send_started_at_ms BIGINT"),
            QStringLiteral("UPDATE sms_messages SET send_started_at_ms = next_attempt_at_ms WHERE "
                           "status = 'sending'"),
        },
    };
    return all;
}

} // namespace

Migrator::Migrator(const QSqlDatabase &db, const SqlDialect &dialect)
    : m_db(db)
    , m_dialect(dialect)
{ }

int Migrator::latestVersion()
{
    return int(migrations().size());
}

int Migrator::currentVersion()
{
    SqlQuery::run(m_db, m_dialect,
        QStringLiteral("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"));
    SqlQuery q(m_db, m_dialect, QStringLiteral("SELECT MAX(version) FROM schema_version"));
    q.exec();
    return q.next() && !q.isNull(0) ? int(q.integer(0)) : 0;
}

void Migrator::migrate()
{
    if (m_dialect.kind() == SqlDialect::Kind::Postgres) {
        // Instances started together on one database: one transaction (PostgreSQL's DDL is
        // transactional) under an advisory lock, so one migrates and the others, waiting
        // however long that takes, find the schema current. Concurrent CREATE TABLE would
        // otherwise fail in all but one.
        SqlQuery::run(m_db, m_dialect, QStringLiteral("BEGIN"));
        try {
            SqlQuery::run(m_db, m_dialect, QStringLiteral("SET LOCAL lock_timeout TO 0"));
            SqlQuery(m_db, m_dialect, QStringLiteral("SELECT pg_advisory_xact_lock(?)"))
                .bind(advisoryLockKey)
                .exec();
            apply(currentVersion(), Transactions::Caller);
            SqlQuery::run(m_db, m_dialect, QStringLiteral("COMMIT"));
        } catch (...) {
            QSqlQuery(m_db).exec(QStringLiteral("ROLLBACK"));
            throw;
        }
        return;
    }
    apply(currentVersion(), Transactions::PerVersion);
}

void Migrator::apply(int from, Transactions transactions)
{
    const bool transactionPerVersion = transactions == Transactions::PerVersion;
    for (int version = from + 1; version <= latestVersion(); ++version) {
        if (transactionPerVersion)
            SqlQuery::run(m_db, m_dialect, m_dialect.beginWriteStatement());
        try {
            for (const QString &statement : migrations().at(std::size_t(version - 1)))
                SqlQuery::run(m_db, m_dialect, m_dialect.expand(statement));
            SqlQuery(
                m_db, m_dialect, QStringLiteral("INSERT INTO schema_version (version) VALUES (?)"))
                .bind(version)
                .exec();
            if (transactionPerVersion)
                SqlQuery::run(m_db, m_dialect, QStringLiteral("COMMIT"));
        } catch (...) {
            if (transactionPerVersion)
                QSqlQuery(m_db).exec(QStringLiteral("ROLLBACK"));
            throw;
        }
        qCInfo(lcStorage) << "schema migrated to version" << version;
    }
}
