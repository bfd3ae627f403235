#pragma once

#include <QObject>
#include <QTimer>
#include <functional>

class Clock;

// A single-shot timer on a Clock: a QTimer on the system clock; on a ManualClock it fires when
// the clock is moved past its due time, so tests move time instead of waiting for it.
class ClockTimer : public QObject
{
    Q_OBJECT
public:
    explicit ClockTimer(const Clock *clock, QObject *parent = nullptr);
    ~ClockTimer() override;

    // (Re)starts: fires once, `ms` from now on the clock.
    void start(qint64 ms);
    void stop();
    bool isActive() const { return m_dueAtMs >= 0; }
    qint64 dueAtMs() const { return m_dueAtMs; }
    // Until it fires, on the clock; -1 when not running.
    qint64 remainingMs() const;

    // Calls `callback` once, `ms` from now on `clock`; not at all if `context` goes first.
    static void singleShot(
        const Clock *clock, qint64 ms, QObject *context, std::function<void()> callback);

signals:
    void timeout();

private:
    friend class ManualClock;
    void fire();

    const Clock *m_clock;
    QTimer m_wallTimer; // on a clock that leaves timers to wall time
    qint64 m_dueAtMs = -1;
};
