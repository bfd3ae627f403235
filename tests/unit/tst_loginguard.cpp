// LoginGuard under a ManualClock: the sliding window of failed attempts, Retry-After, what a
// right password takes back, how addresses are keyed, and the hashing slots.
#include "auth/loginguard.h"
#include "clock.h"

#include <QTest>
#include <optional>

namespace {

const QHostAddress home(QStringLiteral("192.0.2.10"));

} // namespace

class TestLoginGuard : public QObject
{
    Q_OBJECT
private:
    ManualClock m_clock;

    LoginGuard::Options options(int perAccount, int perAddress) const
    {
        LoginGuard::Options o;
        o.attemptsPerAccount = perAccount;
        o.attemptsPerAddress = perAddress;
        o.windowMs = 60'000;
        o.concurrentHashes = 4;
        return o;
    }

private slots:
    void theWindowSlides()
    {
        LoginGuard guard(options(3, 100), &m_clock);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(guard.begin(QStringLiteral("a@example.com"), home).verdict(),
                LoginGuard::Verdict::Go);
            m_clock.advance(10'000);
        }
        // Failures at 0, 10 and 20 s; now 30 s: the first leaves the window at 60 s.
        const LoginGuard::Attempt refused = guard.begin(QStringLiteral("A@Example.com "), home);
        QCOMPARE(refused.verdict(), LoginGuard::Verdict::TooManyAttempts);
        QCOMPARE(refused.retryAfterSeconds(), 30);
        m_clock.advance(29'999);
        QCOMPARE(guard.begin(QStringLiteral("a@example.com"), home).verdict(),
            LoginGuard::Verdict::TooManyAttempts);
        m_clock.advance(1);
        QCOMPARE(
            guard.begin(QStringLiteral("a@example.com"), home).verdict(), LoginGuard::Verdict::Go);
        // Refusals are not failures: the next one is due when the 10 s failure leaves.
        QCOMPARE(guard.begin(QStringLiteral("a@example.com"), home).retryAfterSeconds(), 10);
    }

    void aRightPasswordClearsTheAccount()
    {
        LoginGuard guard(options(2, 3), &m_clock);
        QCOMPARE(
            guard.begin(QStringLiteral("b@example.com"), home).verdict(), LoginGuard::Verdict::Go);
        guard.begin(QStringLiteral("b@example.com"), home).succeeded();
        QCOMPARE(
            guard.begin(QStringLiteral("b@example.com"), home).verdict(), LoginGuard::Verdict::Go);
        QCOMPARE(
            guard.begin(QStringLiteral("b@example.com"), home).verdict(), LoginGuard::Verdict::Go);
        // The address got back only the attempt that succeeded: its three failures fill it.
        QCOMPARE(guard.begin(QStringLiteral("c@example.com"), home).verdict(),
            LoginGuard::Verdict::TooManyAttempts);
        QCOMPARE(
            guard.begin(QStringLiteral("d@example.com"), QHostAddress(QStringLiteral("192.0.2.11")))
                .verdict(),
            LoginGuard::Verdict::Go);
    }

    void addressKeys_data()
    {
        QTest::addColumn<QString>("address");
        QTest::addColumn<QString>("key");
        QTest::newRow("IPv4") << QStringLiteral("203.0.113.7") << QStringLiteral("203.0.113.7");
        QTest::newRow("IPv4-mapped")
            << QStringLiteral("::ffff:203.0.113.7") << QStringLiteral("203.0.113.7");
        QTest::newRow("IPv6 host in its /64") << QStringLiteral("2001:db8:1:2:aaaa:bbbb:cccc:dddd")
                                              << QStringLiteral("2001:db8:1:2::/64");
    }
    void addressKeys()
    {
        QFETCH(QString, address);
        QFETCH(QString, key);
        QCOMPARE(LoginGuard::addressKey(QHostAddress(address)), key);
    }

    void hashingSlotsAreBounded()
    {
        LoginGuard::Options o = options(100, 100);
        o.concurrentHashes = 2;
        LoginGuard guard(o, &m_clock);
        std::optional<LoginGuard::Attempt> first(
            guard.begin(QStringLiteral("e@example.com"), home));
        const LoginGuard::Attempt second = guard.begin(QStringLiteral("f@example.com"), home);
        QCOMPARE(second.verdict(), LoginGuard::Verdict::Go);
        const LoginGuard::Attempt third = guard.begin(QStringLiteral("g@example.com"), home);
        QCOMPARE(third.verdict(), LoginGuard::Verdict::Busy);
        QCOMPARE(third.retryAfterSeconds(), 1);
        first.reset(); // its hash is done: the slot is free again
        QCOMPARE(
            guard.begin(QStringLiteral("g@example.com"), home).verdict(), LoginGuard::Verdict::Go);
    }

    void aBusyAnswerIsNotAFailure()
    {
        LoginGuard::Options o = options(1, 100);
        o.concurrentHashes = 1;
        LoginGuard guard(o, &m_clock);
        {
            const LoginGuard::Attempt holding = guard.begin(QStringLiteral("h@example.com"), home);
            QCOMPARE(holding.verdict(), LoginGuard::Verdict::Go);
            QCOMPARE(guard.begin(QStringLiteral("i@example.com"), home).verdict(),
                LoginGuard::Verdict::Busy);
        }
        // i@ was turned away before any password was looked at: it still has its one attempt.
        QCOMPARE(
            guard.begin(QStringLiteral("i@example.com"), home).verdict(), LoginGuard::Verdict::Go);
        QCOMPARE(guard.begin(QStringLiteral("i@example.com"), home).verdict(),
            LoginGuard::Verdict::TooManyAttempts);
    }
};

QTEST_GUILESS_MAIN(TestLoginGuard)
#include "tst_loginguard.moc"
