#include "logindialog.h"

#include "ui_logindialog.h"

#include <QPushButton>

LoginDialog::LoginDialog(QWidget *parent)
    : QDialog(parent)
    , m_ui(std::make_unique<Ui::LoginDialog>())
{
    m_ui->setupUi(this);
    m_ui->errorLabel->hide();
    // Screen readers (and the end-to-end tests, which read the screen the same way) find the
    // fields by these names.
    m_ui->serverEdit->setAccessibleName(tr("Server"));
    m_ui->emailEdit->setAccessibleName(tr("Email"));
    m_ui->passwordEdit->setAccessibleName(tr("Password"));
    m_ui->rememberCheck->setAccessibleName(tr("Remember me"));
    m_ui->errorLabel->setAccessibleName(tr("Sign-in problem"));
    m_ui->buttons->button(QDialogButtonBox::Ok)->setText(tr("Sign in"));
    connect(m_ui->buttons, &QDialogButtonBox::accepted, this, &LoginDialog::submit);
    connect(m_ui->buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

LoginDialog::~LoginDialog() = default;

QLineEdit *LoginDialog::emailEdit() const
{
    return m_ui->emailEdit;
}

QLineEdit *LoginDialog::passwordEdit() const
{
    return m_ui->passwordEdit;
}

void LoginDialog::setServer(const QUrl &server)
{
    m_ui->serverEdit->setText(server.toString());
}

void LoginDialog::setEmail(const QString &email)
{
    m_ui->emailEdit->setText(email);
    (email.isEmpty() ? m_ui->emailEdit : m_ui->passwordEdit)->setFocus();
}

QString LoginDialog::email() const
{
    return m_ui->emailEdit->text().trimmed();
}

QUrl LoginDialog::server() const
{
    return QUrl(m_ui->serverEdit->text().trimmed());
}

SyncSession::Persistence LoginDialog::persistence() const
{
    return m_ui->rememberCheck->isChecked() ? SyncSession::Persistence::Remembered
                                            : SyncSession::Persistence::ThisRunOnly;
}

void LoginDialog::showError(const QString &message)
{
    m_ui->errorLabel->setText(message);
    m_ui->errorLabel->setVisible(!message.isEmpty());
    // A screen reader reads a label's name, not its text: the message goes into both.
    m_ui->errorLabel->setAccessibleName(
        message.isEmpty() ? tr("Sign-in problem") : tr("Sign-in problem: %1").arg(message));
    m_ui->errorLabel->setAccessibleDescription(message);
    setBusy(false);
}

void LoginDialog::setBusy(bool busy)
{
    m_busy = busy;
    m_ui->buttons->button(QDialogButtonBox::Ok)->setEnabled(!busy);
    m_ui->serverEdit->setReadOnly(busy);
    m_ui->emailEdit->setReadOnly(busy);
    m_ui->passwordEdit->setReadOnly(busy);
}

void LoginDialog::submit()
{
    if (m_busy)
        return;
    const QUrl url = server();
    if (!url.isValid() || url.host().isEmpty()
        || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https"))) {
        showError(tr("The server address must start with http:// or https:// and name a host."));
        m_ui->serverEdit->setFocus();
        return;
    }
    if (email().isEmpty() || m_ui->passwordEdit->text().isEmpty()) {
        showError(tr("Enter your email and password."));
        return;
    }
    showError(QString());
    setBusy(true);
    emit signInRequested(url, email(), m_ui->passwordEdit->text(), persistence());
}
