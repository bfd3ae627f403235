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

    void recordRequest(const QString &route, const QByteArray &method, int status, double seconds);

    std::atomic<quint64> idempotencyReplays { 0 };
    std::atomic<quint64> idempotencyConflicts { 0 };   // 409 key in use
    std::atomic<quint64> idempotencyMismatches { 0 };  // 422 key reused for another request
    std::atomic<quint64> idempotencyStored { 0 };
    std::atomic<quint64> idempotencyPurged { 0 };
    std::atomic<quint64> smsAttempts { 0 };
    std::atomic<quint64> smsSent { 0 };
    std::atomic<quint64> smsFailed { 0 };
    std::atomic<quint64> smsRetries { 0 };
    std::atomic<qint64> realtimeConnections { 0 };
    std::atomic<qint64> realtimeChannels { 0 };
    std::atomic<quint64> realtimeMessagesOut { 0 };
    std::atomic<quint64> realtimeBytesOut { 0 };
    std::atomic<quint64> realtimeDrops { 0 };        // closed for being too slow (4008)
    std::atomic<quint64> realtimeIdleTimeouts { 0 }; // closed for silence (4000)
    std::atomic<quint64> passwordHashes { 0 };       // Argon2 verifications run by logins
    std::atomic<quint64> loginsLimited { 0 };        // 429: too many failed attempts
    std::atomic<quint64> loginsBusy { 0 };           // 503: every hashing slot taken

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
    mutable QMutex m_mutex;
    QHash<RequestKey, quint64> m_requests;
    QHash<QString, Histogram> m_latency;
};

size_t qHash(const ServerMetrics::RequestKey &key, size_t seed = 0);
