// Chaos soak (issue 10.11; label soak, not in the default run: `ctest --test-dir build -L soak`).
//
// For SYNCLOOP_SOAK_TRIALS trials (default 100) the real syncloopctl confirms bookings, sends
// SMS and drains its offline queue (`queue retry-all`, sometimes alongside another command on
// the same queue), and so does the desktop app's core (soakdesk: SyncSession without widgets),
// against the real syncloopd, which delivers SMS to the provider stand-in. At random moments
// the client or the server is killed with SIGKILL (the server comes back on the same port and
// data, or stays down for a while so changes queue offline), and each trial runs with the
// keychain missing (no D-Bus: the session file), present, or slow (the Secret Service is
// started by D-Bus activation after a delay). Then, with everything up, one last drain, and
// the figures:
//  - lost: a change the client accepted (syncloopctl exit 0 or 3; the desktop core said it
//    persisted it) or had in its queue that the server never applied (booking version not
//    bumped; no SMS row, or no delivery at the provider);
//  - doubled: a booking bumped more than once or answered under two idempotency keys, more
//    than one SMS row for one send, more than one delivery at the provider, or a second
//    provider call with no server kill since the first (a kill between the provider's
//    acceptance and the server's record of it makes the outbox call again with the same key,
//    which the provider deduplicates: counted, not failed);
//  - stuck: a queue row still owed (queued, waiting, sending, or any row without a reason), or
//    an SMS the server still has queued/sending. A row that failed, needs review or is
//    unconfirmed *with* its reason shown by `queue list` is held for the user, not stuck.
// Randomness is seeded: SYNCLOOP_SOAK_SEED reproduces a run's decisions (the timing of the
// processes still varies). Each trial prints one line; the run ends with a summary line and
// "<N> passed, <M> failed" (trials). A second test then makes one change lost, two doubled and
// one stuck on purpose and checks that the same accounting reports exactly those.
#include "dbinspector.h"
#include "demodata.h"
#include "httpclient.h"
#include "serverprocess.h"
#include "smsproviderstandin.h"
#include "soakkeychain.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QProcess>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUuid>
#include <algorithm>
#include <cstdio>
#include <memory>

namespace {

const QByteArray passwordLine = "syncloop-demo\n";
constexpr int defaultTrials = 100;

int trialCount()
{
    bool set = false;
    const int trials = qEnvironmentVariable("SYNCLOOP_SOAK_TRIALS").toInt(&set);
    return set && trials > 0 ? trials : defaultTrials;
}
constexpr int commandTimeoutMs = 45000; // syncloopctl gives up after --timeout 20s itself

enum class KeychainMode { Missing, Present, Slow };

const char *modeName(KeychainMode mode)
{
    switch (mode) {
    case KeychainMode::Missing:
        return "missing";
    case KeychainMode::Present:
        return "present";
    case KeychainMode::Slow:
        return "slow";
    }
    return "?";
}

// One syncloopctl process, as it ended.
struct Run
{
    int exitCode = -1;
    bool crashed = false; // killed (by the soak) or died
    bool killed = false; // by the soak's random SIGKILL
    bool hung = false; // still running after commandTimeoutMs
    bool serverKilled = false; // the soak killed the server while it ran
    bool serverRestarted = false; // ... and started it again before it ended
    QString companion; // the outcome of a `queue retry-all` run alongside, if any
    QByteArray out;
    QByteArray err;

    bool exited(int code) const { return !crashed && !hung && exitCode == code; }
    bool needsLogin() const { return exited(1) && err.contains("syncloopctl login"); }
    QString outcome() const
    {
        if (hung)
            return QStringLiteral("hung");
        if (killed)
            return QStringLiteral("killed");
        if (crashed)
            return QStringLiteral("crashed");
        return QString::number(exitCode);
    }
    // What happened to the server meanwhile: killed (!srv), and back (+srv).
    QString serverMarks() const
    {
        return QLatin1String(serverKilled ? "!srv" : "")
            + QLatin1String(serverRestarted ? "+srv" : "")
            + (companion.isEmpty() ? QString() : QStringLiteral("||retry-all:") + companion);
    }
    // The outcome, and for a failure the first line syncloopctl gave as its reason.
    QString outcomeWithReason() const
    {
        if (crashed || hung || exitCode != 1)
            return outcome();
        QByteArray reason;
        for (const QByteArray &line : err.split('\n')) {
            if (line.startsWith("syncloopctl: ") || line.startsWith("soakdesk: "))
                reason = line;
        }
        return outcome() + QStringLiteral("[") + QString::fromUtf8(reason) + QStringLiteral("]");
    }
    bool timedOut() const { return exited(1) && err.contains("syncloopctl: timed out"); }
};

// One change the soak asked for: one booking confirmed, or one SMS with a text of its own.
struct Intent
{
    enum class Kind { Confirm, Sms };
    int trial = 0;
    Kind kind = Kind::Confirm;
    QString target; // booking id, or lead id
    QString text; // the SMS body, unique
    Run run;
    bool queuedSeen = false; // in the client's queue when its command had ended
    qint64 initialVersion = 0;

    // At the end:
    qint64 applied = 0; // version bumps of the booking / SMS rows at the server
    qint64 logged = 0; // change-log UPDATEs of the booking
    qint64 keys = 0; // idempotency records at the server whose answer names the booking / SMS
    qint64 deliveries = 0;
    qint64 providerCalls = 0;
    qint64 unexplainedRecalls = 0; // provider calls again with no server kill in between
    QString serverState; // SMS: the row's status
    QString heldReason; // still in the queue, shown with this reason
    QString stuckState; // still in the queue, owed or unexplained

