#include "retrybudget.h"

#include "clock.h"

#include <algorithm>
#include <cmath>

RetryBudget::RetryBudget(const Clock *clock, double capacity, double refillPerSecond)
    : m_clock(clock)
    , m_capacity(capacity)
    , m_refillPerMs(refillPerSecond / 1000.0)
    , m_tokens(capacity)
    , m_lastMs(clock->nowMs())
{ }

void RetryBudget::refill() const
{
    const qint64 now = m_clock->nowMs();
    m_tokens = std::min(
        m_capacity, m_tokens + double(std::max<qint64>(0, now - m_lastMs)) * m_refillPerMs);
    m_lastMs = now;
}

bool RetryBudget::tryTake()
{
    refill();
    if (m_tokens < 1.0)
        return false;
    m_tokens -= 1.0;
    return true;
}

qint64 RetryBudget::msUntilToken() const
{
    refill();
    return m_tokens >= 1.0 ? 0 : qint64(std::ceil((1.0 - m_tokens) / m_refillPerMs));
}

void RetryBudget::reset()
{
    m_tokens = m_capacity;
    m_lastMs = m_clock->nowMs();
}
