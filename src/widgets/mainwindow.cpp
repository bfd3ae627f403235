#include "mainwindow.h"

#include "apiclient.h"
#include "bookingsview.h"
#include "cardlistview.h"
#include "connectionindicator.h"
#include "leadsview.h"
#include "syncsession.h"
#include "syncstatusdialog.h"
#include "toastoverlay.h"
#include "ui_mainwindow.h"

#include <QApplication>
#include <QCloseEvent>
#include <QSettings>

MainWindow::MainWindow(SyncSession *session, QWidget *parent)
    : QMainWindow(parent)
    , m_ui(std::make_unique<Ui::MainWindow>())
    , m_session(session)
{
    m_ui->setupUi(this);
    m_bookings = new BookingsView(session, this);
    m_leads = new LeadsView(session, this);
    m_ui->tabs->addTab(m_bookings, tr("&Bookings"));
    m_ui->tabs->addTab(m_leads, tr("&Leads"));
    m_indicator = new ConnectionIndicator(session, this);
    m_ui->statusBar->addPermanentWidget(m_indicator);
    m_toasts = new ToastOverlay(this);
    connect(m_bookings, &BookingsView::notify, m_toasts, &ToastOverlay::show);
    connect(m_leads, &LeadsView::notify, m_toasts, &ToastOverlay::show);
    connect(m_indicator, &ConnectionIndicator::openSyncStatus, this, &MainWindow::openSyncStatus);
    connect(m_ui->actionSyncStatus, &QAction::triggered, this, &MainWindow::openSyncStatus);
    connect(m_ui->actionRefresh, &QAction::triggered, session, &SyncSession::loadSnapshot);
    connect(m_ui->actionQuit, &QAction::triggered, this, &QWidget::close);
    connect(m_ui->actionSignOut, &QAction::triggered, this, &MainWindow::signOutRequested);
    connect(m_ui->actionBookings, &QAction::triggered, this,
        [this] { m_ui->tabs->setCurrentWidget(m_bookings); });
    connect(m_ui->actionLeads, &QAction::triggered, this,
        [this] { m_ui->tabs->setCurrentWidget(m_leads); });
    connect(session, &SyncSession::snapshotFailed, this, [this](const QString &reason) {
        m_toasts->show(false, tr("Could not load the data: %1").arg(reason));
    });
    connect(session, &SyncSession::signedOut, this,
        [this](const QString &reason) { m_toasts->show(false, reason); });
    setWindowTitle(session->api()->user().email); // Qt appends " — syncloop", the display name

    m_bookings->list()->setFocus(); // the first thing a keyboard user works on

    const QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
}

MainWindow::~MainWindow() = default;

SyncStatusDialog *MainWindow::openSyncStatus()
{
    if (!m_syncStatus) {
        m_syncStatus = new SyncStatusDialog(m_session, this);
        m_syncStatus->setAttribute(Qt::WA_DeleteOnClose);
    }
    m_syncStatus->show();
    m_syncStatus->raise();
    m_syncStatus->activateWindow();
    return m_syncStatus;
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    QMainWindow::closeEvent(event);
}
