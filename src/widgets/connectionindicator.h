#pragma once

#include <QTimer>
#include <QWidget>

class QLabel;
class QPushButton;
class SyncSession;

// The status bar's account of synchronisation: the connection (live / reconnecting in N s /
// offline), the realtime channel, and the number of changes waiting, as a button that opens
// the sync-status dialog.
class ConnectionIndicator : public QWidget
{
    Q_OBJECT
public:
    explicit ConnectionIndicator(SyncSession *session, QWidget *parent = nullptr);

    QString connectionText() const;
    QString realtimeText() const;
    QPushButton *pendingButton() const { return m_pending; }

signals:
    void openSyncStatus();

private:
    void refresh();

    SyncSession *m_session;
    QLabel *m_connection;
    QLabel *m_realtime;
    QPushButton *m_pending;
    QTimer m_tick;
};
