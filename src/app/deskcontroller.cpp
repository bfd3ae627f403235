#include "deskcontroller.h"

#include "logindialog.h"
#include "mainwindow.h"
#include "toastoverlay.h"

#include <QSettings>

namespace {
const QString rememberedEmailKey = QStringLiteral("rememberedEmail");
const QString lastEmailKey = QStringLiteral("lastEmail");
const QString serverKey = QStringLiteral("server");
} // namespace

DeskController::DeskController(Options options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
{ }

DeskController::~DeskController()
{
    delete m_window;
    delete m_login;
}

bool DeskController::createSession(const QUrl &server, QString *error)
{
    Options options = m_options;
    options.server = server;
    auto *session = new SyncSession(options, this);
    if (!session->open(error)) {
        delete session;
        return false;
    }
    retire(m_session);
    m_session = session;
    connect(session, &SyncSession::signedIn, this, &DeskController::onSignedIn);
    connect(session, &SyncSession::signInFailed, this, &DeskController::askToSignIn);
    connect(session->credentials(), &CredentialStore::saved, this, &DeskController::onSessionSaved);
    connect(session->credentials(), &CredentialStore::keychainUnavailable, this,
        [this](const QString &reason) {
            const QString message
                = tr("No system keychain (%1): you will have to sign in again next time.")
                      .arg(reason);
            if (m_window)
                m_window->toasts()->show(false, message);
            else if (m_login)
                m_login->showError(message);
        });
    return true;
}

void DeskController::retire(SyncSession *session)
{
    // Replaced sessions are never signed in (the dialog only shows signed out); they go once
    // their keychain jobs are done, so a forget in flight still reaches the keychain.
    if (!session)
        return;
    session->disconnect(this);
    session->credentials()->disconnect(this);
    if (session->credentials()->hasJobsInFlight())
        connect(
            session->credentials(), &CredentialStore::jobsFinished, session, &QObject::deleteLater);
    else
        session->deleteLater();
}

bool DeskController::start(QString *error)
{
    if (!createSession(m_options.server, error))
        return false;
    const QString remembered = QSettings().value(rememberedEmailKey).toString();
    if (remembered.isEmpty()) {
        askToSignIn(QString());
        return true;
    }
    // Silently, from the keychain; the login dialog (with the reason) only if that fails.
    m_session->resume(remembered);
    return true;
}

void DeskController::askToSignIn(const QString &problem)
{
    if (m_window)
        return; // a late answer to a sign-in that already succeeded
    if (!m_login) {
        m_login = new LoginDialog();
        m_login->setAttribute(Qt::WA_DeleteOnClose);
        m_login->setServer(m_session->server());
        m_login->setEmail(QSettings().value(lastEmailKey).toString());
        // rejected comes only from the user: the controller dismisses the dialog with accept().
        connect(m_login, &QDialog::rejected, this, &DeskController::quitWhenIdle);
        connect(m_login, &LoginDialog::signInRequested, this, &DeskController::onSignInRequested);
    }
    m_login->showError(problem);
    m_login->show();
    m_login->raise();
    m_login->activateWindow();
}

void DeskController::onSignInRequested(const QUrl &server, const QString &email,
    const QString &password, SyncSession::Persistence persistence)
{
    if (server.adjusted(QUrl::StripTrailingSlash)
        != m_session->server().adjusted(QUrl::StripTrailingSlash)) {
        QString error;
        if (!createSession(server, &error)) {
            m_login->showError(tr("Cannot use %1: %2").arg(server.toString(), error));
            return;
        }
    }
    m_session->signIn(email, password, persistence);
}

void DeskController::onSignedIn()
{
    QSettings settings;
    settings.setValue(serverKey, m_session->server().toString());
    settings.setValue(lastEmailKey, m_session->email());
    // "Remember me" is recorded only once the keychain holds the session (onSessionSaved).
    if (m_session->persistence() == SyncSession::Persistence::ThisRunOnly)
        settings.remove(rememberedEmailKey);
    showMainWindow();
}

void DeskController::onSessionSaved(const QString &account, bool persistent)
{
    if (account != m_session->account()
        || m_session->persistence() != SyncSession::Persistence::Remembered)
        return;
    QSettings settings;
    if (persistent)
        settings.setValue(rememberedEmailKey, m_session->email());
    else
        settings.remove(rememberedEmailKey); // in memory only: the next start must ask
}

void DeskController::showMainWindow()
{
    // The window first, then the dialog goes: at no moment is there nothing on screen.
    if (!m_window) {
        m_window = new MainWindow(m_session);
        m_window->setAttribute(Qt::WA_DeleteOnClose);
        connect(m_window, &MainWindow::signOutRequested, this, &DeskController::signOut);
        connect(m_window, &QObject::destroyed, this, &DeskController::quitWhenIdle);
    }
    m_session->loadSnapshot();
    m_window->show();
    m_window->activateWindow(); // keyboard first: the dialog had the focus
    dismissLogin();
    emit windowShown(m_window);
}

void DeskController::dismissLogin()
{
    LoginDialog *login = m_login;
    if (!login)
        return;
    m_login = nullptr; // it goes later (WA_DeleteOnClose): never show it again
    login->disconnect(this);
    login->accept(); // never close(): that is reject(), the user's Cancel
}

void DeskController::signOut()
{
    QSettings().remove(rememberedEmailKey);
    m_session->signOut(SyncSession::KeptSession::Forget);
    if (MainWindow *window = m_window) {
        m_window = nullptr; // it goes later (WA_DeleteOnClose); the dialog must come now
        window->disconnect(this);
        window->close();
    }
    askToSignIn(QString());
}

void DeskController::quitWhenIdle()
{
    if (m_session && m_session->credentials()->hasJobsInFlight()) {
        connect(m_session->credentials(), &CredentialStore::jobsFinished, this,
            &DeskController::quitWhenIdle, Qt::UniqueConnection);
        return;
    }
    emit quitRequested();
}
