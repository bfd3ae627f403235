#pragma once

#include "databaseconfig.h"
#include "sqldialect.h"

#include <QMutex>
#include <QSqlDatabase>

// Owns the configuration and hands every thread its own connection (Qt SQL connections are
// per thread). Opening runs the schema migrations.
class Database
{
public:
    explicit Database(DatabaseConfig config);
    ~Database();
    Q_DISABLE_COPY_MOVE(Database)

    // Opens the calling thread's connection and migrates the schema; false with *error on failure.
    bool open(QString *error);
    // The calling thread's connection, opened on first use. Throws StorageError if it can't open.
    QSqlDatabase connection();

    const SqlDialect &dialect() const { return m_dialect; }
    const DatabaseConfig &config() const { return m_config; }
    // Held for the whole of a write transaction when the dialect has a single writer.
    QMutex &writeGate() { return m_writeGate; }

private:
    QSqlDatabase openConnection(const QString &name);
    void configure(const QSqlDatabase &db);

    const DatabaseConfig m_config;
    const SqlDialect m_dialect;
    const quint64 m_instance;
    QMutex m_writeGate;
};
