// The official @supabase/realtime-js client (tests/interop/realtime-scaleout.cjs) against two
// syncloopd instances on one PostgreSQL and nginx in front of them (issue 11): a subscriber on
// instance B hears confirms and broadcasts made through instance A, in order; and through the
// balancer. Runs only on PostgreSQL (label postgres).
#include "nginxprocess.h"
#include "serverprocess.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

class TestInteropScaleOut : public QObject
{
    Q_OBJECT
private slots:
    void realtimeJsAcrossInstances()
    {
        QVERIFY2(TestDatabase::usePostgres(),
            "runs on PostgreSQL only (SYNCLOOP_TEST_DATABASE=postgres)");
        const QDir dir(QStringLiteral(SYNCLOOP_INTEROP_DIR));
        QVERIFY2(QFileInfo::exists(dir.filePath(
                     QStringLiteral("node_modules/@supabase/realtime-js/package.json"))),
            "run `npm ci` in tests/interop (packaging/run-tests.sh does)");
        const QString node = QStandardPaths::findExecutable(QStringLiteral("node"));
        QVERIFY2(!node.isEmpty(), "Node.js 20 is needed for the interop test");

        ServerProcess::Options options;
        options.demoBookings = 200;
        options.jwtSecret = QByteArrayLiteral("interop-scaleout-secret-0123456789abcdef");
        ServerProcess a(options);
        QVERIFY(a.start());
        options.sharedDatabase = a.databasePath();
        ServerProcess b(options);
        QVERIFY(b.start());
        NginxProcess nginx;
        QVERIFY(nginx.start({ a.port(), b.port() }));

        QProcess script;
        script.setWorkingDirectory(dir.path());
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("SYNCLOOP_URL_A"), a.baseUrl().toString());
        env.insert(QStringLiteral("SYNCLOOP_URL_B"), b.baseUrl().toString());
        env.insert(QStringLiteral("SYNCLOOP_URL_LB"), nginx.baseUrl().toString());
        script.setProcessEnvironment(env);
        QSignalSpy finished(&script, &QProcess::finished);
        script.start(node, { QStringLiteral("realtime-scaleout.cjs") });
        QVERIFY(script.waitForStarted());
        QVERIFY2(!finished.isEmpty() || finished.wait(120000), "the interop script did not finish");
        const QString output = QString::fromUtf8(script.readAllStandardOutput());
        if (script.exitCode() != 0)
            qWarning().noquote() << "stdout:\n"
                                 << output << "\nstderr:\n"
                                 << script.readAllStandardError();
        QCOMPARE(script.exitCode(), 0);
        for (const char *scenario :
            { "PASS changes on B from A vsn=1.0.0", "PASS changes on B from A vsn=2.0.0",
                "PASS changes through nginx", "PASS broadcast A to B vsn=1.0.0",
                "PASS broadcast A to B vsn=2.0.0", "ALL PASSED" })
            QVERIFY2(output.contains(QLatin1String(scenario)), scenario);
    }
};

QTEST_GUILESS_MAIN(TestInteropScaleOut)
#include "tst_interop_scaleout.moc"
