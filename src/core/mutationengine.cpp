#include "mutationengine.h"

#include "apiclient.h"
#include "apireply.h"
#include "clock.h"
#include "clocktimer.h"
#include "connectivity.h"
#include "logging.h"
#include "mutationhandle.h"
#include "offlinequeue.h"
#include "randomsource.h"

#include <QUuid>
#include <algorithm>

namespace {

constexpr qint64 confirmedHandleLingerMs = 10000; // a button shows ✓ meanwhile

} // namespace

MutationEngine::MutationEngine(OfflineQueue *queue, ApiClient *api, Connectivity *connectivity,
    VersionLookup currentVersion, const Clock *clock, RandomSource *random, Options options,
    QObject *parent)
    : QObject(parent)
    , m_queue(queue)
    , m_api(api)
    , m_connectivity(connectivity)
    , m_currentVersion(std::move(currentVersion))
    , m_clock(clock)
    , m_random(random)
    , m_options(options)
    , m_backoff(options.backoff)
    , m_budget(clock, options.budgetCapacity, options.budgetRefillPerSecond)
    , m_echo(options.entities)
    , m_drainTimer(new ClockTimer(clock, this))
    , m_windowSeconds(api->idempotencyWindowSeconds())
{
    connect(m_drainTimer, &ClockTimer::timeout, this, &MutationEngine::drain);
    connect(m_connectivity, &Connectivity::onlineChanged, this, &MutationEngine::onOnlineChanged);
    connect(m_api, &ApiClient::signedIn, this, [this] { scheduleDrain(0); });
    connect(m_api, &ApiClient::idempotencyWindowChanged, this, &MutationEngine::learnWindow);
}

MutationEngine::~MutationEngine() = default;

void MutationEngine::start()
{
    // Before anything is judged or sent: what this server said its window was, in an earlier run.
    if (const auto kept = m_queue->idempotencyWindowSeconds(m_api->baseUrl())) {
        m_windowSeconds = *kept;
        qCDebug(lcSync) << "idempotency window kept for"
                        << OfflineQueue::serverKey(m_api->baseUrl()) << m_windowSeconds << "s";
    }
    for (Mutation m : m_queue->all()) {
        if (m.state == Mutation::State::Sending) {
            // Caught mid-send by a crash or kill: the server may or may not have it. The same key
            // makes the resend safe either way.
            m.state = Mutation::State::Waiting;
            m.nextAttemptAtMs = m_clock->nowMs();
            m_queue->update(m);
        }
        MutationHandle *h = adopt(m);
        if (!m.isFinal() && !m.optimistic.isEmpty())
            emit optimisticApplied(m.entityTable, m.entityId, m.key, m.optimistic);
        Q_UNUSED(h)
    }
    emitPending();
    scheduleDrain(0);
}

MutationHandle *MutationEngine::adopt(Mutation mutation)
{
    const QString key = mutation.key;
    auto *h = new MutationHandle(std::move(mutation), this);
    if (const ActionDescriptor *action = m_options.entities->actionForPath(h->mutation().path))
        h->m_action = action->name;
    m_handles.insert(key, h);
    m_order.append(key);
    m_byEntity[h->mutation().entity()].append(h);
    if (h->mutation().isPending())
        m_owed.append(h);
    emit handleAdded(h);
    return h;
}

MutationHandle *MutationEngine::submit(const Request &request)
{
    Mutation m;
    m.key = QUuid::createUuid().toString(QUuid::WithoutBraces);
    m.userId = m_api->user().id;
    m.path = request.path;
    m.body = request.body;
    m.entityTable = request.entityTable;
    m.entityId = request.entityId;
    m.optimistic = request.optimistic;
    m.createdAtMs = m_clock->nowMs();
    m.nextAttemptAtMs = m.createdAtMs;
    m.state = Mutation::State::Queued;
    if (!m_queue->enqueue(m))
        return nullptr; // not persisted: not accepted
    MutationHandle *h = adopt(m);
    if (!m.optimistic.isEmpty())
        emit optimisticApplied(m.entityTable, m.entityId, m.key, m.optimistic);
    emitPending();
    scheduleDrain(0);
    return h;
}

MutationHandle *MutationEngine::submitAction(
    const QString &table, const QString &action, const QString &id, const QStringList &params)
{
    const ActionDescriptor *described = m_options.entities->action(table, action);
    if (!described || params.size() != described->params.size())
        return nullptr;
    const QJsonObject body = described->body(id, params);
    return submit({ described->path, body, table, id,
        described->optimistic ? described->optimistic(body) : QJsonObject() });
}

