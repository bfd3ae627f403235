#include "backoff.h"
#include "randomsource.h"

#include <QTest>

class TestBackoff : public QObject
{
    Q_OBJECT
private slots:
    void ceilingDoublesUpToTheCap_data()
    {
        QTest::addColumn<int>("attempt");
        QTest::addColumn<qint64>("ceiling");
        QTest::newRow("first") << 0 << qint64(100);
        QTest::newRow("second") << 1 << qint64(200);
        QTest::newRow("fifth") << 4 << qint64(1600);
        QTest::newRow("capped") << 9 << qint64(5000);
        QTest::newRow("huge attempt, no overflow") << 500 << qint64(5000);
        QTest::newRow("negative attempt") << -3 << qint64(100);
    }
    void ceilingDoublesUpToTheCap()
    {
        QFETCH(int, attempt);
        QFETCH(qint64, ceiling);
        const Backoff backoff({ 100, 5000 });
        QCOMPARE(backoff.ceilingMs(attempt), ceiling);
    }

    void fullJitterStaysWithinBounds_data()
    {
        QTest::addColumn<quint32>("seed");
        QTest::newRow("seed 1") << 1u;
        QTest::newRow("seed 42") << 42u;
        QTest::newRow("seed 2026") << 2026u;
    }
    void fullJitterStaysWithinBounds()
    {
        QFETCH(quint32, seed);
        SeededRandomSource random(seed);
        const Backoff backoff({ 100, 5000 });
        for (int attempt = 0; attempt < 12; ++attempt) {
            qint64 lowest = std::numeric_limits<qint64>::max();
            qint64 highest = 0;
            for (int i = 0; i < 500; ++i) {
                const qint64 d = backoff.delayMs(attempt, random);
                QVERIFY2(d >= 0 && d <= backoff.ceilingMs(attempt), qPrintable(QString::number(d)));
                lowest = std::min(lowest, d);
                highest = std::max(highest, d);
            }
            // Full jitter spreads over the whole range, not a narrow band near the ceiling.
            QVERIFY(lowest < backoff.ceilingMs(attempt) / 4);
            QVERIFY(highest > backoff.ceilingMs(attempt) * 3 / 4);
        }
    }

    void sameSeedSameDelays()
    {
        SeededRandomSource a(7), b(7);
        const Backoff backoff({ 10, 1000 });
        for (int attempt = 0; attempt < 20; ++attempt)
            QCOMPARE(backoff.delayMs(attempt, a), backoff.delayMs(attempt, b));
    }

    void retryAfterWinsWhenLarger()
    {
        SeededRandomSource random(3);
        const Backoff backoff({ 100, 1000 });
        QCOMPARE(backoff.delayMs(0, random, 7000), qint64(7000));
        const qint64 d = backoff.delayMs(3, random, 1);
        QVERIFY(d >= 1 && d <= 800);
    }

    void invalidPolicyIsRepaired()
    {
        const Backoff backoff({ 0, -5 });
        QCOMPARE(backoff.policy().baseMs, qint64(1));
        QCOMPARE(backoff.policy().capMs, qint64(1));
    }
};

QTEST_GUILESS_MAIN(TestBackoff)
#include "tst_backoff.moc"