    // syncloopctl: exit 0 (done) or 3 (queued offline); the desktop core: said it persisted it.
    bool acknowledged = false;
    bool accepted() const { return acknowledged; }
    bool owed() const { return accepted() || queuedSeen; }
    bool matches(const QString &body) const
    {
        return body.contains(kind == Kind::Confirm ? target : text);
    }
    bool doubled() const
    {
        // A confirm of a confirmed booking changes nothing, so a confirm sent again under a new
        // key shows only as a second idempotency record.
        return applied > 1 || logged > 1 || keys > 1 || deliveries > 1 || unexplainedRecalls > 0;
    }
    bool lost() const
    {
        if (!heldReason.isEmpty() || !stuckState.isEmpty())
            return false;
        // An SMS the server took owes a delivery, whoever asked; the provider never refuses in
        // the soak, so one marked failed was lost too.
        if (kind == Kind::Sms && applied > 0 && !stuck() && deliveries == 0)
            return true;
        return owed() && applied == 0;
    }
    bool stuck() const
    {
        return !stuckState.isEmpty()
            || (kind == Kind::Sms && applied > 0
                && (serverState == QLatin1String("queued")
                    || serverState == QLatin1String("sending")));
    }
    QString describe() const
    {
        return QStringLiteral(
            "trial %1 %2 %3%4: exit %5, in queue %6, applied %7, change log %8, "
            "deliveries %9, provider calls %10 (%14 again with no server kill between), "
            "idempotency keys %15%11%12%13")
            .arg(trial)
            .arg(kind == Kind::Confirm ? QStringLiteral("confirm") : QStringLiteral("send-sms"),
                target, kind == Kind::Sms ? QStringLiteral(" \"%1\"").arg(text) : QString(),
                run.outcome(), queuedSeen ? QStringLiteral("yes") : QStringLiteral("no"))
            .arg(applied)
            .arg(logged)
            .arg(deliveries)
            .arg(providerCalls)
            .arg(serverState.isEmpty() ? QString() : QStringLiteral(", server ") + serverState,
                heldReason.isEmpty() ? QString() : QStringLiteral(", held: ") + heldReason,
                stuckState.isEmpty() ? QString() : QStringLiteral(", stuck: ") + stuckState)
            .arg(unexplainedRecalls)
            .arg(keys);
    }
};

// A row of the client's offline queue, read straight from its SQLite file (WAL: a reader
// never blocks syncloopctl).
struct QueueRow
{
    QString key;
    QString state;
    QString body;
    QString error;
};

QList<QueueRow> readQueue(const QString &path)
{
    QList<QueueRow> rows;
    if (!QFile::exists(path))
        return rows;
    const QString name
        = QStringLiteral("soak-queue-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
        if (db.open()) {
            QSqlQuery q(db);
            if (q.exec(QStringLiteral(
                    "SELECT key, state, body, error_message FROM mutations ORDER BY id"))) {
                while (q.next())
                    rows.append({ q.value(0).toString(), q.value(1).toString(),
                        q.value(2).toString(), q.value(3).toString() });
            } else {
                qWarning() << "cannot read the queue:" << q.lastError().text();
            }
            db.close();
        }
    }
    QSqlDatabase::removeDatabase(name);
    return rows;
}

void say(const QString &line)
{
    std::fprintf(stdout, "%s\n", qPrintable(line));
    std::fflush(stdout);
}

} // namespace

class TestSoak : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void killedAtRandomNothingLostDoubledOrStuck();
    void injectedFaultsAreCounted();
    void cleanupTestCase();

private:
    QString config() const { return m_home.filePath(QStringLiteral(".config")); }
    QString share() const { return m_home.filePath(QStringLiteral(".local/share")); }
    QString runtime() const { return m_home.filePath(QStringLiteral("runtime")); }
    QString queuePath() const
    {
        return share() + QStringLiteral("/syncloop/syncloop/queue.sqlite");
    }
    QProcessEnvironment environment() const;

    // Runs syncloopctl; SIGKILLs it after `killClientMs` and the server after `killServerMs`
    // (each -1: never), counting from the start; a server so killed starts again `downMs`
    // later if syncloopctl still runs then. With `alongside`, a second syncloopctl runs those
    // arguments at the same time on the same queue (as the desktop app and a script would).
    Run ctl(const QStringList &arguments, const QByteArray &input = {}, int killClientMs = -1,
        int killServerMs = -1, int downMs = 0, const QStringList &alongside = {});
    // The same for any client program (the desktop core's driver), given its full command line.
    Run launch(const QString &program, const QStringList &arguments, const QByteArray &input,
        int killClientMs, int killServerMs, int downMs, const QStringList &alongside);
    void killServer(); // SIGKILL, noting when
    bool ensureServer();
    // Calls of `providerKey` after the first with no server kill since the call before: a
    // server that lived sent the SMS to the provider twice.
    int unexplainedRecalls(const QString &providerKey) const;
    bool login();
    void setMode(KeychainMode mode, int delayMs);
    void runTrial(int trial);
    void deskStep(
        int trial, int step, int killClientMs, int killServerMs, int downMs, QStringList &log);
    void finalDrain();
    void waitForOutbox();
    Intent confirmIntent(int trial);
    void collect();
    struct Tally
    {
        int accepted = 0, owed = 0, applied = 0, lost = 0, doubled = 0, stuck = 0, held = 0;
        int providerCalls = 0, deliveries = 0, recalled = 0, unmatchedStuck = 0;
        QSet<int> failedTrials;
        QStringList lines; // FAIL and note lines
    };
    Tally tally() const;

    quint32 m_seed = 0;
    QRandomGenerator m_random;
    QTemporaryDir m_home;
    std::unique_ptr<SoakKeychain> m_keychain;
    SmsProviderStandIn m_provider;
    std::unique_ptr<ServerProcess> m_server;
    QString m_url;
    QString m_ctlPath; // a copy: a build relinking syncloopctl mid-run does not disturb the soak
    QString m_deskPath; // the desktop core's driver (soakdesk), a copy too
    KeychainMode m_mode = KeychainMode::Missing;
    QStringList m_pending; // agent1's pending bookings not yet used
    QStringList m_leads;
    QHash<QString, qint64> m_initialVersions;
    QList<Intent> m_intents;
    QList<QueueRow> m_unmatchedStuck;

    // Figures.
    int m_commands = 0;
    int m_deskRuns = 0;
    int m_clientKills = 0;
    int m_serverKills = 0;
    int m_serverStarts = 0;
    int m_signIns = 0;
    int m_hung = 0;
    int m_timedOut = 0; // syncloopctl gave up waiting (--timeout), or hung
    QHash<QString, int> m_modes;
    QHash<QString, int> m_exits; // outcome of every client run
    QElapsedTimer m_clock;
    QList<qint64> m_killTimes; // when the server was killed
    QHash<QString, QList<qint64>> m_callTimes; // when the provider was called, per key
};

