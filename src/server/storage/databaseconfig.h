#pragma once

#include "sqldialect.h"

#include <QString>

#include <optional>

// Where the data lives: `sqlite:PATH` (the default, a file in the data directory) or
// `postgres://user:password@host:port/dbname`.
struct DatabaseConfig
{
    SqlDialect::Kind kind = SqlDialect::Kind::Sqlite;
    QString sqlitePath;
    QString host;
    int port = 5432;
    QString databaseName;
    QString userName;
    QString password;
    bool synchronousFull = false; // SQLite: fsync on every commit (PRAGMA synchronous=FULL)
    bool checkpointInBackground = false; // SQLite: no checkpoint inside commits (a WalCheckpointer runs them)

    // Returns nullopt and sets *error for anything it cannot use.
    static std::optional<DatabaseConfig> parse(const QString &spec, const QString &dataDir,
                                               QString *error);
    QString describe() const; // for logs: never includes the password
};
