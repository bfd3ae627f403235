#include "adminroutes.h"

#include "circuitbreaker.h"
#include "httpresponse.h"
#include "metrics/servermetrics.h"
#include "requestcontext.h"
#include "router.h"
#include "storage/changelog.h"
#include "storage/idempotencystore.h"
#include "storage/smsrepository.h"
#include "storage/transaction.h"
#include "storage/transactionrunner.h"

#include <QJsonArray>

namespace {

struct StoredFigures
{
    qint64 idempotencyRecords = 0;
    qint64 outboxDepth = 0;
    qint64 changeSeq = 0;
};

StoredFigures storedFigures(TransactionRunner &runner)
{
    return runner.read([](Transaction &tx) {
        return StoredFigures { IdempotencyStore::count(tx), SmsRepository::undeliveredCount(tx),
            ChangeLog::head(tx) };
    });
}

QJsonObject breakerJson(const CircuitBreaker &breaker)
{
    const CircuitBreaker::Metrics m = breaker.metrics();
    return {
        { QStringLiteral("name"), breaker.name() },
        { QStringLiteral("state"), CircuitBreaker::stateName(m.state) },
        { QStringLiteral("failure_rate"), m.failureRate },
        { QStringLiteral("buffered_calls"), m.bufferedCalls },
        { QStringLiteral("failed_calls"), m.failedCalls },
        { QStringLiteral("successful_calls"), m.successfulCalls },
        { QStringLiteral("not_permitted_calls"), qint64(m.notPermittedCalls) },
        { QStringLiteral("times_opened"), qint64(m.timesOpened) },
    };
}

HttpResponse syncHealth(const AdminRoutes::Sources &s)
{
    const StoredFigures stored = storedFigures(*s.runner);
    const ServerMetrics::Counters m = s.metrics->counters();
    QJsonArray requests;
    const auto counts = s.metrics->requestCounts();
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        requests.append(QJsonObject { { QStringLiteral("route"), it.key().route },
            { QStringLiteral("method"), QString::fromLatin1(it.key().method) },
            { QStringLiteral("status"), it.key().status },
            { QStringLiteral("count"), qint64(it.value()) } });
    QJsonObject latency;
    const auto histograms = s.metrics->latencies();
    for (auto it = histograms.cbegin(); it != histograms.cend(); ++it) {
        // Cumulative, as in /metrics: requests that took at most le_ms.
        QJsonArray buckets;
        const auto cumulative = it->cumulative();
        for (std::size_t i = 0; i < cumulative.size(); ++i)
            buckets.append(QJsonObject {
                { QStringLiteral("le_ms"), 1000.0 * ServerMetrics::latencyBuckets[i] },
                { QStringLiteral("count"), qint64(cumulative[i]) } });
        latency.insert(it.key(),
            QJsonObject { { QStringLiteral("count"), qint64(it->count) },
                { QStringLiteral("mean_ms"),
                    it->count ? 1000.0 * it->sum / double(it->count) : 0.0 },
                { QStringLiteral("buckets"), buckets } });
    }
    return HttpResponse::json(200,
        {
            { QStringLiteral("idempotency"),
                QJsonObject { { QStringLiteral("records"), stored.idempotencyRecords },
                    { QStringLiteral("window_seconds"), s.idempotencyWindowSeconds },
                    { QStringLiteral("replays"), qint64(m.idempotencyReplays) },
                    { QStringLiteral("conflicts"), qint64(m.idempotencyConflicts) },
                    { QStringLiteral("mismatches"), qint64(m.idempotencyMismatches) },
                    { QStringLiteral("stored"), qint64(m.idempotencyStored) },
                    { QStringLiteral("purged"), qint64(m.idempotencyPurged) } } },
            { QStringLiteral("realtime"),
                QJsonObject { { QStringLiteral("connections"), qint64(m.realtimeConnections) },
                    { QStringLiteral("channels"), qint64(m.realtimeChannels) },
                    { QStringLiteral("messages_out"), qint64(m.realtimeMessagesOut) },
                    { QStringLiteral("bytes_out"), qint64(m.realtimeBytesOut) },
                    { QStringLiteral("drops"), qint64(m.realtimeDrops) },
                    { QStringLiteral("idle_timeouts"), qint64(m.realtimeIdleTimeouts) } } },
            { QStringLiteral("auth"),
                QJsonObject { { QStringLiteral("password_hashes"), qint64(m.passwordHashes) },
                    { QStringLiteral("logins_limited"), qint64(m.loginsLimited) },
                    { QStringLiteral("logins_busy"), qint64(m.loginsBusy) } } },
            { QStringLiteral("breakers"), QJsonArray { breakerJson(*s.smsBreaker) } },
            { QStringLiteral("outbox"),
                QJsonObject { { QStringLiteral("depth"), stored.outboxDepth },
                    { QStringLiteral("attempts"), qint64(m.smsAttempts) },
                    { QStringLiteral("sent"), qint64(m.smsSent) },
                    { QStringLiteral("failed"), qint64(m.smsFailed) },
                    { QStringLiteral("retries"), qint64(m.smsRetries) } } },
            { QStringLiteral("storage"),
                QJsonObject { { QStringLiteral("change_seq"), stored.changeSeq },
                    { QStringLiteral("transient_retries"),
                        qint64(s.runner->transientRetries()) } } },
            { QStringLiteral("requests"), requests },
            { QStringLiteral("latency"), latency },
        });
}

class PrometheusText
{
public:
    void family(const char *name, const char *type, const char *help)
    {
        m_out += "# HELP " + QByteArray(name) + ' ' + help + "\n# TYPE " + name + ' ' + type + '\n';
    }
    void sample(const QByteArray &name, double value, const QByteArray &labels = {})
    {
        m_out += name;
        if (!labels.isEmpty())
            m_out += '{' + labels + '}';
        m_out += ' ' + QByteArray::number(value, 'g', 15) + '\n';
    }
    void single(const char *name, const char *type, const char *help, double value)
    {
        family(name, type, help);
        sample(name, value);
    }
    QByteArray text() const { return m_out; }

