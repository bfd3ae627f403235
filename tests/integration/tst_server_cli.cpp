// The syncloopd command line: usage errors exit 2 with a message naming the culprit, --help
// and --version exit 0, a started server prints exactly one "listening" line on stdout, and
// --demo seeds only an empty database.
#include "dbinspector.h"
#include "demodata.h"
#include "httpclient.h"
#include "serverprocess.h"

#include <QDir>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

namespace {

struct Run
{
    bool finished = false;
    QProcess::ExitStatus exitStatus = QProcess::CrashExit;
    int exitCode = -1;
    QString out;
    QString err;
};

// Runs syncloopd to completion (it is expected to exit on its own).
Run runServer(const QStringList &arguments, int timeoutMs = 30000)
{
    QProcess process;
    QSignalSpy finished(&process, &QProcess::finished);
    process.start(ServerProcess::executable(), arguments);
    Run run;
    if (!process.waitForStarted(10000))
        return run;
    run.finished = finished.wait(timeoutMs) || process.state() == QProcess::NotRunning;
    if (!run.finished) {
        process.kill();
        process.waitForFinished(10000);
        return run;
    }
    run.exitStatus = process.exitStatus();
    run.exitCode = process.exitCode();
    run.out = QString::fromLocal8Bit(process.readAllStandardOutput());
    run.err = QString::fromLocal8Bit(process.readAllStandardError());
    return run;
}

const QRegularExpression listeningLine(
    QStringLiteral("^syncloopd listening on http://127\\.0\\.0\\.1:(\\d{1,5})\\n$"));

} // namespace

