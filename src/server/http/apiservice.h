#pragma once

#include "disposition.h"
#include "httpresponse.h"
#include "requestcontext.h"
#include "routedrequest.h"
#include "router.h"

#include <QElapsedTimer>
#include <memory>
#include <optional>
#include <variant>
#include <vector>

struct HttpRequest;
class RequestContext;
class ServerMetrics;
class TokenService;
class TransactionRunner;

// The REST front door: validates the path and finds the route once, on the event loop that
// read the request, then (there or on a worker) checks size, content type, bearer token, role
// and Idempotency-Key, and runs the handler. Every error is a problem+json body; every
// mutation response advertises the idempotency window.
class ApiService
{
public:
    struct Options
    {
        qint64 maxBodyBytes = 1024LL * 1024;
        qint64 idempotencyWindowSeconds = 86400;
        QByteArray metricsToken; // also accepted on Access::Metrics routes; empty = admins only
    };

    ApiService(const TokenService &tokens, ServerMetrics &metrics, TransactionRunner &runner,
        Options options);

    Router &router() { return m_router; }
    // On an event-loop thread, for every request: matches its route (the only match made for
    // it) and answers at once (an error, or an Inline query in a single transaction attempt),
    // or defers it: Batch for an Inline mutation, Worker for a Worker route or a transient
    // database error that needs backoff (which must not sleep on the event loop).
    Disposition dispose(HttpRequest request);
    // On an event-loop thread: runs inline mutations in one transaction (group commit), each
    // in its own savepoint. Answers come back in order, each an Answer or Worker (all Worker
    // when the batch could not begin or commit).
    std::vector<Disposition> handleBatch(std::vector<RoutedRequest> requests);
    // On a worker thread: answers anything, retrying transient database errors.
    HttpResponse handle(const RoutedRequest &routed);
    // On an event-loop thread, for a request refused from its head alone (body too large,
    // chunked, head too large) before its body is read: the problem response, with the
    // idempotency window when the path is a mutation's, counted in the metrics.
    HttpResponse rejectEarly(
        const QByteArray &method, const QByteArray &rawPath, const Problem &problem) const;
    qint64 maxBodyBytes() const { return m_options.maxBodyBytes; }

private:
    // Everything decided before any database work: the route, the caller, the body, the key,
    // or already the answer.
    struct Prepared
    {
        QElapsedTimer timer;
        QString routeLabel = QStringLiteral("unmatched");
        const Router::Route *route = nullptr;
        std::unique_ptr<RequestContext> ctx;
        std::optional<HttpResponse> answer;
        bool mutation = false;
    };

    // The route, or the answer for a path that is invalid or has none (404 / 405).
    std::variant<Router::Match, Problem> match(
        const QByteArray &method, const QByteArray &rawPath, QString *path = nullptr) const;
    Prepared prepare(const RoutedRequest &routed) const;
    // On the event loop (Attempts::Single or a Batch) a transient StorageError propagates:
    // nothing of the request was committed, and the caller hands it to a worker.
    HttpResponse execute(Prepared &prepared, const TransactionRunner::Context &transactions);
    void record(const Prepared &prepared, const HttpResponse &response) const;
    std::optional<Problem> authenticate(RequestContext &ctx, const Router::Route &route) const;
    std::optional<Problem> readBody(RequestContext &ctx) const;

    const TokenService &m_tokens;
    TransactionRunner &m_runner;
    ServerMetrics &m_metrics;
    const Options m_options;
    Router m_router;
};
