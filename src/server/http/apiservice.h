#pragma once

#include "httpresponse.h"
#include "router.h"

struct HttpRequest;
class RequestContext;
class ServerMetrics;
class TokenService;

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
    };

    ApiService(const TokenService &tokens, ServerMetrics &metrics, Options options);

    Router &router() { return m_router; }
    HttpResponse handle(const HttpRequest &request);

private:
    HttpResponse dispatch(const HttpRequest &request, QString *routeLabel);
    std::optional<Problem> authenticate(RequestContext &ctx, const Router::Route &route) const;
    std::optional<Problem> readBody(RequestContext &ctx) const;

    const TokenService &m_tokens;
    ServerMetrics &m_metrics;
    const Options m_options;
    Router m_router;
};
