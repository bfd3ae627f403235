#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

class ManualClock;

// Runs a ManualClock `factor` times faster than real time while it exists, so that a test's
// waits on the client's clock (backoff, Retry-After, echo re-reads, the confirm cap, the
// idempotency window) pass in a fraction of the time while real I/O (the server's answers)
// keeps its own pace in between. The clock only moves forward, and its timers fire at their
// due times on it, so "waited at least" holds exactly; a real delay counts `factor` times.
class TimeLapse : public QObject
{
    Q_OBJECT
public:
    TimeLapse(ManualClock *clock, int factor, QObject *parent = nullptr);

    // The clock stands still (a test looks at a state that would otherwise pass by), then runs
    // on from where it stood.
    void pause();
    void resume();

private:
    void tick();

    ManualClock *m_clock;
    const int m_factor;
    QElapsedTimer m_real;
    qint64 m_lastRealMs = 0;
    QTimer m_ticker;
};
