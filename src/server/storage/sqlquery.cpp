#include "sqlquery.h"

#include "database.h"
#include "sqldialect.h"
#include "storageerror.h"

#include <QHash>
#include <QSqlError>

SqlQuery::SqlQuery(const QSqlDatabase &db, const SqlDialect &dialect, const QString &sql)
    : m_dialect(&dialect)
    , m_sql(sql)
{
    Database::StatementCache &statements = Database::preparedStatements(db.connectionName());
    const auto cached = statements.constFind(sql);
    if (cached != statements.cend() && !(*cached)->inUse) {
        m_statement = *cached;
    } else {
        m_statement = std::make_shared<Database::PreparedStatement>();
        m_statement->query = QSqlQuery(db);
        m_statement->query.setForwardOnly(true);
        if (!m_statement->query.prepare(sql))
            fail(QStringLiteral("prepare"));
        if (cached == statements.cend())
            statements.insert(sql, m_statement);
    }
    m_statement->inUse = true;
}

SqlQuery::SqlQuery(SqlQuery &&other) noexcept
    : m_statement(std::move(other.m_statement))
    , m_dialect(other.m_dialect)
    , m_sql(std::move(other.m_sql))
{ }

SqlQuery::~SqlQuery()
{
    if (m_statement) {
        m_statement->query.finish();
        m_statement->inUse = false;
    }
}

SqlQuery &SqlQuery::bind(const QVariant &value)
{
    query().addBindValue(value);
    return *this;
}

SqlQuery &SqlQuery::exec()
{
    if (!query().exec())
        fail(QStringLiteral("exec"));
    return *this;
}

void SqlQuery::run(const QSqlDatabase &db, const SqlDialect &dialect, const QString &sql)
{
    QSqlQuery query(db);
    if (!query.exec(sql))
        throw StorageError(query.lastError(), dialect.errorKind(query.lastError()), sql.left(80));
}

void SqlQuery::fail(const QString &what) const
{
    const QSqlError error = m_statement ? query().lastError() : QSqlError();
    throw StorageError(
        error, m_dialect->errorKind(error), what + QLatin1Char(' ') + m_sql.left(80));
}
