#include "dbinspector.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QUuid>

DbInspector::DbInspector(const QString &path)
    : m_name(QStringLiteral("inspector-") + QUuid::createUuid().toString(QUuid::WithoutBraces))
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
    db.setDatabaseName(path);
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=10000"));
    if (!db.open())
        qWarning() << "cannot open" << path << db.lastError().text();
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
    q.prepare(sql);
    for (const QVariant &v : binds)
        q.addBindValue(v);
    *ok = q.exec();
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
    return QTest::toString(QStringLiteral("seq=%1 idem=%2 bookingVersions=%3 leadVersions=%4 sms=%5 bookings=%6")
                               .arg(s.changeSeq)
                               .arg(s.idempotencyRecords)
                               .arg(s.bookingVersions)
                               .arg(s.leadVersions)
                               .arg(s.smsRows)
                               .arg(s.bookings));
}
