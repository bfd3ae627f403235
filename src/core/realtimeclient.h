#pragma once

#include "backoff.h"
#include "clocktimer.h"
#include "phoenixcodec.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QUrl>
#include <QWebSocket>

class ApiClient;
class Clock;
class RandomSource;

// The Supabase Realtime protocol over one WebSocket (vsn 2.0.0 by default, 1.0.0 selectable):
// heartbeats every 25 s (a missed reply reconnects), reconnection with capped backoff and full
// jitter, every channel rejoined with the current token, tokens refreshed in place
// (access_token), and — since a socket can drop anything — after every (re)join a gap fill from
// GET /api/changes?since=<last seq> before live changes flow again. Changes become typed
// signals the stores consume, in order, each at most once.
class RealtimeClient : public QObject
{
    Q_OBJECT
public:
    enum class State { Disconnected, Connecting, Joining, Live };
    Q_ENUM(State)
    // Why a gap fill could not be done: the changes must be refetched as a snapshot instead.
    enum class GapFillGap {
        NoChangeLog, // the server keeps no change log we can read (404, e.g. a Supabase project)
        HistoryExpired, // 410 history_expired: changes after our seq were purged
                        // (--change-retention)
    };
    Q_ENUM(GapFillGap)

    struct Options
    {
        PhoenixCodec::Serializer serializer = PhoenixCodec::Serializer::V2;
        QString apiKey = QStringLiteral("demo-anon-key");
        int heartbeatMs = 25000;
        Backoff::Policy reconnect { 1000, 30000 };
        bool gapFill = true;
    };

    RealtimeClient(ApiClient *api, Options options, const Clock *clock, RandomSource *random,
        QObject *parent = nullptr);
    ~RealtimeClient() override;

    // Channels to (re)join on every connection: topic ("realtime:<name>") and its bindings.
    void addChannel(const QString &topic, const QJsonArray &postgresChanges);
    void open(); // connects and keeps connecting until close()
    void close();

    State state() const { return m_state; }
    bool isLive() const { return m_state == State::Live; }
    qint64 lastSeq() const { return m_lastSeq; }
    // The snapshot's seq: changes up to it are already known. After gapFillUnavailable(
    // HistoryExpired) this is the reloaded snapshot's seq, and the gap fill goes on from it.
    void setLastSeq(qint64 seq);
    // The snapshot asked for by gapFillUnavailable(HistoryExpired) could not be loaded: drop the
    // connection and try again later (its next gap fill asks for the snapshot again).
    void snapshotReloadFailed();
    // When the next connection attempt happens (epoch ms), 0 when none is scheduled.
    qint64 reconnectAtMs() const { return m_reconnectAtMs; }

signals:
    void stateChanged(RealtimeClient::State state);
    // After every (re)join and gap fill: from here on nothing is missed.
    void live();
    // A change, live or from a gap fill, once and in order: of any table, then by table.
    void changed(const QString &table, const QString &type, const QJsonObject &record,
        const QJsonObject &oldRecord);
    void bookingChanged(
        const QString &type, const QJsonObject &record, const QJsonObject &oldRecord);
    void leadChanged(const QString &type, const QJsonObject &record, const QJsonObject &oldRecord);
    void smsChanged(const QString &type, const QJsonObject &record, const QJsonObject &oldRecord);
    // The gap cannot be filled from the change log: load a snapshot instead. On NoChangeLog
    // the client goes live at once; on HistoryExpired it holds live changes back until
    // setLastSeq() brings the reloaded snapshot's seq (or snapshotReloadFailed()), so none
    // of them is applied to the stores before the snapshot replaces them.
    void gapFillUnavailable(RealtimeClient::GapFillGap gap);
    void errorOccurred(const QString &message);

private:
    void setState(State state);
    void connectSocket();
    void onConnected();
    void onDisconnected();
    void onText(const QString &text);
    void onMessage(const PhoenixMessage &message);
    void join(const QString &topic);
    void push(const QJsonValue &joinRef, const QString &topic, const QString &event,
        const QJsonObject &payload);
    void heartbeat();
    void scheduleReconnect();
    void startGapFill();
    void gapFillFrom(qint64 since);
    void finishGapFill();
    void deliver(const QJsonObject &data);
    void sendAccessToken(const QString &token);
    QString nextRef() { return QString::number(++m_ref); }

    struct Channel
    {
        QString topic;
        QJsonArray bindings;
        QString joinRef;
        bool joined = false;
        bool subscribed = false;
        // The token the server said expired on this channel: it closes the channel, which joins
        // again with a newer one.
        QString expiredToken;
    };

    ApiClient *m_api;
    const Options m_options;
    const Clock *m_clock;
    RandomSource *m_random;
    const Backoff m_backoff;
    QWebSocket m_socket;
    ClockTimer m_heartbeat; // on the clock, like every wait: restarted each time it fires
    ClockTimer m_reconnect;
    QList<Channel> m_channels;
    State m_state = State::Disconnected;
    bool m_wanted = false;
    int m_failedAttempts = 0;
    qint64 m_reconnectAtMs = 0;
    quint64 m_ref = 0;
    QString m_pendingHeartbeat;
    qint64 m_lastSeq = 0;
    bool m_seqKnown = false; // 0 is a real seq (an empty log), so it needs its own flag
    bool m_gapFilling = false;
    bool m_awaitingSnapshot = false; // history expired: the gap fill waits for a reloaded snapshot
    QList<QJsonObject> m_heldBack; // live changes that arrived during a gap fill
};
