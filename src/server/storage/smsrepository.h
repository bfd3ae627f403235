#pragma once

#include "smsmessage.h"

#include <QList>
#include <optional>

class Transaction;

// The sms_messages table doubles as the transactional outbox: a row is written with the
// request that asks for it, and the outbox worker delivers it after commit.
class SmsRepository
{
public:
    struct OutboxItem
    {
        SmsMessage sms;
        QString providerKey; // forwarded to the provider as its Idempotency-Key
        qint64 nextAttemptAtMs = 0;
        // Set, in the transaction that claims the row, before a send call goes out; cleared
        // when the provider answers it. Still set when a call's outcome is unknown (its sender
        // died, or no answer came): whoever sends next asks the provider about the key first.
        std::optional<qint64> sendStartedAtMs;
    };

    static void insert(Transaction &tx, const OutboxItem &item); // logs an INSERT
    static QList<SmsMessage> forLead(Transaction &tx, const QString &leadId);
    static std::optional<OutboxItem> find(Transaction &tx, const QString &id);
    // Undelivered rows (queued or sending) whose next attempt is due.
    static QList<OutboxItem> due(Transaction &tx, qint64 nowMs, int limit);
    // When the earliest undelivered row is due; nullopt when nothing is waiting.
    static std::optional<qint64> nextDueAtMs(Transaction &tx);
    static qint64 undeliveredCount(Transaction &tx);
    // Compare-and-set on version; bumps it, sets updated_at and logs an UPDATE.
    static OutboxItem update(Transaction &tx, const OutboxItem &current, OutboxItem changed);
};
