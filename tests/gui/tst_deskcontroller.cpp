// The desktop app's sign-in, as DeskController runs it: only the user's Cancel quits before a
// window exists; closing the dialog from code, a replaced session or a failed sign-in never
// does; "Remember me" is recorded once the session is really kept.
#include "demodata.h"
#include "deskcontroller.h"
#include "logindialog.h"
#include "mainwindow.h"
#include "serverprocess.h"

#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

class TestDeskController : public QObject
{
    Q_OBJECT

    std::unique_ptr<ServerProcess> m_server;
    QTemporaryDir m_clientDir;

    DeskController::Options options(
        CredentialStore::Backend credentials = CredentialStore::Backend::MemoryOnly) const
    {
        DeskController::Options o;
        o.server = m_server->baseUrl();
        o.queuePath = m_clientDir.filePath(QStringLiteral("queue.sqlite"));
        o.credentials = credentials;
        o.requestTimeoutMs = 3000;
        return o;
    }

    static QString problem(LoginDialog *login)
    {
        auto *label = login->findChild<QLabel *>(QStringLiteral("errorLabel"));
        return label && label->isVisible() ? label->text() : QString();
    }

    static void signIn(
        LoginDialog *login, const QString &server, const QString &email, const QString &password)
    {
        login->findChild<QLineEdit *>(QStringLiteral("serverEdit"))->setText(server);
        login->emailEdit()->setText(email);
        login->passwordEdit()->setText(password);
        QTest::keyClick(login->passwordEdit(), Qt::Key_Return);
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("syncloop-test"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_deskcontroller"));
        m_server = std::make_unique<ServerProcess>();
        QVERIFY(m_server->start());
    }

    void init() { QSettings().clear(); }

    void cancelQuitsBeforeAnyWindow()
    {
        DeskController desk(options());
        QSignalSpy quit(&desk, &DeskController::quitRequested);
        QString error;
        QVERIFY(desk.start(&error));
        QVERIFY(desk.loginDialog());
        QTRY_VERIFY(desk.loginDialog()->isVisible());
        QTest::keyClick(desk.loginDialog(), Qt::Key_Escape);
        QCOMPARE(quit.size(), 1);
        QVERIFY(!desk.window());
    }

    void signInErrorsStayInTheDialog_data()
    {
        QTest::addColumn<QString>("server");
        QTest::addColumn<QString>("password");
        QTest::addColumn<QString>("expected");
        QTest::newRow("wrong password") << QString() << QStringLiteral("not-the-password")
                                        << QStringLiteral("Wrong email or password");
        // Port 1 on loopback: nothing listens there.
        QTest::newRow("unreachable server")
            << QStringLiteral("http://127.0.0.1:1") << QStringLiteral("syncloop-demo")
            << QStringLiteral("reach");
        // No port: http's 80, where no syncloopd runs here.
        QTest::newRow("http without a port")
            << QStringLiteral("http://127.0.0.1") << QStringLiteral("syncloop-demo") << QString();
        QTest::newRow("not a URL") << QStringLiteral("127.0.0.1:8080")
                                   << QStringLiteral("syncloop-demo") << QStringLiteral("http://");
    }

    void signInErrorsStayInTheDialog()
    {
        QFETCH(QString, server);
        QFETCH(QString, password);
        QFETCH(QString, expected);
        DeskController desk(options());
        QSignalSpy quit(&desk, &DeskController::quitRequested);
        QSignalSpy shown(&desk, &DeskController::windowShown);
        QString error;
        QVERIFY(desk.start(&error));
        QPointer<LoginDialog> login = desk.loginDialog();
        QTRY_VERIFY(login->isVisible());
        signIn(login, server.isEmpty() ? m_server->baseUrl().toString() : server, DemoData::agent1,
            password);
        QTRY_VERIFY_WITH_TIMEOUT(!problem(login).isEmpty(), 10000);
        QVERIFY2(
            problem(login).contains(expected, Qt::CaseInsensitive), qPrintable(problem(login)));
        // The same dialog, still up and usable; nothing half-built; the app stays.
        QCOMPARE(desk.loginDialog(), login.data());
        QVERIFY(login->isVisible());
        QVERIFY(!login->isBusy());
        QVERIFY(!desk.window());
        QCOMPARE(shown.size(), 0);
        QCOMPARE(quit.size(), 0);

        // And the right server and password still get in from the same dialog.
        signIn(login, m_server->baseUrl().toString(), DemoData::agent1,
            QStringLiteral("syncloop-demo"));
        QVERIFY(!shown.isEmpty() || shown.wait(10000));
        QVERIFY(desk.window()->isVisible());
        QTRY_VERIFY(!login); // dismissed (accepted and deleted), not rejected
        QCOMPARE(quit.size(), 0);
        QCOMPARE(desk.session()->server().port(), m_server->baseUrl().port());
    }

    void signingInClosesTheDialogWithoutQuitting()
    {
        DeskController desk(options());
        QSignalSpy quit(&desk, &DeskController::quitRequested);
        QSignalSpy shown(&desk, &DeskController::windowShown);
        QString error;
        QVERIFY(desk.start(&error));
        QPointer<LoginDialog> login = desk.loginDialog();
        QSignalSpy rejected(login.data(), &QDialog::rejected);
        QSignalSpy accepted(login.data(), &QDialog::accepted);
        signIn(login, m_server->baseUrl().toString(), DemoData::agent1,
            QStringLiteral("syncloop-demo"));
        QVERIFY(!shown.isEmpty() || shown.wait(10000));
        QCOMPARE(accepted.size(), 1);
        QCOMPARE(rejected.size(), 0);
        QTRY_VERIFY(!login);
        QCOMPARE(quit.size(), 0);
        // Not remembered: nothing to resume next time.
        QVERIFY(QSettings().value(QStringLiteral("rememberedEmail")).toString().isEmpty());
        QCOMPARE(QSettings().value(QStringLiteral("lastEmail")).toString(), DemoData::agent1);

        // Closing the window is the user's quit.
        desk.window()->close();
        QTRY_COMPARE(quit.size(), 1);
    }

    void rememberIsRecordedOnlyWhenTheSessionIsKept()
    {
        // No keychain in this process: the session lives in memory only, so the next start
        // must ask again — "Remember me" must not be recorded.
        DeskController desk(options(CredentialStore::Backend::MemoryOnly));
        QSignalSpy shown(&desk, &DeskController::windowShown);
        QString error;
        QVERIFY(desk.start(&error));
        LoginDialog *login = desk.loginDialog();
        QSignalSpy saved(desk.session()->credentials(), &CredentialStore::saved);
        login->findChild<QCheckBox *>(QStringLiteral("rememberCheck"))->setChecked(true);
        signIn(login, m_server->baseUrl().toString(), DemoData::agent1,
            QStringLiteral("syncloop-demo"));
        QVERIFY(!shown.isEmpty() || shown.wait(10000));
        QVERIFY(!saved.isEmpty() || saved.wait(5000));
        QCOMPARE(saved.first().at(1).toBool(), false);
        QVERIFY(QSettings().value(QStringLiteral("rememberedEmail")).toString().isEmpty());
    }

    void rememberedOnceTheKeychainHasItAndQuitWaitsForIt()
    {
        // The real keychain (the test command starts one): "Remember me" is recorded only after
        // the keychain job that keeps the session finished, and a quit right after sign-in
        // waits for that job instead of cutting it off.
        DeskController desk(options(CredentialStore::Backend::Keychain));
        QSignalSpy shown(&desk, &DeskController::windowShown);
        QString error;
        QVERIFY(desk.start(&error));
        CredentialStore *credentials = desk.session()->credentials();
        QSignalSpy saved(credentials, &CredentialStore::saved);
        int savedWhenQuit = -1;
        QString rememberedWhenQuit;
        connect(&desk, &DeskController::quitRequested, this, [&] {
            savedWhenQuit = int(saved.size());
            rememberedWhenQuit = QSettings().value(QStringLiteral("rememberedEmail")).toString();
        });
        desk.loginDialog()
            ->findChild<QCheckBox *>(QStringLiteral("rememberCheck"))
            ->setChecked(true);
        signIn(desk.loginDialog(), m_server->baseUrl().toString(), DemoData::agent1,
            QStringLiteral("syncloop-demo"));
        QVERIFY(!shown.isEmpty() || shown.wait(10000));
        // The user quits at once (Ctrl+Q closes the window).
        const bool jobInFlight = credentials->hasJobsInFlight();
        desk.window()->close();
        QTRY_VERIFY_WITH_TIMEOUT(savedWhenQuit >= 0, 10000);
        QCOMPARE(credentials->backend(), CredentialStore::Backend::Keychain);
        QCOMPARE(savedWhenQuit, 1);
        QCOMPARE(saved.first().at(1).toBool(), true);
        QCOMPARE(rememberedWhenQuit, DemoData::agent1);
        qInfo() << "keychain job in flight when the user quit:" << jobInFlight;

        // The next start signs in silently from what was kept.
        DeskController next(options(CredentialStore::Backend::Keychain));
        QSignalSpy nextShown(&next, &DeskController::windowShown);
        QVERIFY(next.start(&error));
        QVERIFY(!nextShown.isEmpty() || nextShown.wait(10000));
        QVERIFY(!next.loginDialog());
        QSignalSpy removed(next.session()->credentials(), &CredentialStore::removed);
        emit next.window()->signOutRequested(); // and signing out forgets it
        QVERIFY(!removed.isEmpty() || removed.wait(10000));
        QVERIFY(QSettings().value(QStringLiteral("rememberedEmail")).toString().isEmpty());
    }

    void aRememberedSessionThatIsGoneAsksAgain()
    {
        // Remembered, but nothing in the store (removed elsewhere, or expired and dropped):
        // the dialog with the reason, and the app stays.
        QSettings().setValue(QStringLiteral("rememberedEmail"), DemoData::agent1);
        DeskController desk(options(CredentialStore::Backend::MemoryOnly));
        QSignalSpy quit(&desk, &DeskController::quitRequested);
        QString error;
        QVERIFY(desk.start(&error));
        QTRY_VERIFY(desk.loginDialog() && desk.loginDialog()->isVisible());
        QTRY_VERIFY(problem(desk.loginDialog()).contains(DemoData::agent1));
        QVERIFY(!desk.window());
        QCOMPARE(quit.size(), 0);
    }

    void signingOutAsksAgainWithoutQuitting()
    {
        DeskController desk(options());
        QSignalSpy quit(&desk, &DeskController::quitRequested);
        QSignalSpy shown(&desk, &DeskController::windowShown);
        QString error;
        QVERIFY(desk.start(&error));
        signIn(desk.loginDialog(), m_server->baseUrl().toString(), DemoData::agent1,
            QStringLiteral("syncloop-demo"));
        QVERIFY(!shown.isEmpty() || shown.wait(10000));
        QPointer<MainWindow> window = desk.window();
        emit window->signOutRequested();
        QTRY_VERIFY(!window);
        QVERIFY(desk.loginDialog());
        QTRY_VERIFY(desk.loginDialog()->isVisible());
        QCOMPARE(quit.size(), 0);
    }
};

QTEST_MAIN(TestDeskController)
#include "tst_deskcontroller.moc"
