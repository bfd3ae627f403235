#pragma once

#include <QtGlobal>

class Clock;

// A token bucket over retries (AWS SDK style): a first attempt is free, each retry takes a
// token, tokens come back at a steady rate. When the bucket is empty retries wait, so a dead
// server sees a trickle, not every queued mutation's backoff at once.
class RetryBudget
{
public:
    RetryBudget(const Clock *clock, double capacity = 20, double refillPerSecond = 2);

    bool tryTake();
    qint64 msUntilToken() const;
    void reset(); // "retry all": the user asked for it now

private:
    void refill() const;

    const Clock *m_clock;
    const double m_capacity;
    const double m_refillPerMs;
    mutable double m_tokens;
    mutable qint64 m_lastMs;
};
