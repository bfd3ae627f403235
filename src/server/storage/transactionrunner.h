#pragma once

#include "backoff.h"

#include <QObject>

#include <atomic>
#include <functional>
#include <optional>
#include <type_traits>

class Clock;
class Database;
class RandomSource;
class Transaction;

// Runs a unit of work in one transaction and retries the whole unit, with capped exponential
// backoff and full jitter, when the database reports a transient error (SQLite busy/locked,
// PostgreSQL serialization failure or deadlock). Anything else rolls back and propagates.
// After the last attempt the transient StorageError propagates: callers answer 503.
class TransactionRunner : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        Backoff::Policy backoff { 2, 200 };
        int maxAttempts = 12;
    };

    TransactionRunner(Database &database, const Clock *clock, RandomSource *random,
                      Options options, QObject *parent = nullptr);

    template<typename Work>
    auto write(Work &&work) -> std::invoke_result_t<Work, Transaction &>
    {
        return runReturning(Mode::Write, std::forward<Work>(work));
    }
    template<typename Work>
    auto read(Work &&work) -> std::invoke_result_t<Work, Transaction &>
    {
        return runReturning(Mode::Read, std::forward<Work>(work));
    }

    quint64 transientRetries() const { return m_transientRetries.load(); }
    Database &database() { return m_database; }

signals:
    // Emitted (from the committing thread) after a commit that wrote change-log rows.
    void changesCommitted(qint64 lastSeq);

private:
    enum class Mode { Read, Write };

    template<typename Work>
    auto runReturning(Mode mode, Work &&work) -> std::invoke_result_t<Work, Transaction &>
    {
        using Result = std::invoke_result_t<Work, Transaction &>;
        if constexpr (std::is_void_v<Result>) {
            run(mode, work);
        } else {
            std::optional<Result> result;
            run(mode, [&](Transaction &tx) { result.emplace(work(tx)); });
            return std::move(*result);
        }
    }

    void run(Mode mode, const std::function<void(Transaction &)> &work);
    void attempt(Mode mode, const std::function<void(Transaction &)> &work);

    Database &m_database;
    const Clock *m_clock;
    RandomSource *m_random;
    const Options m_options;
    const Backoff m_backoff;
    std::atomic<quint64> m_transientRetries { 0 };
};
