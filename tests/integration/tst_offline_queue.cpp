// The offline queue end to end, through the real syncloopctl and a real syncloopd: mutations
// queued while the server is down are sent when it is back, each exactly once and with the key
// minted when it was queued — also when syncloopctl is killed with SIGKILL in the middle of
// draining, and when the server is killed and restarted in the middle of it. The effect is
// read from the server's database: one version bump and one change-log row per booking, and
// exactly the queued keys in its idempotency records.
#include "dbinspector.h"
#include "demodata.h"
#include "faultproxy.h"
#include "httpclient.h"
#include "mutation.h"
#include "mutationhandle.h"
#include "offlinequeue.h"
#include "serverprocess.h"
#include "syncsession.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QJsonDocument>
#include <QMap>
#include <QPointer>
#include <QProcess>
#include <QSet>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUuid>
#include <algorithm>
#include <memory>

namespace {

const QString password = QStringLiteral("syncloop-demo");
const QString confirmPath = QStringLiteral("/api/bookings/confirm");

struct CtlResult
{
    int exitCode = -1;
    QProcess::ExitStatus exitStatus = QProcess::CrashExit;
    QByteArray out;
    QByteArray err;

    QString describe() const
    {
        return QStringLiteral("exit %1 (%2)\nstdout: %3\nstderr: %4")
            .arg(exitCode)
            .arg(exitStatus == QProcess::NormalExit ? QStringLiteral("normal")
                                                    : QStringLiteral("crashed"))
            .arg(QString::fromUtf8(out.right(2000)), QString::fromUtf8(err.right(2000)));
    }
    QList<QJsonObject> jsonLines() const
    {
        QList<QJsonObject> lines;
        for (const QByteArray &line : out.split('\n')) {
            if (!line.trimmed().isEmpty())
                lines.append(QJsonDocument::fromJson(line).object());
        }
        return lines;
    }
};

// syncloopctl as a user runs it, in a home of its own: HOME and the XDG directories point into
// a temporary directory, the session stays in memory (--no-keychain) and the password comes on
// stdin. The offline queue lives in dataDir().
class Ctl
{
public:
    explicit Ctl(QUrl server)
        : m_server(std::move(server))
    { }

    bool isValid() const { return m_home.isValid(); }
    QString dataDir() const { return m_home.filePath(QStringLiteral("data")); }
    QString queuePath() const { return QDir(dataDir()).filePath(QStringLiteral("queue.sqlite")); }

    // Starts `command` signed in as `email` (the password is written to stdin).
    std::unique_ptr<QProcess> start(
        const QStringList &command, const QString &email = DemoData::admin) const
    {
        auto process = std::make_unique<QProcess>();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), m_home.path());
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_home.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), m_home.filePath(QStringLiteral("share")));
        env.insert(QStringLiteral("XDG_CACHE_HOME"), m_home.filePath(QStringLiteral("cache")));
        process->setProcessEnvironment(env);
        const QStringList args = QStringList { QStringLiteral("--server"), m_server.toString(),
            QStringLiteral("--data-dir"), dataDir(), QStringLiteral("--email"), email,
            QStringLiteral("--password-stdin"), QStringLiteral("--no-keychain"),
            QStringLiteral("--json"), QStringLiteral("--timeout"), QStringLiteral("120s") }
            + command;
        process->start(QStringLiteral(SYNCLOOPCTL_PATH), args);
        if (process->waitForStarted(10000)) {
            process->write(password.toUtf8() + '\n');
            process->closeWriteChannel();
        }
        return process;
    }

    static CtlResult wait(QProcess &process, int timeoutMs = 150000)
    {
        QSignalSpy finished(&process, &QProcess::finished);
        if (process.state() != QProcess::NotRunning && !finished.wait(timeoutMs)) {
            process.kill();
            process.waitForFinished(5000);
        }
        CtlResult r;
        r.exitCode = process.exitCode();
        r.exitStatus = process.exitStatus();
        r.out = process.readAllStandardOutput();
        r.err = process.readAllStandardError();
        return r;
    }

    CtlResult run(const QStringList &command, int timeoutMs = 150000) const
    {
        auto process = start(command);
        return wait(*process, timeoutMs);
    }

private:
    QUrl m_server;
    QTemporaryDir m_home;
};

