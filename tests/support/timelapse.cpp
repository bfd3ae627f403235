#include "timelapse.h"

#include "clock.h"

TimeLapse::TimeLapse(ManualClock *clock, int factor, QObject *parent)
    : QObject(parent)
    , m_clock(clock)
    , m_factor(factor)
{
    m_real.start();
    m_ticker.setTimerType(Qt::PreciseTimer);
    connect(&m_ticker, &QTimer::timeout, this, &TimeLapse::tick);
    m_ticker.start(1);
}

void TimeLapse::tick()
{
    // By real time elapsed, not by ticks: a busy machine slows the ticks, not the ratio.
    const qint64 realMs = m_real.elapsed();
    m_clock->advance((realMs - m_lastRealMs) * m_factor);
    m_lastRealMs = realMs;
}

void TimeLapse::pause()
{
    tick();
    m_ticker.stop();
}

void TimeLapse::resume()
{
    if (m_ticker.isActive())
        return;
    m_lastRealMs = m_real.elapsed();
    m_ticker.start(1);
}
