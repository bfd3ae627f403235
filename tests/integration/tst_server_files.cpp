// The files syncloopd keeps (issue 10, point 6): what it creates is its owner's alone from
// creation (data directory 0700; database, WAL, SHM, JWT secret, SMS log 0600) whatever the
// umask it was started with; a secret file that group or others can access is refused (exit 1)
// before anything is created; the PostgreSQL password never comes from the command line.
#include "demodata.h"
#include "httpclient.h"
#include "serverprocess.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <sys/stat.h>

namespace {

struct Run
{
    bool finished = false;
    QProcess::ExitStatus exitStatus = QProcess::CrashExit;
    int exitCode = -1;
    QString out;
    QString err;
};

// Runs syncloopd expecting it to exit on its own.
Run runServer(const QStringList &arguments)
{
    QProcess process;
    QSignalSpy finished(&process, &QProcess::finished);
    process.start(ServerProcess::executable(), arguments);
    Run run;
    if (!process.waitForStarted(10000))
        return run;
    run.finished = finished.wait(15000) || process.state() == QProcess::NotRunning;
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

// Permission bits of a path, -1 when it does not exist.
int modeOf(const QString &path)
{
    struct stat st
    {
    };
    return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? int(st.st_mode & 07777) : -1;
}

QString octal(int mode)
{
    return QStringLiteral("%1").arg(mode, 4, 8, QLatin1Char('0'));
}

bool writeFile(const QString &path, const QByteArray &contents, int mode)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(contents) != contents.size())
        return false;
    file.close();
    return ::chmod(QFile::encodeName(path).constData(), mode_t(mode)) == 0;
}

const QByteArray secret = "files-test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

// The umask of this process (and so of the servers it starts) for one scope.
class UmaskScope
{
public:
    explicit UmaskScope(mode_t mask)
        : m_previous(::umask(mask))
    { }
    ~UmaskScope() { ::umask(m_previous); }
    Q_DISABLE_COPY_MOVE(UmaskScope)

private:
    mode_t m_previous;
};

} // namespace

class TestServerFiles : public QObject
{
    Q_OBJECT
private slots:
    // Started with umask 0, which would make anything created with default modes 0666/0777.
    void filesArePrivateFromCreation()
    {
        QTemporaryDir parent;
        const QString dataDir = parent.filePath(QStringLiteral("var/syncloop"));
        const UmaskScope openUmask(0);
        ServerProcess::Options options;
        options.dataDir = dataDir;
        ServerProcess server(options);
        QVERIFY(server.start());
        HttpClient client(server.baseUrl());
        QVERIFY(!client.login(DemoData::agent1).isEmpty()); // a write: the WAL has frames
        const QString lead = DemoData::leads(client).first().value(QStringLiteral("id")).toString();
        QCOMPARE(client
                     .postJson(QStringLiteral("/api/leads/send-sms"),
                         { { QStringLiteral("leadId"), lead },
                             { QStringLiteral("message"), QStringLiteral("hi") } },
                         HttpClient::newKey())
                     .status,
            202);
        const QString smsLog = QDir(dataDir).filePath(QStringLiteral("loopback-sms.jsonl"));
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(smsLog), 10000);

