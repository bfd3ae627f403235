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
    std::vector<std::optional<HttpResponse>> answers(requests.size());
    try {
        TransactionRunner::Batch batch(m_runner);
        for (std::size_t i = 0; i < requests.size(); ++i)
            answers[i] = handle(requests[i], Mode::Inline);
        batch.commit();
    } catch (const StorageError &e) {
        // Could not begin or commit: nothing of the batch stands; workers redo each request.
        qCDebug(lcHttp) << "batch of" << requests.size() << "handed to workers:" << e.what();
        return std::vector<std::optional<HttpResponse>>(requests.size());
    }
    return answers;
}

std::optional<HttpResponse> ApiService::handle(const HttpRequest &request, Mode mode)
{
    QElapsedTimer timer;
    timer.start();
    QString routeLabel = QStringLiteral("unmatched");
    std::optional<HttpResponse> response;
    try {
        std::optional<TransactionRunner::SingleAttemptScope> singleAttempt;
        if (mode == Mode::Inline)
            singleAttempt.emplace();
        response = dispatch(request, mode, &routeLabel);
    } catch (const StorageError &e) {
        if (e.isTransient() && mode == Mode::Inline) {
            return std::nullopt; // nothing was committed; a worker retries with backoff
        } else if (e.isTransient()) {
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
    if (response)
        m_metrics.recordRequest(routeLabel, request.method, response->status, double(timer.nsecsElapsed()) / 1e9);
    return response;
}

std::optional<HttpResponse> ApiService::dispatch(const HttpRequest &request, Mode mode, QString *routeLabel)
{
    QString why;
    const auto segments = RequestPath::segments(request.rawPath, &why);
    if (!segments)
        return HttpResponse::problem(Problems::badRequest(QStringLiteral("invalid_path"), why));

    const auto matched = m_router.match(request.method, *segments);
    if (const Problem *problem = std::get_if<Problem>(&matched))
        return HttpResponse::problem(*problem);
    const Router::Match &match = std::get<Router::Match>(matched);
    const Router::Route &route = *match.route;
    *routeLabel = route.pattern;
    if (mode == Mode::Inline && route.options.execution == Router::Execution::Worker)
        return std::nullopt;

    HttpResponse response;
    const bool mutation = route.options.kind == Router::Kind::Mutation;
    RequestContext ctx(request);
    ctx.m_params = match.params;
    ctx.m_routePattern = route.pattern;
    ctx.m_path = QLatin1Char('/') + segments->join(QLatin1Char('/'));

    if (request.body.size() > m_options.maxBodyBytes) {
        response = HttpResponse::problem(Problems::payloadTooLarge(m_options.maxBodyBytes));
    } else if (auto problem = authenticate(ctx, route)) {
        response = HttpResponse::problem(*problem);
        if (problem->status == 401)
            response.withHeader("WWW-Authenticate", "Bearer realm=\"syncloop\"");
    } else if (auto bodyProblem = request.method == "POST" ? readBody(ctx) : std::nullopt) {
        response = HttpResponse::problem(*bodyProblem);
    } else {
        IdempotencyKey::Error keyError = IdempotencyKey::Error::None;
        std::optional<QString> key;
        if (mutation)
            key = IdempotencyKey::fromRequest(request, &keyError);
        if (mutation && !key) {
            const QString code = keyError == IdempotencyKey::Error::Missing
                ? QStringLiteral("idempotency_key_missing")
                : QStringLiteral("invalid_idempotency_key");
            response = HttpResponse::problem(Problems::badRequest(code, IdempotencyKey::describe(keyError)));
        } else {
            ctx.m_idempotencyKey = key.value_or(QString());
            response = route.handler(ctx);
        }
    }
    if (mutation)
        response.withHeader("Idempotency-Window", QByteArray::number(m_options.idempotencyWindowSeconds));
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
    QString reason;
    const auto claims = m_tokens.verify(authorization.mid(7).trimmed(), &reason);
    if (!claims)
        return Problems::unauthorized(QStringLiteral("The access token was rejected: %1.").arg(reason));
    ctx.m_principal = claims->principal;
    if (route.options.access == Router::Access::Admin && !ctx.m_principal.isAdmin())
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
