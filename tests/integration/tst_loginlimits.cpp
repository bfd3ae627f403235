// Login limits against a real syncloopd: failed attempts per account and per source address
// (over the limit: 429 problem+json with Retry-After, and no password hash computed, counted
// by the server's own metric), and a bound on concurrent password hashes, so that a login
// flood cannot starve other users' confirms and gap fills.
#include "apiclient.h"
#include "dbinspector.h"
#include "demodata.h"
#include "httpclient.h"
#include "metricstext.h"
#include "rawhttpconnection.h"
#include "serverprocess.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>
#include <algorithm>
#include <memory>
#include <vector>

namespace {

const QString wrongPassword = QStringLiteral("not-the-password");

HttpResult login(const QUrl &base, const QString &email, const QString &password)
{
    HttpClient c(base);
    return c.postJson(QStringLiteral("/api/auth/login"),
        { { QStringLiteral("email"), email }, { QStringLiteral("password"), password } });
}

qint64 percentile(std::vector<qint64> values, double p)
{
    std::sort(values.begin(), values.end());
    return values.at(std::min(values.size() - 1, std::size_t(p * double(values.size()))));
}

} // namespace

class TestLoginLimits : public QObject
{
    Q_OBJECT
private:
    // The server's count of password hashes (and refusals), as an admin reads it.
    static QJsonObject authMetrics(HttpClient &admin)
    {
        const HttpResult r = admin.get(QStringLiteral("/api/admin/sync-health"));
        return r.status == 200 ? r.json().value(QStringLiteral("auth")).toObject() : QJsonObject();
    }
    static qint64 hashes(HttpClient &admin)
    {
        return authMetrics(admin).value(QStringLiteral("password_hashes")).toInteger(-1);
    }

    static void verifyLimited(const HttpResult &r)
    {
        QCOMPARE(r.status, 429);
        QCOMPARE(r.header("Content-Type"), QByteArray("application/problem+json"));
        QCOMPARE(r.code(), QStringLiteral("too_many_login_attempts"));
        QCOMPARE(r.json().value(QStringLiteral("retryable")).toBool(), true);
        bool ok = false;
        const int retryAfter = r.header("Retry-After").toInt(&ok);
        QVERIFY2(
            ok && retryAfter >= 1 && retryAfter <= 15 * 60, r.header("Retry-After").constData());
        QVERIFY(!r.json().contains(QStringLiteral("access_token")));
    }

private slots:
    void wrongPasswordsForOneAccountAreLimited()
    {
        ServerProcess server;
        QVERIFY(server.start());
        DbInspector db(server.databasePath());
        HttpClient admin(server.baseUrl());
        QVERIFY(!admin.login(DemoData::admin).isEmpty());
        const qint64 hashesBefore = hashes(admin);
        QVERIFY(hashesBefore >= 1);
        const qint64 tokensBefore
            = db.scalar(QStringLiteral("SELECT COUNT(*) FROM refresh_tokens"));

        constexpr int allowance = 10; // --login-attempts-per-account default
        QList<int> statuses;
        for (int i = 0; i < 40; ++i) {
            const HttpResult r = login(server.baseUrl(), DemoData::agent1, wrongPassword);
            statuses.append(r.status);
            if (i < allowance) {
                QCOMPARE(r.status, 401);
                QCOMPARE(r.code(), QStringLiteral("invalid_credentials"));
            } else {
                verifyLimited(r);
            }
        }
        // Only the allowance was hashed: the 30 refusals cost no Argon2 work.
        QCOMPARE(hashes(admin), hashesBefore + allowance);
        QCOMPARE(authMetrics(admin).value(QStringLiteral("logins_limited")).toInteger(), 30);

        // Now even the right password waits for the window, unhashed: a guesser learns nothing.
        verifyLimited(login(server.baseUrl(), DemoData::agent1, QStringLiteral("syncloop-demo")));
        QCOMPARE(hashes(admin), hashesBefore + allowance);
        QCOMPARE(db.scalar(QStringLiteral("SELECT COUNT(*) FROM refresh_tokens")), tokensBefore);

        // Per account: another user from the same address signs in as usual.
        const HttpResult other
            = login(server.baseUrl(), DemoData::agent2, QStringLiteral("syncloop-demo"));
        QCOMPARE(other.status, 200);
        QCOMPARE(hashes(admin), hashesBefore + allowance + 1);

        // An account that does not exist is limited the same way (nothing tells it apart).
        for (int i = 0; i < allowance; ++i)
            QCOMPARE(
                login(server.baseUrl(), QStringLiteral("nobody@example.com"), wrongPassword).status,
                401);
        const HttpResult unknown
            = login(server.baseUrl(), QStringLiteral("Nobody@Example.com"), wrongPassword);
        verifyLimited(unknown);
    }

