#include "sqlquery.h"

#include "sqldialect.h"
#include "storageerror.h"

#include <QSqlError>

SqlQuery::SqlQuery(const QSqlDatabase &db, const SqlDialect &dialect, const QString &sql)
    : m_query(db)
    , m_dialect(dialect)
    , m_sql(sql)
{
    m_query.setForwardOnly(true);
    if (!m_query.prepare(sql))
        fail(QStringLiteral("prepare"));
}

SqlQuery &SqlQuery::bind(const QVariant &value)
{
    m_query.addBindValue(value);
    return *this;
}

SqlQuery &SqlQuery::exec()
{
    if (!m_query.exec())
        fail(QStringLiteral("exec"));
    return *this;
}

void SqlQuery::run(const QSqlDatabase &db, const SqlDialect &dialect, const QString &sql)
{
    QSqlQuery query(db);
    if (!query.exec(sql))
        throw StorageError(query.lastError(), dialect.isTransient(query.lastError()), sql.left(80));
}

void SqlQuery::fail(const QString &what) const
{
    const QSqlError error = m_query.lastError();
    throw StorageError(error, m_dialect.isTransient(error), what + QLatin1Char(' ') + m_sql.left(80));
}
