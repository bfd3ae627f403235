#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

class Transaction;
struct Principal;

// The ordered record of every committed row change, written in the same transaction as the
// change itself. It feeds GET /api/changes (gap fill) and the realtime fan-out.
class ChangeLog
{
public:
    enum class Type { Insert, Update, Delete };

    struct Entry
    {
        QString table;
        Type type = Type::Update;
        QString orgId;
        QString ownerId;
        QString recordId;
        QJsonObject record; // empty for DELETE
        QJsonObject oldRecord; // empty for INSERT
    };

    // Allocates the next seq (commit-ordered) and writes the entry; returns the seq.
    static qint64 append(Transaction &tx, const Entry &entry);
    // Visible changes after `since`, oldest first, each shaped like a realtime message's data.
    static QList<QJsonObject> visibleSince(
        Transaction &tx, const Principal &principal, qint64 since, int limit);
    // Every change after `since` with its visibility columns (for the realtime hub).
    struct Row
    {
        qint64 seq = 0;
        QString orgId;
        QString ownerId;
        QString table;
        QJsonObject data;
    };
    static QList<Row> allSince(Transaction &tx, qint64 since, int limit);
    // PostgreSQL: tells every instance's listener (NOTIFY, delivered at commit) that the log
    // grew to `seq`. Called last in a transaction that appended.
    static void announce(Transaction &tx, qint64 seq);
    static constexpr const char *channel = "syncloop_changes";
    static qint64 head(Transaction &tx);

    // Retention. The log is always an unbroken run of seqs ending at head(): purging removes
    // a prefix, never a row in the middle, so "everything after S is here" is one comparison.
    // Deletes at most `limit` of the oldest changes committed before the cutoff, in seq order,
    // stopping at the first one that is not (clocks can step back); how many it deleted.
    static int purgeBefore(Transaction &tx, qint64 cutoffMs, int limit);
    // The last seq no longer in the log (0 when nothing was ever purged): a gap fill from an
    // older seq would miss changes. With the log emptied by the purge it is head(), so a
    // client that is up to date is never told its history expired.
    static qint64 purgedThrough(Transaction &tx);

    static QString typeName(Type type);
    // Column descriptions in the realtime `columns` member, per table.
    static QJsonArray columnsOf(const QString &table);
};
