// syncloopctl's session end to end: the real binary as separate processes in a fresh HOME,
// against a real syncloopd, with a keychain and with no D-Bus/keychain at all (SSH, CI, a
// container). In both: login (password on stdin), a confirm with the server down (exit 3),
// `queue retry-all` with the server back on the same port (exit 0, applied exactly once at the
// server), logout. Without a keychain the session lives in a file only the user can read (0600
// while it exists, gone after logout), and stderr says so once. `--no-keychain` writes no
// file, and with no session nothing is queued (exit 1).
//
// The keychain half needs a Secret Service, like tst_credentialstore: run inside
// dbus-run-session with an unlocked gnome-keyring (packaging/run-tests.sh does).
#include "credentialstore.h"
#include "dbinspector.h"
#include "demodata.h"
#include "httpclient.h"
#include "serverprocess.h"
#include "tst_ctl_home.h"

#include <QDirIterator>
#include <QJsonArray>
#include <QRegularExpression>
#include <QTest>

namespace {

const QByteArray passwordLine = "syncloop-demo\n";

const char *const howToRun
    = "no usable secret service: run inside dbus-run-session with an unlocked gnome-keyring "
      "(see packaging/run-tests.sh)";

// Files under `root` (other than `except`) whose bytes contain `needle`.
QStringList filesContaining(const QString &root, const QByteArray &needle, const QString &except)
{
    QStringList hits;
    QDirIterator it(root, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile f(path);
        if (path != except && f.open(QIODevice::ReadOnly) && f.readAll().contains(needle))
            hits << path;
    }
    return hits;
}

// What the keychain holds for `account`, read in this process ("<none>" if it cannot answer).
QString keychainToken(const QString &account)
{
    CredentialStore store(CredentialStore::Backend::Keychain);
    QSignalSpy loaded(&store, &CredentialStore::loaded);
    store.load(account);
    if ((loaded.isEmpty() && !loaded.wait(15000))
        || store.backend() != CredentialStore::Backend::Keychain)
        return QStringLiteral("<none>");
    return loaded.first().at(1).toString();
}

} // namespace

class TestCtlSession : public QObject
{
    Q_OBJECT
private:
    struct Demo
    {
        QString agentId;
        QStringList pending; // agent1's pending bookings
    };

    bool startServer(ServerProcess &server, Demo *demo)
    {
        if (!server.start())
            return false;
        HttpClient agent(server.baseUrl());
        if (agent.login(DemoData::agent1).isEmpty())
            return false;
        demo->agentId = agent.lastLogin()
                            .value(QStringLiteral("user"))
                            .toObject()
                            .value(QStringLiteral("id"))
                            .toString();
        demo->pending = DemoData::bookingIds(agent, QStringLiteral("pending"));
        return !demo->agentId.isEmpty() && demo->pending.size() >= 2;
    }

