#include "bookingroutes.h"

#include "httpresponse.h"
#include "idempotencyguard.h"
#include "problems.h"
#include "requestcontext.h"
#include "router.h"
#include "storage/bookingrepository.h"
#include "storage/changelog.h"
#include "storage/transaction.h"
#include "storage/transactionrunner.h"
#include "uuidtext.h"

#include <QJsonArray>

namespace {

HttpResponse bookingNotFound()
{
    return HttpResponse::problem(Problems::notFound(QStringLiteral("No such booking.")));
}

HttpResponse list(TransactionRunner &runner, const RequestContext &ctx)
{
    return runner.read(ctx.transactions(), [&](Transaction &tx) {
        QJsonArray rows;
        for (const Booking &b : BookingRepository::visible(tx, ctx.principal()))
            rows.append(b.toJson());
        return HttpResponse::json(200,
            { { QStringLiteral("bookings"), rows },
                { QStringLiteral("seq"), ChangeLog::head(tx) } });
    });
}

HttpResponse get(TransactionRunner &runner, const RequestContext &ctx)
{
    const QString id = ctx.param(QStringLiteral("id"));
    if (!UuidText::isValid(id))
        return HttpResponse::problem(Problems::badRequest(
            QStringLiteral("invalid_id"), QStringLiteral("The booking id must be a UUID.")));
    return runner.read(ctx.transactions(), [&](Transaction &tx) {
        const auto booking
            = BookingRepository::findVisible(tx, ctx.principal(), UuidText::normalised(id));
        if (!booking)
            return bookingNotFound();
        return HttpResponse::json(200, { { QStringLiteral("booking"), booking->toJson() } });
    });
}

HttpResponse confirm(IdempotencyGuard &guard, const RequestContext &ctx)
{
    Problem problem;
    const auto id = ctx.requireUuid("bookingId", &problem);
    if (!id)
        return HttpResponse::problem(problem);
    return guard.execute(ctx, [&](Transaction &tx) {
        const auto current = BookingRepository::findVisible(tx, ctx.principal(), *id);
        if (!current)
            return bookingNotFound();
        if (current->status == Booking::Status::Cancelled)
            return HttpResponse::problem(Problems::conflict(QStringLiteral("booking_cancelled"),
                QStringLiteral("The booking was cancelled; it cannot be confirmed.")));
        if (current->status == Booking::Status::Confirmed) // natural idempotency: same state
            return HttpResponse::json(200, { { QStringLiteral("booking"), current->toJson() } });
        Booking changed = *current;
        changed.status = Booking::Status::Confirmed;
        const Booking stored = BookingRepository::update(tx, *current, changed);
        return HttpResponse::json(200, { { QStringLiteral("booking"), stored.toJson() } });
    });
}

HttpResponse remove(IdempotencyGuard &guard, const RequestContext &ctx)
{
    Problem problem;
    const auto id = ctx.requireUuid("bookingId", &problem);
    if (!id)
        return HttpResponse::problem(problem);
    return guard.execute(ctx, [&](Transaction &tx) {
        const auto current = BookingRepository::findVisible(tx, ctx.principal(), *id);
        if (!current)
            return bookingNotFound();
        BookingRepository::remove(tx, *current);
        // The answer names its table: the client's closed loop waits for that row to go.
        return HttpResponse::json(200,
            { { QStringLiteral("deleted"), true },
                { QStringLiteral("table"), QStringLiteral("bookings") },
                { QStringLiteral("id"), current->id },
                { QStringLiteral("version"), current->version + 1 } });
    });
}

} // namespace

void BookingRoutes::install(Router &router, TransactionRunner &runner, IdempotencyGuard &guard)
{
    using Access = Router::Access;
    using Kind = Router::Kind;
    using Execution = Router::Execution;
    router.add("GET", QStringLiteral("/api/bookings"),
        { Access::User, Kind::Query, Execution::Worker },
        [&runner](RequestContext &ctx) { return list(runner, ctx); });
    router.add("GET", QStringLiteral("/api/bookings/{id}"),
        { Access::User, Kind::Query, Execution::Inline },
        [&runner](RequestContext &ctx) { return get(runner, ctx); });
    router.add("POST", QStringLiteral("/api/bookings/confirm"),
        { Access::User, Kind::Mutation, Execution::Inline },
        [&guard](RequestContext &ctx) { return confirm(guard, ctx); });
    router.add("POST", QStringLiteral("/api/bookings/delete"),
        { Access::User, Kind::Mutation, Execution::Inline },
        [&guard](RequestContext &ctx) { return remove(guard, ctx); });
}
