// syncloopd's exit after SIGTERM: every thread closes its own database connections before it
// ends, so nothing is left for thread-exit destructors that would run after QThread::wait()
// returned and race ~QCoreApplication (issue 10, point 7: SIGSEGV/SIGABRT at exit).
#include "auth/passwordhasher.h"
#include "httpclient.h"
#include "serveroptions.h"
#include "serverprocess.h"
#include "storage/database.h"
#include "storage/walcheckpointer.h"
#include "syncserver.h"

#include <QSemaphore>
#include <QSqlDatabase>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QThreadPool>
#include <atomic>
#include <sched.h>

namespace {

QStringList connectionsOf(const QString &threadSuffix)
{
    QStringList names;
    const QStringList all = QSqlDatabase::connectionNames();
    for (const QString &name : all) {
        if (name.endsWith(threadSuffix))
            names << name;
    }
    return names;
}

QString threadSuffix(Qt::HANDLE thread)
{
    // Database names a connection syncloop-<instance>-<thread id in hex>.
    return QStringLiteral("-%1").arg(quintptr(thread), 0, 16);
}

} // namespace

class TestServerExit : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { QVERIFY(PasswordHasher::initialise()); }

    // The checkpointer's connection is gone when its thread reports finished, i.e. before
    // wait() returns, not later in a thread_local destructor.
    void checkpointerClosesItsConnectionBeforeItEnds()
    {
        QTemporaryDir dir;
        DatabaseConfig config;
        config.sqlitePath = dir.filePath(QStringLiteral("test.sqlite"));
        config.checkpointInBackground = true;
        QStringList atFinish { QStringLiteral("not finished") };
        {
            Database db(config);
            QString error;
            QVERIFY2(db.open(&error), qPrintable(error));
            WalCheckpointer checkpointer(db, 5);
            std::atomic<Qt::HANDLE> checkpointerThread {
                nullptr
            }; // written on its thread, polled here
            connect(
                &checkpointer, &QThread::started, &checkpointer,
                [&checkpointerThread] { checkpointerThread = QThread::currentThreadId(); },
                Qt::DirectConnection);
            connect(
                &checkpointer, &QThread::finished, &checkpointer,
                [&] { atFinish = connectionsOf(threadSuffix(checkpointerThread.load())); },
                Qt::DirectConnection);
            checkpointer.start();
            // It has checkpointed (so opened its connection) once its connection is listed.
            QTRY_VERIFY_WITH_TIMEOUT(checkpointerThread.load()
                    && !connectionsOf(threadSuffix(checkpointerThread.load())).isEmpty(),
                10000);
            checkpointer.stop();
            QCOMPARE(atFinish, QStringList());
        }
        // The test thread's own connection (from open()) went with its Database.
        QCOMPARE(QSqlDatabase::connectionNames(), QStringList());
    }

    // Pool threads close theirs in a last job, while the pool still has them: waitForDone()
    // would join them and leave the closing to thread-exit destructors.
    void poolThreadsCloseTheirConnectionsBeforeTheyAreJoined()
    {
        QTemporaryDir dir;
        DatabaseConfig config;
        config.sqlitePath = dir.filePath(QStringLiteral("test.sqlite"));
        Database db(config);
        QString error;
        QVERIFY2(db.open(&error), qPrintable(error));
        QThreadPool pool;
        pool.setMaxThreadCount(3);
        pool.setExpiryTimeout(-1);
        QSemaphore opened;
        QSemaphore proceed;
        for (int i = 0; i < 3; ++i) {
            pool.start([&] {
                db.connection();
                opened.release();
                proceed.acquire(); // three jobs on three threads
            });
        }
        opened.acquire(3);
        proceed.release(3);
        QTRY_COMPARE(pool.activeThreadCount(), 0);
        QCOMPARE(QSqlDatabase::connectionNames().size(), 4); // this thread's and the pool's three

        Database::closePoolConnections(pool);
        // Nothing has joined the pool's threads yet: only their own jobs can have closed these.
        QCOMPARE(QSqlDatabase::connectionNames(), QStringList { db.connection().connectionName() });
        pool.waitForDone();
    }

    // A whole server in this process: after a login (a worker thread), reads (an event loop),
    // the outbox and the checkpointer, destroying it leaves no connection for ~QCoreApplication.
    void serverLeavesNoConnectionBehind()
    {
        QTemporaryDir dir;
        ServerOptions options;
        options.port = 0;
        options.dataDir = dir.path();
        options.demo = true;
        const auto database = DatabaseConfig::parse({}, dir.path(), nullptr);
        QVERIFY(database);
        options.database = *database;
        {
            SyncServer server(options);
            QString error;
            QVERIFY2(server.start(&error), qPrintable(error));
            HttpClient client(QUrl(server.baseUrl()));
            QVERIFY(!client.login(QStringLiteral("agent1@example.com")).isEmpty());
            QCOMPARE(client.get(QStringLiteral("/api/bookings")).status, 200);
            QCOMPARE(client.get(QStringLiteral("/api/changes?since=0")).status, 200);
            QVERIFY(!QSqlDatabase::connectionNames().isEmpty());
        }
        QCOMPARE(QSqlDatabase::connectionNames(), QStringList());
    }

    // The reported reproduction: pinned to one CPU, start, log in, two reads, SIGTERM; every
    // exit must be clean. (The test process pins itself; the servers inherit its affinity.)
    void hundredStartStopCyclesOnOneCpu()
    {
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(0, &one);
        cpu_set_t before;
        QCOMPARE(sched_getaffinity(0, sizeof before, &before), 0);
        QCOMPARE(sched_setaffinity(0, sizeof one, &one), 0);
        const auto restore
            = qScopeGuard([&before] { sched_setaffinity(0, sizeof before, &before); });

        constexpr int cycles = 100;
        QStringList failures;
        for (int i = 0; i < cycles; ++i) {
            ServerProcess server;
            QVERIFY2(server.start(), qPrintable(server.output()));
            HttpClient client(server.baseUrl());
            QVERIFY(!client.login(QStringLiteral("agent1@example.com")).isEmpty());
            QCOMPARE(client.get(QStringLiteral("/api/bookings")).status, 200);
            QCOMPARE(client.get(QStringLiteral("/api/changes?since=0")).status, 200);
            server.terminate();
            const ServerProcessExit exit = server.lastExit();
            if (!exit.finished || exit.status != QProcess::NormalExit || exit.code != 0) {
                failures << QStringLiteral("cycle %1: finished=%2 status=%3 code=%4\n%5")
                                .arg(i)
                                .arg(exit.finished)
                                .arg(exit.status == QProcess::NormalExit ? QStringLiteral("normal")
                                                                         : QStringLiteral("crash"))
                                .arg(exit.code)
                                .arg(server.output().right(2000));
            }
        }
        QVERIFY2(failures.isEmpty(),
            qPrintable(
                QStringLiteral("%1 of %2 exits not clean:\n").arg(failures.size()).arg(cycles)
                + failures.join(QLatin1Char('\n'))));
    }
};

QTEST_GUILESS_MAIN(TestServerExit)
#include "tst_server_exit.moc"
