#pragma once

#include <QSqlDatabase>
#include <QStringList>

class SqlDialect;

// Brings the schema to the newest version, one transaction per migration (on PostgreSQL one
// for all, under an advisory lock, as instances may start together), keyed on the
// version stored in `schema_version` (a table, so PostgreSQL and SQLite work alike).
class Migrator
{
public:
    Migrator(const QSqlDatabase &db, const SqlDialect &dialect);

    void migrate(); // throws StorageError
    int currentVersion();
    static int latestVersion();

private:
    void apply(int from, bool transactionPerVersion);

    QSqlDatabase m_db;
    const SqlDialect &m_dialect;
};
