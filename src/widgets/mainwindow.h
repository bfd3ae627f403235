#pragma once

#include <QMainWindow>
#include <QPointer>
#include <memory>

namespace Ui {
class MainWindow;
}
class BookingsView;
class ConnectionIndicator;
class LeadsView;
class SyncSession;
class SyncStatusDialog;
class ToastOverlay;

// The desktop client's window: bookings and leads tabs, the connection and queue in the status
// bar, toasts for what settles, the sync-status dialog on demand. Remembers its geometry.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(SyncSession *session, QWidget *parent = nullptr);
    ~MainWindow() override;

    BookingsView *bookings() const { return m_bookings; }
    LeadsView *leads() const { return m_leads; }
    ConnectionIndicator *indicator() const { return m_indicator; }
    ToastOverlay *toasts() const { return m_toasts; }
    SyncStatusDialog *openSyncStatus();

signals:
    void signOutRequested();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    std::unique_ptr<Ui::MainWindow> m_ui;
    SyncSession *m_session;
    BookingsView *m_bookings;
    LeadsView *m_leads;
    ConnectionIndicator *m_indicator;
    ToastOverlay *m_toasts;
    QPointer<SyncStatusDialog> m_syncStatus;
};
