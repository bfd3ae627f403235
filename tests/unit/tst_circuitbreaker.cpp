// CircuitBreaker state machine under a ManualClock: thresholds, the open wait, half-open
// trials, the signals it emits and the figures it reports. Time only moves when told to.
#include "circuitbreaker.h"
#include "clock.h"

#include <QSignalSpy>
#include <QTest>
#include <memory>

namespace {

using State = CircuitBreaker::State;

CircuitBreaker::Options defaultOptions()
{
    // What syncloopd uses, with a 2 s open wait.
    return { .windowSize = 20,
        .minimumCalls = 5,
        .failureRateThreshold = 50.0,
        .openWaitMs = 2000,
        .halfOpenCalls = 2 };
}

// 'S' records a success, 'F' a failure; each call is permitted first, as the outbox does.
// Returns the 1-based position of the call after which the breaker was open, 0 if never.
int play(CircuitBreaker &breaker, QByteArrayView sequence)
{
    for (qsizetype i = 0; i < sequence.size(); ++i) {
        if (!breaker.tryAcquirePermission())
            return -1; // refused before the sequence ended: the table is wrong
        sequence[i] == 'F' ? breaker.recordFailure() : breaker.recordSuccess();
        if (breaker.state() == State::Open)
            return int(i) + 1;
    }
    return 0;
}

QByteArray repeat(char c, int n)
{
    return QByteArray(n, c);
}

using Transition = std::pair<State, State>;

QList<Transition> transitions(const QSignalSpy &spy)
{
    QList<Transition> out;
    for (const QList<QVariant> &args : spy)
        out.append({ args.at(0).value<State>(), args.at(1).value<State>() });
    return out;
}

} // namespace

class TestCircuitBreaker : public QObject
{
    Q_OBJECT
private:
    std::unique_ptr<ManualClock> m_clock;
    std::unique_ptr<CircuitBreaker> m_breaker;

    // Trips a fresh default breaker with five failures.
    void open()
    {
        QCOMPARE(play(*m_breaker, "FFFFF"), 5);
        QCOMPARE(m_breaker->state(), State::Open);
    }

private slots:
    void init()
    {
        m_clock = std::make_unique<ManualClock>();
        m_breaker = std::make_unique<CircuitBreaker>(
            QStringLiteral("sms"), defaultOptions(), m_clock.get());
    }

    void startsClosedAndPermits()
    {
        QCOMPARE(m_breaker->state(), State::Closed);
        QCOMPARE(m_breaker->name(), QStringLiteral("sms"));
        QCOMPARE(m_breaker->msUntilPermitted(), qint64(0));
        QVERIFY(m_breaker->tryAcquirePermission());
        const CircuitBreaker::Metrics m = m_breaker->metrics();
        QCOMPARE(m.state, State::Closed);
        QCOMPARE(m.failureRate, -1.0);
        QCOMPARE(m.bufferedCalls, 0);
        QCOMPARE(m.notPermittedCalls, quint64(0));
        QCOMPARE(m.timesOpened, quint64(0));
    }

    void staysClosedBelowMinimumCallsEvenAtFullFailure()
    {
        QSignalSpy changed(m_breaker.get(), &CircuitBreaker::stateChanged);
        QCOMPARE(play(*m_breaker, "FFFF"), 0);
        QCOMPARE(m_breaker->state(), State::Closed);
        QVERIFY(m_breaker->tryAcquirePermission());
        const CircuitBreaker::Metrics m = m_breaker->metrics();
        QCOMPARE(m.bufferedCalls, 4);
        QCOMPARE(m.failedCalls, 4);
        QCOMPARE(m.failureRate, -1.0); // not judged below the minimum
        QCOMPARE(m.timesOpened, quint64(0));
        QCOMPARE(changed.count(), 0);
    }