struct Pending
{
    QString id;
    qint64 version = 0;
};

// Writes mutations straight into the queue syncloopctl will open, as if they had been queued
// by earlier runs while offline: no user yet (whoever signs in sends them), each with its key.
QHash<QString, QString> queueConfirms(
    const QString &queuePath, const QList<Pending> &bookings, QString *error)
{
    QHash<QString, QString> keyOf; // booking id -> key
    OfflineQueue queue(queuePath);
    if (!queue.open(error))
        return {};
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const Pending &b : bookings) {
        Mutation m;
        m.key = QUuid::createUuid().toString(QUuid::WithoutBraces);
        m.userId = QStringLiteral("");
        m.path = confirmPath;
        m.body = { { QStringLiteral("bookingId"), b.id } };
        m.entityTable = QStringLiteral("bookings");
        m.entityId = b.id;
        m.optimistic = { { QStringLiteral("status"), QStringLiteral("confirmed") } };
        m.createdAtMs = now;
        m.nextAttemptAtMs = now;
        m.state = Mutation::State::Queued;
        if (!queue.enqueue(m)) {
            *error = QStringLiteral("enqueue failed");
            return {};
        }
        keyOf.insert(b.id, m.key);
    }
    return keyOf;
}

} // namespace

class TestOfflineQueue : public QObject
{
    Q_OBJECT
private:
    // A demo server with at least `count` pending bookings; their ids and versions, as the admin
    // (who sees every booking) reads them, and the admin's user id.
    bool startServer(ServerProcess &server, int count, QList<Pending> *pending, QString *adminId)
    {
        if (!server.start())
            return false;
        HttpClient admin(server.baseUrl());
        if (admin.login(DemoData::admin).isEmpty())
            return false;
        *adminId = admin.lastLogin()
                       .value(QStringLiteral("user"))
                       .toObject()
                       .value(QStringLiteral("id"))
                       .toString();
        for (const QJsonObject &b : DemoData::bookings(admin)) {
            if (b.value(QStringLiteral("status")).toString() != QLatin1String("pending"))
                continue;
            pending->append({ b.value(QStringLiteral("id")).toString(),
                b.value(QStringLiteral("version")).toInteger() });
            if (pending->size() == count)
                break;
        }
        return pending->size() == count && !adminId->isEmpty();
    }

    // Every booking confirmed by exactly one execution, and the admin's idempotency records are
    // exactly the keys that were queued.
    void verifyExactlyOnce(const DbInspector &db, const QList<Pending> &bookings,
        const QHash<QString, QString> &keyOf, const QString &adminId)
    {
        QStringList problems;
        for (const Pending &b : bookings) {
            const QString status = db.bookingStatus(b.id);
            const qint64 version = db.bookingVersion(b.id);
            const qint64 updates = db.scalar(
                QStringLiteral("SELECT COUNT(*) FROM change_log WHERE record_id = ?"
                               " AND table_name = 'bookings' AND change_type = 'UPDATE'"),
                { b.id });
            const qint64 changes = db.changesFor(b.id);
            const qint64 records
                = db.scalar(QStringLiteral("SELECT COUNT(*) FROM idempotency_keys WHERE user_id = ?"
                                           " AND idem_key = ? AND response_status = 200"),
                    { adminId, keyOf.value(b.id) });
            if (status != QLatin1String("confirmed") || version != b.version + 1 || updates != 1
                || changes != 1 || records != 1)
                problems.append(QStringLiteral("%1: status %2, version %3 (was %4), %5 change-log "
                                               "rows (%6 updates), %7 key records")
                                    .arg(b.id, status)
                                    .arg(version)
                                    .arg(b.version)
                                    .arg(changes)
                                    .arg(updates)
                                    .arg(records));
        }
        QVERIFY2(problems.isEmpty(), qPrintable(problems.mid(0, 20).join(QLatin1Char('\n'))));

        QSet<QString> recorded;
        QSqlQuery q(db.database());
        q.prepare(QStringLiteral("SELECT idem_key FROM idempotency_keys WHERE user_id = ?"));
        q.addBindValue(adminId);
        QVERIFY(q.exec());
        while (q.next())
            recorded.insert(q.value(0).toString());
        const QList<QString> minted = keyOf.values();
        QCOMPARE(recorded.size(), qsizetype(bookings.size()));
        QCOMPARE(recorded, QSet<QString>(minted.cbegin(), minted.cend()));
        QCOMPARE(db.idempotencyRecords(), qint64(bookings.size())); // and nobody else's
        QCOMPARE(db.integrityCheck(), QStringLiteral("ok"));
    }

