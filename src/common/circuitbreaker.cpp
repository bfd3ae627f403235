#include "circuitbreaker.h"

#include "clock.h"
#include "logging.h"

#include <algorithm>

CircuitBreaker::CircuitBreaker(QString name, Options options, const Clock *clock, QObject *parent)
    : QObject(parent)
    , m_name(std::move(name))
    , m_options(options)
    , m_clock(clock)
{ }

QString CircuitBreaker::stateName(State state)
{
    switch (state) {
    case State::Closed:
        return QStringLiteral("closed");
    case State::Open:
        return QStringLiteral("open");
    case State::HalfOpen:
        return QStringLiteral("half_open");
    }
    return {};
}

CircuitBreaker::State CircuitBreaker::state() const
{
    // Report half-open as soon as the wait is over, even before the next call asks.
    QMutexLocker lock(&m_mutex);
    if (m_state == State::Open && m_clock->nowMs() - m_openedAtMs >= m_options.openWaitMs)
        return State::HalfOpen;
    return m_state;
}

bool CircuitBreaker::tryAcquirePermission()
{
    std::optional<Transition> moved;
    bool permitted = false;
    {
        QMutexLocker lock(&m_mutex);
        moved = refreshLocked();
        switch (m_state) {
        case State::Closed:
            permitted = true;
            break;
        case State::Open:
            permitted = false;
            break;
        case State::HalfOpen:
            permitted = m_halfOpenPermitted < m_options.halfOpenCalls;
            if (permitted)
                ++m_halfOpenPermitted;
            break;
        }
        if (!permitted)
            ++m_notPermitted;
    }
    emitTransitions({ moved });
    return permitted;
}

void CircuitBreaker::recordSuccess()
{
    record(false);
}

void CircuitBreaker::recordFailure()
{
    record(true);
}

void CircuitBreaker::releasePermission()
{
    QMutexLocker lock(&m_mutex);
    if (m_state == State::HalfOpen && m_halfOpenPermitted > 0)
        --m_halfOpenPermitted;
}

void CircuitBreaker::record(bool failed)
{
    std::optional<Transition> moved;
    {
        QMutexLocker lock(&m_mutex);
        failed ? ++m_totalFailures : ++m_totalSuccesses;
        switch (m_state) {
        case State::Closed:
            m_window.push_back(failed);
            while (int(m_window.size()) > m_options.windowSize)
                m_window.pop_front();
            if (int(m_window.size()) >= m_options.minimumCalls
                && failureRateLocked() >= m_options.failureRateThreshold)
                moved = transitionLocked(State::Open);
            break;
        case State::HalfOpen:
            if (failed)
                moved = transitionLocked(State::Open);
            else if (++m_halfOpenSucceeded >= m_options.halfOpenCalls)
                moved = transitionLocked(State::Closed);
            break;
        case State::Open:
            // A call permitted before the breaker opened finished late; it is history now.
            break;
        }
    }
    emitTransitions({ moved });
}

std::optional<CircuitBreaker::Transition> CircuitBreaker::refreshLocked()
{
    if (m_state == State::Open && m_clock->nowMs() - m_openedAtMs >= m_options.openWaitMs)
        return transitionLocked(State::HalfOpen);
    return std::nullopt;
}

std::optional<CircuitBreaker::Transition> CircuitBreaker::transitionLocked(State to)
{
    const State from = m_state;
    if (from == to)
        return std::nullopt;
    m_state = to;
    m_halfOpenPermitted = 0;
    m_halfOpenSucceeded = 0;
    if (to == State::Open) {
        m_openedAtMs = m_clock->nowMs();
        ++m_timesOpened;
    }
    // The window that tripped the breaker stays visible in metrics until it closes again.
    if (to == State::Closed)
        m_window.clear();
    return Transition { from, to };
}

void CircuitBreaker::emitTransitions(std::initializer_list<std::optional<Transition>> transitions)
{
    for (const auto &t : transitions) {
        if (!t)
            continue;
        qCInfo(lcBreaker).noquote()
            << "breaker" << m_name << stateName(t->first) << "->" << stateName(t->second);
        emit stateChanged(t->first, t->second);
    }
}

qint64 CircuitBreaker::msUntilPermitted() const
{
    QMutexLocker lock(&m_mutex);
    switch (m_state) {
    case State::Closed:
        return 0;
    case State::Open:
        return std::max<qint64>(0, m_openedAtMs + m_options.openWaitMs - m_clock->nowMs());
    case State::HalfOpen:
        // All trials in flight: their verdicts decide, and whoever records one asks again.
        return m_halfOpenPermitted < m_options.halfOpenCalls ? 0 : m_options.openWaitMs;
    }
    return 0;
}

double CircuitBreaker::failureRateLocked() const
{
    if (m_window.empty())
        return 0.0;
    const auto failures = std::count(m_window.begin(), m_window.end(), true);
    return 100.0 * double(failures) / double(m_window.size());
}

CircuitBreaker::Metrics CircuitBreaker::metrics() const
{
    Metrics m;
    {
        QMutexLocker lock(&m_mutex);
        m.state = m_state;
        m.bufferedCalls = int(m_window.size());
        m.failedCalls = int(std::count(m_window.begin(), m_window.end(), true));
        m.successfulCalls = m.bufferedCalls - m.failedCalls;
        m.failureRate = m.bufferedCalls >= m_options.minimumCalls ? failureRateLocked() : -1.0;
        m.notPermittedCalls = m_notPermitted;
        m.totalSuccesses = m_totalSuccesses;
        m.totalFailures = m_totalFailures;
        m.timesOpened = m_timesOpened;
    }
    m.state = state();
    return m;
}
