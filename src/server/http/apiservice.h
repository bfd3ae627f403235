#pragma once

#include "httpresponse.h"
#include "requestcontext.h"
#include "router.h"

#include <QElapsedTimer>

#include <memory>
#include <vector>

struct HttpRequest;
class RequestContext;
class ServerMetrics;
class TokenService;
class TransactionRunner;

// The REST front door, called on worker threads: validates the path, finds the route, checks
// size, content type, bearer token, role and Idempotency-Key, then runs the handler. Every
// error is a problem+json body; every mutation response advertises the idempotency window.
class ApiService
{
public:
    struct Options
    {
        qint64 maxBodyBytes = 1024 * 1024;
        qint64 idempotencyWindowSeconds = 86400;
        QByteArray metricsToken; // also accepted on Access::Metrics routes; empty = admins only
    };

    ApiService(const TokenService &tokens, ServerMetrics &metrics, TransactionRunner &runner,
               Options options);

    Router &router() { return m_router; }
    // On an event-loop thread: answers Inline routes with a single transaction attempt.
    // nullopt means "hand this request to a worker": a Worker route, or a transient database
    // error that needs backoff (which must not sleep on the event loop).
    std::optional<HttpResponse> handleInline(const HttpRequest &request);
    // On a worker thread: answers anything, retrying transient database errors.
    HttpResponse handle(const HttpRequest &request);
    // Whether handleBatch() takes this request: an inline mutation.
    bool isBatchable(const HttpRequest &request) const;
    // On an event-loop thread: runs inline mutations in one transaction (group commit), each
    // in its own savepoint. Answers come back in order; nullopt = hand that request to a
    // worker (all of them when the batch could not begin or commit).
    std::vector<std::optional<HttpResponse>> handleBatch(const std::vector<HttpRequest> &requests);
    // On an event-loop thread, for a request refused from its head alone (body too large,
    // chunked, head too large) before its body is read: the problem response, with the
    // idempotency window when the path is a mutation's, counted in the metrics.
    HttpResponse rejectEarly(const QByteArray &method, const QByteArray &rawPath, const Problem &problem) const;
    qint64 maxBodyBytes() const { return m_options.maxBodyBytes; }

private:
    enum class Mode { Inline, Worker };

    // Everything decided before any database work: the route, the caller, the body, the key,
    // or already the answer.
    struct Prepared
    {
        QElapsedTimer timer;
        QString routeLabel = QStringLiteral("unmatched");
        const Router::Route *route = nullptr;
        std::unique_ptr<RequestContext> ctx;
        std::optional<HttpResponse> answer;
        bool toWorker = false;
        bool mutation = false;
    };

    std::optional<HttpResponse> handle(const HttpRequest &request, Mode mode);
    Prepared prepare(const HttpRequest &request, Mode mode) const;
    enum class Record { Now, Later }; // Later: the caller counts it once its batch committed
    std::optional<HttpResponse> execute(Prepared &prepared, const TransactionRunner::Context &transactions,
                                        Record when = Record::Now);
    void record(const Prepared &prepared, const HttpResponse &response) const;
    std::optional<Problem> authenticate(RequestContext &ctx, const Router::Route &route) const;
    std::optional<Problem> readBody(RequestContext &ctx) const;

    const Router::Route *routeFor(const HttpRequest &request) const;

    const TokenService &m_tokens;
    TransactionRunner &m_runner;
    ServerMetrics &m_metrics;
    const Options m_options;
    Router m_router;
};
