#include "walcheckpointer.h"

#include "database.h"
#include "logging.h"
#include "sqlquery.h"
#include "storageerror.h"

#include <chrono>

WalCheckpointer::WalCheckpointer(Database &database, int intervalMs)
    : m_database(database)
    , m_intervalMs(intervalMs)
{
    setObjectName(QStringLiteral("wal-checkpointer"));
}

WalCheckpointer::~WalCheckpointer()
{
    stop();
}

void WalCheckpointer::stop()
{
    {
        const std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    wait();
}

void WalCheckpointer::run()
{
    std::unique_lock lock(m_mutex);
    while (!m_stopping) {
        m_wake.wait_for(
            lock, std::chrono::milliseconds(m_intervalMs), [this] { return m_stopping; });
        if (m_stopping)
            break;
        lock.unlock();
        checkpoint("PASSIVE");
        lock.lock();
    }
    lock.unlock();
    checkpoint("TRUNCATE");
    Database::closeThreadConnections();
}

void WalCheckpointer::checkpoint(const char *mode)
{
    try {
        SqlQuery query(m_database.connection(), m_database.dialect(),
            QStringLiteral("PRAGMA wal_checkpoint(%1)").arg(QLatin1String(mode)));
        query.exec();
        // One row: busy (1 when a lock kept it from finishing), frames in the log, frames copied.
        if (query.next() && query.integer(0) != 0)
            qCDebug(lcStorage) << "checkpoint" << mode << "incomplete:" << query.integer(2) << "of"
                               << query.integer(1) << "frames";
    } catch (const StorageError &e) {
        // The next round tries again; meanwhile the log only grows.
        qCWarning(lcStorage) << "WAL checkpoint failed:" << e.what();
    }
}