    static QByteArray label(const char *name, const QString &value)
    {
        QByteArray escaped = value.toUtf8();
        escaped.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
        return QByteArray(name) + "=\"" + escaped + '"';
    }

private:
    QByteArray m_out;
};

HttpResponse metrics(const AdminRoutes::Sources &s)
{
    const StoredFigures stored = storedFigures(*s.runner);
    const ServerMetrics::Counters m = s.metrics->counters();
    PrometheusText p;
    p.family("syncloop_http_requests_total", "counter",
        "HTTP requests by route pattern, method and status.");
    const auto counts = s.metrics->requestCounts();
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        p.sample("syncloop_http_requests_total", double(it.value()),
            PrometheusText::label("route", it.key().route) + ','
                + PrometheusText::label("method", QString::fromLatin1(it.key().method)) + ','
                + PrometheusText::label("status", QString::number(it.key().status)));
    p.family("syncloop_http_request_duration_seconds", "histogram",
        "Time from request parsed to response ready.");
    const auto histograms = s.metrics->latencies();
    for (auto it = histograms.cbegin(); it != histograms.cend(); ++it) {
        const QByteArray route = PrometheusText::label("route", it.key());
        const auto cumulative = it->cumulative();
        for (std::size_t i = 0; i < cumulative.size(); ++i)
            p.sample("syncloop_http_request_duration_seconds_bucket", double(cumulative[i]),
                route + ",le=\"" + QByteArray::number(ServerMetrics::latencyBuckets[i]) + '"');
        p.sample("syncloop_http_request_duration_seconds_bucket", double(it->count),
            route + ",le=\"+Inf\"");
        p.sample("syncloop_http_request_duration_seconds_sum", it->sum, route);
        p.sample("syncloop_http_request_duration_seconds_count", double(it->count), route);
    }
    p.single("syncloop_idempotency_records", "gauge", "Idempotency records stored.",
        double(stored.idempotencyRecords));
    p.single("syncloop_idempotency_window_seconds", "gauge", "Idempotency key retention.",
        double(s.idempotencyWindowSeconds));
    p.single("syncloop_idempotency_replays_total", "counter", "Stored responses replayed.",
        double(m.idempotencyReplays));
    p.single("syncloop_idempotency_conflicts_total", "counter", "409: key still in use.",
        double(m.idempotencyConflicts));
    p.single("syncloop_idempotency_mismatches_total", "counter",
        "422: key reused for another request.", double(m.idempotencyMismatches));
    p.single("syncloop_idempotency_purged_total", "counter", "Expired records purged.",
        double(m.idempotencyPurged));
    p.single("syncloop_outbox_depth", "gauge", "SMS messages not yet delivered.",
        double(stored.outboxDepth));
    p.single("syncloop_sms_attempts_total", "counter", "Calls to the SMS provider.",
        double(m.smsAttempts));
    p.single("syncloop_sms_sent_total", "counter", "SMS messages the provider accepted.",
        double(m.smsSent));
    p.single(
        "syncloop_sms_failed_total", "counter", "SMS messages given up on.", double(m.smsFailed));
    const CircuitBreaker::Metrics b = s.smsBreaker->metrics();
    const QByteArray breaker = PrometheusText::label("breaker", s.smsBreaker->name());
    p.family("syncloop_breaker_state", "gauge", "1 for the breaker's current state.");
    for (const auto state : { CircuitBreaker::State::Closed, CircuitBreaker::State::Open,
             CircuitBreaker::State::HalfOpen })
        p.sample("syncloop_breaker_state", b.state == state ? 1 : 0,
            breaker + ',' + PrometheusText::label("state", CircuitBreaker::stateName(state)));
    p.family("syncloop_breaker_failure_rate", "gauge",
        "Failure rate in percent over the window (-1 below the minimum).");
    p.sample("syncloop_breaker_failure_rate", b.failureRate, breaker);
    p.family("syncloop_breaker_not_permitted_calls_total", "counter", "Calls refused while open.");
    p.sample("syncloop_breaker_not_permitted_calls_total", double(b.notPermittedCalls), breaker);
    p.family("syncloop_breaker_calls_total", "counter", "Calls recorded by outcome.");
    p.sample(
        "syncloop_breaker_calls_total", double(b.totalSuccesses), breaker + ",outcome=\"success\"");
    p.sample(
        "syncloop_breaker_calls_total", double(b.totalFailures), breaker + ",outcome=\"failure\"");
    p.single("syncloop_realtime_connections", "gauge", "Open realtime sockets.",
        double(m.realtimeConnections));
    p.single("syncloop_realtime_channels", "gauge", "Joined realtime channels.",
        double(m.realtimeChannels));
    p.single("syncloop_realtime_messages_out_total", "counter", "Realtime frames sent.",
        double(m.realtimeMessagesOut));
    p.single("syncloop_realtime_bytes_out_total", "counter", "Realtime bytes sent.",
        double(m.realtimeBytesOut));
    p.single("syncloop_realtime_drops_total", "counter", "Sockets closed for being too slow.",
        double(m.realtimeDrops));
    p.single("syncloop_realtime_idle_timeouts_total", "counter",
        "Sockets closed for sending nothing for the idle timeout.", double(m.realtimeIdleTimeouts));
    p.single("syncloop_password_hashes_total", "counter", "Password hashes verified by logins.",
        double(m.passwordHashes));
    p.single("syncloop_logins_limited_total", "counter",
        "Logins refused (429) for too many failed attempts, with no hash computed.",
        double(m.loginsLimited));
    p.single("syncloop_logins_busy_total", "counter",
        "Logins turned away (503) while every password-hashing slot was taken.",
        double(m.loginsBusy));
    p.single("syncloop_storage_transient_retries_total", "counter",
        "Transactions retried after busy/serialization errors.",
        double(s.runner->transientRetries()));
    p.single("syncloop_change_seq", "gauge", "Last change-log sequence number.",
        double(stored.changeSeq));
    return HttpResponse::text(200, p.text(), "text/plain; version=0.0.4; charset=utf-8");
}

} // namespace

void AdminRoutes::install(Router &router, Sources sources)
{
    router.add("GET", QStringLiteral("/api/admin/sync-health"),
        { Router::Access::Admin, Router::Kind::Query, Router::Execution::Worker },
        [sources](RequestContext &) { return syncHealth(sources); });
    router.add("GET", QStringLiteral("/metrics"),
        { Router::Access::Metrics, Router::Kind::Query, Router::Execution::Worker },
        [sources](RequestContext &) { return metrics(sources); });
    router.add("GET", QStringLiteral("/healthz"),
        { Router::Access::Public, Router::Kind::Query, Router::Execution::Inline },
        [](RequestContext &) {
            return HttpResponse::json(200, { { QStringLiteral("status"), QStringLiteral("ok") } });
        });
}