void TestSoak::initTestCase()
{
    bool seeded = false;
    m_seed = qEnvironmentVariable("SYNCLOOP_SOAK_SEED").toUInt(&seeded);
    if (!seeded)
        m_seed = QRandomGenerator::system()->generate();
    m_random.seed(m_seed);
    say(QStringLiteral("soak seed %1 (SYNCLOOP_SOAK_SEED=%1 repeats its decisions)").arg(m_seed));

    QVERIFY(m_home.isValid());
    if (qEnvironmentVariableIsSet("SYNCLOOP_SOAK_KEEP")) {
        m_home.setAutoRemove(false);
        say(QStringLiteral("soak home kept: %1").arg(m_home.path()));
    }
    for (const QString &dir : { config(), share(), runtime() })
        QVERIFY(QDir().mkpath(dir));
    QVERIFY(QFile::setPermissions(
        runtime(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner));

    m_ctlPath = m_home.filePath(QStringLiteral("syncloopctl"));
    m_deskPath = m_home.filePath(QStringLiteral("soakdesk"));
    for (const auto &[from, to] : { std::pair { QStringLiteral(SYNCLOOPCTL_PATH), m_ctlPath },
             std::pair { QStringLiteral(SOAKDESK_PATH), m_deskPath } }) {
        QVERIFY(QFile::copy(from, to));
        QVERIFY(QFile::setPermissions(to, QFileDevice::ReadOwner | QFileDevice::ExeOwner));
    }

    m_keychain = std::make_unique<SoakKeychain>(share(), runtime());
    QString error;
    QVERIFY2(m_keychain->start(&error), qPrintable(error));

    m_clock.start();
    QVERIFY(m_provider.start());
    connect(&m_provider, &SmsProviderStandIn::called, this,
        [this](const QString &key) { m_callTimes[key].append(m_clock.elapsed()); });
    ServerProcess::Options options;
    // Half are agent1's, 70 % of those pending: more distinct confirms than the trials use
    // (at most about 6 each).
    options.demoBookings = std::max(1000, trialCount() * 20);
    // A short provider timeout keeps the outbox lease (timeout + 5 s) short: an SMS caught
    // mid-call by a kill is resent within seconds, not a quarter of a minute.
    options.extraArgs = { QStringLiteral("--sms-gateway"), m_provider.url().toString(),
        QStringLiteral("--sms-timeout"), QStringLiteral("2s"), QStringLiteral("--sms-retry-base"),
        QStringLiteral("200ms") };
    m_server = std::make_unique<ServerProcess>(options);
    QVERIFY(m_server->start());
    ++m_serverStarts;
    m_url = m_server->baseUrl().toString();

    HttpClient agent1(m_server->baseUrl());
    QVERIFY(!agent1.login(DemoData::agent1).isEmpty());
    m_pending = DemoData::bookingIds(agent1, QStringLiteral("pending"));
    for (const QJsonObject &lead : DemoData::leads(agent1))
        m_leads << lead.value(QStringLiteral("id")).toString();
    QVERIFY(m_pending.size() >= 300);
    QVERIFY(!m_leads.isEmpty());
    DbInspector db(m_server->databasePath());
    for (const QString &id : std::as_const(m_pending))
        m_initialVersions.insert(id, db.bookingVersion(id));

    // Signed in once, in the keychain-less environment, so the machine knows its user.
    setMode(KeychainMode::Missing, 0);
    QVERIFY(login());
}

void TestSoak::cleanupTestCase()
{
    m_server.reset();
    m_keychain.reset();
}

QProcessEnvironment TestSoak::environment() const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("HOME"), m_home.path());
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), config());
    env.insert(QStringLiteral("XDG_DATA_HOME"), share());
    env.insert(QStringLiteral("XDG_CACHE_HOME"), m_home.filePath(QStringLiteral(".cache")));
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), runtime());
    for (const char *name :
        { "DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY", "DBUS_STARTER_ADDRESS" })
        env.remove(QLatin1String(name));
    // The engine's and the API's own account of each run, shown when a run times out.
    env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("syncloop.*.debug=true"));
    if (m_mode != KeychainMode::Missing)
        env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), m_keychain->busAddress());
    return env;
}

