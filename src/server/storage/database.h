#pragma once

#include "databaseconfig.h"
#include "sqldialect.h"

#include <QHash>
#include <QMutex>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <memory>

class QThreadPool;

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
    // Closes and forgets every connection the calling thread opened (of any Database). Each
    // thread that used one calls this at the end of its own run(), before wait() returns: QtSql's
    // connection table must not outlive QCoreApplication in another thread's hands.
    static void closeThreadConnections();
    // The same on every thread of `pool`, as each one's last job. Call it before anything waits
    // for the pool (QThreadPool::waitForDone() joins its threads) and start nothing on the pool
    // after it. Returns once every thread has closed its connections.
    static void closePoolConnections(QThreadPool &pool);
    // A connection of its own, outside the per-thread table (PostgreSQL's LISTEN connection):
    // the caller uses it on the calling thread and closes it with closeDedicated(). Throws
    // StorageError if it cannot open. `role` names it to the server (application_name).
    QSqlDatabase openDedicated(const QString &name, const QString &role);
    static void closeDedicated(const QString &name);

    const SqlDialect &dialect() const { return m_dialect; }
    const DatabaseConfig &config() const { return m_config; }
    struct PreparedStatement
    {
        QSqlQuery query;
        bool inUse = false;
    };
    using StatementCache = QHash<QString, std::shared_ptr<PreparedStatement>>;
    // This thread's prepared statements of one of its connections, by SQL text.
    static StatementCache &preparedStatements(const QString &connectionName);
    // Held for the whole of a write transaction when the dialect has a single writer.
    QMutex &writeGate() { return m_writeGate; }

private:
    QSqlDatabase openConnection(
        const QString &name, const QString &role = QStringLiteral("syncloopd"));
    void configure(const QSqlDatabase &db);

    const DatabaseConfig m_config;
    const SqlDialect m_dialect;
    const quint64 m_instance;
    QMutex m_writeGate;
};
