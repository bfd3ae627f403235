#include "apiservice.h"

#include "auth/tokenservice.h"
#include "httprequest.h"
#include "idempotencykey.h"
#include "logging.h"
#include "metrics/servermetrics.h"
#include "problems.h"
#include "requestcontext.h"
#include "requestpath.h"
#include "storage/storageerror.h"
#include "storage/transactionrunner.h"

#include <QElapsedTimer>
#include <QJsonDocument>

#include <sodium.h>

namespace {

// Compares secrets without leaking, through timing, how much of a guess was right.
bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    return a.size() == b.size() && sodium_memcmp(a.constData(), b.constData(), std::size_t(a.size())) == 0;
}

} // namespace

ApiService::ApiService(const TokenService &tokens, ServerMetrics &metrics, TransactionRunner &runner,
                       Options options)
    : m_tokens(tokens)
    , m_runner(runner)
    , m_metrics(metrics)
    , m_options(options)
{
}

std::optional<HttpResponse> ApiService::handleInline(const HttpRequest &request)
{
    return handle(request, Mode::Inline);
}

HttpResponse ApiService::handle(const HttpRequest &request)
{
    return *handle(request, Mode::Worker);
}

const Router::Route *ApiService::routeFor(const HttpRequest &request) const
{
    QString why;
    const auto segments = RequestPath::segments(request.rawPath, &why);
    if (!segments)
        return nullptr;
    const auto matched = m_router.match(request.method, *segments);
    const Router::Match *match = std::get_if<Router::Match>(&matched);
    return match ? match->route : nullptr;
}

bool ApiService::isBatchable(const HttpRequest &request) const
{
    const Router::Route *route = routeFor(request);
    return route && route->options.kind == Router::Kind::Mutation
        && route->options.execution == Router::Execution::Inline;
}

std::vector<std::optional<HttpResponse>> ApiService::handleBatch(const std::vector<HttpRequest> &requests)
{
    // Routing, tokens, bodies and keys are worked out before the batch takes the write lock:
    // only database work runs while it is held.
    std::vector<Prepared> prepared;
    prepared.reserve(requests.size());
    for (const HttpRequest &request : requests)
        prepared.push_back(prepare(request, Mode::Inline));
    std::vector<std::optional<HttpResponse>> answers(requests.size());
    try {
        TransactionRunner::Batch batch(m_runner);
        for (std::size_t i = 0; i < prepared.size(); ++i)
            answers[i] = execute(prepared[i], batch.context(), Record::Later);
        batch.commit();
        // Counted once they stand: a batch that fails is redone (and counted) by workers.
        for (std::size_t i = 0; i < prepared.size(); ++i) {
            if (answers[i])
                record(prepared[i], *answers[i]);
        }
    } catch (const StorageError &e) {
        // Could not begin or commit: nothing of the batch stands; workers redo each request.
        qCDebug(lcHttp) << "batch of" << requests.size() << "handed to workers:" << e.what();
        return std::vector<std::optional<HttpResponse>>(requests.size());
    }
    return answers;
}

std::optional<HttpResponse> ApiService::handle(const HttpRequest &request, Mode mode)
{
    Prepared prepared = prepare(request, mode);
    // The event loop never sleeps: one attempt there, and a transient error goes to a worker.
    const TransactionRunner::Context transactions = mode == Mode::Inline
        ? TransactionRunner::Context { .attempts = TransactionRunner::Attempts::Single }
        : TransactionRunner::Context { .attempts = TransactionRunner::Attempts::RetryWithBackoff };
    return execute(prepared, transactions);
}

ApiService::Prepared ApiService::prepare(const HttpRequest &request, Mode mode) const
{
    Prepared p;
    p.timer.start();
    QString why;
    const auto segments = RequestPath::segments(request.rawPath, &why);
    if (!segments) {
        p.answer = HttpResponse::problem(Problems::badRequest(QStringLiteral("invalid_path"), why));
        return p;
    }
    const auto matched = m_router.match(request.method, *segments);
    if (const Problem *problem = std::get_if<Problem>(&matched)) {
        p.answer = HttpResponse::problem(*problem);
        return p;
    }
    const Router::Match &match = std::get<Router::Match>(matched);
    p.route = match.route;
    p.routeLabel = p.route->pattern;
    if (mode == Mode::Inline && p.route->options.execution == Router::Execution::Worker) {
        p.toWorker = true;
        return p;
    }
    p.mutation = p.route->options.kind == Router::Kind::Mutation;
    p.ctx = std::make_unique<RequestContext>(request);
    RequestContext &ctx = *p.ctx;
    ctx.m_params = match.params;
    ctx.m_routePattern = p.route->pattern;
    ctx.m_path = QLatin1Char('/') + segments->join(QLatin1Char('/'));

    if (request.body.size() > m_options.maxBodyBytes) {
        p.answer = HttpResponse::problem(Problems::payloadTooLarge(m_options.maxBodyBytes));
    } else if (auto problem = authenticate(ctx, *p.route)) {
        p.answer = HttpResponse::problem(*problem);
        if (problem->status == 401)
            p.answer->withHeader("WWW-Authenticate", "Bearer realm=\"syncloop\"");
    } else if (auto bodyProblem = request.method == "POST" ? readBody(ctx) : std::nullopt) {
        p.answer = HttpResponse::problem(*bodyProblem);
    } else if (p.mutation) {
        IdempotencyKey::Error keyError = IdempotencyKey::Error::None;
        const std::optional<QString> key = IdempotencyKey::fromRequest(request, &keyError);
        if (!key) {
            const QString code = keyError == IdempotencyKey::Error::Missing ? QStringLiteral("idempotency_key_missing")
                                                                            : QStringLiteral("invalid_idempotency_key");
            p.answer = HttpResponse::problem(Problems::badRequest(code, IdempotencyKey::describe(keyError)));
        } else {
            ctx.m_idempotencyKey = *key;
        }
    }
    return p;
}

