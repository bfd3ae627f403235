#pragma once

#include "realtimeconnection.h"
#include "realtimeevents.h"

#include <QHash>
#include <QObject>
#include <QTimer>
#include <vector>

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
    // Run on this loop's thread before the loop stops: every socket is told to rejoin
    // elsewhere (phx_error, then close 1001), and new sockets are turned away.
    void shutdown();

    int connectionCount() const { return int(m_connections.size()); }

private:
    // A broadcast's frames, encoded once for every socket of the loop.
    struct EncodedBroadcast
    {
        SharedBroadcast event;
        QString v1; // JSON text, vsn 1.0.0 (empty for a raw-bytes payload)
        QString v2; // JSON text, vsn 2.0.0 (empty for a raw-bytes payload)
        QByteArray binary; // binary frame for vsn 2.0.0 when the broadcast arrived binary
    };
    static EncodedBroadcast encode(const SharedBroadcast &broadcast);

    void onNewConnection();
    void scheduleDrain();
    void drain();
    void sweepIdle();

    HttpFrontend *m_frontend;
    const RealtimeConnection::Services *m_services;
    QHash<quint64, RealtimeConnection *> m_connections;
    QTimer m_sweep;
    // Queued since the last drain: delivered together, one socket write each.
    std::vector<ChangeBatch> m_pendingChanges;
    std::vector<SharedBroadcast> m_pendingBroadcasts;
    bool m_drainQueued = false;
    bool m_shuttingDown = false;
};
