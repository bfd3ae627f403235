#pragma once

#include <QSqlQuery>
#include <QVariant>

class SqlDialect;

// QSqlQuery that throws StorageError instead of returning false, so that a failed statement
// can never be mistaken for "no rows" and always rolls the transaction back.
class SqlQuery
{
public:
    SqlQuery(const QSqlDatabase &db, const SqlDialect &dialect, const QString &sql);

    SqlQuery &bind(const QVariant &value);
    SqlQuery &exec();

    bool next() { return m_query.next(); }
    QVariant value(int index) const { return m_query.value(index); }
    QString text(int index) const { return m_query.value(index).toString(); }
    qint64 integer(int index) const { return m_query.value(index).toLongLong(); }
    bool isNull(int index) const { return m_query.isNull(index); }
    int rowsAffected() const { return m_query.numRowsAffected(); }

    // Runs a statement without parameters.
    static void run(const QSqlDatabase &db, const SqlDialect &dialect, const QString &sql);

private:
    [[noreturn]] void fail(const QString &what) const;

    QSqlQuery m_query;
    const SqlDialect &m_dialect;
    QString m_sql;
};
