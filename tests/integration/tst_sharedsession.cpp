// Two programs, one kept session: the desktop app and syncloopctl share one keychain entry.
// Each rotates the refresh token when it refreshes; the other must read what is kept before
// its own refresh, or it presents a rotated token and the server revokes the whole family,
// signing both out. Needs the OS keychain (the test command provides one).
#include "apiclient.h"
#include "credentialstore.h"
#include "demodata.h"
#include "serverprocess.h"
#include "syncsession.h"

#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

class TestSharedSession : public QObject
{
    Q_OBJECT

    std::unique_ptr<ServerProcess> m_server;
    QTemporaryDir m_dir;

    std::unique_ptr<SyncSession> session(const QString &name)
    {
        SyncSession::Options options;
        options.server = m_server->baseUrl();
        options.queuePath = m_dir.filePath(name + QStringLiteral(".sqlite"));
        options.realtimeEnabled = false;
        options.credentials = CredentialStore::Backend::Keychain;
        auto s = std::make_unique<SyncSession>(options);
        QString error;
        if (!s->open(&error))
            qWarning() << error;
        return s;
    }

    static bool refreshed(SyncSession &s)
    {
        QSignalSpy token(s.api(), &ApiClient::accessTokenChanged);
        QSignalSpy out(s.api(), &ApiClient::signedOut);
        s.api()->refreshSession();
        const bool answered = token.wait(10000) || !out.isEmpty();
        return answered && out.isEmpty() && s.api()->isSignedIn();
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        // No reuse grace: the server's 10 s grace would hide a client that presents a rotated
        // token soon after; the programs must not depend on it.
        ServerProcess::Options options;
        options.extraArgs = { QStringLiteral("--refresh-reuse-interval"), QStringLiteral("0") };
        m_server = std::make_unique<ServerProcess>(options);
        QVERIFY(m_server->start());
    }

    void bothStaySignedInWhileTheyTakeTurnsRefreshing()
    {
        // The desktop app signs in and keeps the session.
        auto desk = session(QStringLiteral("desk"));
        QSignalSpy deskIn(desk.get(), &SyncSession::signedIn);
        QSignalSpy kept(desk->credentials(), &CredentialStore::saved);
        desk->signIn(DemoData::agent1, QStringLiteral("syncloop-demo"),
            SyncSession::Persistence::Remembered);
        QVERIFY(deskIn.wait(10000));
        QVERIFY(!kept.isEmpty() || kept.wait(10000));
        QCOMPARE(desk->credentials()->backend(), CredentialStore::Backend::Keychain);
        QVERIFY2(kept.first().at(1).toBool(), "the keychain did not keep the session");

        // syncloopctl starts from what is kept and rotates it ...
        for (int round = 0; round < 3; ++round) {
            auto ctl = session(QStringLiteral("ctl"));
            QSignalSpy ctlIn(ctl.get(), &SyncSession::signedIn);
            QSignalSpy ctlKept(ctl->credentials(), &CredentialStore::saved);
            ctl->resume(DemoData::agent1);
            QVERIFY2(ctlIn.wait(10000), qPrintable(QStringLiteral("round %1").arg(round)));
            QVERIFY(!ctlKept.isEmpty() || ctlKept.wait(10000)); // the rotated token is kept
            QVERIFY(ctl->api()->refreshToken() != desk->api()->refreshToken());

            // ... and the desktop app, whose own token is now rotated away, refreshes: it must
            // take the kept one, not present its own again.
            QVERIFY2(refreshed(*desk),
                qPrintable(QStringLiteral("desk signed out in round %1").arg(round)));
            QCOMPARE(desk->api()->refreshToken().isEmpty(), false);
        }

        // And the next syncloopctl run still gets in: nobody's family was revoked.
        auto ctl = session(QStringLiteral("ctl"));
        QSignalSpy ctlIn(ctl.get(), &SyncSession::signedIn);
        QSignalSpy ctlFailed(ctl.get(), &SyncSession::signInFailed);
        ctl->resume(DemoData::agent1);
        QVERIFY(ctlIn.wait(10000));
        QVERIFY(ctlFailed.isEmpty());

        // Clean up the keychain entry for the next run.
        QSignalSpy removed(desk->credentials(), &CredentialStore::removed);
        desk->signOut(SyncSession::KeptSession::Forget);
        QVERIFY(!removed.isEmpty() || removed.wait(10000));
    }
};

QTEST_MAIN(TestSharedSession)
#include "tst_sharedsession.moc"