    void rightPasswordForgetsTheAccountsFailures()
    {
        ServerProcess server;
        QVERIFY(server.start());
        for (int i = 0; i < 9; ++i)
            QCOMPARE(login(server.baseUrl(), DemoData::agent2, wrongPassword).status, 401);
        QCOMPARE(
            login(server.baseUrl(), DemoData::agent2, QStringLiteral("syncloop-demo")).status, 200);
        for (int i = 0; i < 9; ++i)
            QCOMPARE(login(server.baseUrl(), DemoData::agent2, wrongPassword).status, 401);
    }

    void wrongPasswordsFromOneAddressAreLimited()
    {
        ServerProcess::Options options;
        options.extraArgs = QStringList { QStringLiteral("--login-attempts-per-address"),
            QStringLiteral("5"), QStringLiteral("--login-attempt-window"), QStringLiteral("10m") };
        ServerProcess server(options);
        QVERIFY(server.start());
        HttpClient admin(server.baseUrl());
        QVERIFY(!admin.login(DemoData::admin).isEmpty());
        const qint64 hashesBefore = hashes(admin);
        // A different account each time: only the address ties them together.
        for (int i = 0; i < 5; ++i)
            QCOMPARE(
                login(server.baseUrl(), QStringLiteral("guess%1@example.com").arg(i), wrongPassword)
                    .status,
                401);
        const HttpResult limited
            = login(server.baseUrl(), DemoData::agent2, QStringLiteral("syncloop-demo"));
        verifyLimited(limited);
        QVERIFY(limited.header("Retry-After").toInt() <= 600);
        QCOMPARE(hashes(admin), hashesBefore + 5);
    }

    // A login flood that the limits do not stop (many accounts, generous limits) hashes only a
    // few passwords at a time: the rest are turned away at once, so the worker threads stay
    // free for the other routes, and another user's confirms and gap fills keep their pace.
    void peopleSigningInAtOnceAllGetIn()
    {
        // One hashing slot: logins that find it taken are answered 503 with Retry-After. The
        // client tries again by itself, so six people signing in at once all get in.
        ServerProcess::Options options;
        options.extraArgs = { QStringLiteral("--password-hash-concurrency"), QStringLiteral("1") };
        ServerProcess server(options);
        QVERIFY(server.start());
        std::vector<std::unique_ptr<ApiClient>> clients;
        std::vector<std::unique_ptr<QSignalSpy>> signedIn;
        for (int i = 0; i < 6; ++i) {
            clients.push_back(std::make_unique<ApiClient>(server.baseUrl()));
            signedIn.push_back(
                std::make_unique<QSignalSpy>(clients.back().get(), &ApiClient::signedIn));
            clients.back()->login(
                i % 2 ? DemoData::agent1 : DemoData::agent2, QStringLiteral("syncloop-demo"));
        }
        auto everyoneIn = [&] {
            return std::all_of(signedIn.cbegin(), signedIn.cend(),
                [](const auto &spy) { return spy->size() == 1; });
        };
        QTRY_VERIFY_WITH_TIMEOUT(everyoneIn(), 20000);
        // And the server did say busy meanwhile: the retries were needed.
        HttpClient admin(server.baseUrl());
        QVERIFY(!admin.login(DemoData::admin).isEmpty());
        const double busy = MetricsText::fetch(admin).value("syncloop_logins_busy_total");
        QVERIFY2(busy >= 1, qPrintable(QString::number(busy)));
    }