    void opensAtTheFailureRateThreshold_data()
    {
        QTest::addColumn<QByteArray>("sequence");
        QTest::addColumn<int>("opensAfter"); // 0: stays closed

        QTest::newRow("five failures") << QByteArray("FFFFF") << 5;
        QTest::newRow("failures first, judged at the minimum") << QByteArray("FFFFSSS") << 5;
        QTest::newRow("60% at the minimum") << QByteArray("SSFFF") << 5;
        QTest::newRow("40% at the minimum, 50% one later") << QByteArray("SFSFSF") << 6;
        QTest::newRow("exactly 50% trips") << QByteArray("SSSFFF") << 6;
        QTest::newRow("just under 50% never trips") << QByteArray("SSFSFSFSF") << 0;
        QTest::newRow("one failure in five") << QByteArray("SSSSF") << 0;
        QTest::newRow("all successes") << repeat('S', 30) << 0;
        QTest::newRow("10 of 20 failing, judged on the 20th")
            << QByteArray(repeat('S', 10) + repeat('F', 10)) << 20;
        // The window slides: 20 old successes age out one by one, so ten failures are enough
        // (10 S + 10 F in the last 20) even though only 10 of 30 calls failed.
        QTest::newRow("window slides over old successes")
            << QByteArray(repeat('S', 20) + repeat('F', 10)) << 30;
        // Old failures age out too: 9 failures then 21 successes never reach 50 % of the last 20.
        QTest::newRow("old failures age out")
            << QByteArray(repeat('S', 11) + repeat('F', 9) + repeat('S', 21)) << 0;
        QTest::newRow("alternating, failure first") << QByteArray("FSFSFSFSFS") << 5; // 3 of 5
    }
    void opensAtTheFailureRateThreshold()
    {
        QFETCH(QByteArray, sequence);
        QFETCH(int, opensAfter);
        QSignalSpy changed(m_breaker.get(), &CircuitBreaker::stateChanged);
        QCOMPARE(play(*m_breaker, sequence), opensAfter);
        const CircuitBreaker::Metrics m = m_breaker->metrics();
        if (opensAfter > 0) {
            QCOMPARE(m.state, State::Open);
            QCOMPARE(m.timesOpened, quint64(1));
            QCOMPARE(transitions(changed), (QList<Transition> { { State::Closed, State::Open } }));
            QVERIFY(m.failureRate >= 50.0);
            QCOMPARE(m.bufferedCalls, std::min(opensAfter, 20));
        } else {
            QCOMPARE(m.state, State::Closed);
            QCOMPARE(m.timesOpened, quint64(0));
            QCOMPARE(changed.count(), 0);
            QVERIFY(m.failureRate < 50.0);
            QCOMPARE(m.bufferedCalls, std::min(int(sequence.size()), 20));
        }
    }

    void customThresholdAndWindow()
    {
        // 3 calls minimum, trips at 100 % over a window of 4.
        CircuitBreaker strict(QStringLiteral("strict"),
            { .windowSize = 4,
                .minimumCalls = 3,
                .failureRateThreshold = 100.0,
                .openWaitMs = 1000,
                .halfOpenCalls = 1 },
            m_clock.get());
        QCOMPARE(play(strict, "FFSFFF"), 0); // never 4 failures in the last 4... until:
        QCOMPARE(play(strict, "F"), 1); // F F F F now fill the window
        QCOMPARE(strict.metrics().bufferedCalls, 4);
        QCOMPARE(strict.metrics().failureRate, 100.0);
    }

    void refusesCallsWhileOpenAndCountsThem()
    {
        open();
        QSignalSpy changed(m_breaker.get(), &CircuitBreaker::stateChanged);
        for (int i = 0; i < 7; ++i)
            QVERIFY(!m_breaker->tryAcquirePermission());
        m_clock->advance(1999);
        QVERIFY(!m_breaker->tryAcquirePermission());
        QCOMPARE(m_breaker->state(), State::Open);
        QCOMPARE(m_breaker->metrics().notPermittedCalls, quint64(8));
        QCOMPARE(changed.count(), 0);
    }

    void lateResultWhileOpenChangesNothing()
    {
        QVERIFY(m_breaker->tryAcquirePermission()); // a slow call, permitted while closed
        open();
        const CircuitBreaker::Metrics before = m_breaker->metrics();
        m_breaker->recordSuccess(); // ...finishes after the breaker opened
        const CircuitBreaker::Metrics after = m_breaker->metrics();
        QCOMPARE(after.state, State::Open);
        QCOMPARE(after.bufferedCalls, before.bufferedCalls);
        QCOMPARE(after.totalSuccesses, before.totalSuccesses + 1);
        QCOMPARE(m_breaker->msUntilPermitted(), qint64(2000));
    }

    void msUntilPermittedCountsDownTheOpenWait()
    {
        open();
        QCOMPARE(m_breaker->msUntilPermitted(), qint64(2000));
        m_clock->advance(750);
        QCOMPARE(m_breaker->msUntilPermitted(), qint64(1250));
        m_clock->advance(1250);
        QCOMPARE(m_breaker->msUntilPermitted(), qint64(0));
        m_clock->advance(5000);
        QCOMPARE(m_breaker->msUntilPermitted(), qint64(0)); // never negative
    }

