#include "syncbuttonwithconfirm.h"

#include <QMessageBox>
#include <QPushButton>

SyncButtonWithConfirm::SyncButtonWithConfirm(
    const QString &idleText, QString title, QString message, QWidget *parent)
    : SyncButton(idleText, parent)
    , m_title(std::move(title))
    , m_message(std::move(message))
{
    setProperty("destructive", true);
}

void SyncButtonWithConfirm::setQuestion(const QString &title, const QString &message)
{
    m_title = title;
    m_message = message;
}

void SyncButtonWithConfirm::requestAction()
{
    if (m_box)
        return; // already asking
    m_box = new QMessageBox(
        QMessageBox::Warning, m_title, m_message, QMessageBox::NoButton, window());
    m_box->setAttribute(Qt::WA_DeleteOnClose);
    QPushButton *go = m_box->addButton(idleText(), QMessageBox::DestructiveRole);
    QPushButton *cancel = m_box->addButton(QMessageBox::Cancel);
    go->setObjectName(QStringLiteral("confirmDestructive"));
    go->setStyleSheet(QStringLiteral(
        "QPushButton { color: white; background-color: #c0392b; padding: 4px 12px; }"));
    m_box->setDefaultButton(cancel);
    m_box->setEscapeButton(cancel);
    connect(m_box, &QMessageBox::buttonClicked, this, [this, go](QAbstractButton *clicked) {
        if (clicked == go)
            emit actionRequested();
    });
    m_box->open(); // window-modal, no nested event loop
}
