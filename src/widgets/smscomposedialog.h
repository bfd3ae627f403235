#pragma once

#include <QDialog>

class QPlainTextEdit;
class QLabel;

// Composes an SMS to a lead, with a default text; shows the length against the limit.
class SmsComposeDialog : public QDialog
{
    Q_OBJECT
public:
    SmsComposeDialog(const QString &leadName, QWidget *parent = nullptr);
    QString message() const;

    static constexpr int maxLength = 1600;

private:
    QPlainTextEdit *m_text;
    QLabel *m_count;
};
