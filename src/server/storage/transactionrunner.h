#pragma once

#include "backoff.h"

#include <QMutex>
#include <QObject>
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <vector>

class Clock;
class Database;
class RandomSource;
class Transaction;

// Runs a unit of work in one transaction and retries the whole unit, with capped exponential
// backoff and full jitter, when the database reports a transient error (SQLite busy/locked,
// PostgreSQL serialization failure or deadlock). Anything else rolls back and propagates.
// After the last attempt the transient StorageError propagates: callers answer 503.
//
// How a unit runs is the caller's explicit choice, a Context passed to write() or read():
// - Attempts::Single makes one attempt: a transient error propagates at once instead of
//   sleeping, so an event-loop thread can hand the request to a worker thread rather than block.
// - Group commit: with a Batch in its Context, a unit runs in a SAVEPOINT of the batch's one
//   transaction instead (a failing unit rolls back alone, and is not retried), and the batch
//   commits once for all of them. Its after-commit hooks run only once the batch has committed.
class TransactionRunner : public QObject
{
    Q_OBJECT
public:
    class Batch;

    enum class Attempts {
        RetryWithBackoff, // worker threads: sleeps between attempts, up to Options::maxAttempts
        Single, // event-loop threads: never sleeps; a transient error propagates at once
    };

    struct Context
    {
        Attempts attempts = Attempts::RetryWithBackoff;
        Batch *batch = nullptr; // set: a savepoint in this batch's transaction, one attempt
    };

    struct Options
    {
        // About five seconds of retries in all: a busy database gets time to drain before the
        // client sees a 503, yet the client's own timeout (tens of seconds) is never reached.
        Backoff::Policy backoff { .baseMs = 2, .capMs = 250 };
        int maxAttempts = 30;
    };

    TransactionRunner(Database &database, const Clock *clock, RandomSource *random, Options options,
        QObject *parent = nullptr);
    ~TransactionRunner() override;

    // In its own transaction, retrying transient errors with backoff.
    template<typename Work> auto write(Work &&work) -> std::invoke_result_t<Work, Transaction &>
    {
        return runReturning(Access::Write, Context {}, std::forward<Work>(work));
    }
    template<typename Work>
    auto write(const Context &context, Work &&work) -> std::invoke_result_t<Work, Transaction &>
    {
        return runReturning(Access::Write, context, std::forward<Work>(work));
    }
    template<typename Work> auto read(Work &&work) -> std::invoke_result_t<Work, Transaction &>
    {
        return runReturning(Access::Read, Context {}, std::forward<Work>(work));
    }
    template<typename Work>
    auto read(const Context &context, Work &&work) -> std::invoke_result_t<Work, Transaction &>
    {
        return runReturning(Access::Read, context, std::forward<Work>(work));
    }

    // One write transaction shared by the units run with its context() while it is alive.
    // The constructor begins it (and may throw a transient StorageError: nothing to undo);
    // commit() ends it (and may throw: then every unit in it is undone). Destroyed without
    // commit(), it rolls back.
    class Batch
    {
    public:
        explicit Batch(TransactionRunner &runner);
        ~Batch();
        Q_DISABLE_COPY_MOVE(Batch)
        Context context() { return { .attempts = Attempts::Single, .batch = this }; }
        void commit();

    private:
        friend class TransactionRunner;
        TransactionRunner &m_runner;
        std::unique_ptr<Transaction> m_tx;
        std::optional<QMutexLocker<QMutex>> m_gate;
        bool m_done = false;
        int m_savepoints = 0;
    };

    quint64 transientRetries() const { return m_transientRetries.load(); }
    Database &database() { return m_database; }

signals:
    // Emitted (from the committing thread) after a commit that wrote change-log rows.
    void changesCommitted(qint64 lastSeq);

private:
    enum class Access { Read, Write };

    template<typename Work>
    auto runReturning(Access access, const Context &context, Work &&work)
        -> std::invoke_result_t<Work, Transaction &>
    {
        using Result = std::invoke_result_t<Work, Transaction &>;
        if constexpr (std::is_void_v<Result>) {
            run(access, context, work);
        } else {
            std::optional<Result> result;
            run(access, context, [&](Transaction &tx) { result.emplace(work(tx)); });
            return std::move(*result);
        }
    }

    void run(Access access, const Context &context, const std::function<void(Transaction &)> &work);
    void attempt(Access access, const std::function<void(Transaction &)> &work);
    void inBatch(Batch &batch, const std::function<void(Transaction &)> &work);
    void finishCommitted(Transaction &tx);

    Database &m_database;
    const Clock *m_clock;
    RandomSource *m_random;
    const Options m_options;
    const Backoff m_backoff;
    std::atomic<quint64> m_transientRetries { 0 };
};
