#pragma once

#include "auth/principal.h"
#include "phoenixcodec.h"
#include "postgresbinding.h"
#include "realtimeevents.h"

#include <QObject>
#include <QWebSocket>
#include <memory>
#include <vector>

class RealtimeHub;
class ServerMetrics;
class TokenService;
class Clock;

// One client's WebSocket: decodes its frames, answers joins, leaves, heartbeats, token
// refreshes and broadcasts, and filters what the loop asks it to deliver by the visibility
// of each channel's user. Lives on its event loop's thread.
class RealtimeConnection : public QObject
{
    Q_OBJECT
public:
    struct Services
    {
        const TokenService *tokens = nullptr;
        ServerMetrics *metrics = nullptr;
        const Clock *clock = nullptr;
        RealtimeHub *hub = nullptr;
        RealtimeOptions options;
    };

    struct Channel
    {
        QString topic;
        QJsonValue joinRef;
        Principal principal;
        qint64 expiresAt = 0; // seconds since the epoch
        std::vector<PostgresBinding> bindings;
        bool broadcastSelf = false;
        bool broadcastAck = false;
        // Its token expired: told so and closed (phx_close); it goes at the next sweep.
        bool closedByExpiry = false;
    };

    RealtimeConnection(std::unique_ptr<QWebSocket> socket, PhoenixCodec::Serializer serializer,
        quint64 id, const Services *services, QObject *parent = nullptr);
    ~RealtimeConnection() override;

    quint64 id() const { return m_id; }
    PhoenixCodec::Serializer serializer() const { return m_serializer; }
    qint64 lastHeardMs() const { return m_lastHeardMs; }
    const std::vector<Channel> &channels() const { return m_channels; }

    // Builds (or finds) the encoded frame of changes[change] for a topic and the matched
    // binding ids, so equal frames are encoded once per loop.
    using FrameSource = std::function<const QString &(
        std::size_t change, const QString &topic, const QList<int> &ids, PhoenixCodec::Serializer)>;

    // Delivery from the loop, in order. Both only queue: flushQueued() writes the socket once
    // for everything the loop queued in one drain.
    void deliverChanges(
        const std::vector<const ChangeEvent *> &changes, const FrameSource &frameFor);
    void deliverBroadcast(
        const BroadcastEvent &broadcast, const QString &jsonFrame, const QByteArray &binaryFrame);
    void flushQueued();
    void close(int code, const QString &reason);
    // The server is going away: every channel gets phx_error (so clients rejoin, as after a
    // crashed channel in Phoenix), then the socket closes with 1001.
    void goAway(const QString &reason);
    // Tells each channel whose token has run out, even when nothing is being delivered to it.
    void reportExpiredTokens();
    // Cuts the TCP connection: for a peer that never takes the close (it stopped reading).
    void abort() { m_socket->abort(); }
    bool isClosing() const { return m_closing; }
    qint64 closingSinceMs() const { return m_closingSinceMs; }

signals:
    void closed(quint64 id);

private:
    void onText(const QString &text);
    void onBinary(const QByteArray &data);
    void join(const PhoenixMessage &message);
    void leave(const PhoenixMessage &message);
    void refreshToken(const PhoenixMessage &message);
    void broadcast(const PhoenixMessage &message);
    enum class Payload { Json, Binary }; // what a broadcast's payload bytes are
    // How its sender pushed a broadcast: V2 subscribers receive it in the same kind of frame.
    enum class Origin { TextFrame, BinaryFrame };
    // Empty, or why the broadcast was refused.
    QString relay(const Channel &channel, const QString &event, QByteArray payload, Payload format,
        QByteArray meta, Origin origin);

    void reply(const PhoenixMessage &to, const QString &status, const QJsonObject &response);
    void push(const QJsonValue &joinRef, const QString &topic, const QString &event,
        const QJsonObject &payload);
    void systemMessage(const Channel &channel, const QString &status, const QString &extension,
        const QString &message);
    enum class Write { Now, Queued };
    bool sendText(const QString &frame, Write write = Write::Now);
    bool deliverChange(const ChangeEvent &change, std::size_t index, const FrameSource &frameFor);
    bool sendBinary(const QByteArray &frame, Write write);
    void written(qint64 bytes, Write write); // after a send: flush or mark, count
    bool tooFarBehind();
    bool expired(Channel &channel);
    Channel *channel(const QString &topic);
    void removeChannel(const QString &topic);

    std::unique_ptr<QWebSocket> m_socket;
    const PhoenixCodec::Serializer m_serializer;
    const quint64 m_id;
    const Services *m_services;
    // At most maxChannelsPerSocket (100): a vector scans faster than a hash probes and
    // iterates without detach checks on the fan-out path.
    std::vector<Channel> m_channels;
    qint64 m_lastHeardMs = 0;
    int m_sendsSinceBufferCheck = 0;
    bool m_closing = false;
    qint64 m_closingSinceMs = 0;
    bool m_unflushed = false; // something was queued with Write::Queued
};
