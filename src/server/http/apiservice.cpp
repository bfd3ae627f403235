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
#include <utility>

namespace {

// Compares secrets without leaking, through timing, how much of a guess was right.
bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    return a.size() == b.size()
        && sodium_memcmp(a.constData(), b.constData(), std::size_t(a.size())) == 0;
}

} // namespace

ApiService::ApiService(
    const TokenService &tokens, ServerMetrics &metrics, TransactionRunner &runner, Options options)
    : m_tokens(tokens)
    , m_runner(runner)
    , m_metrics(metrics)
    , m_options(std::move(options))
{ }

std::variant<Router::Match, Problem> ApiService::match(
    const QByteArray &method, const QByteArray &rawPath, QString *path) const
{
    QString why;
    const auto segments = RequestPath::segments(rawPath, &why);
    if (!segments)
        return Problems::badRequest(QStringLiteral("invalid_path"), why);
    if (path)
        *path = QLatin1Char('/') + segments->join(QLatin1Char('/'));
    return m_router.match(method, *segments);
}

Disposition ApiService::dispose(HttpRequest request)
{
    QElapsedTimer timer;
    timer.start();
    QString path;
    auto matched = match(request.method, request.rawPath, &path);
    if (const Problem *problem = std::get_if<Problem>(&matched)) {
        Prepared unmatched; // no route, no caller: counted under "unmatched"
        unmatched.timer = timer;
        const HttpResponse response = HttpResponse::problem(*problem);
        record(unmatched, response);
        return Disposition::answer(response);
    }
    RoutedRequest routed { std::move(request), std::get<Router::Match>(std::move(matched)), path };
    const Router::Options &options = routed.match.route->options;
    if (options.execution == Router::Execution::Worker)
        return Disposition::worker(std::move(routed));
    if (options.kind == Router::Kind::Mutation)
        return Disposition::batch(std::move(routed));
    Prepared prepared = prepare(routed);
    prepared.timer = timer;
    try {
        HttpResponse response
            = execute(prepared, { .attempts = TransactionRunner::Attempts::Single });
        record(prepared, response);
        return Disposition::answer(std::move(response));
    } catch (const StorageError &) {
        // Transient (execute() answers the others): nothing was committed, and a worker
        // retries with backoff.
        prepared.ctx.reset(); // it refers to the request about to move
        return Disposition::worker(std::move(routed));
    }
}

HttpResponse ApiService::handle(const RoutedRequest &routed)
{
    Prepared prepared = prepare(routed);
    HttpResponse response
        = execute(prepared, { .attempts = TransactionRunner::Attempts::RetryWithBackoff });
    record(prepared, response);
    return response;
}

std::vector<Disposition> ApiService::handleBatch(std::vector<RoutedRequest> requests)
{
    // Tokens, bodies and keys are worked out before the batch takes the write lock: only
    // database work runs while it is held.
    std::vector<Prepared> prepared;
    prepared.reserve(requests.size());
    for (const RoutedRequest &routed : requests)
        prepared.push_back(prepare(routed));
    // Empty: a transient error undid that unit alone (its savepoint); a worker redoes it.
    std::vector<std::optional<HttpResponse>> answers(requests.size());
    try {
        TransactionRunner::Batch batch(m_runner);
        for (std::size_t i = 0; i < prepared.size(); ++i) {
            try {
                answers[i] = execute(prepared[i], batch.context());
            } catch (const StorageError &) {
                // Transient: execute() answers the others.
            }
        }
        batch.commit();
    } catch (const StorageError &e) {
        // Could not begin or commit: nothing of the batch stands; workers redo each request.
        qCDebug(lcHttp) << "batch of" << requests.size() << "handed to workers:" << e.what();
        answers.assign(requests.size(), std::nullopt);
    }
    std::vector<Disposition> dispositions;
    dispositions.reserve(requests.size());
    for (std::size_t i = 0; i < requests.size(); ++i) {
        if (answers[i]) {
            // Counted once they stand: a batch that fails is redone (and counted) by workers.
            record(prepared[i], *answers[i]);
            dispositions.push_back(Disposition::answer(std::move(*answers[i])));
        } else {
            prepared[i].ctx.reset(); // it refers to the request about to move
            dispositions.push_back(Disposition::worker(std::move(requests[i])));
        }
    }
    return dispositions;
}