MutationHandle *MutationEngine::latest(
    const QString &table, const QString &id, const QString &action, const QJsonObject &match) const
{
    const QList<MutationHandle *> of = m_byEntity.value(table + QLatin1Char(':') + id);
    // The newest first: the one a button shows.
    const auto found = std::find_if(of.crbegin(), of.crend(), [&](const MutationHandle *h) {
        if (h->action() != action)
            return false;
        const QJsonObject &body = h->mutation().body;
        for (auto m = match.begin(); m != match.end(); ++m) {
            if (body.value(m.key()) != m.value())
                return false;
        }
        return true;
    });
    return found == of.crend() ? nullptr : *found;
}

void MutationEngine::forget(MutationHandle *h)
{
    const QString key = h->key();
    m_handles.remove(key);
    m_order.removeOne(key);
    const QString entity = h->mutation().entity();
    auto it = m_byEntity.find(entity);
    if (it != m_byEntity.end()) {
        it->removeOne(h);
        if (it->isEmpty())
            m_byEntity.erase(it);
    }
}

QList<MutationHandle *> MutationEngine::handles() const
{
    QList<MutationHandle *> out;
    out.reserve(m_order.size());
    for (const QString &key : m_order)
        out.append(m_handles.value(key));
    return out;
}

void MutationEngine::emitPending()
{
    const int n = pendingCount();
    if (n != m_lastPending) {
        m_lastPending = n;
        emit pendingCountChanged(n);
    }
}

void MutationEngine::scheduleDrain(qint64 delayMs)
{
    if (delayMs <= 0) {
        if (!m_drainQueued) {
            m_drainQueued = true;
            QMetaObject::invokeMethod(this, &MutationEngine::drain, Qt::QueuedConnection);
        }
        return;
    }
    if (!m_drainTimer->isActive() || m_drainTimer->remainingMs() > delayMs)
        m_drainTimer->start(std::min<qint64>(delayMs, 24LL * 3600 * 1000));
}

bool MutationEngine::expired(const Mutation &m) const
{
    return m_clock->nowMs() - m.createdAtMs > m_windowSeconds * 1000;
}

void MutationEngine::learnWindow(qint64 seconds)
{
    // Every mutation answer names the window (the API client only reports a change from its
    // own default, and a kept window may differ from both).
    if (seconds <= 0 || seconds == m_windowSeconds)
        return;
    qCInfo(lcSync) << "the server's idempotency window is" << seconds << "s";
    const bool shrank = seconds < m_windowSeconds;
    m_windowSeconds = seconds;
    m_queue->setIdempotencyWindowSeconds(m_api->baseUrl(), seconds, m_clock->nowMs());
    if (shrank)
        scheduleDrain(0); // what is now past it goes to review at once, not at its next attempt
}

void MutationEngine::persist(MutationHandle *h, const Mutation &m)
{
    // Queue first, memory second: a crash between the two replays from the queue.
    if (m.id > 0)
        m_queue->update(m);
    h->update(m);
}

void MutationEngine::release(MutationHandle *h)
{
    // Nearly always the oldest owed one: found at once, and QList erases at the front in O(1).
    m_owed.removeOne(h);
}

void MutationEngine::drain()
{
    m_drainQueued = false;
    if (!m_api->isSignedIn())
        return; // signedIn() drains again
    const qint64 now = m_clock->nowMs();
    const QString userId = m_api->user().id;
    qint64 nextDue = std::numeric_limits<qint64>::max();
    QSet<QString> entitiesAhead; // an earlier mutation of the entity is still owed
    QList<MutationHandle *> expiredNow;
    const bool online = m_connectivity->isOnline();
    bool probing = !online && !m_inFlight.isEmpty();
    for (MutationHandle *h : std::as_const(m_owed)) {
        const Mutation &m = h->mutation();
        const QString &key = m.key;
        if (!m.userId.isEmpty() && m.userId != userId)
            continue;
        const QString entity = m.entity();
        if (entitiesAhead.contains(entity))
            continue;
        if (m_inFlight.contains(key)) {
            entitiesAhead.insert(entity);
            continue;
        }
        if (expired(m)) {
            expiredNow.append(h); // settled below: that changes m_owed
            continue;
        }
        entitiesAhead.insert(entity);
        if (m.nextAttemptAtMs > now) {
            nextDue = std::min(nextDue, m.nextAttemptAtMs);
            continue;
        }
        if (m_inFlight.size() >= m_options.maxParallel)
            break; // every slot is taken: an answer drains again, and looks further then
        if (!online && probing)
            continue; // offline: one probe at a time
        if (m.attempts > 0 && !m_released.contains(key) && !m_budget.tryTake()) {
            nextDue = std::min(nextDue, now + m_budget.msUntilToken());
            continue;
        }
        probing = !online;
        send(h);
    }
    for (MutationHandle *h : std::as_const(expiredNow))
        settle(h, Mutation::State::NeedsReview);
    if (nextDue != std::numeric_limits<qint64>::max())
        scheduleDrain(std::max<qint64>(1, nextDue - now));
    emitPending();
}