void TestSoak::setMode(KeychainMode mode, int delayMs)
{
    m_mode = mode;
    m_keychain->setActivationDelayMs(delayMs);
    if (mode == KeychainMode::Slow)
        m_keychain->stopKeyring(); // the first keychain call of the trial waits for activation
}

Run TestSoak::ctl(const QStringList &arguments, const QByteArray &input, int killClientMs,
    int killServerMs, int downMs, const QStringList &alongside)
{
    const QStringList common { QStringLiteral("--server"), m_url, QStringLiteral("--timeout"),
        QStringLiteral("20s") };
    return launch(m_ctlPath, common + arguments, input, killClientMs, killServerMs, downMs,
        alongside.isEmpty() ? QStringList {} : common + alongside);
}

Run TestSoak::launch(const QString &program, const QStringList &arguments, const QByteArray &input,
    int killClientMs, int killServerMs, int downMs, const QStringList &alongside)
{
    ++m_commands;
    QElapsedTimer clock;
    clock.start();
    Run r;
    QProcess process;
    process.setProcessEnvironment(environment());
    QSignalSpy finished(&process, &QProcess::finished);
    QProcess second;
    second.setProcessEnvironment(environment());
    QSignalSpy secondFinished(&second, &QProcess::finished);
    QTimer clientKill;
    QTimer serverKill;
    QTimer serverBack;
    clientKill.setSingleShot(true);
    serverKill.setSingleShot(true);
    serverBack.setSingleShot(true);
    connect(&clientKill, &QTimer::timeout, this, [&] {
        if (process.state() != QProcess::NotRunning) {
            r.killed = true;
            ++m_clientKills;
            process.kill();
        }
    });
    connect(&serverKill, &QTimer::timeout, this, [&] {
        if (m_server->isRunning()) {
            r.serverKilled = true;
            killServer();
            serverBack.start(downMs);
        }
    });
    connect(&serverBack, &QTimer::timeout, this, [&] {
        const bool running
            = process.state() != QProcess::NotRunning || second.state() != QProcess::NotRunning;
        if (running && ensureServer())
            r.serverRestarted = true;
    });
    if (!alongside.isEmpty()) {
        ++m_commands;
        second.start(m_ctlPath, alongside);
        second.closeWriteChannel();
    }
    process.start(program, arguments);
    if (!process.waitForStarted(10000)) {
        r.crashed = true;
        r.err = process.errorString().toUtf8();
        return r;
    }
    if (killClientMs >= 0)
        clientKill.start(killClientMs);
    if (killServerMs >= 0)
        serverKill.start(killServerMs);
    process.write(input);
    process.closeWriteChannel();
    if (finished.isEmpty() && !finished.wait(commandTimeoutMs)) {
        r.hung = true;
        ++m_hung;
        process.kill();
        process.waitForFinished(5000);
    }
    if (!alongside.isEmpty()) {
        if (secondFinished.isEmpty() && second.state() != QProcess::NotRunning
            && !secondFinished.wait(commandTimeoutMs)) {
            ++m_hung;
            second.kill();
            second.waitForFinished(5000);
            r.companion = QStringLiteral("hung");
        } else {
            r.companion = second.exitStatus() == QProcess::CrashExit
                ? QStringLiteral("crashed")
                : QString::number(second.exitCode());
        }
        ++m_exits[r.companion];
        const QByteArray err = second.readAllStandardError();
        if (err.contains("syncloopctl: timed out")) {
            ++m_timedOut;
            say(QStringLiteral("  syncloopctl %1 (alongside) timed out; its log:\n%2")
                    .arg(alongside.join(QLatin1Char(' ')), QString::fromUtf8(err.right(6000))));
        }
    }
    clientKill.stop();
    serverKill.stop();
    serverBack.stop(); // both ended first: the trial decides when the server comes back
    r.crashed = r.crashed || process.exitStatus() == QProcess::CrashExit;
    r.exitCode = process.exitCode();
    r.out = process.readAllStandardOutput();
    r.err = process.readAllStandardError();
    ++m_exits[r.outcome()];
    if (r.hung || r.timedOut()) {
        ++m_timedOut;
        say(QStringLiteral("  syncloopctl %1 %2 after %3 ms; its log:\n%4")
                .arg(arguments.join(QLatin1Char(' ')), r.outcome())
                .arg(clock.elapsed())
                .arg(QString::fromUtf8(r.err.right(6000))));
    }
    return r;
}

void TestSoak::killServer()
{
    ++m_serverKills;
    m_killTimes.append(m_clock.elapsed());
    m_server->kill();
}

bool TestSoak::ensureServer()
{
    for (int attempt = 0; attempt < 10 && !m_server->isRunning(); ++attempt) {
        if (m_server->restart(true))
            ++m_serverStarts;
        else
            QTest::qWait(1000); // e.g. the port not free yet, or the binary being relinked
    }
    return m_server->isRunning();
}

