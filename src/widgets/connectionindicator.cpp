#include "connectionindicator.h"

#include "clock.h"
#include "connectivity.h"
#include "mutationengine.h"
#include "realtimeclient.h"
#include "syncsession.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

ConnectionIndicator::ConnectionIndicator(SyncSession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_connection(new QLabel(this))
    , m_realtime(new QLabel(this))
    , m_pending(new QPushButton(this))
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_connection);
    layout->addWidget(m_realtime);
    layout->addWidget(m_pending);
    m_pending->setFlat(true);
    m_pending->setToolTip(tr("Open the sync status (Ctrl+Shift+S)"));
    connect(m_pending, &QPushButton::clicked, this, &ConnectionIndicator::openSyncStatus);
    connect(
        session->realtime(), &RealtimeClient::stateChanged, this, &ConnectionIndicator::refresh);
    connect(
        session->connectivity(), &Connectivity::onlineChanged, this, &ConnectionIndicator::refresh);
    connect(session->engine(), &MutationEngine::pendingCountChanged, this,
        &ConnectionIndicator::refresh);
    connect(&m_tick, &QTimer::timeout, this, &ConnectionIndicator::refresh);
    m_tick.start(1000);
    refresh();
}

QString ConnectionIndicator::connectionText() const
{
    return m_connection->text();
}

QString ConnectionIndicator::realtimeText() const
{
    return m_realtime->text();
}

void ConnectionIndicator::refresh()
{
    RealtimeClient *realtime = m_session->realtime();
    // "Online" has one owner; realtime's state is a separate fact shown beside it.
    const bool online = m_session->connectivity()->isOnline();
    QString connection;
    QString colour;
    if (!online) {
        connection = tr("Offline");
        colour = QStringLiteral("#c62828");
    } else if (realtime->isLive()) {
        connection = tr("Live");
        colour = QStringLiteral("#2e7d32");
    } else if (realtime->reconnectAtMs() > 0) {
        const qint64 seconds = std::max<qint64>(
            0, (realtime->reconnectAtMs() - m_session->clock()->nowMs() + 999) / 1000);
        connection = tr("Reconnecting in %1 s").arg(seconds);
        colour = QStringLiteral("#ef6c00");
    } else {
        connection = tr("Connecting…");
        colour = QStringLiteral("#ef6c00");
    }
    m_connection->setText(QStringLiteral("● ") + connection);
    QPalette palette = m_connection->palette();
    palette.setColor(QPalette::WindowText, QColor(colour));
    m_connection->setPalette(palette);
    m_connection->setAccessibleName(tr("Connection: %1").arg(connection));
    switch (realtime->state()) {
    case RealtimeClient::State::Live:
        m_realtime->setText(tr("Realtime: subscribed"));
        break;
    case RealtimeClient::State::Joining:
        m_realtime->setText(tr("Realtime: joining"));
        break;
    case RealtimeClient::State::Connecting:
        m_realtime->setText(tr("Realtime: connecting"));
        break;
    case RealtimeClient::State::Disconnected:
        m_realtime->setText(tr("Realtime: disconnected"));
        break;
    }
    const int pending = m_session->engine()->pendingCount();
    m_pending->setText(
        pending == 0 ? tr("All changes sent") : tr("%n change(s) waiting", nullptr, pending));
    m_pending->setAccessibleName(m_pending->text());
}
