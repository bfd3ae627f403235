#pragma once

#include "syncsession.h"

#include <QObject>
#include <QPointer>

#include "logindialog.h"
#include "mainwindow.h"

// What syncloop-desk does from start to quit: open the session (queue first, so what was
// queued before is sent as soon as someone signs in), sign in silently from the keychain if
// the user asked to be remembered, otherwise ask; show the main window; on sign-out forget the
// kept session and ask again.
class DeskController : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        QUrl server;
        QString queuePath;
        bool keychain = true;
        MutationEngine::Options engine;
        RealtimeClient::Options realtime;
        int requestTimeoutMs = 15000;
    };

    explicit DeskController(Options options, QObject *parent = nullptr);
    ~DeskController() override;

    // False (with *error) when the offline queue cannot be opened.
    bool start(QString *error);

    SyncSession *session() const { return m_session; }
    MainWindow *window() const { return m_window; }
    LoginDialog *loginDialog() const { return m_login; }

signals:
    void windowShown(MainWindow *window);

private:
    bool createSession(const QUrl &server, QString *error);
    void askToSignIn(const QString &problem);
    void showMainWindow();
    void signOut();

    Options m_options;
    SyncSession *m_session = nullptr;
    QPointer<MainWindow> m_window;
    QPointer<LoginDialog> m_login;
};
