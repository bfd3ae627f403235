#include "servermetrics.h"

void ServerMetrics::recordRequest(
    const QString &route, const QByteArray &method, int status, double seconds)
{
    QMutexLocker lock(&m_mutex);
    ++m_requests[{ route, method, status }];
    Histogram &h = m_latency[route];
    std::size_t bucket = 0;
    while (bucket < latencyBuckets.size() && seconds > latencyBuckets[bucket])
        ++bucket;
    if (bucket < latencyBuckets.size())
        ++h.buckets[bucket];
    ++h.count;
    h.sum += seconds;
}

ServerMetrics::Counters ServerMetrics::counters() const
{
    return {
        .idempotencyReplays = m_idempotencyReplays.load(),
        .idempotencyConflicts = m_idempotencyConflicts.load(),
        .idempotencyMismatches = m_idempotencyMismatches.load(),
        .idempotencyStored = m_idempotencyStored.load(),
        .idempotencyPurged = m_idempotencyPurged.load(),
        .smsAttempts = m_smsAttempts.load(),
        .smsSent = m_smsSent.load(),
        .smsFailed = m_smsFailed.load(),
        .smsRetries = m_smsRetries.load(),
        .realtimeConnections = m_realtimeConnections.load(),
        .realtimeChannels = m_realtimeChannels.load(),
        .realtimeMessagesOut = m_realtimeMessagesOut.load(),
        .realtimeBytesOut = m_realtimeBytesOut.load(),
        .realtimeDrops = m_realtimeDrops.load(),
        .realtimeIdleTimeouts = m_realtimeIdleTimeouts.load(),
        .passwordHashes = m_passwordHashes.load(),
        .loginsLimited = m_loginsLimited.load(),
        .loginsBusy = m_loginsBusy.load(),
    };
}

QHash<ServerMetrics::RequestKey, quint64> ServerMetrics::requestCounts() const
{
    QMutexLocker lock(&m_mutex);
    return m_requests;
}

QHash<QString, ServerMetrics::Histogram> ServerMetrics::latencies() const
{
    QMutexLocker lock(&m_mutex);
    return m_latency;
}

quint64 ServerMetrics::totalRequests() const
{
    QMutexLocker lock(&m_mutex);
    quint64 total = 0;
    for (const quint64 n : m_requests)
        total += n;
    return total;
}

size_t qHash(const ServerMetrics::RequestKey &key, size_t seed)
{
    return qHashMulti(seed, key.route, key.method, key.status);
}