bool TestSoak::login()
{
    for (int attempt = 0; attempt < 3; ++attempt) {
        if (!ensureServer())
            return false;
        ++m_signIns;
        const Run r = ctl({ QStringLiteral("login"), DemoData::agent1 }, passwordLine);
        if (r.exited(0))
            return true;
        say(QStringLiteral("  login failed (%1): %2")
                .arg(r.outcome(), QString::fromUtf8(r.err.trimmed())));
    }
    return false;
}

int TestSoak::unexplainedRecalls(const QString &providerKey) const
{
    // The provider counts a call when it arrives; the server may die just before that.
    constexpr qint64 slackMs = 100;
    const QList<qint64> calls = m_callTimes.value(providerKey);
    int unexplained = 0;
    for (qsizetype i = 1; i < calls.size(); ++i) {
        const bool killed = std::any_of(m_killTimes.cbegin(), m_killTimes.cend(),
            [&](qint64 k) { return k > calls.at(i - 1) - slackMs && k < calls.at(i); });
        unexplained += killed ? 0 : 1;
    }
    return unexplained;
}

void TestSoak::runTrial(int trial)
{
    // Keychain: missing 40 %, present 35 %, slow 25 % (activation after 0.5-3 s).
    const int pick = int(m_random.bounded(100));
    const KeychainMode mode = pick < 40 ? KeychainMode::Missing
        : pick < 75                     ? KeychainMode::Present
                                        : KeychainMode::Slow;
    const int delayMs = mode == KeychainMode::Slow ? 500 + int(m_random.bounded(2500)) : 0;
    setMode(mode, delayMs);
    ++m_modes[QLatin1String(modeName(mode))];
    // The provider answers at once, or late enough for a kill to land between its delivery and
    // the server's record of it.
    const int providerDelays[] = { 0, 0, 50, 300 };
    const int providerDelayMs = providerDelays[m_random.bounded(4)];
    m_provider.setDelayMs(providerDelayMs);

    QElapsedTimer clock;
    clock.start();
    QStringList log;
    // Some trials start with the server gone: their changes queue offline (exit 3) until it is
    // back.
    if (m_server->isRunning() && m_random.bounded(100) < 35) {
        killServer();
        log << QStringLiteral("server-down");
    }
    const int steps = 3 + int(m_random.bounded(4));
    for (int step = 0; step < steps; ++step) {
        // A server that is down comes back now, or stays down so changes queue offline.
        if (!m_server->isRunning() && m_random.bounded(100) < 50) {
            if (!ensureServer())
                QFAIL("syncloopd does not start again on its data and port");
            log << QStringLiteral("server-up");
        }
        const int kind = step == steps - 1 ? 99 : int(m_random.bounded(100));
        // A command takes 20-150 ms (more in a slow keychain's wait): kills land within it.
        const int killWindow = 150 + (mode == KeychainMode::Slow ? delayMs : 0);
        const int killClient = m_random.bounded(100) < 35 ? int(m_random.bounded(killWindow)) : -1;
        const int killServer = m_server->isRunning() && m_random.bounded(100) < 30
            ? int(m_random.bounded(killWindow))
            : -1;
        const int downMs = 100 + int(m_random.bounded(1900));
        if (kind >= 75) {
            const Run r = ctl({ QStringLiteral("queue"), QStringLiteral("retry-all") }, {},
                killClient, killServer, downMs);
            log << QStringLiteral("retry-all:%1%2")
                       .arg(r.needsLogin() ? r.outcome() : r.outcomeWithReason(), r.serverMarks());
            if (r.needsLogin() && login())
                log << QStringLiteral("login");
            continue;
        }
        if (kind >= 62) {
            deskStep(trial, step, killClient >= 0 ? int(m_random.bounded(400)) : -1, killServer,
                downMs, log);
            continue;
        }
        Intent intent;
        intent.trial = trial;
        QStringList arguments;
        if (kind < 45 && !m_pending.isEmpty()) {
            intent.kind = Intent::Kind::Confirm;
            intent.target = m_pending.takeFirst();
            intent.initialVersion = m_initialVersions.value(intent.target);
            arguments = { QStringLiteral("bookings"), QStringLiteral("confirm"), intent.target };
        } else {
            intent.kind = Intent::Kind::Sms;
            intent.target = m_leads.at(int(m_random.bounded(qsizetype(m_leads.size()))));
            intent.text
                = QStringLiteral("soak %1 trial %2 step %3").arg(m_seed).arg(trial).arg(step);
            arguments = { QStringLiteral("leads"), QStringLiteral("send-sms"), intent.target,
                intent.text };
        }
        // Sometimes a drain runs alongside, on the same queue.
        const QStringList alongside = m_random.bounded(100) < 20
            ? QStringList { QStringLiteral("queue"), QStringLiteral("retry-all") }
            : QStringList {};
        intent.run = ctl(arguments, {}, killClient, killServer, downMs, alongside);
        intent.acknowledged = intent.run.exited(0) || intent.run.exited(3);
        for (const QueueRow &row : readQueue(queuePath()))
            intent.queuedSeen = intent.queuedSeen || intent.matches(row.body);
        log << QStringLiteral("%1:%2%3%4")
                   .arg(intent.kind == Intent::Kind::Confirm ? QStringLiteral("confirm")
                                                             : QStringLiteral("sms"),
                       intent.run.needsLogin() ? intent.run.outcome()
                                               : intent.run.outcomeWithReason(),
                       intent.queuedSeen ? QStringLiteral("(queued)") : QString(),
                       intent.run.serverMarks());
        const bool needsLogin = intent.run.needsLogin();
        m_intents.append(intent);
        if (needsLogin && login())
            log << QStringLiteral("login");
    }
    // Else the next trial starts with the server down.
    if (!m_server->isRunning() && m_random.bounded(100) < 70 && !ensureServer())
        QFAIL("syncloopd does not start again on its data and port");
    say(QStringLiteral("trial %1 (%5 ms) keychain %2%3 provider delay %4 ms: %6")
            .arg(trial)
            .arg(QLatin1String(modeName(mode)),
                mode == KeychainMode::Slow ? QStringLiteral(" (%1 ms)").arg(delayMs) : QString())
            .arg(providerDelayMs)
            .arg(clock.elapsed())
            .arg(log.join(QLatin1Char(' '))));
}

