#include "leadroutes.h"

#include "httpresponse.h"
#include "idempotencyguard.h"
#include "problems.h"
#include "requestcontext.h"
#include "router.h"
#include "storage/changelog.h"
#include "storage/leadrepository.h"
#include "storage/smsrepository.h"
#include "storage/transaction.h"
#include "storage/transactionrunner.h"
#include "uuidtext.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QUuid>

namespace {

// "<user id>:<client key>", or the key's SHA-256 when that would exceed 255 characters.
QString providerKey(const QString &userId, const QString &key)
{
    QString scoped = userId + QLatin1Char(':') + key;
    if (scoped.size() <= 255)
        return scoped;
    return userId + QLatin1Char(':')
        + QString::fromLatin1(
            QCryptographicHash::hash(key.toUtf8(), QCryptographicHash::Sha256).toHex());
}

HttpResponse leadNotFound()
{
    return HttpResponse::problem(Problems::notFound(QStringLiteral("No such lead.")));
}

HttpResponse list(TransactionRunner &runner, const RequestContext &ctx)
{
    return runner.read(ctx.transactions(), [&](Transaction &tx) {
        QJsonArray rows;
        for (const Lead &l : LeadRepository::visible(tx, ctx.principal()))
            rows.append(l.toJson());
        return HttpResponse::json(200,
            { { QStringLiteral("leads"), rows }, { QStringLiteral("seq"), ChangeLog::head(tx) } });
    });
}

HttpResponse get(TransactionRunner &runner, const RequestContext &ctx)
{
    const QString id = ctx.param(QStringLiteral("id"));
    if (!UuidText::isValid(id))
        return HttpResponse::problem(Problems::badRequest(
            QStringLiteral("invalid_id"), QStringLiteral("The lead id must be a UUID.")));
    return runner.read(ctx.transactions(), [&](Transaction &tx) {
        const auto lead
            = LeadRepository::findVisible(tx, ctx.principal(), UuidText::normalised(id));
        if (!lead)
            return leadNotFound();
        QJsonArray sms;
        for (const SmsMessage &m : SmsRepository::forLead(tx, lead->id))
            sms.append(m.toJson());
        return HttpResponse::json(
            200, { { QStringLiteral("lead"), lead->toJson() }, { QStringLiteral("sms"), sms } });
    });
}

HttpResponse setStatus(IdempotencyGuard &guard, const RequestContext &ctx)
{
    Problem problem;
    const auto id = ctx.requireUuid("leadId", &problem);
    const auto statusText = id ? ctx.requireString("status", 32, &problem) : std::nullopt;
    if (!id || !statusText)
        return HttpResponse::problem(problem);
    const auto status = Lead::statusFromName(*statusText);
    if (!status)
        return HttpResponse::problem(Problems::badRequest(QStringLiteral("invalid_status"),
            QStringLiteral(
                "Unknown lead status \"%1\"; use new, contacted, qualified, won or lost.")
                .arg(statusText->left(32))));
    return guard.execute(ctx, [&](Transaction &tx) {
        const auto current = LeadRepository::findVisible(tx, ctx.principal(), *id);
        if (!current)
            return leadNotFound();
        if (current->status == *status) // already there: nothing to write
            return HttpResponse::json(200, { { QStringLiteral("lead"), current->toJson() } });
        Lead changed = *current;
        changed.status = *status;
        const Lead stored = LeadRepository::update(tx, *current, changed);
        return HttpResponse::json(200, { { QStringLiteral("lead"), stored.toJson() } });
    });
}

HttpResponse sendSms(
    IdempotencyGuard &guard, const RequestContext &ctx, const std::function<void()> &smsQueued)
{
    Problem problem;
    const auto id = ctx.requireUuid("leadId", &problem);
    const auto message
        = id ? ctx.requireString("message", LeadRoutes::maxSmsLength, &problem) : std::nullopt;
    if (!id || !message)
        return HttpResponse::problem(problem);
    if (message->trimmed().isEmpty())
        return HttpResponse::problem(Problems::badRequest(
            QStringLiteral("empty_message"), QStringLiteral("The message must not be empty.")));
    return guard.execute(ctx, [&](Transaction &tx) {
        const auto lead = LeadRepository::findVisible(tx, ctx.principal(), *id);
        if (!lead)
            return leadNotFound();
        SmsRepository::OutboxItem item;
        SmsMessage &sms = item.sms;
        sms.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        sms.orgId = lead->orgId;
        sms.ownerId = lead->ownerId;
        sms.leadId = lead->id;
        sms.toPhone = lead->phone;
        sms.body = *message;
        sms.status = SmsMessage::Status::Queued;
        sms.version = 1;
        sms.createdAt = sms.updatedAt = QDateTime::fromMSecsSinceEpoch(tx.nowMs(), Qt::UTC);
        // The provider deduplicates on this key, so a resend after a crash is harmless. Our keys
        // are unique per user, a provider's are global: prefix the user's id.
        item.providerKey = providerKey(ctx.principal().userId, ctx.idempotencyKey());
        item.nextAttemptAtMs = tx.nowMs();
        SmsRepository::insert(tx, item);
        tx.afterCommit(smsQueued);
        return HttpResponse::json(202, { { QStringLiteral("sms"), sms.toJson() } });
    });
}

} // namespace

void LeadRoutes::install(Router &router, TransactionRunner &runner, IdempotencyGuard &guard,
    std::function<void()> smsQueued)
{
    using Access = Router::Access;
    using Kind = Router::Kind;
    using Execution = Router::Execution;
    router.add("GET", QStringLiteral("/api/leads"),
        { Access::User, Kind::Query, Execution::Worker },
        [&runner](RequestContext &ctx) { return list(runner, ctx); });
    router.add("GET", QStringLiteral("/api/leads/{id}"),
        { Access::User, Kind::Query, Execution::Inline },
        [&runner](RequestContext &ctx) { return get(runner, ctx); });
    router.add("POST", QStringLiteral("/api/leads/status"),
        { Access::User, Kind::Mutation, Execution::Inline },
        [&guard](RequestContext &ctx) { return setStatus(guard, ctx); });
    router.add("POST", QStringLiteral("/api/leads/send-sms"),
        { Access::User, Kind::Mutation, Execution::Inline },
        [&guard, smsQueued = std::move(smsQueued)](
            RequestContext &ctx) { return sendSms(guard, ctx, smsQueued); });
}
