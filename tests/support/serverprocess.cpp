#include "serverprocess.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QUuid>

namespace {

QString clusterUrl()
{
    QString direct = qEnvironmentVariable("SYNCLOOP_TEST_POSTGRES");
    if (!direct.isEmpty())
        return direct;
    const QString path = qEnvironmentVariable("SYNCLOOP_TEST_POSTGRES_FILE");
    QFile file(path);
    if (path.isEmpty() || !file.open(QIODevice::ReadOnly))
        qFatal(
            "SYNCLOOP_TEST_DATABASE=postgres needs SYNCLOOP_TEST_POSTGRES (a postgres:// URL) or "
            "SYNCLOOP_TEST_POSTGRES_FILE (a file holding one; tests/postgres/pgcluster.sh start "
            "writes it): cannot read \"%s\"",
            qPrintable(path));
    return QString::fromUtf8(file.readAll()).trimmed();
}

// Runs one statement on the cluster's maintenance database through its own connection.
void administer(const QUrl &cluster, const QString &sql)
{
    const QString name
        = QStringLiteral("test-admin-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
        db.setHostName(cluster.host());
        db.setPort(cluster.port(5432));
        db.setUserName(cluster.userName());
        db.setDatabaseName(cluster.path().mid(1));
        if (!db.open())
            qFatal("cannot connect to the test PostgreSQL %s: %s",
                qPrintable(cluster.toString(QUrl::RemovePassword)),
                qPrintable(db.lastError().text()));
        QSqlQuery q(db);
        if (!q.exec(sql))
            qFatal("test PostgreSQL: %s failed: %s", qPrintable(sql),
                qPrintable(q.lastError().text()));
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
}

} // namespace

bool TestDatabase::usePostgres()
{
    return qEnvironmentVariable("SYNCLOOP_TEST_DATABASE") == QLatin1String("postgres");
}

QString TestDatabase::createPostgres()
{
    const QUrl cluster(clusterUrl());
    const QString name
        = QStringLiteral("syncloop_test_") + QUuid::createUuid().toString(QUuid::Id128).left(16);
    administer(cluster, QStringLiteral("CREATE DATABASE %1").arg(name));
    QUrl url = cluster;
    url.setPath(QLatin1Char('/') + name);
    return url.toString();
}

void TestDatabase::dropPostgres(const QString &url)
{
    const QUrl database(url);
    QUrl cluster(clusterUrl());
    // FORCE: a killed server's backends may still be closing.
    administer(cluster,
        QStringLiteral("DROP DATABASE IF EXISTS %1 WITH (FORCE)").arg(database.path().mid(1)));
}

ServerProcess::ServerProcess(Options options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
{
    if (m_options.dataDir.isEmpty()) {
        m_tempDir = std::make_unique<QTemporaryDir>();
        m_dataDir = m_tempDir->path();
    } else {
        m_dataDir = m_options.dataDir;
    }
    if (!m_options.sharedDatabase.isEmpty()) {
        m_postgresUrl = m_options.sharedDatabase;
    } else if (TestDatabase::usePostgres()) {
        m_postgresUrl = TestDatabase::createPostgres();
        m_ownsDatabase = true;
    }
    if (!m_options.jwtSecret.isEmpty()) {
        const QString path = QDir(m_secretDir.path()).filePath(QStringLiteral("jwt-secret"));
        QFile file(path);
        // Private, as the server demands of a secret file.
        if (!file.open(QIODevice::WriteOnly, QFileDevice::ReadOwner | QFileDevice::WriteOwner)
            || file.write(m_options.jwtSecret) != m_options.jwtSecret.size())
            qFatal("cannot write the test JWT secret to %s", qPrintable(path));
        m_options.extraArgs << QStringLiteral("--jwt-secret-file") << path;
    }
}

ServerProcess::~ServerProcess()
{
    kill();
    if (m_ownsDatabase)
        TestDatabase::dropPostgres(m_postgresUrl);
}

QString ServerProcess::executable()
{
    return QStringLiteral(SYNCLOOPD_PATH);
}

QString ServerProcess::databasePath() const
{
    if (!m_postgresUrl.isEmpty())
        return m_postgresUrl;
    return QDir(m_dataDir).filePath(QStringLiteral("syncloop.sqlite"));
}

QString ServerProcess::jwtSecretPath() const
{
    return QDir(m_dataDir).filePath(QStringLiteral("jwt-secret"));
}

QStringList ServerProcess::arguments() const
{
    QStringList args { QStringLiteral("--data-dir"), m_dataDir };
    if (!m_postgresUrl.isEmpty())
        args << QStringLiteral("--database") << m_postgresUrl;
    if (m_options.demo)
        args << QStringLiteral("--demo") << QStringLiteral("--demo-bookings")
             << QString::number(m_options.demoBookings);
    return args + m_options.extraArgs;
}

bool ServerProcess::start(int timeoutMs)
{
    return launch(
        arguments() + QStringList { QStringLiteral("--port"), QStringLiteral("0") }, timeoutMs);
}

bool ServerProcess::restart(bool samePort, int timeoutMs)
{
    const quint16 previous = port();
    kill();
    const QString portArg = samePort ? QString::number(previous) : QStringLiteral("0");
    return launch(arguments() + QStringList { QStringLiteral("--port"), portArg }, timeoutMs);
}

bool ServerProcess::launch(const QStringList &arguments, int timeoutMs)
{
    m_process = std::make_unique<QProcess>();
    m_stdout.clear();
    connect(m_process.get(), &QProcess::readyReadStandardError, this,
        [this] { m_stderr += QString::fromLocal8Bit(m_process->readAllStandardError()); });
    QSignalSpy ready(m_process.get(), &QProcess::readyReadStandardOutput);
    QSignalSpy finished(m_process.get(), &QProcess::finished);
    m_process->start(executable(), arguments);
    if (!m_process->waitForStarted(timeoutMs)) {
        qWarning() << "syncloopd did not start:" << m_process->errorString();
        return false;
    }
    static const QRegularExpression line(
        QStringLiteral("^syncloopd listening on (http://\\S+)\\n"));
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < timeoutMs) {
        m_stdout += m_process->readAllStandardOutput();
        const auto match = line.match(QString::fromUtf8(m_stdout));
        if (match.hasMatch()) {
            m_baseUrl = QUrl(match.captured(1));
            return true;
        }
        if (m_process->state() == QProcess::NotRunning || !finished.isEmpty())
            break;
        ready.wait(200);
    }
    m_stderr += QString::fromLocal8Bit(m_process->readAllStandardError());
    qWarning().noquote() << "syncloopd did not report its address; stderr:\n" << m_stderr;
    return false;
}

void ServerProcess::kill()
{
    if (!m_process)
        return;
    if (m_process->state() != QProcess::NotRunning) {
        m_process->kill();
        m_process->waitForFinished(10000);
    }
    m_stderr += QString::fromLocal8Bit(m_process->readAllStandardError());
    m_process.reset();
}

void ServerProcess::terminate()
{
    if (!m_process)
        return;
    m_lastExit = {};
    if (m_process->state() != QProcess::NotRunning) {
        m_process->terminate();
        m_lastExit.finished = m_process->waitForFinished(15000);
        if (!m_lastExit.finished)
            m_process->kill();
    } else {
        m_lastExit.finished = true;
    }
    if (m_lastExit.finished) {
        m_lastExit.status = m_process->exitStatus();
        m_lastExit.code = m_process->exitCode();
    }
    m_stderr += QString::fromLocal8Bit(m_process->readAllStandardError());
    m_process.reset();
}

bool ServerProcess::isRunning() const
{
    return m_process && m_process->state() == QProcess::Running;
}
