#include "sqldialect.h"

#include <QSqlError>

QString SqlDialect::driverName() const
{
    return m_kind == Kind::Sqlite ? QStringLiteral("QSQLITE") : QStringLiteral("QPSQL");
}

QString SqlDialect::beginWriteStatement() const
{
    return m_kind == Kind::Sqlite ? QStringLiteral("BEGIN IMMEDIATE") : QStringLiteral("BEGIN");
}

QString SqlDialect::beginReadStatement() const
{
    return m_kind == Kind::Sqlite ? QStringLiteral("BEGIN")
                                  : QStringLiteral("BEGIN ISOLATION LEVEL REPEATABLE READ");
}

bool SqlDialect::isTransient(const QSqlError &error) const
{
    const QString code = error.nativeErrorCode();
    if (m_kind == Kind::Sqlite) {
        // SQLITE_BUSY (5) and SQLITE_LOCKED (6), including their extended codes (low byte).
        bool ok = false;
        const int native = code.toInt(&ok);
        const int primary = native & 0xff;
        return ok && (primary == 5 || primary == 6);
    }
    // serialization_failure, deadlock_detected, lock_not_available, and a dropped connection.
    return code == QLatin1String("40001") || code == QLatin1String("40P01")
        || code == QLatin1String("55P03") || code.startsWith(QLatin1String("08"));
}

bool SqlDialect::isUniqueViolation(const QSqlError &error) const
{
    const QString code = error.nativeErrorCode();
    if (m_kind == Kind::Sqlite)
        return code == QLatin1String("2067") || code == QLatin1String("1555")
            || code == QLatin1String("19");
    return code == QLatin1String("23505");
}

QString SqlDialect::expand(QString ddl) const
{
    const bool sqlite = m_kind == Kind::Sqlite;
    ddl.replace(QLatin1String("{sequence_key}"),
        sqlite ? QLatin1String("INTEGER PRIMARY KEY") : QLatin1String("BIGINT PRIMARY KEY"));
    ddl.replace(QLatin1String(" {clustered}"),
        sqlite ? QLatin1String(" WITHOUT ROWID") : QLatin1String(""));
    return ddl;
}
