#include "database.h"

#include "logging.h"
#include "migrator.h"
#include "sqlquery.h"
#include "storageerror.h"

#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QSemaphore>
#include <QSqlError>
#include <QThread>
#include <QThreadPool>
#include <atomic>

namespace {
std::atomic<quint64> nextInstance { 1 };

// Per-thread registry of connections and their prepared statements.
struct ThreadConnections
{
    QHash<quint64, QString> names;
    QHash<QString, Database::StatementCache> statements;

    void close(const QString &name)
    {
        statements.remove(name); // statements before their connection
        QSqlDatabase::database(name, false).close();
        QSqlDatabase::removeDatabase(name);
    }
    void closeAll()
    {
        for (const QString &name : std::as_const(names))
            close(name);
        names.clear();
    }
    // Only a fallback for threads that did not call Database::closeThreadConnections(): glibc runs
    // it after QThread::wait() has returned, possibly after QCoreApplication (and QtSql's
    // connection table) is gone. Every server thread closes its connections itself.
    ~ThreadConnections() { closeAll(); }
};
thread_local ThreadConnections threadConnections;
} // namespace

Database::Database(DatabaseConfig config)
    : m_config(std::move(config))
    , m_dialect(m_config.kind)
    , m_instance(nextInstance++)
{ }

Database::~Database()
{
    // The destroying thread's own connection (the main thread's, from open()); other threads
    // closed theirs when they ended.
    const auto it = threadConnections.names.constFind(m_instance);
    if (it != threadConnections.names.cend()) {
        threadConnections.close(*it);
        threadConnections.names.erase(it);
    }
}

void Database::closeThreadConnections()
{
    threadConnections.closeAll();
}

void Database::closePoolConnections(QThreadPool &pool)
{
    // A pool thread cannot be addressed by itself, so one job per possible thread, each holding
    // its thread until all have closed: no two can share a thread, so every thread (the pool
    // makes at most maxThreadCount) runs one, after whatever was queued before. Shared: the
    // last jobs may still be leaving acquire() when this returns.
    struct Barrier
    {
        QSemaphore closed;
        QSemaphore release;
    };
    const auto barrier = std::make_shared<Barrier>();
    const int threads = pool.maxThreadCount();
    for (int i = 0; i < threads; ++i) {
        pool.start([barrier] {
            closeThreadConnections();
            barrier->closed.release();
            barrier->release.acquire();
        });
    }
    barrier->closed.acquire(threads);
    barrier->release.release(threads);
}

bool Database::open(QString *error)
{
    if (m_config.kind == SqlDialect::Kind::Sqlite) {
        const QFileInfo file(m_config.sqlitePath);
        if (!QDir().mkpath(file.absolutePath())) {
            *error = QStringLiteral("cannot create directory %1").arg(file.absolutePath());
            return false;
        }
    }
    try {
        Migrator(connection(), m_dialect).migrate();
    } catch (const StorageError &e) {
        *error = QString::fromStdString(e.what());
        return false;
    }
    return true;
}

Database::StatementCache &Database::preparedStatements(const QString &connectionName)
{
    return threadConnections.statements[connectionName];
}

QSqlDatabase Database::connection()
{
    auto it = threadConnections.names.constFind(m_instance);
    if (it != threadConnections.names.cend())
        return QSqlDatabase::database(*it, false);
    const QString name = QStringLiteral("syncloop-%1-%2")
                             .arg(m_instance)
                             .arg(quintptr(QThread::currentThreadId()), 0, 16);
    QSqlDatabase db = openConnection(name);
    threadConnections.names.insert(m_instance, name);
    return db;
}

QSqlDatabase Database::openDedicated(const QString &name, const QString &role)
{
    return openConnection(name, role);
}

void Database::closeDedicated(const QString &name)
{
    QSqlDatabase::database(name, false).close();
    QSqlDatabase::removeDatabase(name);
}

QSqlDatabase Database::openConnection(const QString &name, const QString &role)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(m_dialect.driverName(), name);
    if (m_config.kind == SqlDialect::Kind::Sqlite) {
        db.setDatabaseName(m_config.sqlitePath);
        // Our own backoff handles BUSY (TransactionRunner); SQLite's busy handler would hide it.
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=0"));
    } else {
        db.setHostName(m_config.host);
        db.setPort(m_config.port);
        db.setDatabaseName(m_config.databaseName);
        db.setUserName(m_config.userName);
        db.setPassword(m_config.password);
        // application_name: operators (and tests) tell the connections apart in pg_stat_activity.
        db.setConnectOptions(QStringLiteral("connect_timeout=5;application_name='%1'").arg(role));
    }
    if (!db.open()) {
        const QSqlError error = db.lastError();
        QSqlDatabase::removeDatabase(name);
        throw StorageError(
            error, m_dialect.errorKind(error), QStringLiteral("open ") + m_config.describe());
    }
    configure(db);
    return db;
}

void Database::configure(const QSqlDatabase &db)
{
    if (m_config.kind == SqlDialect::Kind::Sqlite) {
        // WAL: readers never block the writer. FULL fsyncs the log at every commit (one per
        // group commit); NORMAL survives the process crashing, but a power loss may drop the
        // last commits after their answers left.
        SqlQuery::run(db, m_dialect, QStringLiteral("PRAGMA journal_mode=WAL"));
        SqlQuery::run(db, m_dialect,
            m_config.durability == DatabaseConfig::Durability::Full
                ? QStringLiteral("PRAGMA synchronous=FULL")
                : QStringLiteral("PRAGMA synchronous=NORMAL"));
        if (m_config.checkpointInBackground)
            SqlQuery::run(db, m_dialect, QStringLiteral("PRAGMA wal_autocheckpoint=0"));
        SqlQuery::run(db, m_dialect, QStringLiteral("PRAGMA foreign_keys=ON"));
        SqlQuery::run(db, m_dialect, QStringLiteral("PRAGMA temp_store=MEMORY"));
        // A bigger page cache per connection (the default 2 MB thrashes on large tables).
        SqlQuery::run(db, m_dialect, QStringLiteral("PRAGMA cache_size=-32768"));
    } else {
        SqlQuery::run(db, m_dialect, QStringLiteral("SET TIME ZONE 'UTC'"));
        // A lock held elsewhere (another instance, an operator's session) fails the statement
        // with lock_not_available instead of blocking for as long as it is held: like SQLite's
        // BUSY, it is transient, so an event-loop thread hands the request to a worker and
        // TransactionRunner retries with backoff, then answers 503. Long enough for the usual
        // wait on a row another transaction is committing.
        SqlQuery::run(db, m_dialect, QStringLiteral("SET lock_timeout TO '100ms'"));
        // Explicit either way: the cluster's default may have been turned off.
        SqlQuery::run(db, m_dialect,
            m_config.durability == DatabaseConfig::Durability::Full
                ? QStringLiteral("SET synchronous_commit TO on")
                : QStringLiteral("SET synchronous_commit TO off"));
    }
}