void TestSoak::deskStep(
    int trial, int step, int killClientMs, int killServerMs, int downMs, QStringList &log)
{
    // One to three changes through the desktop app's core, which also drains the whole queue.
    QList<Intent> intents;
    QStringList arguments { QStringLiteral("--server"), m_url, QStringLiteral("--queue"),
        queuePath(), QStringLiteral("--email"), DemoData::agent1 };
    const int count = 1 + int(m_random.bounded(3));
    for (int i = 0; i < count; ++i) {
        Intent intent;
        intent.trial = trial;
        if (m_random.bounded(100) < 60 && !m_pending.isEmpty()) {
            intent.target = m_pending.takeFirst();
            intent.initialVersion = m_initialVersions.value(intent.target);
            arguments << QStringLiteral("--confirm") << intent.target;
        } else {
            intent.kind = Intent::Kind::Sms;
            intent.target = m_leads.at(int(m_random.bounded(qsizetype(m_leads.size()))));
            intent.text = QStringLiteral("soak %1 trial %2 step %3 desk %4")
                              .arg(m_seed)
                              .arg(trial)
                              .arg(step)
                              .arg(i);
            arguments << QStringLiteral("--sms") << intent.target + QLatin1Char('|') + intent.text;
        }
        intents.append(intent);
    }
    ++m_deskRuns;
    const Run run
        = launch(m_deskPath, arguments, passwordLine, killClientMs, killServerMs, downMs, {});
    const QList<QueueRow> queue = readQueue(queuePath());
    int persisted = 0;
    for (Intent &intent : intents) {
        intent.run = run;
        const QString said = intent.kind == Intent::Kind::Confirm ? intent.target : intent.text;
        intent.acknowledged = run.out.contains(QByteArray("persisted " + said.toUtf8() + '\n'));
        persisted += intent.acknowledged ? 1 : 0;
        for (const QueueRow &row : queue)
            intent.queuedSeen = intent.queuedSeen || intent.matches(row.body);
        m_intents.append(intent);
    }
    log << QStringLiteral("desk(%1):%2%3%4")
               .arg(count)
               .arg(run.outcomeWithReason())
               .arg(persisted < count ? QStringLiteral("(%1 persisted)").arg(persisted) : QString(),
                   run.serverMarks());
}

void TestSoak::finalDrain()
{
    setMode(KeychainMode::Present, 0);
    m_provider.setDelayMs(0);
    QVERIFY(ensureServer());
    for (int attempt = 0; attempt < 10; ++attempt) {
        const Run r = ctl({ QStringLiteral("queue"), QStringLiteral("retry-all") });
        say(QStringLiteral("final drain: retry-all %1 %2")
                .arg(r.outcome(), QString::fromUtf8(r.out.trimmed() + ' ' + r.err.trimmed())));
        if (r.needsLogin()) {
            QVERIFY(login());
            continue;
        }
        if (r.exited(0) || r.exited(1))
            break; // drained, or only rows held for the user remain
        QTest::qWait(500);
    }
    waitForOutbox();
}

void TestSoak::waitForOutbox()
{
    // The outbox delivers after commit; a row caught mid-call waits out its lease (7 s).
    DbInspector db(m_server->databasePath());
    QElapsedTimer clock;
    clock.start();
    auto outboxBusy = [&] {
        return db.scalar(QStringLiteral(
            "SELECT COUNT(*) FROM sms_messages WHERE status IN ('queued', 'sending')"));
    };
    while (outboxBusy() > 0 && clock.elapsed() < 90000)
        QTest::qWait(250);
    say(QStringLiteral("outbox settled after %1 ms (%2 still queued or sending)")
            .arg(clock.elapsed())
            .arg(outboxBusy()));
}

