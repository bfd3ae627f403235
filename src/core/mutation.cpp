#include "mutation.h"

#include "wireformat.h"

#include <array>

namespace {
constexpr std::array<const char *, 8> stateNames { "queued", "sending", "awaiting_echo",
    "confirmed", "waiting", "failed", "needs_review", "unconfirmed" };
}

Mutation::Phase Mutation::phase() const
{
    switch (state) {
    case State::Queued:
    case State::Sending:
        // Offline, the engine probes the server with one mutation now and then.
        return lastError.kind == ApiError::Kind::Offline ? Phase::Probing : Phase::Sending;
    case State::AwaitingEcho:
        return Phase::AwaitingEcho;
    case State::Confirmed:
        return Phase::Done;
    case State::Waiting:
        if (lastError.kind == ApiError::Kind::Offline)
            return Phase::OfflineQueued;
        if (lastError.kind == ApiError::Kind::Unauthorized)
            return Phase::AwaitingSignIn;
        return Phase::Retrying;
    case State::Failed:
        return Phase::Failed;
    case State::NeedsReview:
        return Phase::NeedsReview;
    case State::Unconfirmed:
        return Phase::Unconfirmed;
    }
    return Phase::Sending;
}

bool Mutation::isBusy() const
{
    const Phase p = phase();
    return p == Phase::Sending || p == Phase::Probing || p == Phase::AwaitingEcho;
}

bool Mutation::isQueuedOffline() const
{
    const Phase p = phase();
    return p == Phase::Probing || p == Phase::OfflineQueued || p == Phase::AwaitingSignIn;
}

bool Mutation::isFinal() const
{
    return state == State::Confirmed || state == State::Failed || state == State::NeedsReview
        || state == State::Unconfirmed;
}

bool Mutation::isPending() const
{
    return state == State::Queued || state == State::Sending || state == State::Waiting;
}

QString Mutation::stateName(State state)
{
    return WireFormat::enumName(stateNames, state);
}

std::optional<Mutation::State> Mutation::stateFromName(QStringView name)
{
    return WireFormat::enumFromName<State>(stateNames, name);
}

QDebug operator<<(QDebug debug, const Mutation &m)
{
    QDebugStateSaver saver(debug);
    debug.nospace() << "Mutation(#" << m.id << ' ' << m.path << ' ' << m.entity() << ' '
                    << Mutation::stateName(m.state) << ", attempt " << m.attempts << ", key "
                    << m.key << ')';
    return debug;
}
