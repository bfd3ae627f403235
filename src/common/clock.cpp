#include "clock.h"

#include "clocktimer.h"

#include <QDateTime>
#include <algorithm>

qint64 SystemClock::nowMs() const
{
    return QDateTime::currentMSecsSinceEpoch();
}

const SystemClock *SystemClock::instance()
{
    static const SystemClock clock;
    return &clock;
}

ManualClock::~ManualClock()
{
    Q_ASSERT_X(m_timers.isEmpty(), "ManualClock", "destroyed before timers running on it");
}

void ManualClock::set(qint64 ms)
{
    // One at a time, re-read after each: a timer that fires may start or stop others.
    while (ClockTimer *timer = earliest()) {
        if (timer->dueAtMs() > ms)
            break;
        m_now = std::max(m_now, timer->dueAtMs());
        detach(timer);
        timer->fire();
    }
    m_now = ms;
}

qint64 ManualClock::nextDueMs() const
{
    const ClockTimer *timer = earliest();
    return timer ? timer->dueAtMs() : -1;
}

bool ManualClock::advanceToNextTimer()
{
    const qint64 due = nextDueMs();
    if (due < 0)
        return false;
    set(std::max(m_now, due));
    return true;
}

bool ManualClock::attach(ClockTimer *timer) const
{
    if (!m_timers.contains(timer))
        m_timers.append(timer);
    return true;
}

void ManualClock::detach(ClockTimer *timer) const
{
    m_timers.removeOne(timer);
}

ClockTimer *ManualClock::earliest() const
{
    ClockTimer *first = nullptr;
    for (ClockTimer *timer : m_timers) {
        if (!first || timer->dueAtMs() < first->dueAtMs())
            first = timer; // strictly earlier: equal due times fire in start order
    }
    return first;
}