    void movesToHalfOpenAfterTheWait()
    {
        open();
        QSignalSpy changed(m_breaker.get(), &CircuitBreaker::stateChanged);
        m_clock->advance(1999);
        QCOMPARE(m_breaker->state(), State::Open);
        m_clock->advance(1);
        // Reported as half-open as soon as the wait is over, before anyone asks...
        QCOMPARE(m_breaker->state(), State::HalfOpen);
        QCOMPARE(m_breaker->metrics().state, State::HalfOpen);
        QCOMPARE(changed.count(), 0);
        // ...and the transition happens (once) when the next call asks.
        QVERIFY(m_breaker->tryAcquirePermission());
        QCOMPARE(m_breaker->state(), State::HalfOpen);
        QCOMPARE(transitions(changed), (QList<Transition> { { State::Open, State::HalfOpen } }));
    }

    void permitsExactlyTheHalfOpenTrials_data()
    {
        QTest::addColumn<int>("halfOpenCalls");
        QTest::newRow("one trial") << 1;
        QTest::newRow("two trials") << 2;
        QTest::newRow("five trials") << 5;
    }
    void permitsExactlyTheHalfOpenTrials()
    {
        QFETCH(int, halfOpenCalls);
        CircuitBreaker breaker(QStringLiteral("b"),
            { .windowSize = 20,
                .minimumCalls = 5,
                .failureRateThreshold = 50.0,
                .openWaitMs = 1000,
                .halfOpenCalls = halfOpenCalls },
            m_clock.get());
        QCOMPARE(play(breaker, "FFFFF"), 5);
        m_clock->advance(1000);
        for (int i = 0; i < halfOpenCalls; ++i) {
            QCOMPARE(breaker.msUntilPermitted(), qint64(0));
            QVERIFY2(breaker.tryAcquirePermission(), qPrintable(QString::number(i)));
        }
        const quint64 refusedBefore = breaker.metrics().notPermittedCalls;
        QVERIFY(!breaker.tryAcquirePermission());
        QVERIFY(!breaker.tryAcquirePermission());
        QCOMPARE(breaker.metrics().notPermittedCalls, refusedBefore + 2);
        QCOMPARE(breaker.state(), State::HalfOpen);
        QVERIFY(breaker.msUntilPermitted() > 0); // all trials in flight: ask again later
    }

    void allTrialsSucceedingCloses()
    {
        open();
        m_clock->advance(2000);
        QSignalSpy changed(m_breaker.get(), &CircuitBreaker::stateChanged);
        QVERIFY(m_breaker->tryAcquirePermission());
        QVERIFY(m_breaker->tryAcquirePermission());
        m_breaker->recordSuccess();
        QCOMPARE(m_breaker->state(), State::HalfOpen); // one verdict is not enough
        m_breaker->recordSuccess();
        QCOMPARE(m_breaker->state(), State::Closed);
        QCOMPARE(transitions(changed),
            (QList<Transition> {
                { State::Open, State::HalfOpen }, { State::HalfOpen, State::Closed } }));
        const CircuitBreaker::Metrics m = m_breaker->metrics();
        QCOMPARE(m.bufferedCalls, 0); // a fresh window after closing
        QCOMPARE(m.failureRate, -1.0);
        QCOMPARE(m.timesOpened, quint64(1));
        QCOMPARE(m_breaker->msUntilPermitted(), qint64(0));
        // Closed means closed: calls flow and a fresh window must fill before it trips again.
        QCOMPARE(play(*m_breaker, "FFFF"), 0);
    }

    void oneTrialFailingReopens()
    {
        open();
        m_clock->advance(2000);
        QSignalSpy changed(m_breaker.get(), &CircuitBreaker::stateChanged);
        QVERIFY(m_breaker->tryAcquirePermission());
        QVERIFY(m_breaker->tryAcquirePermission());
        m_breaker->recordSuccess();
        m_breaker->recordFailure();
        QCOMPARE(m_breaker->state(), State::Open);
        QCOMPARE(transitions(changed),
            (QList<Transition> {
                { State::Open, State::HalfOpen }, { State::HalfOpen, State::Open } }));
        QCOMPARE(m_breaker->metrics().timesOpened, quint64(2));
        // A full new wait from the moment it reopened.
        QCOMPARE(m_breaker->msUntilPermitted(), qint64(2000));
        QVERIFY(!m_breaker->tryAcquirePermission());
        m_clock->advance(2000);
        QVERIFY(m_breaker->tryAcquirePermission());
        QCOMPARE(m_breaker->state(), State::HalfOpen);
        QCOMPARE(changed.count(), 3);
    }

    void firstTrialFailingReopensAtOnce()
    {
        open();
        m_clock->advance(2000);
        QVERIFY(m_breaker->tryAcquirePermission());
        m_breaker->recordFailure();
        QCOMPARE(m_breaker->state(), State::Open);
        QVERIFY(!m_breaker->tryAcquirePermission());
        QCOMPARE(m_breaker->metrics().timesOpened, quint64(2));
    }