void TestSoak::collect()
{
    // The queue as the user sees it (`queue list`), joined with the bodies for attribution.
    const Run listed
        = ctl({ QStringLiteral("--json"), QStringLiteral("queue"), QStringLiteral("list") });
    QHash<QString, QJsonObject> visible;
    for (const QByteArray &line : listed.out.split('\n')) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (!o.isEmpty())
            visible.insert(o.value(QStringLiteral("key")).toString(), o);
    }
    static const QStringList heldStates { QStringLiteral("failed"), QStringLiteral("needs_review"),
        QStringLiteral("unconfirmed") };
    for (const QueueRow &row : readQueue(queuePath())) {
        const QJsonObject shown = visible.value(row.key);
        const QString state = shown.value(QStringLiteral("state")).toString();
        const QString reason = shown.value(QStringLiteral("last_error")).toString();
        const bool held = heldStates.contains(state) && !reason.isEmpty();
        bool matched = false;
        for (Intent &intent : m_intents) {
            if (!intent.matches(row.body))
                continue;
            matched = true;
            if (held)
                intent.heldReason = state + QStringLiteral(" (") + reason + QLatin1Char(')');
            else
                intent.stuckState = state.isEmpty()
                    ? row.state + QStringLiteral(" (not shown by queue list)")
                    : state;
        }
        if (!matched && !held)
            m_unmatchedStuck.append(row);
    }

    DbInspector db(m_server->databasePath());
    QHash<QString, int> deliveredTexts;
    for (const QJsonObject &message : m_provider.delivered())
        ++deliveredTexts[message.value(QStringLiteral("body")).toString()];
    for (Intent &intent : m_intents) {
        if (intent.kind == Intent::Kind::Confirm) {
            intent.applied = db.bookingVersion(intent.target) - intent.initialVersion;
            intent.logged = db.scalar(
                QStringLiteral("SELECT COUNT(*) FROM change_log WHERE table_name = 'bookings'"
                               " AND change_type = 'UPDATE' AND record_id = ?"),
                { intent.target });
            intent.keys = db.scalar(
                QStringLiteral(
                    "SELECT COUNT(*) FROM idempotency_keys WHERE route LIKE '%/bookings/confirm'"
                    " AND response_body LIKE ?"),
                QVariantList { QString(QLatin1Char('%') + intent.target + QLatin1Char('%')) });
            continue;
        }
        QSqlQuery q(db.database());
        q.prepare(
            QStringLiteral("SELECT status, provider_key, id FROM sms_messages WHERE body = ?"));
        q.addBindValue(intent.text);
        QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
        while (q.next()) {
            ++intent.applied;
            intent.keys += db.scalar(
                QStringLiteral("SELECT COUNT(*) FROM idempotency_keys WHERE response_body LIKE ?"),
                QVariantList {
                    QString(QLatin1Char('%') + q.value(2).toString() + QLatin1Char('%')) });
            intent.serverState = q.value(0).toString();
            intent.providerCalls += m_provider.callsFor(q.value(1).toString());
            intent.unexplainedRecalls += unexplainedRecalls(q.value(1).toString());
        }
        intent.deliveries = deliveredTexts.value(intent.text);
    }
}

TestSoak::Tally TestSoak::tally() const
{
    Tally t;
    for (const Intent &intent : std::as_const(m_intents)) {
        t.accepted += intent.accepted() ? 1 : 0;
        t.owed += intent.owed() ? 1 : 0;
        t.applied += intent.applied > 0 ? 1 : 0;
        t.held += intent.heldReason.isEmpty() ? 0 : 1;
        t.providerCalls += int(intent.providerCalls);
        t.deliveries += int(intent.deliveries);
        t.recalled += intent.providerCalls > 1 ? 1 : 0;
        t.lost += intent.lost() ? 1 : 0;
        t.doubled += intent.doubled() ? 1 : 0;
        t.stuck += intent.stuck() ? 1 : 0;
        if (intent.lost() || intent.doubled() || intent.stuck()) {
            t.failedTrials.insert(intent.trial);
            t.lines << QStringLiteral("FAIL %1 (%2) [seed %3]")
                           .arg(intent.describe(),
                               intent.lost()          ? QStringLiteral("lost")
                                   : intent.doubled() ? QStringLiteral("doubled")
                                                      : QStringLiteral("stuck"))
                           .arg(m_seed);
        } else if (!intent.heldReason.isEmpty() || intent.providerCalls > 1) {
            t.lines << QStringLiteral("note %1").arg(intent.describe());
        }
    }
    for (const QueueRow &row : std::as_const(m_unmatchedStuck))
        t.lines << QStringLiteral("FAIL queue row %1 %2 (%3) is stuck and belongs to no intent")
                       .arg(row.key, row.state, row.body);
    t.unmatchedStuck = int(m_unmatchedStuck.size());
    t.stuck += t.unmatchedStuck;
    return t;
}

void TestSoak::killedAtRandomNothingLostDoubledOrStuck()
{
    const int trials = trialCount();
    QElapsedTimer clock;
    clock.start();
    for (int trial = 1; trial <= trials; ++trial) {
        runTrial(trial);
        if (QTest::currentTestFailed())
            return;
    }
    finalDrain();
    if (QTest::currentTestFailed())
        return;
    collect();
    if (QTest::currentTestFailed())
        return;

    const Tally t = tally();
    for (const QString &line : t.lines)
        say(line);
    const qint64 outboxStuck
        = DbInspector(m_server->databasePath())
              .scalar(QStringLiteral(
                  "SELECT COUNT(*) FROM sms_messages WHERE status IN ('queued', 'sending')"));

    QStringList exits;
    for (auto it = m_exits.cbegin(); it != m_exits.cend(); ++it)
        exits << QStringLiteral("%1=%2").arg(it.key()).arg(it.value());
    exits.sort();
    say(QStringLiteral("soak summary: seed %1, trials %2, mutations %3, accepted %4, owed %5, "
                       "applied %6, lost %7, "
                       "doubled %8, stuck %9, held %10, provider calls %11, deliveries %12, SMS "
                       "called again after a server kill "
                       "%13 (same key), client kills %14, server kills %15, server starts %16, "
                       "keychain missing/present/slow "
                       "%17/%18/%19, sign-ins %20, hung %21, timed out %26, outbox left %22, "
                       "client runs %23 of which desktop core %27 (outcomes %24), %25 s")
            .arg(m_seed)
            .arg(trials)
            .arg(m_intents.size())
            .arg(t.accepted)
            .arg(t.owed)
            .arg(t.applied)
            .arg(t.lost)
            .arg(t.doubled)
            .arg(t.stuck)
            .arg(t.held)
            .arg(t.providerCalls)
            .arg(t.deliveries)
            .arg(t.recalled)
            .arg(m_clientKills)
            .arg(m_serverKills)
            .arg(m_serverStarts)
            .arg(m_modes.value(QStringLiteral("missing")))
            .arg(m_modes.value(QStringLiteral("present")))
            .arg(m_modes.value(QStringLiteral("slow")))
            .arg(m_signIns)
            .arg(m_hung)
            .arg(outboxStuck)
            .arg(m_commands)
            .arg(exits.join(QLatin1Char(' ')))
            .arg(clock.elapsed() / 1000)
            .arg(m_timedOut)
            .arg(m_deskRuns));
    const int failed = int(t.failedTrials.size()) + (t.unmatchedStuck > 0 ? 1 : 0);
    say(QStringLiteral("%1 passed, %2 failed")
            .arg(trials - int(t.failedTrials.size()))
            .arg(failed));

    QCOMPARE(t.lost, 0);
    QCOMPARE(t.doubled, 0);
    QCOMPARE(t.stuck, 0);
    QCOMPARE(outboxStuck, 0);
    QCOMPARE(m_hung, 0);
}

