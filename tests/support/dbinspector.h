#pragma once

#include <QSqlDatabase>
#include <QString>
#include <QVariantList>

// Reads (and, for set-up, writes) a syncloopd database from the test process, while the server
// runs or after it died: the SQLite file at a path, or the PostgreSQL database at a postgres://
// URL (ServerProcess::databasePath() gives either). Used to prove effects: versions, change
// log, records. Statements are plain SQL both accept.
class DbInspector
{
public:
    explicit DbInspector(const QString &pathOrUrl);
    ~DbInspector();

    qint64 scalar(const QString &sql, const QVariantList &binds = {}) const;
    QString text(const QString &sql, const QVariantList &binds = {}) const;
    bool exec(const QString &sql, const QVariantList &binds = {}) const;

    qint64 changeSeq() const { return scalar(QStringLiteral("SELECT last_seq FROM sync_state")); }
    qint64 idempotencyRecords() const
    {
        return scalar(QStringLiteral("SELECT COUNT(*) FROM idempotency_keys"));
    }
    // Change-log rows about one record (every write of it); idempotency records of one key.
    qint64 changesFor(const QString &recordId) const
    {
        return scalar(
            QStringLiteral("SELECT COUNT(*) FROM change_log WHERE record_id = ?"), { recordId });
    }
    qint64 keyRecords(const QString &key) const
    {
        return scalar(
            QStringLiteral("SELECT COUNT(*) FROM idempotency_keys WHERE idem_key = ?"), { key });
    }
    qint64 bookingVersion(const QString &id) const;
    QString bookingStatus(const QString &id) const;
    // "ok" when the store is sound: SQLite's integrity_check; on PostgreSQL (which has no such
    // check without extensions) that the change log is an unbroken run of seqs ending at or
    // before the counter.
    QString integrityCheck() const;
    // Holds the database's write lock from this process until releaseWriteLock(): SQLite's
    // BEGIN IMMEDIATE; on PostgreSQL an exclusive lock on the change counter every write takes.
    bool holdWriteLock() const;
    bool releaseWriteLock() const;
    bool isPostgres() const { return m_postgres; }

    // Everything a request could have changed, as one comparable value.
    struct Snapshot
    {
        qint64 changeSeq = 0;
        qint64 idempotencyRecords = 0;
        qint64 bookingVersions = 0;
        qint64 leadVersions = 0;
        qint64 smsRows = 0;
        qint64 bookings = 0;
        friend bool operator==(const Snapshot &, const Snapshot &) = default;
    };
    Snapshot snapshot() const;

    QSqlDatabase database() const { return QSqlDatabase::database(m_name); }

private:
    QString m_name;
    bool m_postgres = false;
};

char *toString(const DbInspector::Snapshot &snapshot); // for QCOMPARE