void MutationEngine::send(MutationHandle *h)
{
    Mutation m = h->mutation();
    if (m.userId.isEmpty())
        m.userId = m_api->user().id; // queued before anyone signed in: it is this user's now
    m.state = Mutation::State::Sending;
    m.attempts += 1;
    persist(h, m);
    m_released.remove(m.key);
    m_inFlight.insert(m.key);
    qCDebug(lcSync) << "sending" << m;
    ApiReply *reply = m_api->post(m.path, m.body, m.key);
    connect(reply, &ApiReply::finished, this, [this, h, reply] { onAnswered(h, reply); });
}

void MutationEngine::onAnswered(MutationHandle *h, ApiReply *reply)
{
    m_inFlight.remove(h->key());
    bool windowOk = false;
    const qint64 window = reply->header("Idempotency-Window").toLongLong(&windowOk);
    if (windowOk)
        learnWindow(window);
    Mutation m = h->mutation();
    const ApiError &error = reply->error();
    qCDebug(lcSync) << "answered" << m.key << reply->status() << error;
    if (!error.isError()) {
        const EchoConfirmer::Target echo = m_echo.targetOf(m, reply->json());
        m_queue->remove(m.key); // the server has it: nothing is owed any more
        release(h);
        m.id = 0;
        m.state = Mutation::State::AwaitingEcho;
        m.resultVersion = echo.version;
        m.lastError = {};
        h->m_echo = echo;
        h->m_answeredAtMs = m_clock->nowMs();
        h->update(m);
        m_connectivity->reportServer(true);
        awaitEcho(h);
    } else if (error.kind == ApiError::Kind::Unauthorized) {
        // Not the mutation's fault: it waits for the session to be signed in again.
        m.state = Mutation::State::Waiting;
        m.attempts = std::max(0, m.attempts - 1);
        m.lastError = error;
        persist(h, m);
    } else if (error.isRetryable()) {
        m.lastError = error;
        m.state = Mutation::State::Waiting;
        m.nextAttemptAtMs
            = m_clock->nowMs() + m_backoff.delayMs(m.attempts - 1, *m_random, error.retryAfterMs);
        persist(h, m);
        if (error.kind == ApiError::Kind::Offline)
            m_connectivity->reportServer(false);
        else if (reply->status() != 0)
            m_connectivity->reportServer(true); // it answered: the server is back, even if busy
    } else {
        settle(h, Mutation::State::Failed, error);
    }
    emitPending();
    scheduleDrain(0);
}

void MutationEngine::awaitEcho(MutationHandle *h)
{
    const qint64 current = m_currentVersion(h->echoTable(), h->echoId());
    if (h->echoTable().isEmpty() || EchoConfirmer::isSeen(h->echo(), current)) {
        settle(h, Mutation::State::Confirmed);
        return;
    }
    ClockTimer *timer = m_echoTimers.value(h->key());
    if (!timer) {
        timer = new ClockTimer(m_clock, this);
        connect(timer, &ClockTimer::timeout, this, [this, h] { reread(h); });
        m_echoTimers.insert(h->key(), timer);
    }
    timer->start(m_options.echoWaitMs);
}

void MutationEngine::observe(const QString &table, const QString &id, qint64 version, bool deleted)
{
    for (auto it = m_echoTimers.cbegin(); it != m_echoTimers.cend(); ++it) {
        MutationHandle *h = m_handles.value(it.key());
        if (!h || h->echoTable() != table || h->echoId() != id)
            continue;
        if (EchoConfirmer::isSeen(h->echo(), deleted ? -1 : version)) {
            settle(h, Mutation::State::Confirmed);
            return; // settle() changed m_echoTimers; one row answers one mutation at a time
        }
    }
}

