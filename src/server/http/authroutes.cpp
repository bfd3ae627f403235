#include "authroutes.h"

#include "auth/loginguard.h"
#include "auth/passwordhasher.h"
#include "auth/tokenservice.h"
#include "httpresponse.h"
#include "logging.h"
#include "metrics/servermetrics.h"
#include "problems.h"
#include "requestcontext.h"
#include "router.h"
#include "storage/refreshtokenstore.h"
#include "storage/transaction.h"
#include "storage/transactionrunner.h"
#include "storage/userrepository.h"

namespace {

HttpResponse tokenResponse(
    const TokenService &tokens, const UserRepository::User &user, const QString &refreshToken)
{
    return HttpResponse::json(200,
        {
            { QStringLiteral("access_token"), tokens.issue(user.principal(), user.email) },
            { QStringLiteral("token_type"), QStringLiteral("bearer") },
            { QStringLiteral("refresh_token"), refreshToken },
            { QStringLiteral("expires_in"), tokens.ttlSeconds() },
            { QStringLiteral("user"),
                QJsonObject { { QStringLiteral("id"), user.id },
                    { QStringLiteral("email"), user.email },
                    { QStringLiteral("role"), Principal::roleName(user.role) },
                    { QStringLiteral("org_id"), user.orgId } } },
        });
}

HttpResponse refused(const QString &code, const QString &detail)
{
    Problem p = Problems::unauthorized(detail);
    p.code = code;
    return HttpResponse::problem(p);
}

HttpResponse login(TransactionRunner &runner, const TokenService &tokens,
    const AuthRoutes::Options &options, const RequestContext &ctx)
{
    Problem problem;
    const auto email = ctx.requireString("email", 320, &problem);
    const auto password = email ? ctx.requireString("password", 1024, &problem) : std::nullopt;
    if (!email || !password)
        return HttpResponse::problem(problem);
    // Before any work on the password: an account or address over its limit, or every
    // hashing slot taken, is answered without a hash (and the same way for unknown emails).
    LoginGuard::Attempt attempt = options.loginGuard->begin(*email, ctx.request().peer);
    switch (attempt.verdict()) {
    case LoginGuard::Verdict::Go:
        break;
    case LoginGuard::Verdict::TooManyAttempts:
        options.metrics->recordLoginLimited();
        qCInfo(lcAuth) << "login refused: too many failed attempts for the account or from"
                       << LoginGuard::addressKey(ctx.request().peer);
        return HttpResponse::problem(Problems::tooManyLoginAttempts(attempt.retryAfterSeconds()));
    case LoginGuard::Verdict::Busy:
        options.metrics->recordLoginBusy();
        return HttpResponse::problem(Problems::unavailable(
            QStringLiteral("Too many sign-ins are being checked right now; try again in a moment."),
            attempt.retryAfterSeconds()));
    }
    const auto user = runner.read(ctx.transactions(),
        [&](Transaction &tx) { return UserRepository::findByEmail(tx, *email); });
    // Verify outside any transaction: Argon2id takes tens of milliseconds on purpose.
    options.metrics->recordPasswordHash();
    if (!user) {
        PasswordHasher::verifyDummy(*password);
        return refused(
            QStringLiteral("invalid_credentials"), QStringLiteral("Wrong email or password."));
    }
    if (!PasswordHasher::verify(user->passwordHash, *password))
        return refused(
            QStringLiteral("invalid_credentials"), QStringLiteral("Wrong email or password."));
    attempt.succeeded();
    const QString refresh = runner.write(ctx.transactions(), [&](Transaction &tx) {
        return RefreshTokenStore::issue(tx, user->id, options.refreshTokenTtlMs);
    });
    qCInfo(lcAuth) << "login" << user->id;
    return tokenResponse(tokens, *user, refresh);
}

HttpResponse refresh(TransactionRunner &runner, const TokenService &tokens,
    const AuthRoutes::Options &options, const RequestContext &ctx)
{
    Problem problem;
    const auto token = ctx.requireString("refresh_token", 512, &problem);
    if (!token)
        return HttpResponse::problem(problem);
    using Outcome = RefreshTokenStore::Rotation::Outcome;
    std::optional<UserRepository::User> user;
    const auto rotation = runner.write(ctx.transactions(), [&](Transaction &tx) {
        auto r = RefreshTokenStore::rotate(tx, *token, options.refreshTokenTtlMs,
            { .intervalMs = options.refreshReuseIntervalMs,
                .successorKey = options.refreshSuccessorKey });
        const bool answered = r.outcome == Outcome::Rotated || r.outcome == Outcome::Reissued;
        user = answered ? UserRepository::findById(tx, r.userId) : std::nullopt;
        return r;
    });
    switch (rotation.outcome) {
    case Outcome::Rotated:
    case Outcome::Reissued:
        if (rotation.outcome == Outcome::Reissued)
            qCInfo(lcAuth)
                << "refresh token presented again within the reuse interval; same successor";
        if (user)
            return tokenResponse(tokens, *user, rotation.token);
        break;
    case Outcome::Reused:
        qCWarning(lcAuth) << "refresh token reuse detected; the token family is revoked";
        return refused(QStringLiteral("refresh_token_reused"),
            QStringLiteral("This refresh token was already used; every session of its "
                           "family is signed out. Sign in again."));
    case Outcome::Expired:
        return refused(QStringLiteral("refresh_token_expired"),
            QStringLiteral("The refresh token expired; sign in again."));
    case Outcome::Unknown:
        break;
    }
    return refused(QStringLiteral("invalid_refresh_token"),
        QStringLiteral("Unknown refresh token; sign in again."));
}

} // namespace

void AuthRoutes::install(
    Router &router, TransactionRunner &runner, const TokenService &tokens, const Options &options)
{
    router.add("POST", QStringLiteral("/api/auth/login"),
        { Router::Access::Public, Router::Kind::Query, Router::Execution::Worker },
        [&runner, &tokens, options](
            RequestContext &ctx) { return login(runner, tokens, options, ctx); });
    router.add("POST", QStringLiteral("/api/auth/refresh"),
        { Router::Access::Public, Router::Kind::Query, Router::Execution::Worker },
        [&runner, &tokens, options](
            RequestContext &ctx) { return refresh(runner, tokens, options, ctx); });
}
