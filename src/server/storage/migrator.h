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
    enum class Transactions {
        PerVersion, // each version commits on its own
        Caller, // all inside the caller's one transaction (PostgreSQL, under its advisory lock)
    };
    void apply(int from, Transactions transactions);

    QSqlDatabase m_db;
    const SqlDialect &m_dialect;
};
