#pragma once

#include "logindialog.h"
#include "mainwindow.h"
#include "syncsession.h"

#include <QObject>
#include <QPointer>

// What syncloop-desk does from start to quit: open the session (queue first, so what was
// queued before is sent as soon as someone signs in), sign in silently from the keychain if
// the user asked to be remembered, otherwise ask; show the main window; on sign-out forget the
// kept session and ask again.
//
// Lifetimes: the controller owns the session, the login dialog and the main window. The
// dialog is a view that never holds the session, so the session can be replaced (another
// server typed in) while the dialog stays. Only the user quits: Cancel in the dialog before
// any window exists, or closing the main window (Ctrl+Q). Quitting waits for keychain jobs in
// flight, so a session being saved or forgotten is never cut off.
class DeskController : public QObject
{
    Q_OBJECT
public:
    using Options = SyncSession::Options;

    explicit DeskController(Options options, QObject *parent = nullptr);
    ~DeskController() override;

    // False (with *error) when the offline queue cannot be opened.
    bool start(QString *error);

    SyncSession *session() const { return m_session; }
    MainWindow *window() const { return m_window; }
    LoginDialog *loginDialog() const { return m_login; }

signals:
    void windowShown(MainWindow *window);
    // The user asked to quit and nothing is in flight any more: the application may end.
    void quitRequested();

private:
    bool createSession(const QUrl &server, QString *error);
    void retire(SyncSession *session);
    void askToSignIn(const QString &problem);
    void onSignInRequested(const QUrl &server, const QString &email, const QString &password,
        SyncSession::Persistence persistence);
    void onSignedIn();
    void onSessionSaved(const QString &account, bool persistent);
    void showMainWindow();
    void dismissLogin();
    void signOut();
    void quitWhenIdle();

    Options m_options;
    SyncSession *m_session = nullptr;
    QPointer<MainWindow> m_window;
    QPointer<LoginDialog> m_login;
};