    void roundTrip(CtlHome::Environment environment)
    {
        const bool keychain = environment == CtlHome::Environment::WithKeychain;
        ServerProcess server;
        Demo demo;
        QVERIFY(startServer(server, &demo));
        const QString url = server.baseUrl().toString();
        const QString account = CredentialStore::account(server.baseUrl(), DemoData::agent1);
        const QString booking = demo.pending.at(0);
        DbInspector db(server.databasePath());
        const qint64 before = db.bookingVersion(booking);
        CtlHome home(environment);
        QVERIFY(home.isValid());
        QByteArray stderrOfAll; // every run's stderr: where the session is kept is said once

        // login: the password from stdin; the server is remembered for the next commands.
        const CtlResult login = home.run(
            { QStringLiteral("--server"), url, QStringLiteral("login"), DemoData::agent1 },
            passwordLine);
        stderrOfAll += login.err;
        QVERIFY2(login.exited(0), qPrintable(login.describe()));
        QVERIFY2(
            login.out.contains("signed in as agent1@example.com"), qPrintable(login.describe()));
        QString token;
        if (keychain) {
            QVERIFY2(login.out.contains("system keychain"), qPrintable(login.describe()));
            QVERIFY(!QFile::exists(home.sessionFile()));
            token = keychainToken(account);
            QVERIFY2(!token.isEmpty() && token != QLatin1String("<none>"), howToRun);
        } else {
            QCOMPARE(CtlHome::modeOf(home.sessionFile()), 0600);
            QVERIFY2(login.err.contains(QFile::encodeName(home.sessionFile())),
                qPrintable(login.describe()));
            QVERIFY2(login.err.contains("readable only by you"), qPrintable(login.describe()));
            QFile file(home.sessionFile());
            QVERIFY(file.open(QIODevice::ReadOnly));
            token = QJsonDocument::fromJson(file.readAll())
                        .object()
                        .value(QLatin1String("sessions"))
                        .toObject()
                        .value(account)
                        .toString();
            QVERIFY(!token.isEmpty());
        }
        // The token is nowhere else: not in the settings, not in the queue.
        QCOMPARE(filesContaining(home.path(), token.toUtf8(), home.sessionFile()), QStringList());

        // The server goes away: the confirm is queued for agent1 (exit 3).
        server.terminate();
        const CtlResult confirm
            = home.run({ QStringLiteral("bookings"), QStringLiteral("confirm"), booking });
        stderrOfAll += confirm.err;
        QVERIFY2(confirm.exited(3), qPrintable(confirm.describe()));
        QVERIFY2(confirm.err.contains("queued offline"), qPrintable(confirm.describe()));
        const CtlResult listed = home.run(
            { QStringLiteral("--json"), QStringLiteral("queue"), QStringLiteral("list") });
        stderrOfAll += listed.err;
        QVERIFY2(listed.exited(0), qPrintable(listed.describe()));
        QCOMPARE(listed.jsonLines().size(), 1);
        const QJsonObject row = listed.jsonLines().first();
        QCOMPARE(row.value(QStringLiteral("user_id")).toString(), demo.agentId);
        QCOMPARE(row.value(QStringLiteral("state")).toString(), QStringLiteral("queued"));
        QCOMPARE(
            row.value(QStringLiteral("entity")).toString(), QStringLiteral("bookings:") + booking);
        const QString key = row.value(QStringLiteral("key")).toString();
        QVERIFY(!key.isEmpty());

        // Back on the same port: retry-all sends it, and the server applied it once.
        const quint16 port = server.port();
        QVERIFY(server.restart());
        QCOMPARE(server.port(), port);
        QCOMPARE(db.bookingVersion(booking), before);
        const CtlResult sent = home.run(
            { QStringLiteral("--json"), QStringLiteral("queue"), QStringLiteral("retry-all") });
        stderrOfAll += sent.err;
        QVERIFY2(sent.exited(0), qPrintable(sent.describe()));
        const QJsonObject summary = sent.jsonLines().value(sent.jsonLines().size() - 1);
        QCOMPARE(summary.value(QStringLiteral("confirmed")).toInt(), 1);
        QCOMPARE(summary.value(QStringLiteral("not_sent")).toInt(), 0);
        QCOMPARE(db.bookingVersion(booking), before + 1);
        QCOMPARE(db.bookingStatus(booking), QStringLiteral("confirmed"));
        QCOMPARE(db.scalar(QStringLiteral("SELECT COUNT(*) FROM idempotency_keys WHERE idem_key = ?"
                                          " AND user_id = ?"),
                     { key, demo.agentId }),
            1);
        if (!keychain) // the rotated session was written again: still private
            QCOMPARE(CtlHome::modeOf(home.sessionFile()), 0600);
        const CtlResult again = home.run({ QStringLiteral("queue"), QStringLiteral("retry-all") });
        stderrOfAll += again.err;
        QVERIFY2(
            again.exited(0) && again.out.contains("nothing queued"), qPrintable(again.describe()));
        QCOMPARE(db.bookingVersion(booking), before + 1);

        // logout forgets the session: no file, no keychain entry, and nothing can be queued.
        const CtlResult logout = home.run({ QStringLiteral("logout") });
        stderrOfAll += logout.err;
        QVERIFY2(logout.exited(0), qPrintable(logout.describe()));
        QVERIFY(!QFile::exists(home.sessionFile()));
        // No temporary or lock file left either (syncloop.conf, the settings, stays).
        QCOMPARE(QDir(QFileInfo(home.sessionFile()).absolutePath())
                     .entryList(
                         { QStringLiteral("session*") }, QDir::Files | QDir::Hidden | QDir::System),
            QStringList());
        if (keychain)
            QVERIFY(keychainToken(account).isEmpty());
        const QString other = demo.pending.at(1);
        const qint64 otherBefore = db.bookingVersion(other);
        const CtlResult refused = home.run({ QStringLiteral("--email"), DemoData::agent1,
            QStringLiteral("bookings"), QStringLiteral("confirm"), other });
        stderrOfAll += refused.err;
        QVERIFY2(refused.exited(1), qPrintable(refused.describe()));
        QVERIFY2(refused.err.contains("not signed in") && refused.err.contains("login"),
            qPrintable(refused.describe()));
        const CtlResult empty = home.run(
            { QStringLiteral("--json"), QStringLiteral("queue"), QStringLiteral("list") });
        QVERIFY2(empty.exited(0) && empty.jsonLines().isEmpty(), qPrintable(empty.describe()));
        QCOMPARE(db.bookingVersion(other), otherBefore);

        // Said once, at login, and never in memory only.
        QCOMPARE(stderrOfAll.count(QFile::encodeName(home.sessionFile())), keychain ? 0 : 1);
        QVERIFY2(!stderrOfAll.contains("memory only"), stderrOfAll.constData());
    }

private slots:
    void initTestCase() { QVERIFY(QFile::exists(CtlHome::executable())); }

