// Runs the official @supabase/realtime-js client (tests/interop/realtime-interop.cjs, Node 20,
// dependencies pinned by package-lock.json and installed with `npm ci`) against a real syncloopd,
// and restarts the server when the script asks for it.
#include "serverprocess.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

class TestInterop : public QObject
{
    Q_OBJECT
private slots:
    void realtimeJsAgainstSyncloopd()
    {
        const QDir dir(QStringLiteral(SYNCLOOP_INTEROP_DIR));
        QVERIFY2(QFileInfo::exists(dir.filePath(
                     QStringLiteral("node_modules/@supabase/realtime-js/package.json"))),
            "run `npm ci` in tests/interop (packaging/run-tests.sh does)");
        const QString node = QStandardPaths::findExecutable(QStringLiteral("node"));
        QVERIFY2(!node.isEmpty(), "Node.js 20 is needed for the interop test");

        ServerProcess server;
        QVERIFY(server.start());

        QProcess script;
        script.setWorkingDirectory(dir.path());
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("SYNCLOOP_URL"), server.baseUrl().toString());
        script.setProcessEnvironment(env);
        QString output;
        int restarts = 0;
        QObject::connect(&script, &QProcess::readyReadStandardOutput, &script, [&] {
            while (script.canReadLine()) {
                const QString line = QString::fromUtf8(script.readLine()).trimmed();
                output += line + QLatin1Char('\n');
                if (line == QLatin1String("RESTART")) {
                    ++restarts;
                    const bool restarted = server.restart(true);
                    script.write(restarted ? "RESTARTED\n" : "FAILED\n");
                }
            }
        });
        QSignalSpy finished(&script, &QProcess::finished);
        script.start(node, { QStringLiteral("realtime-interop.cjs") });
        QVERIFY(script.waitForStarted());
        QVERIFY2(!finished.isEmpty() || finished.wait(180000), "the interop script did not finish");
        const QString errors = QString::fromUtf8(script.readAllStandardError());
        if (script.exitCode() != 0)
            qWarning().noquote() << "interop script stdout:\n" << output << "\nstderr:\n" << errors;
        QCOMPARE(script.exitCode(), 0);
        for (const char *scenario :
            { "PASS postgres_changes vsn=1.0.0", "PASS postgres_changes vsn=2.0.0",
                "PASS broadcast vsn=1.0.0", "PASS broadcast vsn=2.0.0",
                "PASS resubscribed after server restart", "ALL PASSED" })
            QVERIFY2(output.contains(QLatin1String(scenario)), scenario);
        QCOMPARE(restarts, 1);
    }
};

QTEST_GUILESS_MAIN(TestInterop)
#include "tst_interop.moc"
