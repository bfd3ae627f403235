#pragma once

#include <QLabel>
#include <QQueue>
#include <QTimer>

// Transient notifications over the bottom of a window: success in green, errors in red, one at
// a time, each for a few seconds; nothing modal, nothing to dismiss. Errors stay longer.
class ToastOverlay : public QLabel
{
    Q_OBJECT
public:
    explicit ToastOverlay(QWidget *window);

    void show(bool success, const QString &message);
    QString currentMessage() const { return isVisible() ? text() : QString(); }
    QStringList history() const { return m_history; } // every message shown (for tests)

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void next();
    void place();

    QQueue<std::pair<bool, QString>> m_queue;
    QTimer m_timer;
    QStringList m_history;
};
