#include "dbinspector.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QUrl>
#include <QUuid>

DbInspector::DbInspector(const QString &pathOrUrl)
    : m_name(QStringLiteral("inspector-") + QUuid::createUuid().toString(QUuid::WithoutBraces))
    , m_postgres(pathOrUrl.startsWith(QLatin1String("postgres://")))
{
    if (m_postgres) {
        const QUrl url(pathOrUrl);
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_name);
        db.setHostName(url.host());
        db.setPort(url.port(5432));
        db.setUserName(url.userName());
        db.setDatabaseName(url.path().mid(1));
        if (!db.open())
            qWarning() << "cannot open" << pathOrUrl << db.lastError().text();
        return;
    }
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
    db.setDatabaseName(pathOrUrl);
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=10000"));
    if (!db.open())
        qWarning() << "cannot open" << pathOrUrl << db.lastError().text();
}

DbInspector::~DbInspector()
{
    QSqlDatabase::database(m_name, false).close();
    QSqlDatabase::removeDatabase(m_name);
}

namespace {
QSqlQuery run(const QString &name, const QString &sql, const QVariantList &binds, bool *ok)
{
    QSqlQuery q(QSqlDatabase::database(name));
    if (binds.isEmpty()) {
        // Unprepared: PostgreSQL cannot prepare utility statements (LOCK, BEGIN).
        *ok = q.exec(sql);
    } else {
        q.prepare(sql);
        for (const QVariant &v : binds)
            q.addBindValue(v);
        *ok = q.exec();
    }
    if (!*ok)
        qWarning() << "inspector query failed:" << sql << q.lastError().text();
    return q;
}
} // namespace

qint64 DbInspector::scalar(const QString &sql, const QVariantList &binds) const
{
    bool ok = false;
    QSqlQuery q = run(m_name, sql, binds, &ok);
    return ok && q.next() ? q.value(0).toLongLong() : -1;
}

QString DbInspector::text(const QString &sql, const QVariantList &binds) const
{
    bool ok = false;
    QSqlQuery q = run(m_name, sql, binds, &ok);
    return ok && q.next() ? q.value(0).toString() : QString();
}

bool DbInspector::exec(const QString &sql, const QVariantList &binds) const
{
    bool ok = false;
    run(m_name, sql, binds, &ok);
    return ok;
}

QString DbInspector::integrityCheck() const
{
    if (!m_postgres)
        return text(QStringLiteral("PRAGMA integrity_check"));
    return text(QStringLiteral(
        "SELECT CASE WHEN COUNT(*) = 0 OR (COUNT(*) = MAX(seq) - MIN(seq) + 1"
        " AND MAX(seq) <= (SELECT last_seq FROM sync_state WHERE id = 1)) THEN 'ok'"
        " ELSE 'change log broken: ' || COUNT(*) || ' rows in ' || MIN(seq) || '..' || MAX(seq) END"
        " FROM change_log"));
}

bool DbInspector::holdWriteLock() const
{
    if (!m_postgres)
        return exec(QStringLiteral("BEGIN IMMEDIATE"));
    // QPSQL cannot prepare BEGIN: the driver's own transaction calls.
    return database().transaction()
        && exec(QStringLiteral("LOCK TABLE sync_state IN EXCLUSIVE MODE"));
}

bool DbInspector::releaseWriteLock() const
{
    if (!m_postgres)
        return exec(QStringLiteral("ROLLBACK"));
    return database().rollback();
}

qint64 DbInspector::bookingVersion(const QString &id) const
{
    return scalar(QStringLiteral("SELECT version FROM bookings WHERE id = ?"), { id });
}

QString DbInspector::bookingStatus(const QString &id) const
{
    return text(QStringLiteral("SELECT status FROM bookings WHERE id = ?"), { id });
}

DbInspector::Snapshot DbInspector::snapshot() const
{
    return {
        changeSeq(),
        idempotencyRecords(),
        scalar(QStringLiteral("SELECT COALESCE(SUM(version), 0) FROM bookings")),
        scalar(QStringLiteral("SELECT COALESCE(SUM(version), 0) FROM leads")),
        scalar(QStringLiteral("SELECT COUNT(*) FROM sms_messages")),
        scalar(QStringLiteral("SELECT COUNT(*) FROM bookings")),
    };
}

char *toString(const DbInspector::Snapshot &s)
{
    return QTest::toString(
        QStringLiteral("seq=%1 idem=%2 bookingVersions=%3 leadVersions=%4 sms=%5 bookings=%6")
            .arg(s.changeSeq)
            .arg(s.idempotencyRecords)
            .arg(s.bookingVersions)
            .arg(s.leadVersions)
            .arg(s.smsRows)
            .arg(s.bookings));
}
