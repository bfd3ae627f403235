#pragma once

#include "syncsession.h"

#include <QDialog>
#include <QUrl>
#include <memory>

namespace Ui {
class LoginDialog;
}

// Server URL, email, password and "remember me" (the session goes to the system keychain).
// A view only: it asks its owner to sign in (signInRequested) and shows what the owner says
// back (showError). It holds no session, so the owner may replace its session at any time.
// It is rejected only by the user (Cancel, Escape, the window's close button): the owner
// dismisses it with accept().
class LoginDialog : public QDialog
{
    Q_OBJECT
public:
    explicit LoginDialog(QWidget *parent = nullptr);
    ~LoginDialog() override;

    void setServer(const QUrl &server);
    void setEmail(const QString &email);
    QString email() const;
    QUrl server() const;
    SyncSession::Persistence persistence() const;
    // Shows `message` (none: hides the line) and makes the form editable again.
    void showError(const QString &message);
    bool isBusy() const { return m_busy; }

    // Form fields, for tests.
    class QLineEdit *emailEdit() const;
    class QLineEdit *passwordEdit() const;

signals:
    void signInRequested(const QUrl &server, const QString &email, const QString &password,
        SyncSession::Persistence persistence);

private:
    void submit();
    void setBusy(bool busy);

    std::unique_ptr<Ui::LoginDialog> m_ui;
    bool m_busy = false;
};
