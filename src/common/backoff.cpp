#include "backoff.h"

#include "randomsource.h"

#include <algorithm>

Backoff::Backoff(Policy policy)
    : m_policy(policy)
{
    m_policy.baseMs = std::max<qint64>(1, m_policy.baseMs);
    m_policy.capMs = std::max(m_policy.baseMs, m_policy.capMs);
}

qint64 Backoff::ceilingMs(int attempt) const
{
    // Shift only while it cannot overflow; beyond that the cap applies anyway.
    const int shift = std::clamp(attempt, 0, 40);
    const qint64 raw = m_policy.baseMs << shift;
    if (raw <= 0 || (raw >> shift) != m_policy.baseMs)
        return m_policy.capMs;
    return std::min(m_policy.capMs, raw);
}

qint64 Backoff::delayMs(int attempt, RandomSource &random) const
{
    return random.boundedInclusive(ceilingMs(attempt));
}

qint64 Backoff::delayMs(int attempt, RandomSource &random, qint64 retryAfterMs) const
{
    return std::max(delayMs(attempt, random), retryAfterMs);
}
