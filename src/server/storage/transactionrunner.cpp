#include "transactionrunner.h"

#include "clock.h"
#include "database.h"
#include "logging.h"
#include "sqlquery.h"
#include "storageerror.h"
#include "transaction.h"

#include <QMutexLocker>
#include <QSqlQuery>
#include <QThread>

TransactionRunner::TransactionRunner(Database &database, const Clock *clock, RandomSource *random,
                                     Options options, QObject *parent)
    : QObject(parent)
    , m_database(database)
    , m_clock(clock)
    , m_random(random)
    , m_options(options)
    , m_backoff(options.backoff)
{
}

void TransactionRunner::run(Mode mode, const std::function<void(Transaction &)> &work)
{
    for (int attemptNo = 0;; ++attemptNo) {
        try {
            attempt(mode, work);
            return;
        } catch (const StorageError &e) {
            if (!e.isTransient() || attemptNo + 1 >= m_options.maxAttempts)
                throw;
            ++m_transientRetries;
            const qint64 delay = m_backoff.delayMs(attemptNo, *m_random);
            qCDebug(lcStorage) << "transient storage error, retry" << attemptNo + 1 << "in" << delay
                               << "ms:" << e.what();
            // Worker threads only: the event-loop thread never runs a transaction that waits.
            QThread::msleep(static_cast<unsigned long>(delay));
        }
    }
}

void TransactionRunner::attempt(Mode mode, const std::function<void(Transaction &)> &work)
{
    const SqlDialect &dialect = m_database.dialect();
    std::optional<QMutexLocker<QMutex>> gate;
    if (mode == Mode::Write && dialect.serialisesWriters())
        gate.emplace(&m_database.writeGate());

    Transaction tx(m_database.connection(), dialect, m_clock->nowMs());
    SqlQuery::run(tx.db(), dialect,
                  mode == Mode::Write ? dialect.beginWriteStatement() : QStringLiteral("BEGIN"));
    try {
        work(tx);
        SqlQuery::run(tx.db(), dialect, QStringLiteral("COMMIT"));
    } catch (...) {
        QSqlQuery(tx.db()).exec(QStringLiteral("ROLLBACK"));
        throw;
    }
    gate.reset();
    if (tx.lastSeq() > 0)
        emit changesCommitted(tx.lastSeq());
    for (const auto &hook : tx.m_afterCommit)
        hook();
}