ApiService::Prepared ApiService::prepare(const RoutedRequest &routed) const
{
    const HttpRequest &request = routed.request;
    Prepared p;
    p.timer.start();
    p.route = routed.match.route;
    p.routeLabel = p.route->pattern;
    p.mutation = p.route->options.kind == Router::Kind::Mutation;
    p.ctx = std::make_unique<RequestContext>(request);
    RequestContext &ctx = *p.ctx;
    ctx.m_params = routed.match.params;
    ctx.m_routePattern = p.route->pattern;
    ctx.m_path = routed.path;

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
            const QString code = keyError == IdempotencyKey::Error::Missing
                ? QStringLiteral("idempotency_key_missing")
                : QStringLiteral("invalid_idempotency_key");
            p.answer = HttpResponse::problem(
                Problems::badRequest(code, IdempotencyKey::describe(keyError)));
        } else {
            ctx.m_idempotencyKey = *key;
        }
    }
    return p;
}

HttpResponse ApiService::execute(Prepared &p, const TransactionRunner::Context &transactions)
{
    std::optional<HttpResponse> response = p.answer;
    if (!response) {
        try {
            p.ctx->m_transactions = transactions;
            response = p.route->handler(*p.ctx);
        } catch (const StorageError &e) {
            if (e.isTransient() && transactions.attempts == TransactionRunner::Attempts::Single)
                throw; // nothing was committed; the caller hands the request to a worker
            if (e.isTransient()) {
                qCWarning(lcHttp) << "storage busy after retries:" << e.what();
                response = HttpResponse::problem(Problems::unavailable(
                    QStringLiteral(
                        "The database is busy; nothing was changed. Retry with the same key."),
                    1));
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
        response->withHeader(
            "Idempotency-Window", QByteArray::number(m_options.idempotencyWindowSeconds));
    return *response;
}

void ApiService::record(const Prepared &p, const HttpResponse &response) const
{
    const QByteArray method = p.ctx ? p.ctx->request().method : QByteArray();
    m_metrics.recordRequest(
        p.routeLabel, method, response.status, double(p.timer.nsecsElapsed()) / 1e9);
}

HttpResponse ApiService::rejectEarly(
    const QByteArray &method, const QByteArray &rawPath, const Problem &problem) const
{
    QElapsedTimer timer;
    timer.start();
    HttpResponse response = HttpResponse::problem(problem);
    QString route = QStringLiteral("unmatched");
    const auto matched = match(method, rawPath);
    if (const auto *found = std::get_if<Router::Match>(&matched)) {
        route = found->route->pattern;
        if (found->route->options.kind == Router::Kind::Mutation)
            response.withHeader(
                "Idempotency-Window", QByteArray::number(m_options.idempotencyWindowSeconds));
    }
    m_metrics.recordRequest(route, method, response.status, double(timer.nsecsElapsed()) / 1e9);
    return response;
}

std::optional<Problem> ApiService::authenticate(
    RequestContext &ctx, const Router::Route &route) const
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
        return Problems::unauthorized(
            QStringLiteral("The access token was rejected: %1.").arg(reason));
    ctx.m_principal = claims->principal;
    if ((route.options.access == Router::Access::Admin
            || route.options.access == Router::Access::Metrics)
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
        return Problems::malformedJson(
            QStringLiteral("The body is not valid JSON: %1 at offset %2.")
                .arg(error.errorString())
                .arg(error.offset));
    if (!doc.isObject())
        return Problems::malformedJson(QStringLiteral("The body must be a JSON object."));
    ctx.m_body = doc.object();
    // QJsonObject keeps its keys sorted, so compact output is a canonical form.
    ctx.m_canonicalBody = QJsonDocument(ctx.m_body).toJson(QJsonDocument::Compact);
    return std::nullopt;
}
