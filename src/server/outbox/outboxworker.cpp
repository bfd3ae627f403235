#include "outboxworker.h"

#include "circuitbreaker.h"
#include "clock.h"
#include "logging.h"
#include "metrics/servermetrics.h"
#include "randomsource.h"
#include "storage/storageerror.h"
#include "storage/transaction.h"
#include "storage/transactionrunner.h"

#include <algorithm>

namespace {
constexpr qint64 storageRetryMs = 1000;
constexpr qint64 idlePollMs = 60000; // a safety net; wake() and retry times do the real work
constexpr qint64 minimumIdleMs = 250;
} // namespace

OutboxWorker::OutboxWorker(TransactionRunner &runner, CircuitBreaker *breaker,
    SmsProvider *provider, ServerMetrics &metrics, const Clock *clock, RandomSource *random,
    Options options)
    : m_runner(runner)
    , m_breaker(breaker)
    , m_provider(provider)
    , m_metrics(metrics)
    , m_clock(clock)
    , m_random(random)
    , m_options(options)
    , m_backoff(options.retry)
    , m_timer(this)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &OutboxWorker::pass);
    if (m_provider) {
        m_provider->setParent(this);
        connect(m_provider, &SmsProvider::finished, this, &OutboxWorker::onFinished);
        connect(m_provider, &SmsProvider::lookedUp, this, &OutboxWorker::onLookedUp);
    }
}

void OutboxWorker::wake()
{
    QMetaObject::invokeMethod(
        this, [this] { m_timer.start(0); }, Qt::QueuedConnection);
}

void OutboxWorker::pass()
{
    bool progressed = false;
    try {
        const int room = m_options.maxInFlight - int(m_inFlight.size());
        if (room > 0) {
            const auto due = m_runner.read([&](Transaction &tx) {
                return SmsRepository::due(tx, m_clock->nowMs(), room + int(m_inFlight.size()));
            });
            for (const SmsRepository::OutboxItem &item : due) {
                if (m_inFlight.contains(item.sms.id))
                    continue;
                progressed = true;
                if (!m_provider) {
                    failWithoutProvider(item);
                    continue;
                }
                // Leased rows are not due, so the list can hold `room` rows besides those in
                // flight.
                if (m_inFlight.size() >= m_options.maxInFlight)
                    break;
                if (!m_breaker->tryAcquirePermission())
                    break; // open: the provider is not called; the rows wait
                begin(item);
            }
        }
        // Rows still due but in flight (a call outlasting its lease) must not spin the loop.
        scheduleNext(progressed ? 0 : minimumIdleMs);
    } catch (const StorageError &e) {
        qCWarning(lcOutbox) << "outbox pass failed, retrying:" << e.what();
        m_timer.start(int(storageRetryMs));
    }
}

std::optional<SmsRepository::OutboxItem> OutboxWorker::transition(const QString &id,
    const std::function<void(SmsRepository::OutboxItem &)> &change, std::optional<qint64> dueAtMs)
{
    return m_runner.write([&](Transaction &tx) -> std::optional<SmsRepository::OutboxItem> {
        const auto current = SmsRepository::find(tx, id);
        if (!current || current->sms.status == SmsMessage::Status::Sent
            || current->sms.status == SmsMessage::Status::Failed)
            return std::nullopt;
        // A claim holds only if the row is still due when re-read in the claiming transaction:
        // another instance on the same database may have leased it since we listed it.
        if (dueAtMs && current->nextAttemptAtMs > *dueAtMs)
            return std::nullopt;
        SmsRepository::OutboxItem changed = *current;
        change(changed);
        return SmsRepository::update(tx, *current, changed);
    });
}

void OutboxWorker::begin(const SmsRepository::OutboxItem &item)
{
    const qint64 now = m_clock->nowMs();
    bool askFirst = false;
    std::optional<SmsRepository::OutboxItem> claimed;
    try {
        claimed = transition(
            item.sms.id,
            [&](SmsRepository::OutboxItem &row) {
                // Decided on the row as re-read in the claiming transaction, not as listed.
                askFirst = row.sendStartedAtMs.has_value() && !m_lookupUnsupported;
                row.sms.status = SmsMessage::Status::Sending;
                row.sms.attempts += 1;
                // A lookup and then perhaps a send: the lease covers both calls.
                row.nextAttemptAtMs = now + (askFirst ? 2 * m_options.leaseMs : m_options.leaseMs);
                if (!askFirst)
                    row.sendStartedAtMs = now; // committed before the call goes out
            },
            now);
    } catch (...) {
        m_breaker->releasePermission(); // no call was made: give the (trial) slot back
        throw;
    }
    if (!claimed) {
        m_breaker->releasePermission();
        return;
    }
    m_inFlight.insert(item.sms.id, *claimed);
    if (askFirst)
        m_provider->lookup(
            { claimed->sms.id, claimed->sms.toPhone, claimed->sms.body, claimed->providerKey });
    else
        send(*claimed);
}

void OutboxWorker::send(const SmsRepository::OutboxItem &item)
{
    m_metrics.recordSmsAttempt();
    m_provider->send({ item.sms.id, item.sms.toPhone, item.sms.body, item.providerKey });
}