    static QString confirmedSql()
    {
        return QStringLiteral("SELECT COUNT(*) FROM bookings WHERE status = 'confirmed'");
    }

    enum class EarlierFailure { Offline, ServerBusy };

    // An earlier client run on ctl's queue, signed in as the admin through `proxy`: each
    // confirm was sent and failed — the network went away (Offline), or the server answered
    // 503 to every one (ServerBusy) — and waits for a retry a minute later. *keyOf: the keys.
    void failedEarlier(FaultProxy &proxy, const Ctl &ctl, const QList<Pending> &bookings,
        EarlierFailure failure, QHash<QString, QString> *keyOf)
    {
        SyncSession::Options so;
        so.server = proxy.url();
        so.queuePath = ctl.queuePath();
        so.credentials = CredentialStore::Backend::MemoryOnly;
        so.realtimeEnabled = false;
        so.engine.backoff = { 60000, 60000 }; // it stays waiting (mostly) while we look
        SyncSession session(so);
        QString error;
        QVERIFY2(session.open(&error), qPrintable(error));
        QSignalSpy signedIn(&session, &SyncSession::signedIn);
        session.signIn(DemoData::admin, password, SyncSession::Persistence::ThisRunOnly);
        QVERIFY(signedIn.wait(15000));
        if (failure == EarlierFailure::Offline) {
            proxy.setRefuseConnections(true);
            proxy.closeAll();
        } else {
            // Retry-After wins over a jittered backoff that could be short.
            proxy.answer(confirmPath, FaultProxy::always, 503, 3600, QStringLiteral("unavailable"));
        }
        QList<QPointer<MutationHandle>> handles;
        for (const Pending &b : bookings) {
            handles.append(session.confirmBooking(b.id));
            QVERIFY(handles.constLast());
            keyOf->insert(b.id, handles.constLast()->key());
        }
        QTRY_VERIFY_WITH_TIMEOUT(
            std::all_of(handles.cbegin(), handles.cend(),
                [failure](const auto &h) {
                    return h->state() == Mutation::State::Waiting
                        && (failure == EarlierFailure::Offline || h->attempts() == 1);
                }),
            15000);
        proxy.passAll();
    }

private slots:
    void initTestCase() { QVERIFY(QFile::exists(QStringLiteral(SYNCLOOPCTL_PATH))); }

