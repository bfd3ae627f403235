#pragma once

#include "syncbutton.h"

#include <QMessageBox>
#include <QPointer>

// A SyncButton for destructive actions: it asks first (title, message, a destructive button
// named after the action, Cancel as the default) and starts nothing unless the user agrees.
class SyncButtonWithConfirm : public SyncButton
{
    Q_OBJECT
public:
    SyncButtonWithConfirm(
        const QString &idleText, QString title, QString message, QWidget *parent = nullptr);

    void setQuestion(const QString &title, const QString &message);
    QMessageBox *question() const { return m_box; } // the open question, if any (for tests)

protected:
    void requestAction() override;

private:
    QString m_title;
    QString m_message;
    QPointer<QMessageBox> m_box;
};