        QCOMPARE(octal(modeOf(dataDir)), octal(0700));
        const QString database = server.databasePath();
        const QStringList files { database, database + QStringLiteral("-wal"),
            database + QStringLiteral("-shm"), server.jwtSecretPath(), smsLog };
        for (const QString &file : files)
            QVERIFY2(modeOf(file) == 0600,
                qPrintable(file + QStringLiteral(": ") + octal(modeOf(file))));
        server.terminate();
        QCOMPARE(server.lastExit().code, 0);
    }

    void tooOpenSecretIsRefused_data()
    {
        QTest::addColumn<int>("mode");
        QTest::addColumn<bool>(
            "inDataDir"); // the default secret in the data directory, or --jwt-secret-file
        QTest::newRow("0644 --jwt-secret-file") << 0644 << false;
        QTest::newRow("0640 --jwt-secret-file") << 0640 << false;
        QTest::newRow("0604 --jwt-secret-file") << 0604 << false;
        QTest::newRow("0620 --jwt-secret-file") << 0620 << false;
        QTest::newRow("0644 in the data directory") << 0644 << true;
    }
    void tooOpenSecretIsRefused()
    {
        QFETCH(int, mode);
        QFETCH(bool, inDataDir);
        QTemporaryDir parent;
        QString dataDir = parent.filePath(QStringLiteral("data"));
        QStringList arguments;
        QString secretPath;
        if (inDataDir) {
            QVERIFY(QDir().mkpath(dataDir));
            secretPath = QDir(dataDir).filePath(QStringLiteral("jwt-secret"));
        } else {
            secretPath = parent.filePath(QStringLiteral("jwt-secret"));
            arguments << QStringLiteral("--jwt-secret-file") << secretPath;
        }
        QVERIFY(writeFile(secretPath, secret, mode));

        const Run run = runServer(arguments
            + QStringList { QStringLiteral("--data-dir"), dataDir, QStringLiteral("--demo"),
                QStringLiteral("--port"), QStringLiteral("0") });
        QVERIFY2(run.finished, "syncloopd started with a secret others can read");
        QCOMPARE(run.exitStatus, QProcess::NormalExit);
        QCOMPARE(run.exitCode, 1);
        QCOMPARE(run.out, QString()); // never listened
        QVERIFY2(run.err.contains(secretPath) && run.err.contains(QLatin1String("group or others"))
                && run.err.contains(QLatin1String("chmod 600")),
            qPrintable(run.err));
        QVERIFY2(!run.err.contains(QString::fromLatin1(secret)), "the secret itself was printed");
        // Nothing was created, and the file was left as it was.
        if (inDataDir)
            QCOMPARE(QDir(dataDir).entryList(QDir::NoDotAndDotDot | QDir::AllEntries),
                QStringList { QStringLiteral("jwt-secret") });
        else
            QVERIFY(!QFile::exists(dataDir));
        QCOMPARE(octal(modeOf(secretPath)), octal(mode));
    }

    void ownerOnlySecretIsUsed_data()
    {
        QTest::addColumn<int>("mode");
        QTest::newRow("0600") << 0600;
        QTest::newRow("0400") << 0400;
    }
    void ownerOnlySecretIsUsed()
    {
        QFETCH(int, mode);
        QTemporaryDir parent;
        const QString secretPath = parent.filePath(QStringLiteral("jwt-secret"));
        QVERIFY(writeFile(secretPath, secret, mode));
        ServerProcess::Options options;
        options.extraArgs = QStringList { QStringLiteral("--jwt-secret-file"), secretPath };
        ServerProcess server(options);
        QVERIFY2(server.start(), qPrintable(server.output()));
        HttpClient client(server.baseUrl());
        QVERIFY(!client.login(DemoData::agent1).isEmpty());
        QVERIFY(!QFile::exists(server.jwtSecretPath())); // it used ours
    }

    // A data directory the operator made is theirs to set; a loose one is worth a warning.
    void looseExistingDataDirectoryIsWarnedAbout()
    {
        QTemporaryDir dataDir;
        QVERIFY(::chmod(QFile::encodeName(dataDir.path()).constData(), 0755) == 0);
        ServerProcess::Options options;
        options.dataDir = dataDir.path();
        ServerProcess server(options);
        QVERIFY(server.start());
        QTRY_VERIFY(server.output().contains(QLatin1String("is accessible by group or others")));
        QCOMPARE(octal(modeOf(dataDir.path())), octal(0755));
    }

    void passwordInTheDatabaseUrlIsRefused()
    {
        QTemporaryDir dataDir;
        const Run run = runServer({ QStringLiteral("--data-dir"), dataDir.path(),
            QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--database"),
            QStringLiteral("postgres://sync:hunter2-in-url@127.0.0.1:5432/syncloop") });
        QVERIFY(run.finished);
        QCOMPARE(run.exitStatus, QProcess::NormalExit);
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(run.out, QString());
        QVERIFY2(run.err.contains(QLatin1String("--database-password-file"))
                && run.err.contains(QLatin1String("PGPASSFILE")),
            qPrintable(run.err));
        QVERIFY2(!run.err.contains(QLatin1String("hunter2")), qPrintable(run.err));
        QVERIFY(QDir(dataDir.path()).entryList(QDir::NoDotAndDotDot | QDir::AllEntries).isEmpty());
    }

    void databasePasswordFileProblems_data()
    {
        QTest::addColumn<QString>("database"); // %1: a closed port
        QTest::addColumn<int>("fileMode"); // -1: no file
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("mentions");
        const QString postgres = QStringLiteral("postgres://sync@127.0.0.1:%1/syncloop");
        QTest::newRow("with sqlite")
            << QStringLiteral("sqlite:x.sqlite") << 0600 << 2 << QStringLiteral("postgres://");
        QTest::newRow("missing") << postgres << -1 << 1
                                 << QStringLiteral("cannot read database password file");
        QTest::newRow("0644") << postgres << 0644 << 1 << QStringLiteral("chmod 600");
        QTest::newRow("0640") << postgres << 0640 << 1 << QStringLiteral("chmod 600");
        // A usable file: the password goes to the connection and nowhere else.
        QTest::newRow("0600, database down")
            << postgres << 0600 << 1 << QStringLiteral("postgres://sync@127.0.0.1:");
    }
    void databasePasswordFileProblems()
    {
        QFETCH(QString, database);
        QFETCH(int, fileMode);
        QFETCH(int, exitCode);
        QFETCH(QString, mentions);
        quint16 closedPort = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            closedPort = probe.serverPort();
        }
        QTemporaryDir parent;
        const QString dataDir = parent.filePath(QStringLiteral("data"));
        const QString passwordFile = parent.filePath(QStringLiteral("pgpass-line"));
        const QByteArray password = "hunter2-in-file";
        if (fileMode >= 0)
            QVERIFY(writeFile(passwordFile, password + '\n', fileMode));
        const Run run = runServer({ QStringLiteral("--data-dir"), dataDir, QStringLiteral("--port"),
            QStringLiteral("0"), QStringLiteral("--database"),
            database.contains(QLatin1String("%1")) ? database.arg(closedPort) : database,
            QStringLiteral("--database-password-file"), passwordFile });
        QVERIFY(run.finished);
        QCOMPARE(run.exitStatus, QProcess::NormalExit);
        QCOMPARE(run.exitCode, exitCode);
        QCOMPARE(run.out, QString());
        QVERIFY2(run.err.contains(mentions), qPrintable(run.err));
        QVERIFY2(!run.err.contains(QLatin1String("hunter2")), qPrintable(run.err));
        if (fileMode != 0600)
            QVERIFY(!QFile::exists(dataDir)); // refused before anything was made
    }
};

QTEST_GUILESS_MAIN(TestServerFiles)
#include "tst_server_files.moc"
