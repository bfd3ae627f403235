#pragma once

#include <QDialog>
#include <QTimer>
#include <memory>

namespace Ui {
class SyncStatusDialog;
}
class QSortFilterProxyModel;
class QueueModel;
class Sparkline;
class SyncSession;

// The admin's window on synchronisation. Offline queue: every mutation still owed or needing
// attention (sortable, live), Retry All (now, ignoring backoff), Retry Selected, Discard
// Selected (after saying what will not happen), and how many need review. Mutations queued
// without a signed-in user need review until the user adopts them (Adopt Selected / Adopt
// All: sent as this user, with their keys) or discards them. Server (admin): idempotency, realtime,
// breaker and outbox figures every few seconds, with charts of queue depth and failure rate.
// Agents see their own queue only and no server tab. Both see when the data was last reloaded
// because the server's change history had expired.
class SyncStatusDialog : public QDialog
{
    Q_OBJECT
public:
    SyncStatusDialog(SyncSession *session, QWidget *parent = nullptr);
    ~SyncStatusDialog() override;

    QueueModel *queueModel() const { return m_model; }
    Sparkline *depthChart() const { return m_depth; }
    Sparkline *failureChart() const { return m_failures; }
    void showServerTab();
    void refreshServer(); // one poll now (it also runs every few seconds)

private:
    QStringList selectedKeys() const;
    QStringList withoutUserKeys(bool selectedOnly) const;
    void discardSelected();
    void updateButtons();

    std::unique_ptr<Ui::SyncStatusDialog> m_ui;
    SyncSession *m_session;
    QueueModel *m_model;
    QSortFilterProxyModel *m_sorted;
    Sparkline *m_depth;
    Sparkline *m_failures;
    QTimer m_poll;
};