void MutationEngine::reread(MutationHandle *h)
{
    qCDebug(lcSync) << "re-reading" << h->echoTable() << h->echoId() << "for" << h->key();
    const QString path = m_echo.rereadPath(h->echo(), h->mutation());
    if (path.isEmpty()) {
        qCWarning(lcSync) << "no route reads" << h->echoTable()
                          << "again: waiting for its echo only";
        if (m_clock->nowMs() - h->m_answeredAtMs >= m_options.confirmCapMs)
            settle(h, Mutation::State::Unconfirmed, neverSeenBack());
        else
            m_echoTimers.value(h->key())->start(int(m_options.echoWaitMs));
        return;
    }
    ApiReply *reply = m_api->get(path);
    connect(reply, &ApiReply::finished, this, [this, h, reply] {
        if (!m_echoTimers.contains(h->key()))
            return; // the echo came meanwhile
        const QJsonObject answer = reply->json();
        if (reply->status() == 404 && h->echoIsDeletion()) {
            emit rowGone(h->echoTable(), h->echoId());
            if (m_echoTimers.contains(h->key())) // a store that observed the removal settled it
                settle(h, Mutation::State::Confirmed);
            return;
        }
        if (reply->isSuccess()) {
            const QJsonObject row = m_echo.rowIn(h->echo(), answer);
            if (!row.isEmpty()) {
                emit rowFetched(h->echoTable(), row);
                if (!m_echoTimers.contains(h->key()))
                    return; // the store took the row and observe() settled it: once is enough
                if (!h->echoIsDeletion()
                    && row.value(QStringLiteral("version")).toInteger() >= h->echoVersion()) {
                    settle(h, Mutation::State::Confirmed);
                    return;
                }
            }
        }
        if (m_clock->nowMs() - h->m_answeredAtMs >= m_options.confirmCapMs) {
            settle(h, Mutation::State::Unconfirmed, neverSeenBack());
            return;
        }
        m_echoTimers.value(h->key())->start(m_options.echoWaitMs);
    });
}

ApiError MutationEngine::neverSeenBack()
{
    ApiError unknown;
    unknown.kind = ApiError::Kind::Transient;
    unknown.message = tr("The server accepted the change, but it was never seen back.");
    return unknown;
}

void MutationEngine::settle(MutationHandle *h, Mutation::State state, const ApiError &error)
{
    if (ClockTimer *timer = m_echoTimers.take(h->key())) {
        timer->stop();
        timer->deleteLater();
    }
    Mutation m = h->mutation();
    if (m.isPending())
        release(h); // failed, or past the window, before the server had it
    m.state = state;
    if (error.isError())
        m.lastError = error;
    if (state == Mutation::State::Confirmed) {
        if (!m.optimistic.isEmpty())
            emit optimisticCleared(m.entityTable, m.entityId, m.key, false);
        h->update(m);
        // Kept a little for whoever shows it, then forgotten.
        const QString key = m.key;
        ClockTimer::singleShot(m_clock, confirmedHandleLingerMs, this, [this, key] {
            MutationHandle *done = m_handles.value(key);
            if (done && done->state() == Mutation::State::Confirmed) {
                forget(done);
                emit handleRemoved(key);
                done->deleteLater();
            }
        });
    } else {
        if (!m.optimistic.isEmpty())
            emit optimisticCleared(m.entityTable, m.entityId, m.key, true);
        if (state
            != Mutation::State::Unconfirmed) // unconfirmed: the server has it, nothing is owed
            persist(h, m);
        else
            h->update(m);
    }
    emitPending();
}

void MutationEngine::retryAll()
{
    m_budget.reset();
    m_connectivity->retryRequested();
    const qint64 now = m_clock->nowMs();
    for (MutationHandle *h : std::as_const(m_handles)) {
        Mutation m = h->mutation();
        if (m.state == Mutation::State::Waiting || m.state == Mutation::State::Queued) {
            m.nextAttemptAtMs = now;
            persist(h, m);
            m_released.insert(m.key); // the user asked: the budget guards automatic retries only
        }
    }
    scheduleDrain(0);
}

