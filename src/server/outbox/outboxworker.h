#pragma once

#include "backoff.h"
#include "smsprovider.h"
#include "storage/smsrepository.h"

#include <QHash>
#include <QObject>
#include <QTimer>

class CircuitBreaker;
class Clock;
class RandomSource;
class ServerMetrics;
class TransactionRunner;

// Delivers the SMS outbox after commit. Lives on its own thread (its database waits never stall
// the HTTP event loop). Each attempt first records `sending` (attempts + 1, a lease as the next
// attempt time, so a crash mid-call retries after the lease, and that a send call is going
// out), then calls the provider behind the circuit breaker, then records `sent`, a retry time
// with backoff, or `failed`. Every status change bumps the row's version and lands in the
// change log.
//
// A row whose last send call may have reached the provider without our hearing the outcome
// (the instance holding it died, or the call timed out) is not sent blind: the attempt first
// asks the provider about its key. Known: recorded `sent`, no second send call (the provider
// would dedupe it, but bill it or count it against a rate). Unknown: sent once, same key.
// No answer: retried later with backoff, like a failed call. A gateway without the lookup
// route: sent again with the same key, as before lookups existed (logged once).
class OutboxWorker : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        int maxAttempts = 8;
        Backoff::Policy retry { .baseMs = 1000, .capMs = 60000 };
        qint64 leaseMs = 15000; // > the provider timeout
        int maxInFlight = 8;
    };

    // `provider` may be null: then every message fails with "no SMS gateway configured".
    OutboxWorker(TransactionRunner &runner, CircuitBreaker *breaker, SmsProvider *provider,
        ServerMetrics &metrics, const Clock *clock, RandomSource *random, Options options);

    // Thread-safe: asks for a delivery pass soon.
    void wake();

private:
    void pass();
    void begin(const SmsRepository::OutboxItem &item);
    void send(const SmsRepository::OutboxItem &item);
    void onFinished(const QString &id, const SmsProvider::Result &result);
    void onLookedUp(const QString &id, const SmsProvider::Lookup &lookup);
    // What became of a call (a send, or a lookup of its key), as the row and the metrics keep it.
    struct Settlement
    {
        enum class Kind { Sent, Rejected, GaveUp, Retry } kind = Kind::Retry;
        QString providerMessageId {}; // Sent
        QString error {}; // Rejected: the row's error as is; GaveUp, Retry: the cause
        qint64 retryAfterMs = -1; // Retry
        bool providerAnswered = false; // the row's "a send went out" marker is cleared
    };
    void settle(const QString &id, const Settlement &settlement, const char *what);
    void scheduleNext(qint64 minimumWaitMs);
    void failWithoutProvider(const SmsRepository::OutboxItem &item);
    // Re-reads the row and applies `change` if it is still undelivered; nullopt otherwise.
    std::optional<SmsRepository::OutboxItem> transition(const QString &id,
        const std::function<void(SmsRepository::OutboxItem &)> &change,
        std::optional<qint64> dueAtMs = std::nullopt);

    TransactionRunner &m_runner;
    CircuitBreaker *m_breaker;
    SmsProvider *m_provider;
    ServerMetrics &m_metrics;
    const Clock *m_clock;
    RandomSource *m_random;
    const Options m_options;
    const Backoff m_backoff;
    QTimer m_timer;
    QHash<QString, SmsRepository::OutboxItem> m_inFlight;
    bool m_lookupUnsupported = false; // the gateway said so once: resend instead of asking
};
