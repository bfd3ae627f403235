#pragma once

#include <QSqlDatabase>
#include <QString>
#include <QVariantList>

// Reads (and, for set-up, writes) a syncloopd SQLite database from the test process, while
// the server runs or after it died. Used to prove effects: versions, change log, records.
class DbInspector
{
public:
    explicit DbInspector(const QString &path);
    ~DbInspector();

    qint64 scalar(const QString &sql, const QVariantList &binds = {}) const;
    QString text(const QString &sql, const QVariantList &binds = {}) const;
    bool exec(const QString &sql, const QVariantList &binds = {}) const;

    qint64 changeSeq() const { return scalar(QStringLiteral("SELECT last_seq FROM sync_state")); }
    qint64 idempotencyRecords() const { return scalar(QStringLiteral("SELECT COUNT(*) FROM idempotency_keys")); }
    qint64 bookingVersion(const QString &id) const;
    QString bookingStatus(const QString &id) const;
    QString integrityCheck() const { return text(QStringLiteral("PRAGMA integrity_check")); }

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
};

char *toString(const DbInspector::Snapshot &snapshot); // for QCOMPARE
