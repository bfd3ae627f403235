#pragma once

#include "backoff.h"
#include "realtimeevents.h"

#include <QObject>
#include <QSqlDriver>
#include <QString>
#include <QTimer>

class Database;
class TransactionRunner;

// Realtime across instances that share one PostgreSQL. Holds one dedicated LISTEN connection
// (never through a transaction pooler: PgBouncer in transaction mode breaks LISTEN) on the
// thread that creates it:
// - `syncloop_changes`: every commit that appends to the change log NOTIFYs its last seq
//   (TransactionRunner, in the same transaction). The hub reads the log from its own last
//   published seq, so a lost or coalesced notification loses nothing.
// - `syncloop_broadcasts`: client broadcasts, one NOTIFY each, ignored by the instance that
//   sent it (it delivered them to its own sockets already).
// A dropped connection is found by a health check, re-opened with capped jittered backoff,
// and every re-connect asks the hub to read the log again (changes committed meanwhile were
// never notified to us).
class PostgresFanout : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        qint64 healthCheckMs = 1000;
        Backoff::Policy reconnect { .baseMs = 100, .capMs = 5000 };
    };

    // NOTIFY payloads must stay under 8000 bytes; the envelope's own fields fit in the rest.
    static constexpr int maxBroadcastBytes = 7000;
    static constexpr const char *broadcastChannel = "syncloop_broadcasts";

    PostgresFanout(
        Database &database, TransactionRunner &runner, Options options, QObject *parent = nullptr);
    ~PostgresFanout() override;

    // Opens the LISTEN connection (or keeps trying in the background). Then resynchronise().
    void start();
    // Thread-safe (the calling thread's own connection): sends a broadcast to the other
    // instances. False if it could not be sent.
    bool publish(const BroadcastEvent &broadcast);
    // The size a broadcast takes in a NOTIFY payload; above maxBroadcastBytes it is refused.
    static qsizetype encodedSize(const BroadcastEvent &broadcast);
    bool isListening() const { return m_listening; }

signals:
    void changesAnnounced(qint64 seq);
    // Connected (again): read the change log from the last published seq.
    void resynchronise();
    void broadcastReceived(SharedBroadcast broadcast);

private:
    static QByteArray encode(const BroadcastEvent &broadcast, const QString &origin);
    void connectListener();
    void dropListener(const QString &why);
    void checkHealth();
    void onNotification(
        const QString &name, QSqlDriver::NotificationSource source, const QVariant &payload);

    Database &m_database;
    TransactionRunner &m_runner;
    const Options m_options;
    const Backoff m_backoff;
    const QString m_instanceId; // tells our own broadcasts apart
    const QString m_connectionName;
    bool m_listening = false;
    int m_failures = 0;
    QTimer m_health;
    QTimer m_reconnect;
};