void OutboxWorker::onLookedUp(const QString &id, const SmsProvider::Lookup &lookup)
{
    const auto it = m_inFlight.constFind(id);
    if (it == m_inFlight.cend())
        return;
    const SmsRepository::OutboxItem item = m_inFlight.value(id); // a copy: the entry may go below
    using Kind = SmsProvider::Lookup::Kind;
    switch (lookup.kind) {
    case Kind::Unsupported:
        if (!m_lookupUnsupported) {
            m_lookupUnsupported = true;
            qCWarning(lcOutbox).noquote()
                << QStringLiteral("the SMS gateway cannot look up a message by its key (%1): a "
                                  "message whose send call "
                                  "may have reached it is sent again with the same key")
                       .arg(lookup.error);
        }
        [[fallthrough]];
    case Kind::Unknown:
        // The breaker's permission taken for the lookup covers this call.
        send(item);
        return;
    case Kind::Known:
        m_breaker->recordSuccess();
        break;
    case Kind::Failed:
        m_breaker->recordFailure();
        break;
    }
    m_inFlight.erase(it);
    using S = Settlement::Kind;
    const bool known = lookup.kind == Kind::Known;
    // Still unknown whether the provider has it (Retry): the next attempt asks again.
    settle(id,
        { .kind
            = known ? S::Sent : (item.sms.attempts >= m_options.maxAttempts ? S::GaveUp : S::Retry),
            .providerMessageId = lookup.providerMessageId,
            .error = lookup.error,
            .retryAfterMs = lookup.retryAfterMs,
            .providerAnswered = known },
        "could not record the status lookup's outcome:");
}

void OutboxWorker::onFinished(const QString &id, const SmsProvider::Result &result)
{
    if (!m_inFlight.contains(id))
        return;
    const SmsRepository::OutboxItem item = m_inFlight.take(id);
    using Kind = SmsProvider::Result::Kind;
    switch (result.kind) {
    case Kind::Accepted:
        m_breaker->recordSuccess();
        break;
    case Kind::Rejected:
        m_breaker->releasePermission(); // the provider works; the message was bad
        break;
    case Kind::Transient:
        m_breaker->recordFailure();
        break;
    }
    using S = Settlement::Kind;
    const S outcome = result.kind == Kind::Accepted  ? S::Sent
        : result.kind == Kind::Rejected              ? S::Rejected
        : item.sms.attempts >= m_options.maxAttempts ? S::GaveUp
                                                     : S::Retry;
    // A failed record: the lease makes the row due again; the provider's key makes the resend
    // harmless.
    settle(id,
        { .kind = outcome,
            .providerMessageId = result.providerMessageId,
            .error = result.error,
            .retryAfterMs = result.retryAfterMs,
            .providerAnswered = !result.outcomeUnknown },
        "could not record delivery outcome:");
}

void OutboxWorker::settle(const QString &id, const Settlement &settlement, const char *what)
{
    using S = Settlement::Kind;
    const qint64 now = m_clock->nowMs();
    try {
        transition(id, [&](SmsRepository::OutboxItem &row) {
            if (settlement.providerAnswered)
                row.sendStartedAtMs.reset();
            switch (settlement.kind) {
            case S::Sent:
                row.sms.status = SmsMessage::Status::Sent;
                row.sms.providerMessageId = settlement.providerMessageId;
                row.sms.lastError = QString();
                break;
            case S::Rejected:
                row.sms.status = SmsMessage::Status::Failed;
                row.sms.lastError = settlement.error;
                break;
            case S::GaveUp:
                row.sms.status = SmsMessage::Status::Failed;
                row.sms.lastError = QStringLiteral("gave up after %1 attempts: %2")
                                        .arg(row.sms.attempts)
                                        .arg(settlement.error);
                break;
            case S::Retry:
                row.sms.lastError = settlement.error;
                row.nextAttemptAtMs = now
                    + m_backoff.delayMs(row.sms.attempts - 1, *m_random, settlement.retryAfterMs);
                break;
            }
        });
    } catch (const StorageError &e) {
        qCWarning(lcOutbox) << what << e.what();
    }
    switch (settlement.kind) {
    case S::Sent:
        m_metrics.recordSmsSent();
        break;
    case S::Rejected:
    case S::GaveUp:
        m_metrics.recordSmsFailed();
        break;
    case S::Retry:
        m_metrics.recordSmsRetry();
        break;
    }
    pass();
}

void OutboxWorker::failWithoutProvider(const SmsRepository::OutboxItem &item)
{
    transition(item.sms.id, [](SmsRepository::OutboxItem &row) {
        row.sms.status = SmsMessage::Status::Failed;
        row.sms.lastError
            = QStringLiteral("no SMS gateway configured (start syncloopd with --sms-gateway URL)");
    });
    m_metrics.recordSmsFailed();
}

void OutboxWorker::scheduleNext(qint64 minimumWaitMs)
{
    const auto nextDue
        = m_runner.read([](Transaction &tx) { return SmsRepository::nextDueAtMs(tx); });
    const qint64 now = m_clock->nowMs();
    qint64 wait = idlePollMs;
    if (nextDue)
        wait = std::max<qint64>(0, *nextDue - now);
    if (m_provider && m_breaker->state() != CircuitBreaker::State::Closed)
        wait = std::max(wait, m_breaker->msUntilPermitted());
    if (m_inFlight.size() >= m_options.maxInFlight)
        wait = std::max<qint64>(wait, idlePollMs); // a finishing call runs the next pass
    m_timer.start(int(std::clamp(wait, minimumWaitMs, idlePollMs)));
}
