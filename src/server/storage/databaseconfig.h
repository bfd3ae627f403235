#pragma once

#include "sqldialect.h"

#include <QString>
#include <optional>

// Where the data lives: `sqlite:PATH` (the default, a file in the data directory) or
// `postgres://user@host:port/dbname`. The password never comes from the URL (command lines are
// visible to every user of the machine): from --database-password-file, or libpq's own
// PGPASSFILE / ~/.pgpass when none is set.
struct DatabaseConfig
{
    // When an answer may leave: Full fsyncs every (group) commit first, so a power cut cannot
    // erase a write the client was told about; Relaxed (SQLite synchronous=NORMAL, PostgreSQL
    // synchronous_commit=off) survives a crash of the process but not of the machine.
    enum class Durability { Full, Relaxed };

    SqlDialect::Kind kind = SqlDialect::Kind::Sqlite;
    QString sqlitePath;
    QString host;
    int port = 5432;
    QString databaseName;
    QString userName;
    QString password; // read from passwordFile at start
    QString passwordFile; // --database-password-file
    Durability durability = Durability::Full;
    bool checkpointInBackground
        = false; // SQLite: no checkpoint inside commits (a WalCheckpointer runs them)

    // Returns nullopt and sets *error for anything it cannot use.
    static std::optional<DatabaseConfig> parse(
        const QString &spec, const QString &dataDir, QString *error);
    QString describe() const; // for logs: never includes the password
};
