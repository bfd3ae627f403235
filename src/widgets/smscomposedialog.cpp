#include "smscomposedialog.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

SmsComposeDialog::SmsComposeDialog(const QString &leadName, QWidget *parent)
    : QDialog(parent)
    , m_text(new QPlainTextEdit(this))
    , m_count(new QLabel(this))
{
    setWindowTitle(tr("Send SMS to %1").arg(leadName));
    m_text->setPlainText(
        tr("Hello %1, thanks for your interest! When would be a good time to talk?")
            .arg(leadName.section(QLatin1Char(' '), 0, 0)));
    m_text->setAccessibleName(tr("Message"));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    QPushButton *send = buttons->addButton(tr("Send"), QDialogButtonBox::AcceptRole);
    send->setDefault(true);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_text);
    layout->addWidget(m_count);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto recount = [this, send] {
        const int n = int(m_text->toPlainText().size());
        m_count->setText(tr("%1 / %2 characters").arg(n).arg(maxLength));
        send->setEnabled(n > 0 && n <= maxLength && !m_text->toPlainText().trimmed().isEmpty());
    };
    connect(m_text, &QPlainTextEdit::textChanged, this, recount);
    recount();
    resize(420, 220);
}

QString SmsComposeDialog::message() const
{
    return m_text->toPlainText();
}
