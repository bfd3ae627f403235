#pragma once

#include <QObject>
#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>
#include <memory>

// How the last terminate() ended: a clean exit is finished, NormalExit and code 0.
struct ServerProcessExit
{
    bool finished = false; // on its own within the timeout (not killed)
    QProcess::ExitStatus status = QProcess::CrashExit;
    int code = -1;
};

struct ServerProcessOptions
{
    bool demo = true;
    int demoBookings = 60;
    QStringList extraArgs;
    QString dataDir; // empty: a fresh temporary directory
    QByteArray jwtSecret; // non-empty: the server signs with it (--jwt-secret-file), so tests can
                          // mint tokens
    // A postgres:// URL: run on that database (another ServerProcess's databasePath(), so that
    // several instances share it); its owner drops it. Empty: a database of its own.
    QString sharedDatabase;
};

// The database a test's servers use, chosen by the environment ctest sets, so that each
// integration test is written once and runs on both: SQLite (the default, a file in the data
// directory) or, with SYNCLOOP_TEST_DATABASE=postgres, a fresh PostgreSQL database created on
// the cluster named by SYNCLOOP_TEST_POSTGRES (a URL) or by the file SYNCLOOP_TEST_POSTGRES_FILE
// holds (tests/postgres/pgcluster.sh writes it), and dropped again at the end.
class TestDatabase
{
public:
    static bool usePostgres();
    // A new empty database on the test cluster; its postgres:// URL. Fails the process if the
    // cluster is not reachable: a postgres test never silently runs on SQLite.
    static QString createPostgres();
    static void dropPostgres(const QString &url);
};

// A real syncloopd, started on 127.0.0.1 port 0 with its own temporary data directory.
// start() waits (on the event loop) for the "listening on" line and reads the address from it.
class ServerProcess : public QObject
{
    Q_OBJECT
public:
    using Options = ServerProcessOptions;

    explicit ServerProcess(Options options = {}, QObject *parent = nullptr);
    ~ServerProcess() override;

    bool start(int timeoutMs = 20000);
    // Starts again on the same data directory; `samePort` keeps the address clients know.
    bool restart(bool samePort = true, int timeoutMs = 20000);
    void kill(); // SIGKILL: no cleanup at all, as in a crash
    void terminate(); // SIGTERM and wait for a clean exit
    ServerProcessExit lastExit() const { return m_lastExit; }
    bool isRunning() const;

    QUrl baseUrl() const { return m_baseUrl; }
    quint16 port() const { return quint16(m_baseUrl.port()); }
    QString dataDir() const { return m_dataDir; }
    // Where the data lives: the SQLite file, or the postgres:// URL of this server's own
    // database (DbInspector opens either).
    QString databasePath() const;
    bool isPostgres() const { return !m_postgresUrl.isEmpty(); }
    QString jwtSecretPath() const; // the secret the server makes itself when none is given
    QString output() const { return m_stderr; }
    qint64 processId() const { return m_process ? m_process->processId() : 0; }
    QStringList arguments() const;

    static QString executable();

private:
    bool launch(const QStringList &arguments, int timeoutMs);

    Options m_options;
    std::unique_ptr<QTemporaryDir> m_tempDir;
    QTemporaryDir m_secretDir; // outside the data directory: the server must not find it on its own
    QString m_dataDir;
    QString m_postgresUrl; // empty: SQLite
    bool m_ownsDatabase = false; // m_postgresUrl was created for this server: dropped with it
    std::unique_ptr<QProcess> m_process;
    QUrl m_baseUrl;
    QString m_stderr;
    QByteArray m_stdout;
    ServerProcessExit m_lastExit;
};
