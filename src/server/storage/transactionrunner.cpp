#include "transactionrunner.h"

#include "changelog.h"
#include "clock.h"
#include "database.h"
#include "logging.h"
#include "sqlquery.h"
#include "storageerror.h"
#include "transaction.h"

#include <QSqlQuery>
#include <QThread>

namespace {
void rollback(const QSqlDatabase &db, const QString &statement)
{
    QSqlQuery(db).exec(statement); // best effort: the connection may already have aborted it
}

// Other instances on the same PostgreSQL hear of the commit through its own NOTIFY.
void announceBeforeCommit(Transaction &tx)
{
    if (tx.lastSeq() > 0 && tx.dialect().kind() == SqlDialect::Kind::Postgres)
        ChangeLog::announce(tx, tx.lastSeq());
}
} // namespace

TransactionRunner::Batch::Batch(TransactionRunner &runner)
    : m_runner(runner)
{
    Database &database = runner.m_database;
    const SqlDialect &dialect = database.dialect();
    if (dialect.serialisesWriters())
        m_gate.emplace(&database.writeGate());
    m_tx = std::make_unique<Transaction>(database.connection(), dialect, runner.m_clock->nowMs());
    SqlQuery::run(m_tx->db(), dialect, dialect.beginWriteStatement());
}

TransactionRunner::Batch::~Batch()
{
    if (!m_done)
        rollback(m_tx->db(), QStringLiteral("ROLLBACK"));
}

void TransactionRunner::Batch::commit()
{
    m_done = true; // whatever happens now, the transaction is over
    try {
        announceBeforeCommit(*m_tx);
        SqlQuery::run(m_tx->db(), m_tx->dialect(), QStringLiteral("COMMIT"));
    } catch (...) {
        rollback(m_tx->db(), QStringLiteral("ROLLBACK"));
        throw;
    }
    m_gate.reset();
    m_runner.finishCommitted(*m_tx);
}

TransactionRunner::TransactionRunner(
    Database &database, const Clock *clock, RandomSource *random, Options options, QObject *parent)
    : QObject(parent)
    , m_database(database)
    , m_clock(clock)
    , m_random(random)
    , m_options(options)
    , m_backoff(options.backoff)
{ }

TransactionRunner::~TransactionRunner() = default;

void TransactionRunner::run(
    Access access, const Context &context, const std::function<void(Transaction &)> &work)
{
    if (context.batch) {
        Q_ASSERT(&context.batch->m_runner == this);
        Q_ASSERT(!context.batch->m_done);
        inBatch(*context.batch, work);
        return;
    }
    for (int attemptNo = 0;; ++attemptNo) {
        try {
            attempt(access, work);
            return;
        } catch (const StorageError &e) {
            if (!e.isTransient() || context.attempts == Attempts::Single
                || attemptNo + 1 >= m_options.maxAttempts)
                throw;
            ++m_transientRetries;
            const qint64 delay = m_backoff.delayMs(attemptNo, *m_random);
            qCDebug(lcStorage) << "transient storage error, retry" << attemptNo + 1 << "in" << delay
                               << "ms:" << e.what();
            // Worker threads only: event-loop threads pass Attempts::Single or a Batch.
            QThread::msleep(static_cast<unsigned long>(delay));
        }
    }
}

void TransactionRunner::inBatch(Batch &batch, const std::function<void(Transaction &)> &work)
{
    Transaction &outer = *batch.m_tx;
    const QString savepoint = QStringLiteral("unit%1").arg(++batch.m_savepoints);
    SqlQuery::run(outer.db(), outer.dialect(), QStringLiteral("SAVEPOINT ") + savepoint);
    Transaction unit(outer.db(), outer.dialect(), m_clock->nowMs());
    try {
        work(unit);
        SqlQuery::run(
            outer.db(), outer.dialect(), QStringLiteral("RELEASE SAVEPOINT ") + savepoint);
    } catch (...) {
        rollback(outer.db(), QStringLiteral("ROLLBACK TO SAVEPOINT ") + savepoint);
        rollback(outer.db(), QStringLiteral("RELEASE SAVEPOINT ") + savepoint);
        throw;
    }
    // Kept by the batch: they belong to its commit.
    outer.noteSeq(unit.lastSeq());
    for (auto &hook : unit.m_afterCommit)
        outer.afterCommit(std::move(hook));
}

void TransactionRunner::attempt(Access access, const std::function<void(Transaction &)> &work)
{
    const SqlDialect &dialect = m_database.dialect();
    std::optional<QMutexLocker<QMutex>> gate;
    if (access == Access::Write && dialect.serialisesWriters())
        gate.emplace(&m_database.writeGate());

    Transaction tx(m_database.connection(), dialect, m_clock->nowMs());
    SqlQuery::run(tx.db(), dialect,
        access == Access::Write ? dialect.beginWriteStatement() : dialect.beginReadStatement());
    try {
        work(tx);
        announceBeforeCommit(tx);
        SqlQuery::run(tx.db(), dialect, QStringLiteral("COMMIT"));
    } catch (...) {
        rollback(tx.db(), QStringLiteral("ROLLBACK"));
        throw;
    }
    gate.reset();
    finishCommitted(tx);
}

void TransactionRunner::finishCommitted(Transaction &tx)
{
    if (tx.lastSeq() > 0)
        emit changesCommitted(tx.lastSeq());
    for (const auto &hook : tx.m_afterCommit)
        hook();
}