std::optional<HttpResponse> ApiService::execute(Prepared &p, const TransactionRunner::Context &transactions,
                                                Record when)
{
    if (p.toWorker)
        return std::nullopt;
    std::optional<HttpResponse> response = p.answer;
    if (!response) {
        const bool onEventLoop = transactions.attempts == TransactionRunner::Attempts::Single;
        try {
            p.ctx->m_transactions = transactions;
            response = p.route->handler(*p.ctx);
        } catch (const StorageError &e) {
            if (e.isTransient() && onEventLoop)
                return std::nullopt; // nothing was committed; a worker retries with backoff
            if (e.isTransient()) {
                qCWarning(lcHttp) << "storage busy after retries:" << e.what();
                response = HttpResponse::problem(Problems::unavailable(
                    QStringLiteral("The database is busy; nothing was changed. Retry with the same key."), 1));
            } else {
                qCCritical(lcHttp) << "storage error:" << e.what();
                response = HttpResponse::problem(Problems::internal());
            }
        } catch (const std::exception &e) {
            qCCritical(lcHttp) << "unexpected error:" << e.what();
            response = HttpResponse::problem(Problems::internal());
        }
    }
    if (p.mutation)
        response->withHeader("Idempotency-Window", QByteArray::number(m_options.idempotencyWindowSeconds));
    if (when == Record::Now)
        record(p, *response);
    return response;
}

void ApiService::record(const Prepared &p, const HttpResponse &response) const
{
    const QByteArray method = p.ctx ? p.ctx->request().method : QByteArray();
    m_metrics.recordRequest(p.routeLabel, method, response.status, double(p.timer.nsecsElapsed()) / 1e9);
}

HttpResponse ApiService::rejectEarly(const QByteArray &method, const QByteArray &rawPath, const Problem &problem) const
{
    QElapsedTimer timer;
    timer.start();
    HttpResponse response = HttpResponse::problem(problem);
    QString route = QStringLiteral("unmatched");
    QString why;
    if (const auto segments = RequestPath::segments(rawPath, &why)) {
        const auto matched = m_router.match(method, *segments);
        if (const auto *match = std::get_if<Router::Match>(&matched)) {
            route = match->route->pattern;
            if (match->route->options.kind == Router::Kind::Mutation)
                response.withHeader("Idempotency-Window", QByteArray::number(m_options.idempotencyWindowSeconds));
        }
    }
    m_metrics.recordRequest(route, method, response.status, double(timer.nsecsElapsed()) / 1e9);
    return response;
}

std::optional<Problem> ApiService::authenticate(RequestContext &ctx, const Router::Route &route) const
{
    if (route.options.access == Router::Access::Public)
        return std::nullopt;
    const QByteArray authorization = ctx.request().header("authorization");
    if (authorization.isEmpty())
        return Problems::unauthorized(QStringLiteral("Send Authorization: Bearer <access token>."));
    if (!authorization.startsWith("Bearer ") && !authorization.startsWith("bearer "))
        return Problems::unauthorized(QStringLiteral("Only Bearer tokens are accepted."));
    if (route.options.access == Router::Access::Metrics && !m_options.metricsToken.isEmpty()
        && constantTimeEquals(authorization.mid(7).trimmed(), m_options.metricsToken))
        return std::nullopt;
    QString reason;
    const auto claims = m_tokens.verify(authorization.mid(7).trimmed(), &reason);
    if (!claims)
        return Problems::unauthorized(QStringLiteral("The access token was rejected: %1.").arg(reason));
    ctx.m_principal = claims->principal;
    if ((route.options.access == Router::Access::Admin || route.options.access == Router::Access::Metrics)
        && !ctx.m_principal.isAdmin())
        return Problems::forbidden(QStringLiteral("This route is for administrators."));
    return std::nullopt;
}

std::optional<Problem> ApiService::readBody(RequestContext &ctx) const
{
    const QByteArray contentType = ctx.request().header("content-type");
    const QByteArray mediaType = contentType.split(';').first().trimmed().toLower();
    if (mediaType != "application/json")
        return Problems::unsupportedMediaType();
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(ctx.request().body, &error);
    if (error.error != QJsonParseError::NoError)
        return Problems::malformedJson(QStringLiteral("The body is not valid JSON: %1 at offset %2.")
                                           .arg(error.errorString())
                                           .arg(error.offset));
    if (!doc.isObject())
        return Problems::malformedJson(QStringLiteral("The body must be a JSON object."));
    ctx.m_body = doc.object();
    // QJsonObject keeps its keys sorted, so compact output is a canonical form.
    ctx.m_canonicalBody = QJsonDocument(ctx.m_body).toJson(QJsonDocument::Compact);
    return std::nullopt;
}
