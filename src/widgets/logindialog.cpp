#include "logindialog.h"

#include "apireply.h"
#include "syncsession.h"
#include "ui_logindialog.h"

#include <QPushButton>

LoginDialog::LoginDialog(SyncSession *session, QWidget *parent)
    : QDialog(parent)
    , m_ui(std::make_unique<Ui::LoginDialog>())
    , m_session(session)
{
    m_ui->setupUi(this);
    m_ui->serverEdit->setText(session->server().toString());
    m_ui->errorLabel->hide();
    connect(m_ui->buttons, &QDialogButtonBox::accepted, this, &LoginDialog::submit);
    connect(m_ui->buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(session, &SyncSession::signedIn, this, &QDialog::accept);
    connect(session, &SyncSession::signInFailed, this, &LoginDialog::showError);
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

bool LoginDialog::remember() const
{
    return m_ui->rememberCheck->isChecked();
}

void LoginDialog::showError(const QString &message)
{
    m_ui->errorLabel->setText(message);
    m_ui->errorLabel->setVisible(!message.isEmpty());
    m_ui->buttons->button(QDialogButtonBox::Ok)->setEnabled(true);
}

void LoginDialog::submit()
{
    const QUrl url = server();
    if (!url.isValid() || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https"))) {
        showError(tr("The server address must start with http:// or https://"));
        return;
    }
    if (email().isEmpty() || m_ui->passwordEdit->text().isEmpty()) {
        showError(tr("Enter your email and password."));
        return;
    }
    if (url.adjusted(QUrl::StripTrailingSlash) != m_session->server().adjusted(QUrl::StripTrailingSlash)) {
        emit serverChanged(url);
        return;
    }
    showError(QString());
    m_ui->buttons->button(QDialogButtonBox::Ok)->setEnabled(false);
    m_session->signIn(email(), m_ui->passwordEdit->text(), remember());
}
