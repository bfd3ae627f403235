#include "mutation.h"

#include "wireformat.h"

#include <array>

namespace {
constexpr std::array<const char *, 8> stateNames { "queued", "sending", "awaiting_echo", "confirmed",
                                                   "waiting", "failed", "needs_review", "unconfirmed" };
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
    debug.nospace() << "Mutation(#" << m.id << ' ' << m.path << ' ' << m.entity() << ' ' << Mutation::stateName(m.state)
                    << ", attempt " << m.attempts << ", key " << m.key << ')';
    return debug;
}
