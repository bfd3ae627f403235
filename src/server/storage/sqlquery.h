#pragma once

#include "database.h"

#include <QSqlQuery>
#include <QVariant>
#include <memory>

class SqlDialect;

// QSqlQuery that throws StorageError instead of returning false, so that a failed statement
// can never be mistaken for "no rows" and always rolls the transaction back.
// Statements are prepared once per connection and reused (preparing costs more than running
// most of ours); the destructor resets the statement so it holds no read snapshot.
class SqlQuery
{
public:
    SqlQuery(const QSqlDatabase &db, const SqlDialect &dialect, const QString &sql);
    ~SqlQuery();
    SqlQuery(SqlQuery &&other) noexcept;
    Q_DISABLE_COPY(SqlQuery)

    SqlQuery &bind(const QVariant &value);
    SqlQuery &exec();

    bool next() { return query().next(); }
    QVariant value(int index) const { return query().value(index); }
    QString text(int index) const { return query().value(index).toString(); }
    qint64 integer(int index) const { return query().value(index).toLongLong(); }
    bool isNull(int index) const { return query().isNull(index); }
    int rowsAffected() const { return query().numRowsAffected(); }

    // Runs a statement without parameters.
    static void run(const QSqlDatabase &db, const SqlDialect &dialect, const QString &sql);

private:
    [[noreturn]] void fail(const QString &what) const;

    QSqlQuery &query() const { return m_statement->query; }

    std::shared_ptr<Database::PreparedStatement> m_statement;
    const SqlDialect *m_dialect;
    QString m_sql;
};
