#pragma once

#include <QByteArray>
#include <QString>
#include <optional>

class Transaction;

// Stored responses keyed by (user, key). Written in the same transaction as the business
// change they describe, so a rolled-back request leaves nothing behind.
class IdempotencyStore
{
public:
    struct Record
    {
        QString fingerprint;
        QString method;
        QString route;
        int status = 0;
        QByteArray contentType;
        QByteArray body;
        qint64 createdAtMs = 0;
    };

    // The record, expired or not: the caller judges the window.
    static std::optional<Record> find(Transaction &tx, const QString &userId, const QString &key);
    static void insert(
        Transaction &tx, const QString &userId, const QString &key, const Record &record);
    static void remove(Transaction &tx, const QString &userId, const QString &key);
    // Deletes at most `limit` records older than the cutoff, oldest first; how many it deleted.
    static int purgeCreatedBefore(Transaction &tx, qint64 cutoffMs, int limit);
    static qint64 count(Transaction &tx);
};
