#include "clocktimer.h"

#include "clock.h"

#include <algorithm>
#include <limits>

ClockTimer::ClockTimer(const Clock *clock, QObject *parent)
    : QObject(parent)
    , m_clock(clock)
{
    m_wallTimer.setSingleShot(true);
    connect(&m_wallTimer, &QTimer::timeout, this, &ClockTimer::fire);
}

ClockTimer::~ClockTimer()
{
    stop();
}

void ClockTimer::start(qint64 ms)
{
    stop();
    ms = std::max<qint64>(0, ms);
    m_dueAtMs = m_clock->nowMs() + ms;
    if (!m_clock->attach(this))
        m_wallTimer.start(int(std::min<qint64>(ms, std::numeric_limits<int>::max())));
}

void ClockTimer::stop()
{
    if (m_dueAtMs < 0)
        return;
    m_dueAtMs = -1;
    m_wallTimer.stop();
    m_clock->detach(this);
}

qint64 ClockTimer::remainingMs() const
{
    return m_dueAtMs < 0 ? -1 : std::max<qint64>(0, m_dueAtMs - m_clock->nowMs());
}

void ClockTimer::fire()
{
    m_dueAtMs = -1;
    emit timeout();
}

void ClockTimer::singleShot(
    const Clock *clock, qint64 ms, QObject *context, std::function<void()> callback)
{
    // Owned by the context: it goes with it, and with it the call.
    auto *timer = new ClockTimer(clock, context);
    connect(timer, &ClockTimer::timeout, context, [timer, callback = std::move(callback)] {
        timer->deleteLater();
        callback();
    });
    timer->start(ms);
}
