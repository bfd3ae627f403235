#pragma once

#include <QByteArray>
#include <QHash>
#include <QMutex>
#include <QString>
#include <array>
#include <atomic>

// Counters and histograms the server keeps in memory; rendered as Prometheus text and read by
// the admin sync-health route. Safe to update from any thread.
class ServerMetrics
{
public:
    static constexpr std::array<double, 14> latencyBuckets { 0.0005, 0.001, 0.0025, 0.005, 0.01,
        0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0 };

    struct Histogram
    {
        std::array<quint64, latencyBuckets.size()> buckets {}; // non-cumulative counts
        quint64 count = 0;
        double sum = 0.0;

        // Requests that took at most latencyBuckets[i], as Prometheus buckets count them.
        std::array<quint64, latencyBuckets.size()> cumulative() const
        {
            std::array<quint64, latencyBuckets.size()> out {};
            quint64 total = 0;
            for (std::size_t i = 0; i < buckets.size(); ++i)
                out[i] = total += buckets[i];
            return out;
        }
    };

    // The counters at one moment, for /metrics and /api/admin/sync-health.
    struct Counters
    {
        quint64 idempotencyReplays = 0;
        quint64 idempotencyConflicts = 0; // 409 key in use
        quint64 idempotencyMismatches = 0; // 422 key reused for another request
        quint64 idempotencyStored = 0;
        quint64 idempotencyPurged = 0;
        quint64 smsAttempts = 0;
        quint64 smsSent = 0;
        quint64 smsFailed = 0;
        quint64 smsRetries = 0;
        qint64 realtimeConnections = 0;
        qint64 realtimeChannels = 0;
        quint64 realtimeMessagesOut = 0;
        quint64 realtimeBytesOut = 0;
        quint64 realtimeDrops = 0; // closed for being too slow (4008)
        quint64 realtimeIdleTimeouts = 0; // closed for silence (4000)
        quint64 passwordHashes = 0; // Argon2 verifications run by logins
        quint64 loginsLimited = 0; // 429: too many failed attempts
        quint64 loginsBusy = 0; // 503: every hashing slot taken
    };

    void recordRequest(const QString &route, const QByteArray &method, int status, double seconds);

    void recordIdempotencyReplay() { ++m_idempotencyReplays; }
    void recordIdempotencyConflict() { ++m_idempotencyConflicts; }
    void recordIdempotencyMismatch() { ++m_idempotencyMismatches; }
    void recordIdempotencyStored() { ++m_idempotencyStored; }
    void recordIdempotencyPurged(int rows) { m_idempotencyPurged += quint64(rows); }
    void recordSmsAttempt() { ++m_smsAttempts; }
    void recordSmsSent() { ++m_smsSent; }
    void recordSmsFailed() { ++m_smsFailed; }
    void recordSmsRetry() { ++m_smsRetries; }
    void recordRealtimeConnected() { ++m_realtimeConnections; }
    // The connection's channels go with it.
    void recordRealtimeDisconnected(qint64 openChannels)
    {
        --m_realtimeConnections;
        m_realtimeChannels -= openChannels;
    }
    void recordRealtimeChannelJoined() { ++m_realtimeChannels; }
    void recordRealtimeChannelsLeft(qint64 count) { m_realtimeChannels -= count; }
    void recordRealtimeFrameSent(qint64 bytes)
    {
        ++m_realtimeMessagesOut;
        m_realtimeBytesOut += quint64(bytes);
    }
    void recordRealtimeDrop() { ++m_realtimeDrops; }
    void recordRealtimeIdleTimeout() { ++m_realtimeIdleTimeouts; }
    void recordPasswordHash() { ++m_passwordHashes; }
    void recordLoginLimited() { ++m_loginsLimited; }
    void recordLoginBusy() { ++m_loginsBusy; }

    Counters counters() const;

    struct RequestKey
    {
        QString route;
        QByteArray method;
        int status = 0;
        friend bool operator==(const RequestKey &, const RequestKey &) = default;
    };

    QHash<RequestKey, quint64> requestCounts() const;
    QHash<QString, Histogram> latencies() const;
    quint64 totalRequests() const;

private:
    std::atomic<quint64> m_idempotencyReplays { 0 };
    std::atomic<quint64> m_idempotencyConflicts { 0 };
    std::atomic<quint64> m_idempotencyMismatches { 0 };
    std::atomic<quint64> m_idempotencyStored { 0 };
    std::atomic<quint64> m_idempotencyPurged { 0 };
    std::atomic<quint64> m_smsAttempts { 0 };
    std::atomic<quint64> m_smsSent { 0 };
    std::atomic<quint64> m_smsFailed { 0 };
    std::atomic<quint64> m_smsRetries { 0 };
    std::atomic<qint64> m_realtimeConnections { 0 };
    std::atomic<qint64> m_realtimeChannels { 0 };
    std::atomic<quint64> m_realtimeMessagesOut { 0 };
    std::atomic<quint64> m_realtimeBytesOut { 0 };
    std::atomic<quint64> m_realtimeDrops { 0 };
    std::atomic<quint64> m_realtimeIdleTimeouts { 0 };
    std::atomic<quint64> m_passwordHashes { 0 };
    std::atomic<quint64> m_loginsLimited { 0 };
    std::atomic<quint64> m_loginsBusy { 0 };

    mutable QMutex m_mutex;
    QHash<RequestKey, quint64> m_requests;
    QHash<QString, Histogram> m_latency;
};

size_t qHash(const ServerMetrics::RequestKey &key, size_t seed = 0);
