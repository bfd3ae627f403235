// Timers on a clock: on a ManualClock they fire as the test moves time, in order of their due
// times, each with the clock at its due time; on the system clock they are plain QTimers.
#include "clock.h"
#include "clocktimer.h"

#include <QList>
#include <QSignalSpy>
#include <QTest>
#include <memory>

class TestClock : public QObject
{
    Q_OBJECT
private slots:
    void manualClockFiresDueTimersInOrderAtTheirTimes()
    {
        ManualClock clock(1000);
        ClockTimer late(&clock), early(&clock), never(&clock);
        QList<std::pair<QString, qint64>> fired;
        connect(&late, &ClockTimer::timeout, this, [&] {
            fired.append({ QStringLiteral("late"), clock.nowMs() });
        });
        connect(&early, &ClockTimer::timeout, this, [&] {
            fired.append({ QStringLiteral("early"), clock.nowMs() });
        });
        connect(&never, &ClockTimer::timeout, this, [&] {
            fired.append({ QStringLiteral("never"), clock.nowMs() });
        });
        late.start(300);
        early.start(100);
        never.start(1000);
        QCOMPARE(clock.nextDueMs(), qint64(1100));
        QCOMPARE(early.remainingMs(), qint64(100));

        clock.advance(500);
        QCOMPARE(clock.nowMs(), qint64(1500));
        QCOMPARE(fired,
            (QList<std::pair<QString, qint64>> {
                { QStringLiteral("early"), 1100 }, { QStringLiteral("late"), 1300 } }));
        QVERIFY(!early.isActive());
        QCOMPARE(early.remainingMs(), qint64(-1));
        QVERIFY(never.isActive());
        QCOMPARE(never.remainingMs(), qint64(500));

        never.stop();
        QCOMPARE(clock.nextDueMs(), qint64(-1));
        QVERIFY(!clock.advanceToNextTimer());
        clock.advance(10'000);
        QCOMPARE(fired.size(), 2);
    }

    void timerStartedWhileMovingFiresInTheSameMove()
    {
        ManualClock clock(0);
        ClockTimer first(&clock), second(&clock);
        QList<qint64> at;
        connect(&first, &ClockTimer::timeout, this, [&] {
            at.append(clock.nowMs());
            second.start(50);
        });
        connect(&second, &ClockTimer::timeout, this, [&] { at.append(clock.nowMs()); });
        first.start(100);
        clock.advance(200);
        QCOMPARE(at, (QList<qint64> { 100, 150 }));
        QCOMPARE(clock.nowMs(), qint64(200));
    }

    void restartMovesTheDueTime()
    {
        ManualClock clock(0);
        ClockTimer timer(&clock);
        QSignalSpy fired(&timer, &ClockTimer::timeout);
        timer.start(100);
        clock.advance(80);
        timer.start(100); // due at 180 now
        clock.advance(80);
        QCOMPARE(fired.size(), 0);
        QVERIFY(clock.advanceToNextTimer());
        QCOMPARE(clock.nowMs(), qint64(180));
        QCOMPARE(fired.size(), 1);
    }

    void singleShotIsDroppedWithItsContext()
    {
        ManualClock clock(0);
        int calls = 0;
        auto context = std::make_unique<QObject>();
        ClockTimer::singleShot(&clock, 100, context.get(), [&] { ++calls; });
        ClockTimer::singleShot(&clock, 100, this, [&] { ++calls; });
        context.reset();
        clock.advance(100);
        QCOMPARE(calls, 1);
    }

    void systemClockTimerFiresOnWallTime()
    {
        ClockTimer timer(SystemClock::instance());
        QSignalSpy fired(&timer, &ClockTimer::timeout);
        timer.start(20);
        QVERIFY(timer.isActive());
        QVERIFY(fired.wait(5000));
        QCOMPARE(fired.size(), 1);
        QVERIFY(!timer.isActive());
    }
};

QTEST_GUILESS_MAIN(TestClock)
#include "tst_clock.moc"
