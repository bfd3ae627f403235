#pragma once

#include <QList>
#include <QtGlobal>

class ClockTimer;

// Wall-clock time in milliseconds since the epoch, injected so that tests can move time
// instead of sleeping. Persisted times (next attempt, key expiry) are wall-clock values.
// Timers run on a clock too (ClockTimer): on the system clock they are QTimers, on a manual
// clock they fire when the test moves time past them.
class Clock
{
public:
    virtual ~Clock() = default;
    virtual qint64 nowMs() const = 0;

private:
    friend class ClockTimer;
    // A started ClockTimer offers itself to its clock: true if the clock fires it (at
    // timer->dueAtMs()); false leaves it to the timer's own QTimer (wall time).
    virtual bool attach(ClockTimer *) const { return false; }
    virtual void detach(ClockTimer *) const { }
};

class SystemClock final : public Clock
{
public:
    qint64 nowMs() const override;
    static const SystemClock *instance();
};

// A clock that only moves when told to; for tests. Moving it fires the timers that fall due
// on the way, in order of their due times, each with the clock at its due time. It must
// outlive the timers started on it.
class ManualClock final : public Clock
{
public:
    explicit ManualClock(qint64 startMs = 1'700'000'000'000)
        : m_now(startMs)
    { }
    ~ManualClock() override;
    qint64 nowMs() const override { return m_now; }
    void advance(qint64 ms) { set(m_now + ms); }
    void set(qint64 ms);
    // When the earliest running timer falls due; -1 when none runs.
    qint64 nextDueMs() const;
    // Moves to the earliest running timer and fires what is due then; false (and no move)
    // when no timer runs.
    bool advanceToNextTimer();

private:
    bool attach(ClockTimer *timer) const override;
    void detach(ClockTimer *timer) const override;
    ClockTimer *earliest() const;

    qint64 m_now;
    mutable QList<ClockTimer *> m_timers; // running, in start order
};