    void roundTripWithAKeychain()
    {
        QVERIFY2(!qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"), howToRun);
        roundTrip(CtlHome::Environment::WithKeychain);
    }

    void roundTripWithoutDBusOrKeychain() { roundTrip(CtlHome::Environment::NoKeychain); }

    // --no-keychain is memory only: no file, and the next command is signed out.
    void noKeychainOptionLeavesNoFile()
    {
        ServerProcess server;
        Demo demo;
        QVERIFY(startServer(server, &demo));
        CtlHome home(CtlHome::Environment::NoKeychain);
        QVERIFY(home.isValid());
        const CtlResult login = home.run(
            { QStringLiteral("--server"), server.baseUrl().toString(),
                QStringLiteral("--no-keychain"), QStringLiteral("login"), DemoData::agent1 },
            passwordLine);
        QVERIFY2(login.exited(0), qPrintable(login.describe()));
        QVERIFY2(login.out.contains("not kept"), qPrintable(login.describe()));
        QVERIFY(!QFile::exists(home.sessionFile()));
        QVERIFY(!QFile::exists(
            QFileInfo(home.sessionFile()).absolutePath() + QStringLiteral("/session.json.new")));

        DbInspector db(server.databasePath());
        const QString booking = demo.pending.at(0);
        const qint64 before = db.bookingVersion(booking);
        const CtlResult confirm = home.run({ QStringLiteral("--no-keychain"),
            QStringLiteral("bookings"), QStringLiteral("confirm"), booking });
        QVERIFY2(confirm.exited(1) && confirm.err.contains("not signed in"),
            qPrintable(confirm.describe()));
        QVERIFY(!QFile::exists(home.sessionFile()));
        QCOMPARE(db.bookingVersion(booking), before);
    }

    // Never signed in: a confirm is refused (exit 1) whether the server is up or down, and
    // nothing is queued.
    void confirmWithoutASessionQueuesNothing()
    {
        ServerProcess server;
        Demo demo;
        QVERIFY(startServer(server, &demo));
        DbInspector db(server.databasePath());
        const QString booking = demo.pending.at(0);
        const qint64 before = db.bookingVersion(booking);
        CtlHome home(CtlHome::Environment::NoKeychain);
        QVERIFY(home.isValid());
        const QStringList confirm { QStringLiteral("--server"), server.baseUrl().toString(),
            QStringLiteral("--email"), DemoData::agent1, QStringLiteral("bookings"),
            QStringLiteral("confirm"), booking };
        const CtlResult up = home.run(confirm);
        QVERIFY2(up.exited(1), qPrintable(up.describe()));
        QVERIFY2(up.err.contains("not signed in") && up.err.contains("nothing was queued"),
            qPrintable(up.describe()));
        server.terminate();
        const CtlResult down = home.run(confirm);
        QVERIFY2(down.exited(1) && down.err.contains("not signed in"), qPrintable(down.describe()));
        // No user at all (no --email, never logged in): the same.
        const CtlResult nobody = home.run({ QStringLiteral("--server"), server.baseUrl().toString(),
            QStringLiteral("bookings"), QStringLiteral("confirm"), booking });
        QVERIFY2(nobody.exited(1) && nobody.err.contains("not signed in"),
            qPrintable(nobody.describe()));

        const CtlResult listed = home.run(
            { QStringLiteral("--json"), QStringLiteral("queue"), QStringLiteral("list") });
        QVERIFY2(listed.exited(0) && listed.jsonLines().isEmpty(), qPrintable(listed.describe()));
        QVERIFY(server.restart());
        QCOMPARE(db.bookingVersion(booking), before);
        QCOMPARE(db.scalar(QStringLiteral("SELECT COUNT(*) FROM idempotency_keys")), 0);
    }
};

QTEST_GUILESS_MAIN(TestCtlSession)
#include "tst_ctl_session.moc"
