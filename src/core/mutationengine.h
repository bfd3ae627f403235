#pragma once

#include "backoff.h"
#include "echoconfirmer.h"
#include "entityregistry.h"
#include "mutation.h"
#include "retrybudget.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QSet>
#include <QStringList>
#include <functional>

class ApiClient;
class Clock;
class ClockTimer;
class Connectivity;
class MutationHandle;
class OfflineQueue;
class RandomSource;

// The only owner of retries. Every mutation is persisted before it is sent; the engine writes
// the next attempt time to the queue first, then arms one timer for the earliest due mutation,
// so everything it holds in memory can be rebuilt from the queue at start-up.
//  - one attempt at a time per entity, in the order of intent; several entities in parallel;
//  - retryable errors wait with capped exponential backoff and full jitter (Retry-After wins
//    when larger), under a retry budget; offline (as Connectivity, told by the engine's
//    answers among others, says) the queue waits behind one probe, and drains once online;
//  - final errors end the mutation with the server's message;
//  - a 2xx names the row's new version: the mutation is Confirmed when the store holds it
//    (realtime echo), else a re-read after echoWaitMs decides; past confirmCapMs it is
//    Unconfirmed — nothing stays busy forever;
//  - a mutation older than the server's idempotency window is never replayed on its own
//    (NeedsReview: the user re-checks and resubmits with a new key, or discards). The window
//    is the one the server last advertised, kept in the queue per server: a restarted client
//    judges its queue by it before it sends anything.
class MutationEngine : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        Backoff::Policy backoff { 1000, 30000 };
        int maxParallel = 8;
        qint64 echoWaitMs = 3000;
        qint64 confirmCapMs = 30000;
        double budgetCapacity = 20;
        double budgetRefillPerSecond = 2;
        // The entities and actions it sends and confirms; kept by the caller.
        const EntityRegistry *entities = &EntityRegistry::builtIn();
    };

    struct Request
    {
        QString path;
        QJsonObject body;
        QString entityTable;
        QString entityId;
        QJsonObject optimistic;
    };

    // `currentVersion(table, id)`: the version the client's stores hold, or -1 when the row is
    // absent (deleted, or never loaded).
    using VersionLookup = std::function<qint64(const QString &table, const QString &id)>;

    // Every wait (backoff, echo, re-read, linger) runs on `clock`.
    MutationEngine(OfflineQueue *queue, ApiClient *api, Connectivity *connectivity,
        VersionLookup currentVersion, const Clock *clock, RandomSource *random, Options options,
        QObject *parent = nullptr);
    ~MutationEngine() override;

    // Loads the queue (a mutation caught mid-send is replayed with its key) and starts draining.
    void start();
    // Persists first, then sends when it may. Null only if the queue cannot be written.
    MutationHandle *submit(const Request &request);
    // The described `action` of `table` on record `id`; `params` fill its further body members
    // in order. Null for an action not described (or the wrong number of params) too.
    MutationHandle *submitAction(const QString &table, const QString &action, const QString &id,
        const QStringList &params = {});
    const EntityRegistry &entities() const { return *m_options.entities; }

    MutationHandle *handle(const QString &key) const { return m_handles.value(key); }
    QList<MutationHandle *> handles() const; // in the order of intent
    // The newest mutation of `action` on record `id` of `table` whose body holds every member
    // of `match` (e.g. the lead status it sets); null if none. What a view's button binds.
    MutationHandle *latest(const QString &table, const QString &id, const QString &action,
        const QJsonObject &match = {}) const;
    int pendingCount() const { return int(m_owed.size()); } // still owed to the server
    // The window queued mutations are judged by: the server's (as last advertised, and kept
    // from earlier runs), else the API client's default.
    qint64 idempotencyWindowSeconds() const { return m_windowSeconds; }

    // Everything waiting goes now, backoff and budget notwithstanding.
    void retryAll();
    // The user asks again for one mutation: sooner (waiting), look again (unconfirmed), or as a
    // new intent with a new key (failed, needs review). Returns the handle that carries the
    // intent from now on — a new one for a resubmit — for the caller to bind; null if none.
    MutationHandle *retry(const QString &key);
    // Forgets a mutation: it will not happen. False for one being sent right now.
    bool discard(const QString &key);
    // A NeedsReview (or Failed/Unconfirmed) mutation again, as a new intent with a new key.
    MutationHandle *resubmit(const QString &key);
    // Mutations queued without a user (OfflineQueue::noUserCode), given to the signed-in user
    // as new intents queued now. They keep their keys (no server has seen them) and are sent
    // like any other. Returns how many were adopted; 0 when nobody is signed in.
    int adoptUnowned(const QStringList &keys);

    // From the stores: a row now holds `version` (deleted: the row is gone).
    void observe(const QString &table, const QString &id, qint64 version, bool deleted);
    // Offline-queued while the session is offline: nothing will send it before the server is
    // back. The one place a mutation's phase meets "online" (Connectivity's).
    bool isHeldOffline(const MutationHandle *handle) const;

signals:
    void handleAdded(MutationHandle *handle);
    void handleRemoved(const QString &key);
    void pendingCountChanged(int count);
    // The UI shows `patch` over row `id` until optimisticCleared (rolled back = not applied).
    void optimisticApplied(
        const QString &table, const QString &id, const QString &key, const QJsonObject &patch);
    void optimisticCleared(
        const QString &table, const QString &id, const QString &key, bool rolledBack);
    // A re-read brought a row: the stores take it like any other change.
    void rowFetched(const QString &table, const QJsonObject &row);
    void rowGone(const QString &table, const QString &id);

private:
    MutationHandle *adopt(Mutation mutation);
    void drain();
    void scheduleDrain(qint64 delayMs);
    void send(MutationHandle *handle);
    void onAnswered(MutationHandle *handle, class ApiReply *reply);
    void awaitEcho(MutationHandle *handle);
    void reread(MutationHandle *handle);
    void settle(MutationHandle *handle, Mutation::State state, const ApiError &error = {});
    static ApiError neverSeenBack();
    void persist(MutationHandle *handle, const Mutation &mutation);
    void release(MutationHandle *handle);
    bool expired(const Mutation &mutation) const;
    void learnWindow(qint64 seconds);
    void emitPending();
    void forget(MutationHandle *handle);
    void onOnlineChanged(bool online);

    OfflineQueue *m_queue;
    ApiClient *m_api;
    Connectivity *m_connectivity;
    VersionLookup m_currentVersion;
    const Clock *m_clock;
    RandomSource *m_random;
    const Options m_options;
    const Backoff m_backoff;
    RetryBudget m_budget;
    const EchoConfirmer m_echo;
    QHash<QString, MutationHandle *> m_handles;
    QList<QString> m_order; // keys in the order of intent
    QHash<QString, QList<MutationHandle *>>
        m_byEntity; // Mutation::entity() -> its handles, in order
    // The pending handles (still owed to the server), in the order of intent: what drain()
    // walks, so that a drain costs what it sends, not the size of everything ever submitted.
    QList<MutationHandle *> m_owed;
    QSet<QString> m_inFlight; // keys being sent
    QHash<QString, ClockTimer *> m_echoTimers; // keys awaiting their echo
    QSet<QString> m_released; // let go by retryAll()/retry(): no budget for their next send
    ClockTimer *m_drainTimer;
    qint64 m_windowSeconds;
    bool m_drainQueued = false;
    int m_lastPending = -1;
};