    void confirmsKeepTheirLatencyDuringALoginFlood()
    {
        ServerProcess::Options options;
        options.demoBookings = 400;
        options.extraArgs = QStringList { QStringLiteral("--login-attempts-per-account"),
            QStringLiteral("1000000"), QStringLiteral("--login-attempts-per-address"),
            QStringLiteral("1000000") };
        ServerProcess server(options);
        QVERIFY(server.start());
        HttpClient agent2(server.baseUrl());
        QVERIFY(!agent2.login(DemoData::agent2).isEmpty());
        const QStringList pending = DemoData::bookingIds(agent2, QStringLiteral("pending"));
        QVERIFY(pending.size() >= 40);
        HttpClient admin(server.baseUrl());
        QVERIFY(!admin.login(DemoData::admin).isEmpty());

        // The flood: 48 connections, each sending its next wrong password as soon as the
        // previous one is answered.
        const QByteArray guess = RawHttpConnection::request("POST", "/api/auth/login",
            QJsonDocument(QJsonObject { { QStringLiteral("email"), DemoData::agent1 },
                              { QStringLiteral("password"), wrongPassword } })
                .toJson(QJsonDocument::Compact),
            { { "Content-Type", "application/json" } });
        int floodAnswers = 0;
        std::vector<std::unique_ptr<RawHttpConnection>> flood;
        for (int i = 0; i < 48; ++i) {
            auto connection
                = std::make_unique<RawHttpConnection>(QStringLiteral("127.0.0.1"), server.port());
            QVERIFY(connection->connectToServer());
            RawHttpConnection *raw = connection.get();
            connect(raw, &RawHttpConnection::responseReceived, this, [raw, guess, &floodAnswers] {
                ++floodAnswers;
                raw->enqueue(guess);
            });
            raw->enqueue(guess);
            flood.push_back(std::move(connection));
        }
        QTRY_VERIFY_WITH_TIMEOUT(floodAnswers >= 48, 20000);

        // Meanwhile: agent2 confirms 40 bookings and fills its gaps after each.
        std::vector<qint64> confirms;
        std::vector<qint64> gapFills;
        for (int i = 0; i < 40; ++i) {
            QElapsedTimer t;
            t.start();
            const HttpResult confirmed = agent2.postJson(QStringLiteral("/api/bookings/confirm"),
                { { QStringLiteral("bookingId"), pending.at(i) } }, HttpClient::newKey());
            confirms.push_back(t.elapsed());
            QCOMPARE(confirmed.status, 200);
            t.restart();
            const HttpResult changes = agent2.get(QStringLiteral("/api/changes?since=0&limit=50"));
            gapFills.push_back(t.elapsed());
            QCOMPARE(changes.status, 200);
        }
        const int answersDuring = floodAnswers;
        const qint64 confirmP95 = percentile(confirms, 0.95);
        const qint64 gapFillP95 = percentile(gapFills, 0.95);
        const QJsonObject auth = authMetrics(admin);
        qInfo("during a flood of %d login answers: confirm p95 %lld ms, /api/changes p95 %lld ms; "
              "hashes %lld, busy %lld",
            answersDuring, confirmP95, gapFillP95,
            auth.value(QStringLiteral("password_hashes")).toInteger(),
            auth.value(QStringLiteral("logins_busy")).toInteger());
        flood.clear();

        QVERIFY2(confirmP95 < 500, qPrintable(QStringLiteral("confirm p95 %1 ms").arg(confirmP95)));
        QVERIFY2(gapFillP95 < 1000,
            qPrintable(QStringLiteral("/api/changes p95 %1 ms").arg(gapFillP95)));
        // The flood was turned away, not hashed: most of it never reached Argon2.
        QVERIFY(auth.value(QStringLiteral("logins_busy")).toInteger() > 0);
        QVERIFY(auth.value(QStringLiteral("password_hashes")).toInteger() < answersDuring);
    }
};

QTEST_GUILESS_MAIN(TestLoginLimits)
#include "tst_loginlimits.moc"
