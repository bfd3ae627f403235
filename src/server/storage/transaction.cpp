#include "transaction.h"

#include "sqlquery.h"

Transaction::Transaction(const QSqlDatabase &db, const SqlDialect &dialect, qint64 nowMs)
    : m_db(db)
    , m_dialect(dialect)
    , m_nowMs(nowMs)
{ }

SqlQuery Transaction::query(const QString &sql) const
{
    return SqlQuery(m_db, m_dialect, sql);
}
