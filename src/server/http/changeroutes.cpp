#include "changeroutes.h"

#include "httpresponse.h"
#include "problems.h"
#include "requestcontext.h"
#include "router.h"
#include "storage/changelog.h"
#include "storage/transaction.h"
#include "storage/transactionrunner.h"

#include <QJsonArray>

namespace {

std::optional<qint64> integerParameter(const RequestContext &ctx, const QString &name,
    qint64 fallback, qint64 min, qint64 max, Problem *problem)
{
    if (!ctx.request().query.hasQueryItem(name))
        return fallback;
    bool ok = false;
    const qint64 value
        = ctx.request().query.queryItemValue(name, QUrl::FullyDecoded).toLongLong(&ok);
    if (!ok || value < min || value > max) {
        *problem = Problems::badRequest(QStringLiteral("invalid_parameter"),
            QStringLiteral("\"%1\" must be an integer from %2 to %3.").arg(name).arg(min).arg(max));
        return std::nullopt;
    }
    return value;
}

HttpResponse changes(TransactionRunner &runner, const RequestContext &ctx)
{
    Problem problem;
    const auto since = integerParameter(
        ctx, QStringLiteral("since"), 0, 0, std::numeric_limits<qint64>::max(), &problem);
    const auto limit = since ? integerParameter(ctx, QStringLiteral("limit"),
                           ChangeRoutes::defaultLimit, 1, ChangeRoutes::defaultLimit, &problem)
                             : std::nullopt;
    if (!since || !limit)
        return HttpResponse::problem(problem);
    return runner.read(ctx.transactions(), [&](Transaction &tx) {
        QJsonArray out;
        qint64 last = *since;
        for (const QJsonObject &change :
            ChangeLog::visibleSince(tx, ctx.principal(), *since, int(*limit))) {
            out.append(change);
            last = change.value(QStringLiteral("seq")).toInteger();
        }
        // Asked after the rows were read: a purge that slipped in between shows here, so a
        // page is never answered with a hole in it.
        const qint64 purgedThrough = ChangeLog::purgedThrough(tx);
        if (*since < purgedThrough)
            return HttpResponse::problem(Problems::historyExpired(*since, purgedThrough));
        return HttpResponse::json(
            200, { { QStringLiteral("changes"), out }, { QStringLiteral("seq"), last } });
    });
}

} // namespace

void ChangeRoutes::install(Router &router, TransactionRunner &runner)
{
    router.add("GET", QStringLiteral("/api/changes"),
        { Router::Access::User, Router::Kind::Query, Router::Execution::Worker },
        [&runner](RequestContext &ctx) { return changes(runner, ctx); });
}