class TestServerCli : public QObject
{
    Q_OBJECT
private:
    // A usage error: exit code 2, nothing on stdout, a message on stderr containing `mentions`,
    // and no database created in the data directory.
    static void verifyUsageError(const QStringList &arguments, const QString &mentions)
    {
        QTemporaryDir dataDir;
        QVERIFY(dataDir.isValid());
        const Run run
            = runServer(QStringList { QStringLiteral("--data-dir"), dataDir.path() } + arguments);
        QVERIFY2(run.finished, "syncloopd did not exit on a usage error");
        QCOMPARE(run.exitStatus, QProcess::NormalExit);
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(run.out, QString());
        QVERIFY2(run.err.contains(mentions), qPrintable(run.err));
        QVERIFY2(run.err.contains(QStringLiteral("--help")), qPrintable(run.err));
        QVERIFY(QDir(dataDir.path()).entryList(QDir::NoDotAndDotDot | QDir::AllEntries).isEmpty());
    }

private slots:
    void unknownFlag()
    {
        verifyUsageError({ QStringLiteral("--frobnicate") }, QStringLiteral("frobnicate"));
        verifyUsageError(
            { QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--no-such-option=1") },
            QStringLiteral("no-such-option"));
    }

    void positionalArgument()
    {
        verifyUsageError({ QStringLiteral("serve") }, QStringLiteral("serve"));
    }

    void badDatabase_data()
    {
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("mysql") << QStringLiteral("mysql://x") << QStringLiteral("mysql");
        QTest::newRow("sqlite without a path")
            << QStringLiteral("sqlite:") << QStringLiteral("sqlite:PATH");
        QTest::newRow("sqlite with an empty authority")
            << QStringLiteral("sqlite://") << QStringLiteral("sqlite:PATH");
        QTest::newRow("postgres without a database")
            << QStringLiteral("postgres://nohost") << QStringLiteral("postgres://");
        QTest::newRow("postgres without a host")
            << QStringLiteral("postgres:///db") << QStringLiteral("postgres://");
        QTest::newRow("bare word") << QStringLiteral("memory") << QStringLiteral("--database");
    }
    void badDatabase()
    {
        QFETCH(QString, value);
        QFETCH(QString, mentions);
        verifyUsageError(
            { QStringLiteral("--database"), value, QStringLiteral("--port"), QStringLiteral("0") },
            mentions);
    }

    void badIdempotencyWindow_data()
    {
        QTest::addColumn<QString>("value");
        QTest::newRow("word") << QStringLiteral("abc");
        QTest::newRow("zero") << QStringLiteral("0s");
        QTest::newRow("under a second") << QStringLiteral("500ms");
        QTest::newRow("negative") << QStringLiteral("-5m");
        QTest::newRow("unknown unit") << QStringLiteral("3w");
        QTest::newRow("empty") << QString();
    }
    void badIdempotencyWindow()
    {
        QFETCH(QString, value);
        verifyUsageError({ QStringLiteral("--idempotency-window"), value, QStringLiteral("--port"),
                             QStringLiteral("0") },
            QStringLiteral("--idempotency-window"));
    }

    void badDurability_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("mentions");
        const QString durability = QStringLiteral("--durability");
        QTest::newRow("unknown mode")
            << QStringList { durability, QStringLiteral("fast") } << QStringLiteral("fast");
        QTest::newRow("wrong case")
            << QStringList { durability, QStringLiteral("Full") } << durability;
        QTest::newRow("empty") << QStringList { durability, QString() } << durability;
        QTest::newRow("deprecated alias against relaxed") << QStringList {
            durability, QStringLiteral("relaxed"), QStringLiteral("--sqlite-synchronous-full")
        } << QStringLiteral("--sqlite-synchronous-full");
    }
    void badDurability()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, mentions);
        verifyUsageError(
            arguments + QStringList { QStringLiteral("--port"), QStringLiteral("0") }, mentions);
    }

    // What relaxed risks is said where the flag is chosen.
    void helpSaysWhatRelaxedDurabilityRisks()
    {
        const Run run = runServer({ QStringLiteral("--help") });
        QVERIFY(run.finished);
        QCOMPARE(run.exitCode, 0);
        const QString help = run.out.simplified();
        QVERIFY2(help.contains(QLatin1String("--durability <full|relaxed>")), qPrintable(run.out));
        QVERIFY2(help.contains(QLatin1String("power cut")), qPrintable(run.out));
        QVERIFY2(help.contains(QLatin1String("idempotency key records")), qPrintable(run.out));
    }

    void badListen_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("mentions");
        const QString listen = QStringLiteral("--listen");
        QTest::newRow("garbage") << QStringList { listen, QStringLiteral("garbage") } << listen;
        QTest::newRow("no port") << QStringList { listen, QStringLiteral("127.0.0.1") } << listen;
        QTest::newRow("port out of range")
            << QStringList { listen, QStringLiteral("127.0.0.1:99999") } << listen;
        QTest::newRow("port not a number")
            << QStringList { listen, QStringLiteral("127.0.0.1:http") } << listen;
        QTest::newRow("host name")
            << QStringList { listen, QStringLiteral("localhost:8080") } << listen;
        QTest::newRow("no host") << QStringList { listen, QStringLiteral(":8080") } << listen;
        QTest::newRow("both --listen and --port") << QStringList { listen,
            QStringLiteral("127.0.0.1:0"), QStringLiteral("--port"), QStringLiteral("0") }
                                                  << listen;
        QTest::newRow("--port out of range") << QStringList { QStringLiteral("--port"),
            QStringLiteral("70000") } << QStringLiteral("--port");
    }
    void badListen()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, mentions);
        verifyUsageError(arguments, mentions);
    }

    void badNumbers_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("--demo-bookings word") << QStringList { QStringLiteral("--demo"),
            QStringLiteral("--demo-bookings"), QStringLiteral("many") }
                                              << QStringLiteral("--demo-bookings");
        QTest::newRow("--demo-bookings 1") << QStringList { QStringLiteral("--demo"),
            QStringLiteral("--demo-bookings"), QStringLiteral("1") }
                                           << QStringLiteral("--demo-bookings");
        QTest::newRow("--sms-timeout word") << QStringList { QStringLiteral("--sms-timeout"),
            QStringLiteral("soon") } << QStringLiteral("--sms-timeout");
        QTest::newRow("--sms-gateway not http") << QStringList { QStringLiteral("--sms-gateway"),
            QStringLiteral("ftp://example.com/sms") }
                                                << QStringLiteral("--sms-gateway");
        QTest::newRow("--metrics-token-file missing") << QStringList {
            QStringLiteral("--metrics-token-file"), QStringLiteral("/nonexistent/metrics-token")
        } << QStringLiteral("--metrics-token-file");
        QTest::newRow("--refresh-reuse-interval word")
            << QStringList { QStringLiteral("--refresh-reuse-interval"), QStringLiteral("briefly") }
            << QStringLiteral("--refresh-reuse-interval");
        QTest::newRow("--refresh-reuse-interval over 5m")
            << QStringList { QStringLiteral("--refresh-reuse-interval"), QStringLiteral("1h") }
            << QStringLiteral("--refresh-reuse-interval");
        QTest::newRow("--login-attempts-per-account 0")
            << QStringList { QStringLiteral("--login-attempts-per-account"), QStringLiteral("0") }
            << QStringLiteral("--login-attempts-per-account");
        QTest::newRow("--login-attempt-window word")
            << QStringList { QStringLiteral("--login-attempt-window"), QStringLiteral("forever") }
            << QStringLiteral("--login-attempt-window");
        QTest::newRow("--password-hash-concurrency word")
            << QStringList { QStringLiteral("--password-hash-concurrency"), QStringLiteral("many") }
            << QStringLiteral("--password-hash-concurrency");
        QTest::newRow("--realtime-close-grace word")
            << QStringList { QStringLiteral("--realtime-close-grace"), QStringLiteral("later") }
            << QStringLiteral("--realtime-close-grace");
        QTest::newRow("--change-retention word")
            << QStringList { QStringLiteral("--change-retention"), QStringLiteral("forever") }
            << QStringLiteral("--change-retention");
        QTest::newRow("--change-retention under 1s")
            << QStringList { QStringLiteral("--change-retention"), QStringLiteral("500ms") }
            << QStringLiteral("--change-retention");
        QTest::newRow("--purge-interval under 100ms")
            << QStringList { QStringLiteral("--purge-interval"), QStringLiteral("10ms") }
            << QStringLiteral("--purge-interval");
    }
    void badNumbers()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, mentions);
        verifyUsageError(
            arguments + QStringList { QStringLiteral("--port"), QStringLiteral("0") }, mentions);
    }

    void help()
    {
        const Run run = runServer({ QStringLiteral("--help") });
        QVERIFY(run.finished);
        QCOMPARE(run.exitStatus, QProcess::NormalExit);
        QCOMPARE(run.exitCode, 0);
        for (const char *option : { "--listen", "--port", "--data-dir", "--database", "--demo",
                 "--demo-bookings", "--jwt-secret-file", "--realtime-apikey",
                 "--idempotency-window", "--sms-gateway", "--help", "--version" })
            QVERIFY2(run.out.contains(QLatin1String(option)), option);
    }

    // --change-retention is documented; --purge-interval (a knob for tests) is not.
    void helpDocumentsChangeRetention()
    {
        const Run run = runServer({ QStringLiteral("--help") });
        QVERIFY(run.finished);
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.contains(QLatin1String("--change-retention")), qPrintable(run.out));
        QVERIFY2(run.out.contains(QLatin1String("default 30d")), qPrintable(run.out));
        QVERIFY(!run.out.contains(QLatin1String("--purge-interval")));
    }

    void version()
    {
        const Run run = runServer({ QStringLiteral("--version") });
        QVERIFY(run.finished);
        QCOMPARE(run.exitStatus, QProcess::NormalExit);
        QCOMPARE(run.exitCode, 0);
        static const QRegularExpression pattern(
            QStringLiteral("^syncloopd \\d+\\.\\d+\\.\\d+\\n$"));
        QVERIFY2(pattern.match(run.out).hasMatch(), qPrintable(run.out));
    }

    void portInUseExitsWithOne()
    {
        QTcpServer occupant;
        QVERIFY(occupant.listen(QHostAddress::LocalHost, 0));
        QTemporaryDir dataDir;
        const Run run
            = runServer({ QStringLiteral("--data-dir"), dataDir.path(), QStringLiteral("--listen"),
                QStringLiteral("127.0.0.1:%1").arg(occupant.serverPort()) });
        QVERIFY2(run.finished, "syncloopd kept running on a port that is taken");
        QCOMPARE(run.exitCode, 1);
        QCOMPARE(run.out, QString());
        QVERIFY(!run.err.isEmpty());
    }

    void startedServerPrintsExactlyOneLine()
    {
        QTemporaryDir dataDir;
        QProcess process;
        QSignalSpy finished(&process, &QProcess::finished);
        process.start(ServerProcess::executable(),
            { QStringLiteral("--data-dir"), dataDir.path(), QStringLiteral("--demo"),
                QStringLiteral("--port"), QStringLiteral("0") });
        QVERIFY(process.waitForStarted(10000));
        QByteArray out;
        QRegularExpressionMatch match;
        auto listeningOrGone = [&] {
            out += process.readAllStandardOutput();
            match = listeningLine.match(QString::fromLocal8Bit(out));
            return match.hasMatch() || process.state() == QProcess::NotRunning;
        };
        QTRY_VERIFY_WITH_TIMEOUT(listeningOrGone(), 20000);
        QVERIFY2(match.hasMatch(), out.constData());
        const int port = match.captured(1).toInt();
        QVERIFY(port > 0 && port <= 65535);

        // The address is the real one, and serving more requests prints nothing more.
        HttpClient c(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)));
        QCOMPARE(c.get(QStringLiteral("/healthz")).status, 200);
        QVERIFY(!c.login(DemoData::admin).isEmpty());
        QCOMPARE(c.get(QStringLiteral("/api/bookings")).status, 200);

        // SIGTERM stops it cleanly; everything it ever wrote to stdout is that one line.
        process.terminate();
        QVERIFY(finished.wait(15000) || process.state() == QProcess::NotRunning);
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(process.exitCode(), 0);
        out += process.readAllStandardOutput();
        QVERIFY2(listeningLine.match(QString::fromLocal8Bit(out)).hasMatch(), out.constData());
        QCOMPARE(out.count('\n'), 1);
        // The demo notice went to stderr, not stdout.
        QVERIFY(QString::fromLocal8Bit(process.readAllStandardError()).contains(DemoData::agent1));
    }

    void demoSeedsOnlyAnEmptyDatabase()
    {
        ServerProcess server; // --demo, 60 bookings
        QVERIFY(server.start());
        HttpClient agent(server.baseUrl());
        QVERIFY(!agent.login(DemoData::agent1).isEmpty());
        const QString id = DemoData::bookingIds(agent, QStringLiteral("pending")).first();
        const HttpResult confirmed = agent.postJson(QStringLiteral("/api/bookings/confirm"),
            { { QStringLiteral("bookingId"), id } }, HttpClient::newKey());
        QCOMPARE(confirmed.status, 200);
        const qint64 version = confirmed.json()
                                   .value(QStringLiteral("booking"))
                                   .toObject()
                                   .value(QStringLiteral("version"))
                                   .toInteger();
        QString userId;
        {
            DbInspector db(server.databasePath());
            QCOMPARE(db.scalar(QStringLiteral("SELECT COUNT(*) FROM bookings")), 60);
            QCOMPARE(db.bookingStatus(id), QStringLiteral("confirmed"));
            userId = db.text(
                QStringLiteral("SELECT id FROM users WHERE email = ?"), { DemoData::agent1 });
        }
        const DbInspector::Snapshot before = DbInspector(server.databasePath()).snapshot();

        // Same data directory, --demo again.
        QVERIFY(server.restart(/*samePort=*/false));
        QVERIFY(server.arguments().contains(QStringLiteral("--demo")));
        DbInspector db(server.databasePath());
        QCOMPARE(db.scalar(QStringLiteral("SELECT COUNT(*) FROM bookings")), 60);
        QCOMPARE(db.scalar(QStringLiteral("SELECT COUNT(*) FROM organisations")), 1);
        QCOMPARE(db.scalar(QStringLiteral("SELECT COUNT(*) FROM users")), 3);
        QCOMPARE(
            db.text(QStringLiteral("SELECT id FROM users WHERE email = ?"), { DemoData::agent1 }),
            userId);
        QCOMPARE(db.bookingStatus(id), QStringLiteral("confirmed"));
        QCOMPARE(db.bookingVersion(id), version);
        QCOMPARE(db.snapshot(), before);

        HttpClient again(server.baseUrl());
        QVERIFY(!again.login(DemoData::agent1).isEmpty());
        const QJsonObject booking = DemoData::booking(again, id);
        QCOMPARE(booking.value(QStringLiteral("status")).toString(), QStringLiteral("confirmed"));
        QCOMPARE(booking.value(QStringLiteral("version")).toInteger(), version);
        HttpClient admin(server.baseUrl());
        QVERIFY(!admin.login(DemoData::admin).isEmpty());
        QCOMPARE(DemoData::bookings(admin).size(), 60);
    }

    void demoBookingsSizesTheSeed_data()
    {
        QTest::addColumn<int>("count");
        QTest::newRow("2") << 2;
        QTest::newRow("7") << 7;
        QTest::newRow("250") << 250;
    }
    void demoBookingsSizesTheSeed()
    {
        QFETCH(int, count);
        ServerProcess::Options options;
        options.demoBookings = count;
        ServerProcess server(options);
        QVERIFY(server.start());
        DbInspector db(server.databasePath());
        QCOMPARE(db.scalar(QStringLiteral("SELECT COUNT(*) FROM bookings")), count);
        // Split between the two agents.
        HttpClient agent1(server.baseUrl());
        HttpClient agent2(server.baseUrl());
        QVERIFY(!agent1.login(DemoData::agent1).isEmpty());
        QVERIFY(!agent2.login(DemoData::agent2).isEmpty());
        const auto mine = DemoData::bookings(agent1).size();
        const auto theirs = DemoData::bookings(agent2).size();
        QCOMPARE(mine + theirs, count);
        QCOMPARE(mine, (count + 1) / 2);
    }

    void withoutDemoTheDatabaseIsEmpty()
    {
        ServerProcess::Options options;
        options.demo = false;
        ServerProcess server(options);
        QVERIFY(server.start());
        DbInspector db(server.databasePath());
        QCOMPARE(db.scalar(QStringLiteral("SELECT COUNT(*) FROM organisations")), 0);
        QCOMPARE(db.scalar(QStringLiteral("SELECT COUNT(*) FROM bookings")), 0);
        HttpClient c(server.baseUrl());
        QVERIFY(c.login(DemoData::agent1).isEmpty());
        QCOMPARE(c.lastLogin().value(QStringLiteral("code")).toString(),
            QStringLiteral("invalid_credentials"));
    }
};

QTEST_GUILESS_MAIN(TestServerCli)
#include "tst_server_cli.moc"
