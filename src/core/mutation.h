#pragma once

#include "apierror.h"

#include <QDebug>
#include <QJsonObject>
#include <QString>

// One user intent that changes server state, as a value: minted once with its idempotency key,
// persisted in the offline queue before the first byte is sent, replayed with the same key.
struct Mutation
{
    // DESIGN.md's lifecycle: Queued -> Sending -> AwaitingEcho -> Confirmed, with the side exits
    // Waiting (offline or in backoff: shown as queued), Failed (final, with the server's
    // message), NeedsReview (older than the server's idempotency window: never replayed on its
    // own) and Unconfirmed (the server answered but the new state was never observed).
    enum class State {
        Queued,
        Sending,
        AwaitingEcho,
        Confirmed,
        Waiting,
        Failed,
        NeedsReview,
        Unconfirmed
    };

    // What the mutation is doing, from its state and last error: the one reading that buttons,
    // syncloopctl and the engine share (busy, done, failed, offline-queued, needs review...).
    enum class Phase {
        Sending, // queued or on its way
        Probing, // offline: sent now and then, to learn whether the server is back
        Retrying, // waiting out a backoff after a retryable error
        OfflineQueued, // kept here until the server can be reached
        AwaitingSignIn, // kept here until the session is signed in again
        AwaitingEcho, // the server has it; waiting to see the change
        Done,
        Failed,
        NeedsReview,
        Unconfirmed,
    };

    qint64 id = 0; // queue row id: the order of intent
    QString key; // Idempotency-Key, minted once
    QString userId; // who may send it
    QString method = QStringLiteral("POST");
    QString path; // e.g. /api/bookings/confirm
    QJsonObject body;
    QString entityTable; // bookings, leads
    QString entityId;
    QJsonObject optimistic; // fields the UI shows at once, e.g. {"status":"confirmed"}
    qint64 createdAtMs = 0;
    int attempts = 0;
    qint64 nextAttemptAtMs = 0;
    State state = State::Queued;
    ApiError lastError;
    qint64 resultVersion = 0; // the row's version the server answered with

    QString entity() const { return entityTable + QLatin1Char(':') + entityId; }
    Phase phase() const;
    // Sending or waiting for its echo: a button is busy (and disabled) now.
    bool isBusy() const;
    // Kept on this computer until the server (or the session) is back: "will send when online".
    bool isQueuedOffline() const;
    // Final: nothing more will happen without the user.
    bool isFinal() const;
    // Still owed to the server: kept in the queue.
    bool isPending() const;

    static QString stateName(State state);
    static std::optional<State> stateFromName(QStringView name);

    friend bool operator==(const Mutation &, const Mutation &) = default;
};

QDebug operator<<(QDebug debug, const Mutation &mutation);
