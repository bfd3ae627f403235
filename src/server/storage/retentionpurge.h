#pragma once

#include <QString>
#include <atomic>
#include <functional>
#include <vector>

class Transaction;
class TransactionRunner;

// Deletes what has outlived its retention, table by table, each in slices of at most
// sliceRows() rows, oldest first, every slice its own short write transaction: one unbounded
// DELETE of a day's rows would hold the single writer for as long as it took.
class RetentionPurge
{
public:
    struct Table
    {
        QString name; // for the log
        qint64 retentionMs = 0; // rows older than now - retentionMs go
        // Deletes at most `limit` rows older than the cutoff, oldest first; how many it deleted.
        std::function<int(Transaction &tx, qint64 cutoffMs, int limit)> purgeSlice;
        std::function<void(int rows)> purged = {}; // optional: after each committed slice (metrics)
    };

    explicit RetentionPurge(TransactionRunner &runner, int sliceRows = 2000);

    void add(Table table);
    int sliceRows() const { return m_sliceRows; }

    // One pass: each table, in the order added, until a slice comes back short. A table whose
    // slice fails keeps what was committed and is tried again next pass; the others go on.
    // Rows deleted per table; empty when another pass was still running (nothing done).
    std::vector<int> run(qint64 nowMs);

private:
    TransactionRunner &m_runner;
    const int m_sliceRows;
    std::vector<Table> m_tables;
    std::atomic<bool> m_running { false };
};