    // (a) 100 confirms while the server is down: each is queued (exit 3) with its own key; when
    // the server is back on the same port, `queue retry-all` sends them, each exactly once, with
    // the keys minted at queue time.
    void queuedOfflineThenSentOnce()
    {
        constexpr int count = 100;
        ServerProcess::Options options;
        options.demoBookings = 400;
        ServerProcess server(options);
        QList<Pending> bookings;
        QString adminId;
        QVERIFY(startServer(server, count, &bookings, &adminId));
        const quint16 port = server.port();
        Ctl ctl(server.baseUrl());
        QVERIFY(ctl.isValid());
        // Changes are queued only for a user syncloopctl knows (issue 10): signed in here once.
        const CtlResult login = ctl.run({ QStringLiteral("login"), DemoData::admin });
        QVERIFY2(login.exitCode == 0, qPrintable(login.describe()));

        server.kill();
        for (const Pending &b : std::as_const(bookings)) {
            const CtlResult r
                = ctl.run({ QStringLiteral("bookings"), QStringLiteral("confirm"), b.id });
            QVERIFY2(
                r.exitStatus == QProcess::NormalExit && r.exitCode == 3, qPrintable(r.describe()));
            QVERIFY2(r.err.contains("queued offline"), qPrintable(r.describe()));
        }

        const CtlResult listed = ctl.run({ QStringLiteral("queue"), QStringLiteral("list") });
        QVERIFY2(listed.exitCode == 0, qPrintable(listed.describe()));
        const QList<QJsonObject> lines = listed.jsonLines();
        QCOMPARE(lines.size(), count);
        QHash<QString, QString> keyOf;
        for (const QJsonObject &line : lines) {
            QCOMPARE(line.value(QStringLiteral("state")).toString(), QStringLiteral("queued"));
            QCOMPARE(line.value(QStringLiteral("path")).toString(), confirmPath);
            const QString entity = line.value(QStringLiteral("entity")).toString();
            QVERIFY(entity.startsWith(QLatin1String("bookings:")));
            const QString key = line.value(QStringLiteral("key")).toString();
            QVERIFY(!key.isEmpty());
            keyOf.insert(entity.mid(9), key);
        }
        QCOMPARE(keyOf.size(), count);
        for (const Pending &b : std::as_const(bookings))
            QVERIFY2(keyOf.contains(b.id), qPrintable(b.id));
        const QList<QString> keys = keyOf.values();
        QCOMPARE(QSet<QString>(keys.cbegin(), keys.cend()).size(), qsizetype(count));

        QVERIFY(server.restart());
        QCOMPARE(server.port(), port);
        DbInspector db(server.databasePath());
        QCOMPARE(
            db.scalar(QStringLiteral("SELECT COUNT(*) FROM idempotency_keys WHERE user_id = ?"),
                { adminId }),
            0);

        const CtlResult sent = ctl.run({ QStringLiteral("queue"), QStringLiteral("retry-all") });
        QVERIFY2(sent.exitStatus == QProcess::NormalExit && sent.exitCode == 0,
            qPrintable(sent.describe()));
        const QJsonObject summary = sent.jsonLines().value(sent.jsonLines().size() - 1);
        QCOMPARE(summary.value(QStringLiteral("confirmed")).toInt(), count);
        QCOMPARE(summary.value(QStringLiteral("failed")).toInt(), 0);

        verifyExactlyOnce(db, bookings, keyOf, adminId);
        const CtlResult after = ctl.run({ QStringLiteral("queue"), QStringLiteral("list") });
        QVERIFY2(after.exitCode == 0 && after.jsonLines().isEmpty(), qPrintable(after.describe()));
    }

    // (b) syncloopctl killed with SIGKILL in the middle of draining 1,000 queued confirms: the
    // next `queue retry-all` sends what is left (a mutation caught mid-send goes again with its
    // key), and every one is applied exactly once; none is lost, the queue ends empty.
    void clientKilledMidDrainLosesNothing()
    {
        constexpr int count = 1000;
        ServerProcess::Options options;
        options.demoBookings = 2000;
        ServerProcess server(options);
        QList<Pending> bookings;
        QString adminId;
        QVERIFY(startServer(server, count, &bookings, &adminId));
        Ctl ctl(server.baseUrl());
        QVERIFY(ctl.isValid());

        // Queued while the server is down.
        server.kill();
        QString error;
        const QHash<QString, QString> keyOf = queueConfirms(ctl.queuePath(), bookings, &error);
        QVERIFY2(keyOf.size() == count, qPrintable(error));
        QVERIFY(server.restart());
        DbInspector db(server.databasePath());
        const qint64 confirmedBefore = db.scalar(confirmedSql());

        // Killed once 30-70 % are confirmed at the server.
        auto drain = ctl.start({ QStringLiteral("queue"), QStringLiteral("retry-all") });
        qint64 atKill = -1;
        QTimer poll;
        poll.setInterval(5);
        QObject::connect(&poll, &QTimer::timeout, [&] {
            const qint64 done = db.scalar(confirmedSql()) - confirmedBefore;
            if (done >= count * 2 / 5 && atKill < 0) {
                drain->kill();
                atKill = done;
                poll.stop();
            }
        });
        poll.start();
        QTRY_VERIFY_WITH_TIMEOUT(atKill >= 0 || drain->state() == QProcess::NotRunning, 120000);
        const CtlResult killed = Ctl::wait(*drain);
        QVERIFY2(atKill >= 0, qPrintable(killed.describe()));
        QCOMPARE(killed.exitStatus, QProcess::CrashExit);
        const qint64 afterKill = db.scalar(confirmedSql()) - confirmedBefore;
        qInfo("syncloopctl killed with %lld of %d confirmed at the server (%lld once it was dead)",
            atKill, count, afterKill);
        QVERIFY(atKill >= count * 3 / 10 && atKill <= count * 7 / 10);
        QVERIFY(afterKill < count);

        int left = 0, caughtSending = 0;
        {
            OfflineQueue queue(ctl.queuePath());
            QVERIFY2(queue.open(&error), qPrintable(error));
            for (const Mutation &m : queue.all()) {
                ++left;
                caughtSending += m.state == Mutation::State::Sending ? 1 : 0;
                QCOMPARE(m.key, keyOf.value(m.entityId)); // the key survives, unchanged
            }
        }
        qInfo("%d mutations left in the queue, %d of them caught mid-send", left, caughtSending);
        QVERIFY(left >= count - afterKill); // none lost: whatever the server lacks is still owed

        const CtlResult resumed = ctl.run({ QStringLiteral("queue"), QStringLiteral("retry-all") });
        QVERIFY2(resumed.exitStatus == QProcess::NormalExit && resumed.exitCode == 0,
            qPrintable(resumed.describe()));
        QCOMPARE(resumed.jsonLines()
                     .value(resumed.jsonLines().size() - 1)
                     .value(QStringLiteral("confirmed"))
                     .toInt(),
            left);

        QCOMPARE(db.scalar(confirmedSql()) - confirmedBefore, qint64(count));
        verifyExactlyOnce(db, bookings, keyOf, adminId);
        OfflineQueue queue(ctl.queuePath());
        QVERIFY2(queue.open(&error), qPrintable(error));
        QCOMPARE(queue.count(), 0);
    }

