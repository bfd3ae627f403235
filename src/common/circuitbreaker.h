#pragma once

#include <QMutex>
#include <QObject>
#include <QString>
#include <deque>
#include <optional>

class Clock;

// A count-based circuit breaker (closed / open / half-open), modelled on resilience4j:
// the failure rate over the last `windowSize` calls trips it once `minimumCalls` are buffered;
// it stays open for `openWaitMs`, then lets `halfOpenCalls` trial calls through. All trials
// succeeding closes it; any trial failing opens it again.
// Thread-safe: the caller may live on one thread while metrics are read from another.
class CircuitBreaker : public QObject
{
    Q_OBJECT
public:
    enum class State { Closed, Open, HalfOpen };
    Q_ENUM(State)

    struct Options
    {
        int windowSize = 20;
        int minimumCalls = 5;
        double failureRateThreshold = 50.0; // percent; trips when rate >= threshold
        qint64 openWaitMs = 10000;
        int halfOpenCalls = 2;
    };

    struct Metrics
    {
        State state = State::Closed;
        double failureRate = -1.0; // percent over the window; -1 below the minimum call count
        int bufferedCalls = 0;
        int failedCalls = 0;
        int successfulCalls = 0;
        quint64 notPermittedCalls = 0;
        quint64 totalSuccesses = 0;
        quint64 totalFailures = 0;
        quint64 timesOpened = 0;
    };

    CircuitBreaker(QString name, Options options, const Clock *clock, QObject *parent = nullptr);

    QString name() const { return m_name; }
    State state() const;
    // Asks to make one call. False means the breaker refuses (counted as "not permitted").
    bool tryAcquirePermission();
    void recordSuccess();
    void recordFailure();
    // A permitted call that ended without a verdict (e.g. the provider rejected the input):
    // frees the half-open slot without counting either way.
    void releasePermission();
    // Milliseconds until a call may be permitted again; 0 when one may be now. While every
    // half-open trial is in flight, the open wait: a trial's verdict comes first.
    qint64 msUntilPermitted() const;
    Metrics metrics() const;
    Options options() const { return m_options; }

    static QString stateName(State state);

signals:
    void stateChanged(CircuitBreaker::State from, CircuitBreaker::State to);

private:
    using Transition = std::pair<State, State>;
    std::optional<Transition> refreshLocked(); // Open -> HalfOpen once the wait has elapsed
    std::optional<Transition> transitionLocked(State to);
    void record(bool failed);
    void emitTransitions(std::initializer_list<std::optional<Transition>> transitions);
    double failureRateLocked() const;

    const QString m_name;
    const Options m_options;
    const Clock *m_clock;

    mutable QMutex m_mutex;
    State m_state = State::Closed;
    std::deque<bool> m_window; // true = failure
    qint64 m_openedAtMs = 0;
    int m_halfOpenPermitted = 0;
    int m_halfOpenSucceeded = 0;
    quint64 m_notPermitted = 0;
    quint64 m_totalSuccesses = 0;
    quint64 m_totalFailures = 0;
    quint64 m_timesOpened = 0;
};