Intent TestSoak::confirmIntent(int trial)
{
    Intent intent;
    intent.trial = trial;
    intent.target = m_pending.takeFirst();
    intent.initialVersion = m_initialVersions.value(intent.target);
    return intent;
}

void TestSoak::injectedFaultsAreCounted()
{
    // The accounting must see what it is there to catch. After the soak (its own changes set
    // aside), on purpose: one change lost, two doubled, one stuck.
    m_intents.clear();
    m_unmatchedStuck.clear();
    setMode(KeychainMode::Missing, 0);
    QVERIFY(ensureServer());
    QVERIFY(m_pending.size() >= 3);
    const auto confirm = [this](const Intent &intent) {
        return ctl({ QStringLiteral("bookings"), QStringLiteral("confirm"), intent.target });
    };

    // Lost: queued offline (exit 3), then discarded, as if the queue had dropped it.
    killServer();
    Intent lost = confirmIntent(1);
    lost.run = confirm(lost);
    QVERIFY2(lost.run.exited(3), qPrintable(QString::fromUtf8(lost.run.err)));
    lost.acknowledged = true;
    lost.queuedSeen = true;
    QString lostKey;
    for (const QueueRow &row : readQueue(queuePath())) {
        if (lost.matches(row.body))
            lostKey = row.key;
    }
    QVERIFY(!lostKey.isEmpty());
    QVERIFY(ctl({ QStringLiteral("queue"), QStringLiteral("discard"), lostKey }).exited(0));
    QVERIFY(ensureServer());

    // Doubled: a confirm and an SMS, each sent again under a second key (as by a client that
    // minted a new key for the same intent).
    Intent confirmedTwice = confirmIntent(3);
    confirmedTwice.run = confirm(confirmedTwice);
    QVERIFY(confirmedTwice.run.exited(0));
    confirmedTwice.acknowledged = true;
    Intent sentTwice;
    sentTwice.trial = 4;
    sentTwice.kind = Intent::Kind::Sms;
    sentTwice.target = m_leads.first();
    sentTwice.text = QStringLiteral("soak %1 sent twice").arg(m_seed);
    sentTwice.run = ctl(
        { QStringLiteral("leads"), QStringLiteral("send-sms"), sentTwice.target, sentTwice.text });
    QVERIFY(sentTwice.run.exited(0));
    sentTwice.acknowledged = true;
    HttpClient agent1(m_server->baseUrl());
    QVERIFY(!agent1.login(DemoData::agent1).isEmpty());
    QCOMPARE(
        agent1
            .postJson(QStringLiteral("/api/bookings/confirm"),
                { { QStringLiteral("bookingId"), confirmedTwice.target } }, HttpClient::newKey())
            .status,
        200);
    QCOMPARE(agent1
                 .postJson(QStringLiteral("/api/leads/send-sms"),
                     { { QStringLiteral("leadId"), sentTwice.target },
                         { QStringLiteral("message"), sentTwice.text } },
                     HttpClient::newKey())
                 .status,
        202);

    // Stuck: queued offline and never sent (last: any live syncloopctl run drains the queue).
    killServer();
    Intent stuck = confirmIntent(2);
    stuck.run = confirm(stuck);
    QVERIFY(stuck.run.exited(3));
    stuck.acknowledged = true;
    stuck.queuedSeen = true;
    QVERIFY(ensureServer());

    m_intents = { lost, stuck, confirmedTwice, sentTwice };
    waitForOutbox();
    collect();
    if (QTest::currentTestFailed())
        return;
    const Tally t = tally();
    for (QString line : t.lines)
        say(QStringLiteral("injected and caught: ") + line.remove(QStringLiteral("FAIL ")));
    QVERIFY(m_intents.at(0).lost());
    QVERIFY(m_intents.at(1).stuck());
    QVERIFY(m_intents.at(2).doubled());
    QVERIFY(m_intents.at(3).doubled());
    QCOMPARE(t.lost, 1);
    QCOMPARE(t.stuck, 1);
    QCOMPARE(t.doubled, 2);
}

QTEST_GUILESS_MAIN(TestSoak)
#include "tst_soak.moc"
