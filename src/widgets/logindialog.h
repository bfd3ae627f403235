#pragma once

#include <QDialog>

#include <memory>

namespace Ui {
class LoginDialog;
}
class SyncSession;

// Server URL, email, password and "remember me" (the session goes to the system keychain).
// Signs in through the session without blocking; shows the server's answer when it fails.
class LoginDialog : public QDialog
{
    Q_OBJECT
public:
    LoginDialog(SyncSession *session, QWidget *parent = nullptr);
    ~LoginDialog() override;

    void setEmail(const QString &email);
    QString email() const;
    QUrl server() const;
    bool remember() const;
    void showError(const QString &message);

    // Form fields, for tests.
    class QLineEdit *emailEdit() const;
    class QLineEdit *passwordEdit() const;

signals:
    // The user wants another server: the owner builds a new session for it and retries.
    void serverChanged(const QUrl &server);

private:
    void submit();

    std::unique_ptr<Ui::LoginDialog> m_ui;
    SyncSession *m_session;
};