MutationHandle *MutationEngine::retry(const QString &key)
{
    MutationHandle *h = m_handles.value(key);
    if (!h)
        return nullptr;
    Mutation m = h->mutation();
    switch (m.state) {
    case Mutation::State::Waiting:
    case Mutation::State::Queued:
        m.nextAttemptAtMs = m_clock->nowMs();
        persist(h, m);
        m_released.insert(key);
        scheduleDrain(0);
        break;
    case Mutation::State::Unconfirmed:
        // The server has it: look again for the new state.
        h->m_answeredAtMs = m_clock->nowMs();
        m.state = Mutation::State::AwaitingEcho;
        h->update(m);
        if (!m.optimistic.isEmpty())
            emit optimisticApplied(m.entityTable, m.entityId, m.key, m.optimistic);
        awaitEcho(h);
        break;
    case Mutation::State::Failed:
    case Mutation::State::NeedsReview:
        return resubmit(key); // a final answer is final for its key: a new intent needs a new one
    default:
        break;
    }
    return h;
}

bool MutationEngine::discard(const QString &key)
{
    MutationHandle *h = m_handles.value(key);
    if (!h || m_inFlight.contains(key))
        return false;
    if (ClockTimer *timer = m_echoTimers.take(key)) {
        timer->stop();
        timer->deleteLater();
    }
    const Mutation &m = h->mutation();
    if (!m.isFinal() && !m.optimistic.isEmpty())
        emit optimisticCleared(m.entityTable, m.entityId, m.key, true);
    m_queue->remove(key);
    m_released.remove(key);
    if (m.isPending())
        release(h);
    forget(h);
    emit handleRemoved(key);
    h->deleteLater();
    emitPending();
    return true;
}

MutationHandle *MutationEngine::resubmit(const QString &key)
{
    MutationHandle *old = m_handles.value(key);
    if (!old || m_inFlight.contains(key))
        return nullptr;
    const Mutation &m = old->mutation();
    const Request request { m.path, m.body, m.entityTable, m.entityId, m.optimistic };
    discard(key);
    return submit(request);
}

int MutationEngine::adoptUnowned(const QStringList &keys)
{
    const QString userId = m_api->user().id;
    if (userId.isEmpty())
        return 0;
    QStringList unowned;
    for (const QString &key : keys) {
        const MutationHandle *h = m_handles.value(key);
        if (h && h->mutation().userId.isEmpty() && !m_inFlight.contains(key))
            unowned.append(key);
    }
    if (unowned.isEmpty())
        return 0;
    // The queue first (one transaction), then memory from what it now holds.
    const int adopted = m_queue->adopt(unowned, userId, m_clock->nowMs());
    for (const QString &key : std::as_const(unowned)) {
        MutationHandle *h = m_handles.value(key);
        const std::optional<Mutation> stored = m_queue->find(key);
        if (!stored || stored->userId != userId)
            continue;
        const bool wasPending = h->mutation().isPending();
        h->update(*stored);
        if (stored->isPending() && !wasPending) {
            // Owed again, in the order of intent (the queue's id), so per-entity order holds.
            const auto at = std::find_if(m_owed.begin(), m_owed.end(),
                [&](const MutationHandle *o) { return o->mutation().id > stored->id; });
            m_owed.insert(at, h);
            if (!stored->optimistic.isEmpty())
                emit optimisticApplied(
                    stored->entityTable, stored->entityId, key, stored->optimistic);
        }
    }
    qCInfo(lcSync) << "adopted" << adopted << "mutation(s) queued without a user";
    emitPending();
    scheduleDrain(0);
    return adopted;
}

void MutationEngine::onOnlineChanged(bool online)
{
    qCInfo(lcSync) << (online ? "online: draining the queue"
                              : "offline: the queue waits behind one probe");
    if (!online)
        return;
    // Back online: whatever waited only for the network goes now.
    const qint64 now = m_clock->nowMs();
    for (MutationHandle *h : std::as_const(m_handles)) {
        Mutation m = h->mutation();
        if (m.phase() == Mutation::Phase::OfflineQueued && m.nextAttemptAtMs > now) {
            m.nextAttemptAtMs = now;
            persist(h, m);
        }
        // They never reached the server: sending them again is not a retry the budget guards.
        if (m.phase() == Mutation::Phase::OfflineQueued)
            m_released.insert(m.key);
    }
    scheduleDrain(0);
}

bool MutationEngine::isHeldOffline(const MutationHandle *h) const
{
    return h->phase() == Mutation::Phase::OfflineQueued && !m_connectivity->isOnline();
}