    // (c) The server killed with SIGKILL and restarted on the same port while `queue retry-all`
    // drains 1,000 confirms: the run either finishes or exits 3 (queued offline) and is run
    // again; either way every confirm is applied exactly once.
    void serverKilledMidDrainEverythingOnce()
    {
        constexpr int count = 1000;
        ServerProcess::Options options;
        options.demoBookings = 2000;
        ServerProcess server(options);
        QList<Pending> bookings;
        QString adminId;
        QVERIFY(startServer(server, count, &bookings, &adminId));
        const quint16 port = server.port();
        Ctl ctl(server.baseUrl());
        QVERIFY(ctl.isValid());
        QString error;
        const QHash<QString, QString> keyOf = queueConfirms(ctl.queuePath(), bookings, &error);
        QVERIFY2(keyOf.size() == count, qPrintable(error));
        DbInspector db(server.databasePath());
        const qint64 confirmedBefore = db.scalar(confirmedSql());

        auto drain = ctl.start({ QStringLiteral("queue"), QStringLiteral("retry-all") });
        qint64 atKill = -1;
        QTimer poll;
        poll.setInterval(5);
        QObject::connect(&poll, &QTimer::timeout, [&] {
            const qint64 done = db.scalar(confirmedSql()) - confirmedBefore;
            if (done >= count * 3 / 10 && atKill < 0) {
                server.kill();
                atKill = done;
                poll.stop();
            }
        });
        poll.start();
        QTRY_VERIFY_WITH_TIMEOUT(atKill >= 0 || drain->state() == QProcess::NotRunning, 120000);
        QVERIFY2(atKill >= 0, "syncloopctl finished before the server could be killed");
        qInfo("syncloopd killed with %lld of %d confirmed", atKill, count);
        QVERIFY(atKill < count);
        QVERIFY(server.restart());
        QCOMPARE(server.port(), port);

        QElapsedTimer took;
        took.start();
        CtlResult r = Ctl::wait(*drain);
        qInfo("the draining run ended with exit code %d, %lld ms after the restart", r.exitCode,
            took.elapsed());
        int runs = 1;
        while (r.exitStatus == QProcess::NormalExit && r.exitCode == 3 && runs < 4) {
            QMap<QString, int> states;
            for (const QJsonObject &line :
                ctl.run({ QStringLiteral("queue"), QStringLiteral("list") }).jsonLines())
                ++states[line.value(QStringLiteral("state")).toString() + QLatin1Char('/')
                    + line.value(QStringLiteral("last_error")).toString()];
            qInfo() << "run" << runs << "exited 3:" << r.err.trimmed()
                    << "; still queued:" << states;
            took.restart();
            r = ctl.run({ QStringLiteral("queue"), QStringLiteral("retry-all") });
            qInfo("run %d: exit code %d after %lld ms", runs + 1, r.exitCode, took.elapsed());
            ++runs;
        }
        QVERIFY2(r.exitStatus == QProcess::NormalExit && r.exitCode == 0, qPrintable(r.describe()));
        qInfo("done after %d run(s) of queue retry-all", runs);

        QCOMPARE(db.scalar(confirmedSql()) - confirmedBefore, qint64(count));
        verifyExactlyOnce(db, bookings, keyOf, adminId);
        OfflineQueue queue(ctl.queuePath());
        QVERIFY2(queue.open(&error), qPrintable(error));
        QCOMPARE(queue.count(), 0);
    }

