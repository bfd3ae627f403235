#pragma once

#include <QSqlDatabase>
#include <functional>
#include <vector>

class SqlDialect;
class SqlQuery;

// What a unit of work sees while TransactionRunner holds a transaction open for it.
class Transaction
{
public:
    Transaction(const QSqlDatabase &db, const SqlDialect &dialect, qint64 nowMs);

    const QSqlDatabase &db() const { return m_db; }
    const SqlDialect &dialect() const { return m_dialect; }
    // The one timestamp of this transaction: every row it writes carries it.
    qint64 nowMs() const { return m_nowMs; }

    SqlQuery query(const QString &sql) const;

    // Runs after a successful COMMIT, never after a rollback or a retried attempt.
    void afterCommit(std::function<void()> hook) { m_afterCommit.push_back(std::move(hook)); }
    // The highest change-log seq written; 0 when none.
    qint64 lastSeq() const { return m_lastSeq; }
    void noteSeq(qint64 seq) { m_lastSeq = std::max(m_lastSeq, seq); }

private:
    friend class TransactionRunner;

    QSqlDatabase m_db;
    const SqlDialect &m_dialect;
    qint64 m_nowMs;
    qint64 m_lastSeq = 0;
    std::vector<std::function<void()>> m_afterCommit;
};
