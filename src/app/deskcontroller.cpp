#include "deskcontroller.h"

#include "apiclient.h"
#include "logindialog.h"
#include "mainwindow.h"

#include <QApplication>
#include <QMessageBox>
#include <QSettings>

DeskController::DeskController(Options options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
{
}

DeskController::~DeskController()
{
    delete m_window;
    delete m_login;
}

bool DeskController::createSession(const QUrl &server, QString *error)
{
    SyncSession::Options options;
    options.server = server;
    options.queuePath = m_options.queuePath;
    options.credentials = m_options.keychain ? CredentialStore::Backend::Keychain : CredentialStore::Backend::MemoryOnly;
    options.engine = m_options.engine;
    options.realtime = m_options.realtime;
    options.requestTimeoutMs = m_options.requestTimeoutMs;
    auto *session = new SyncSession(options, this);
    if (!session->open(error)) {
        delete session;
        return false;
    }
    delete m_session;
    m_session = session;
    connect(session, &SyncSession::signedIn, this, &DeskController::showMainWindow);
    connect(session->credentials(), &CredentialStore::keychainUnavailable, this, [this](const QString &reason) {
        if (m_login)
            m_login->showError(tr("No system keychain (%1): you will have to sign in again next time.").arg(reason));
    });
    return true;
}

bool DeskController::start(QString *error)
{
    if (!createSession(m_options.server, error))
        return false;
    const QSettings settings;
    const QString remembered = settings.value(QStringLiteral("rememberedEmail")).toString();
    if (remembered.isEmpty()) {
        askToSignIn(QString());
        return true;
    }
    // Silently, from the keychain; the login dialog only if that does not work.
    connect(m_session, &SyncSession::signInFailed, this, &DeskController::askToSignIn, Qt::SingleShotConnection);
    m_session->resume(remembered);
    return true;
}

void DeskController::askToSignIn(const QString &problem)
{
    if (m_login) {
        m_login->showError(problem);
        return;
    }
    m_login = new LoginDialog(m_session);
    m_login->setAttribute(Qt::WA_DeleteOnClose);
    m_login->setEmail(QSettings().value(QStringLiteral("lastEmail")).toString());
    m_login->showError(problem);
    connect(m_login, &QDialog::rejected, this, [this] {
        if (!m_window)
            QApplication::quit();
    });
    connect(m_login, &LoginDialog::serverChanged, this, [this](const QUrl &server) {
        QString error;
        const QString email = m_login->email();
        if (!createSession(server, &error)) {
            m_login->showError(error);
            return;
        }
        m_login->close();
        askToSignIn(QString());
        m_login->setEmail(email);
    });
    m_login->show();
}

void DeskController::showMainWindow()
{
    QSettings settings;
    settings.setValue(QStringLiteral("server"), m_session->server().toString());
    settings.setValue(QStringLiteral("lastEmail"), m_session->email());
    if (m_login) {
        if (m_login->remember())
            settings.setValue(QStringLiteral("rememberedEmail"), m_session->email());
        else
            settings.remove(QStringLiteral("rememberedEmail"));
        m_login->close();
    }
    if (!m_window) {
        m_window = new MainWindow(m_session);
        m_window->setAttribute(Qt::WA_DeleteOnClose);
        connect(m_window, &MainWindow::signOutRequested, this, &DeskController::signOut);
    }
    m_session->loadSnapshot();
    m_window->show();
    emit windowShown(m_window);
}

void DeskController::signOut()
{
    QSettings().remove(QStringLiteral("rememberedEmail"));
    m_session->signOut(true);
    if (m_window) {
        m_window->disconnect(this);
        m_window->close();
    }
    askToSignIn(QString());
}