    void releasePermissionFreesAHalfOpenSlot()
    {
        open();
        m_clock->advance(2000);
        QVERIFY(m_breaker->tryAcquirePermission());
        QVERIFY(m_breaker->tryAcquirePermission());
        QVERIFY(!m_breaker->tryAcquirePermission());
        m_breaker->releasePermission(); // e.g. the provider rejected that message: no verdict
        QCOMPARE(m_breaker->state(), State::HalfOpen);
        QCOMPARE(m_breaker->msUntilPermitted(), qint64(0));
        QVERIFY(m_breaker->tryAcquirePermission());
        QVERIFY(!m_breaker->tryAcquirePermission());
        // The released call counted neither way: two successes are still needed to close.
        m_breaker->recordSuccess();
        QCOMPARE(m_breaker->state(), State::HalfOpen);
        m_breaker->recordSuccess();
        QCOMPARE(m_breaker->state(), State::Closed);
    }

    void releasePermissionWhileClosedChangesNothing()
    {
        QVERIFY(m_breaker->tryAcquirePermission());
        m_breaker->releasePermission();
        const CircuitBreaker::Metrics m = m_breaker->metrics();
        QCOMPARE(m.state, State::Closed);
        QCOMPARE(m.bufferedCalls, 0);
        QCOMPARE(m.totalSuccesses + m.totalFailures, quint64(0));
    }

    void stateChangedOncePerTransition()
    {
        QSignalSpy changed(m_breaker.get(), &CircuitBreaker::stateChanged);
        QCOMPARE(play(*m_breaker, "SFFFF"), 5); // 80 %
        for (int i = 0; i < 3; ++i) {
            QVERIFY(!m_breaker->tryAcquirePermission());
            m_breaker->recordFailure(); // late verdicts while open: no second Closed -> Open
        }
        m_clock->advance(2000);
        QVERIFY(m_breaker->tryAcquirePermission());
        QVERIFY(m_breaker->tryAcquirePermission());
        QVERIFY(!m_breaker->tryAcquirePermission()); // refusal in half-open emits nothing
        m_breaker->recordFailure();
        m_breaker->recordFailure(); // the second trial's verdict, after it reopened
        m_clock->advance(2000);
        QCOMPARE(m_breaker->state(), State::HalfOpen);
        QVERIFY(m_breaker->tryAcquirePermission());
        QVERIFY(m_breaker->tryAcquirePermission());
        m_breaker->recordSuccess();
        m_breaker->recordSuccess();
        m_breaker->recordSuccess(); // a late one after closing
        QCOMPARE(transitions(changed),
            (QList<Transition> {
                { State::Closed, State::Open },
                { State::Open, State::HalfOpen },
                { State::HalfOpen, State::Open },
                { State::Open, State::HalfOpen },
                { State::HalfOpen, State::Closed },
            }));
        QCOMPARE(m_breaker->metrics().timesOpened, quint64(2));
    }

    void metricsReportTheWindowAndTotals()
    {
        QCOMPARE(play(*m_breaker, "SSSFS"), 0);
        CircuitBreaker::Metrics m = m_breaker->metrics();
        QCOMPARE(m.state, State::Closed);
        QCOMPARE(m.bufferedCalls, 5);
        QCOMPARE(m.failedCalls, 1);
        QCOMPARE(m.successfulCalls, 4);
        QCOMPARE(m.failureRate, 20.0);
        QCOMPARE(m.totalSuccesses, quint64(4));
        QCOMPARE(m.totalFailures, quint64(1));
        QCOMPARE(m.notPermittedCalls, quint64(0));
        QCOMPARE(m.timesOpened, quint64(0));

        QCOMPARE(play(*m_breaker, "FFF"), 3); // 4 of 8 failed = 50 %
        QVERIFY(!m_breaker->tryAcquirePermission());
        m = m_breaker->metrics();
        QCOMPARE(m.state, State::Open);
        // The window that tripped it stays visible while open.
        QCOMPARE(m.bufferedCalls, 8);
        QCOMPARE(m.failedCalls, 4);
        QCOMPARE(m.successfulCalls, 4);
        QCOMPARE(m.failureRate, 50.0);
        QCOMPARE(m.totalFailures, quint64(4));
        QCOMPARE(m.notPermittedCalls, quint64(1));
        QCOMPARE(m.timesOpened, quint64(1));
    }

    void stateNames()
    {
        QCOMPARE(CircuitBreaker::stateName(State::Closed), QStringLiteral("closed"));
        QCOMPARE(CircuitBreaker::stateName(State::Open), QStringLiteral("open"));
        QCOMPARE(CircuitBreaker::stateName(State::HalfOpen), QStringLiteral("half_open"));
    }
};

QTEST_GUILESS_MAIN(TestCircuitBreaker)
#include "tst_circuitbreaker.moc"