    // A mutation that already failed offline in an earlier run (state waiting, last error
    // "cannot be reached") is sent by the next `queue retry-all` once the server is back; that
    // run must not report it as still offline before it has even tried.
    void retryAllSendsWhatFailedOfflineBefore()
    {
        constexpr int count = 3;
        ServerProcess::Options options;
        options.demoBookings = 60;
        ServerProcess server(options);
        QList<Pending> bookings;
        QString adminId;
        QVERIFY(startServer(server, count, &bookings, &adminId));
        Ctl ctl(server.baseUrl());
        QVERIFY(ctl.isValid());
        FaultProxy proxy;
        QVERIFY(proxy.listen(server.baseUrl()));
        QHash<QString, QString> keyOf;
        failedEarlier(proxy, ctl, bookings, EarlierFailure::Offline, &keyOf);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(keyOf.size(), count);
        const CtlResult listed = ctl.run({ QStringLiteral("queue"), QStringLiteral("list") });
        QCOMPARE(listed.jsonLines().size(), count);
        for (const QJsonObject &line : listed.jsonLines()) {
            QCOMPARE(line.value(QStringLiteral("state")).toString(), QStringLiteral("waiting"));
            QVERIFY(!line.value(QStringLiteral("last_error")).toString().isEmpty());
        }

        // The server is reachable (straight, no proxy): everything goes now.
        const CtlResult r = ctl.run({ QStringLiteral("queue"), QStringLiteral("retry-all") });
        QVERIFY2(r.exitStatus == QProcess::NormalExit && r.exitCode == 0, qPrintable(r.describe()));
        DbInspector db(server.databasePath());
        verifyExactlyOnce(db, bookings, keyOf, adminId);
        OfflineQueue queue(ctl.queuePath());
        QString error;
        QVERIFY2(queue.open(&error), qPrintable(error));
        QCOMPARE(queue.count(), 0);
    }

    // "Retry all" means now: 60 mutations that each already had an attempt all go at once (at
    // the engine's parallelism), not 20 and then two a second behind the retry budget.
    void retryAllIsNotHeldBackByTheRetryBudget()
    {
        constexpr int count = 60;
        ServerProcess::Options options;
        options.demoBookings = 200;
        ServerProcess server(options);
        QList<Pending> bookings;
        QString adminId;
        QVERIFY(startServer(server, count, &bookings, &adminId));
        FaultProxy proxy;
        QVERIFY(proxy.listen(server.baseUrl()));
        Ctl ctl(proxy.url());
        QVERIFY(ctl.isValid());
        QHash<QString, QString> keyOf;
        failedEarlier(proxy, ctl, bookings, EarlierFailure::ServerBusy, &keyOf);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(keyOf.size(), count);
        QCOMPARE(proxy.requestCount(confirmPath), count); // one attempt each
        proxy.clearLog();

        const CtlResult r = ctl.run({ QStringLiteral("queue"), QStringLiteral("retry-all") });
        QVERIFY2(r.exitStatus == QProcess::NormalExit && r.exitCode == 0, qPrintable(r.describe()));
        const QList<FaultProxy::Exchange> sent = proxy.exchanges(confirmPath);
        QCOMPARE(sent.size(), count);
        const qint64 spread = sent.constLast().receivedAtMs - sent.constFirst().receivedAtMs;
        qInfo("retry-all sent %d retries within %lld ms", count, spread);
        QVERIFY2(spread < 5000,
            qPrintable(QStringLiteral("the retries trickled in over %1 ms").arg(spread)));
        DbInspector db(server.databasePath());
        verifyExactlyOnce(db, bookings, keyOf, adminId);
    }
};

QTEST_GUILESS_MAIN(TestOfflineQueue)
#include "tst_offline_queue.moc"
