#pragma once

#include "realtimeconnection.h"
#include "realtimeevents.h"

#include <QHash>
#include <QObject>
#include <QTimer>

class HttpFrontend;

// The realtime sockets of one HTTP event loop, on that loop's thread: accepts them (apikey and
// vsn checked), delivers the hub's changes and broadcasts to them, encoding each distinct frame
// once, and drops sockets that stay silent past the idle timeout.
class RealtimeLoop : public QObject
{
    Q_OBJECT
public:
    RealtimeLoop(HttpFrontend *frontend, const RealtimeConnection::Services *services);
    ~RealtimeLoop() override;

    // Queued from the hub's thread; run on this loop's thread.
    void deliverChanges(const ChangeBatch &batch);
    void deliverBroadcast(const SharedBroadcast &broadcast);

    int connectionCount() const { return int(m_connections.size()); }

private:
    void onNewConnection();
    void sweepIdle();

    HttpFrontend *m_frontend;
    const RealtimeConnection::Services *m_services;
    QHash<quint64, RealtimeConnection *> m_connections;
    QTimer m_sweep;
};
