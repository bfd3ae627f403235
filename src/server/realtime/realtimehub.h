#pragma once

#include "realtimeconnection.h"
#include "realtimeevents.h"

#include <QList>
#include <QMutex>
#include <QObject>

class HttpFrontend;
class PostgresFanout;
class RealtimeLoop;
class TransactionRunner;

// Publishes committed changes to every event loop's realtime sockets, in commit order: after
// each commit it reads the change log from the last published seq (one reader, so the order
// is the log's) and hands the batch to each loop. Also relays broadcasts between loops.
// With a PostgresFanout (several instances on one PostgreSQL) it also publishes after every
// commit announced by another instance, and relays broadcasts to and from the others.
class RealtimeHub : public QObject
{
    Q_OBJECT
public:
    RealtimeHub(TransactionRunner &runner, RealtimeConnection::Services services,
        QObject *parent = nullptr);
    ~RealtimeHub() override;

    // Before start(): several instances share the database (owned by the caller, same thread).
    void setFanout(PostgresFanout *fanout) { m_fanout = fanout; }
    // Starts publishing from the current end of the log (older changes come from /api/changes).
    void start();
    // From an event-loop thread: its frontend's WebSocket upgrades become realtime sockets.
    void attach(HttpFrontend *frontend);
    // Thread-safe. Empty, or why the broadcast was refused (or reached only this instance).
    QString relayBroadcast(const SharedBroadcast &broadcast);
    void registerLoop(RealtimeLoop *loop);
    void unregisterLoop(RealtimeLoop *loop);

    void onChangesCommitted(qint64 lastSeq);

signals:
    // A published batch held SMS rows: another instance may have queued messages, or left
    // them leased when it died, that this instance's outbox should look at.
    void outboxRowsChanged();

private:
    void publish();
    void onAboutToQuit();
    void deliverLocally(const SharedBroadcast &broadcast);

    TransactionRunner &m_runner;
    PostgresFanout *m_fanout = nullptr;
    RealtimeConnection::Services m_services;
    QMutex m_mutex; // guards m_loops: loops come and go on their own threads
    QList<RealtimeLoop *> m_loops;
    qint64 m_published = 0;
    bool m_publishQueued = false;
};
