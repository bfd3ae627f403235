#pragma once

#include <QtGlobal>

class RandomSource;

// Capped exponential backoff with full jitter (AWS, "Exponential Backoff and Jitter"):
// delay = uniform(0, min(cap, base * 2^attempt)). A server's Retry-After wins when it is larger.
class Backoff
{
public:
    struct Policy
    {
        qint64 baseMs = 1000;
        qint64 capMs = 30000;
    };

    explicit Backoff(Policy policy);

    // The upper bound of the jitter range for the given attempt (0-based).
    qint64 ceilingMs(int attempt) const;
    qint64 delayMs(int attempt, RandomSource &random) const;
    // retryAfterMs < 0 means "none given".
    qint64 delayMs(int attempt, RandomSource &random, qint64 retryAfterMs) const;

    const Policy &policy() const { return m_policy; }

private:
    Policy m_policy;
};
