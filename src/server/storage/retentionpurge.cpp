#include "retentionpurge.h"

#include "logging.h"
#include "storageerror.h"
#include "transaction.h"
#include "transactionrunner.h"

#include <QScopeGuard>

RetentionPurge::RetentionPurge(TransactionRunner &runner, int sliceRows)
    : m_runner(runner)
    , m_sliceRows(sliceRows)
{ }

void RetentionPurge::add(Table table)
{
    m_tables.push_back(std::move(table));
}

std::vector<int> RetentionPurge::run(qint64 nowMs)
{
    // Passes are started by a timer on a thread pool: a slow one must not be joined by the next.
    if (m_running.exchange(true))
        return {};
    const auto done = qScopeGuard([this] { m_running = false; });
    std::vector<int> counts;
    counts.reserve(m_tables.size());
    for (const Table &table : m_tables) {
        const qint64 cutoff = nowMs - table.retentionMs;
        int purged = 0;
        try {
            for (;;) {
                const int n = m_runner.write(
                    [&](Transaction &tx) { return table.purgeSlice(tx, cutoff, m_sliceRows); });
                purged += n;
                if (table.purged && n > 0)
                    table.purged(n);
                if (n < m_sliceRows)
                    break;
            }
        } catch (const StorageError &e) {
            qCWarning(lcStorage).noquote()
                << "purging" << table.name << "failed, will try again:" << e.what();
        }
        if (purged > 0)
            qCDebug(lcStorage).noquote() << "purged" << purged << table.name;
        counts.push_back(purged);
    }
    return counts;
}
