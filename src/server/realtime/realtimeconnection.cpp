#include "realtimeconnection.h"

#include "auth/tokenservice.h"
#include "clock.h"
#include "logging.h"
#include "metrics/servermetrics.h"
#include "realtimehub.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace {

QJsonObject errorResponse(const QString &reason)
{
    return { { QStringLiteral("reason"), reason } };
}

QString channelName(const QString &topic)
{
    return topic.startsWith(QLatin1String("realtime:")) ? topic.mid(9) : topic;
}

} // namespace

RealtimeConnection::RealtimeConnection(std::unique_ptr<QWebSocket> socket,
    PhoenixCodec::Serializer serializer, quint64 id, const Services *services, QObject *parent)
    : QObject(parent)
    , m_socket(std::move(socket))
    , m_serializer(serializer)
    , m_id(id)
    , m_services(services)
    , m_lastHeardMs(services->clock->nowMs())
{
    m_socket->setParent(nullptr);
    m_socket->setMaxAllowedIncomingFrameSize(quint64(services->options.maxFrameBytes));
    m_socket->setMaxAllowedIncomingMessageSize(quint64(services->options.maxFrameBytes));
    connect(m_socket.get(), &QWebSocket::textMessageReceived, this, &RealtimeConnection::onText);
    connect(
        m_socket.get(), &QWebSocket::binaryMessageReceived, this, &RealtimeConnection::onBinary);
    connect(m_socket.get(), &QWebSocket::pong, this,
        [this] { m_lastHeardMs = m_services->clock->nowMs(); });
    connect(m_socket.get(), &QWebSocket::disconnected, this, [this] { emit closed(m_id); });
    m_services->metrics->recordRealtimeConnected();
}

RealtimeConnection::~RealtimeConnection()
{
    m_services->metrics->recordRealtimeDisconnected(qint64(m_channels.size()));
    m_socket->disconnect(this);
    if (m_socket->state() == QAbstractSocket::ConnectedState)
        m_socket->abort();
}

void RealtimeConnection::close(int code, const QString &reason)
{
    if (m_closing)
        return;
    m_closing = true;
    m_closingSinceMs = m_services->clock->nowMs();
    const auto closeNow = [this, code, reason] {
        m_socket->close(static_cast<QWebSocketProtocol::CloseCode>(code), reason);
    };
    if (m_socket->bytesToWrite() == 0) {
        closeNow();
        return;
    }
    // Qt 6.4 drops what is still buffered when a socket closes, and our close frame with it:
    // send the rest first (nothing new is queued from now on). The loop cuts a peer that
    // takes longer than the close grace.
    connect(m_socket.get(), &QWebSocket::bytesWritten, this, [this, closeNow] {
        if (m_socket->bytesToWrite() == 0 && m_socket->state() == QAbstractSocket::ConnectedState)
            closeNow();
    });
}

void RealtimeConnection::goAway(const QString &reason)
{
    if (m_closing)
        return;
    // Phoenix sends phx_error with join_ref = ref = the channel's join_ref; realtime-js and
    // phx-js then rejoin on their own once the socket is back.
    for (const Channel &c : std::as_const(m_channels))
        sendText(QString::fromUtf8(PhoenixCodec::encode(
            { c.joinRef, c.joinRef, c.topic, QStringLiteral("phx_error"), QJsonObject() },
            m_serializer)));
    close(int(QWebSocketProtocol::CloseCodeGoingAway), reason);
    // The loop stops soon after: hand the close frame to the kernel now, not on a later
    // write notification that may never come.
    m_socket->flush();
}

void RealtimeConnection::reportExpiredTokens()
{
    if (m_closing)
        return;
    for (Channel &c : m_channels)
        expired(c);
    // Channels closed for an expired token go now, when nothing iterates them.
    const auto closed
        = std::erase_if(m_channels, [](const Channel &c) { return c.closedByExpiry; });
    m_services->metrics->recordRealtimeChannelsLeft(qint64(closed));
}

void RealtimeConnection::onText(const QString &text)
{
    m_lastHeardMs = m_services->clock->nowMs();
    QString why;
    const auto message = PhoenixCodec::decode(text.toUtf8(), m_serializer, &why);
    if (!message) {
        qCDebug(lcRealtime) << "connection" << m_id << "sent a bad frame:" << why;
        return;
    }
    const QString &event = message->event;
    if (message->topic == QLatin1String("phoenix")) {
        if (event == QLatin1String("heartbeat"))
            reply(*message, QStringLiteral("ok"), {});
        return;
    }
    if (event == QLatin1String("phx_join")) {
        join(*message);
        return;
    }
    if (!channel(message->topic)) {
        reply(*message, QStringLiteral("error"), errorResponse(QStringLiteral("unmatched topic")));
        return;
    }
    if (event == QLatin1String("phx_leave"))
        leave(*message);
    else if (event == QLatin1String("access_token"))
        refreshToken(*message);
    else if (event == QLatin1String("broadcast"))
        broadcast(*message);
    else
        reply(*message, QStringLiteral("error"),
            errorResponse(QStringLiteral("unknown event \"%1\"").arg(event.left(64))));
}

void RealtimeConnection::onBinary(const QByteArray &data)
{
    m_lastHeardMs = m_services->clock->nowMs();
    QString why;
    const auto frame = m_serializer == PhoenixCodec::Serializer::V2
        ? PhoenixCodec::decodeBinary(data, &why)
        : std::nullopt;
    if (!frame || PhoenixCodec::binaryKind(data) != PhoenixCodec::kindUserBroadcastPush) {
        qCDebug(lcRealtime) << "connection" << m_id << "sent a bad binary frame:" << why;
        return;
    }
    Channel *target = channel(frame->topic);
    if (!target || expired(*target))
        return;
    const QString refused = relay(*target, frame->event, frame->payload,
        frame->json ? Payload::Json : Payload::Binary, frame->meta, Origin::BinaryFrame);
    const PhoenixMessage pushed { frame->joinRef, frame->ref, frame->topic,
        QStringLiteral("broadcast"), QJsonObject() };
    if (!refused.isEmpty() && !frame->ref.isEmpty())
        reply(pushed, QStringLiteral("error"), errorResponse(refused));
    else if (target->broadcastAck && !frame->ref.isEmpty())
        reply(pushed, QStringLiteral("ok"), {});
}

void RealtimeConnection::join(const PhoenixMessage &message)
{
    const QString &topic = message.topic;
    if (!topic.startsWith(QLatin1String("realtime:")) || topic.size() <= 9 || topic.size() > 255) {
        reply(message, QStringLiteral("error"),
            errorResponse(QStringLiteral("TopicNameRequired: join realtime:<name>")));
        return;
    }
    Channel *existing = channel(topic);
    if (!existing && int(m_channels.size()) >= m_services->options.maxChannelsPerSocket) {
        reply(message, QStringLiteral("error"),
            errorResponse(QStringLiteral("too many channels joined")));
        return;
    }
    const QJsonObject payload = message.payload.toObject();
    QJsonValue token = payload.value(QLatin1String("access_token"));
    if (!token.isString())
        token = payload.value(QLatin1String("user_token"));
    if (!token.isString()) {
        reply(message, QStringLiteral("error"),
            errorResponse(QStringLiteral("InvalidJWTToken: access_token is required")));
        return;
    }
    QString why;
    const auto claims = m_services->tokens->verify(token.toString().toUtf8(), &why);
    if (!claims) {
        const QString code = why.contains(QLatin1String("expired"))
            ? QStringLiteral("InvalidJWTExpiration")
            : QStringLiteral("InvalidJWTToken");
        reply(message, QStringLiteral("error"), errorResponse(code + QStringLiteral(": ") + why));
        return;
    }
    const QJsonObject config = payload.value(QLatin1String("config")).toObject();
    const QJsonValue changes = config.value(QLatin1String("postgres_changes"));
    if (!changes.isUndefined() && !changes.isNull() && !changes.isArray()) {
        reply(message, QStringLiteral("error"),
            errorResponse(QStringLiteral("InvalidBinding: postgres_changes must be a list")));
        return;
    }
    Channel channel;
    channel.topic = topic;
    channel.joinRef = message.joinRef.isString() ? message.joinRef : message.ref;
    channel.principal = claims->principal;
    channel.expiresAt = claims->expiresAt;
    QJsonArray echoed;
    for (const QJsonValue &entry : changes.toArray()) {
        if (channel.bindings.size() >= 100 || !entry.isObject()) {
            reply(message, QStringLiteral("error"),
                errorResponse(QStringLiteral("InvalidBinding: at most 100 objects")));
            return;
        }
        auto binding = PostgresBinding::parse(entry.toObject(), &why);
        if (!binding) {
            reply(message, QStringLiteral("error"), errorResponse(why));
            return;
        }
        echoed.append(binding->echo());
        channel.bindings.push_back(std::move(*binding));
    }
    const QJsonObject broadcastConfig = config.value(QLatin1String("broadcast")).toObject();
    channel.broadcastSelf = broadcastConfig.value(QLatin1String("self")).toBool();
    channel.broadcastAck = broadcastConfig.value(QLatin1String("ack")).toBool();

    const bool wantsChanges = !channel.bindings.empty();
    // A second join of an open topic replaces that channel, as in Phoenix.
    Channel *joined = existing;
    if (existing) {
        *existing = std::move(channel);
    } else {
        m_channels.push_back(std::move(channel));
        joined = &m_channels.back();
        m_services->metrics->recordRealtimeChannelJoined();
    }
    reply(message, QStringLiteral("ok"), { { QStringLiteral("postgres_changes"), echoed } });
    // Changes flow from here on: the loop delivers only after this frame went out.
    if (wantsChanges)
        systemMessage(*joined, QStringLiteral("ok"), QStringLiteral("postgres_changes"),
            QStringLiteral("Subscribed to PostgreSQL"));
}

void RealtimeConnection::leave(const PhoenixMessage &message)
{
    const QJsonValue joinRef = channel(message.topic)->joinRef;
    reply(message, QStringLiteral("ok"), {});
    PhoenixMessage close { joinRef, joinRef, message.topic, QStringLiteral("phx_close"),
        QJsonObject() };
    sendText(QString::fromUtf8(PhoenixCodec::encode(close, m_serializer)));
    removeChannel(message.topic);
}

void RealtimeConnection::refreshToken(const PhoenixMessage &message)
{
    Channel &channel = *this->channel(message.topic);
    const QJsonValue token = message.payload.toObject().value(QLatin1String("access_token"));
    if (!token.isString() || token.toString().isEmpty())
        return; // null or empty: nothing to do, as in Supabase
    QString why;
    const auto claims = m_services->tokens->verify(token.toString().toUtf8(), &why);
    if (claims) {
        channel.principal = claims->principal;
        channel.expiresAt = claims->expiresAt;
        return;
    }
    if (why.contains(QLatin1String("expired"))) {
        channel.expiresAt = 0;
        expired(channel); // closes it
        return;
    }
    systemMessage(channel, QStringLiteral("error"), QStringLiteral("system"),
        QStringLiteral("Invalid access token: %1; the channel is closed").arg(why));
    const QJsonValue joinRef = channel.joinRef;
    sendText(QString::fromUtf8(PhoenixCodec::encode(
        { joinRef, joinRef, message.topic, QStringLiteral("phx_close"), QJsonObject() },
        m_serializer)));
    removeChannel(message.topic);
}

void RealtimeConnection::broadcast(const PhoenixMessage &message)
{
    Channel &channel = *this->channel(message.topic);
    const QJsonObject payload = message.payload.toObject();
    const QJsonValue event = payload.value(QLatin1String("event"));
    if (!event.isString() || event.toString().isEmpty() || event.toString().size() > 255) {
        reply(message, QStringLiteral("error"),
            errorResponse(QStringLiteral("broadcast needs an event name")));
        return;
    }
    if (expired(channel))
        return;
    const QJsonValue inner = payload.value(QLatin1String("payload"));
    // Any JSON value may be broadcast; serialise it inside an array and keep the value alone.
    const QByteArray wrapped
        = QJsonDocument(QJsonArray { inner.isUndefined() ? QJsonValue(QJsonObject()) : inner })
              .toJson(QJsonDocument::Compact);
    const QString refused = relay(channel, event.toString(), wrapped.mid(1, wrapped.size() - 2),
        Payload::Json, {}, Origin::TextFrame);
    // Refused: told even without ack, so the sender never believes it was delivered.
    if (!refused.isEmpty())
        reply(message, QStringLiteral("error"), errorResponse(refused));
    else if (channel.broadcastAck)
        reply(message, QStringLiteral("ok"), {});
}

QString RealtimeConnection::relay(const Channel &channel, const QString &event, QByteArray payload,
    Payload format, QByteArray meta, Origin origin)
{
    auto b = std::make_shared<BroadcastEvent>();
    b->orgId = channel.principal.orgId;
    b->topic = channel.topic;
    b->event = event;
    b->payload = std::move(payload);
    b->json = format == Payload::Json;
    b->meta = std::move(meta);
    b->binaryOrigin = origin == Origin::BinaryFrame;
    b->senderConnection = m_id;
    b->deliverToSender = channel.broadcastSelf;
    return m_services->hub->relayBroadcast(b);
}

void RealtimeConnection::deliverChanges(
    const std::vector<const ChangeEvent *> &changes, const FrameSource &frameFor)
{
    for (std::size_t i = 0; i < changes.size(); ++i) {
        if (!deliverChange(*changes[i], i, frameFor))
            return;
    }
}

void RealtimeConnection::flushQueued()
{
    // One write for everything queued since the last: when the loop falls behind, batches
    // grow and the per-write cost (most of the fan-out's cost) is shared by more messages.
    if (!m_unflushed)
        return;
    m_unflushed = false;
    m_socket->flush();
}

bool RealtimeConnection::deliverChange(
    const ChangeEvent &change, std::size_t index, const FrameSource &frameFor)
{
    for (Channel &channel : m_channels) {
        if (channel.bindings.empty() || !channel.principal.canSee(change.orgId, change.ownerId))
            continue;
        QList<int> ids;
        for (const PostgresBinding &binding : channel.bindings) {
            if (binding.matches(
                    change.tableIndex, change.typeIndex, change.record, change.oldRecord)
                && !ids.contains(binding.id()))
                ids.append(binding.id());
        }
        if (ids.isEmpty() || expired(channel))
            continue;
        if (!sendText(frameFor(index, channel.topic, ids, m_serializer), Write::Queued))
            return false;
    }
    return true;
}

void RealtimeConnection::deliverBroadcast(
    const BroadcastEvent &broadcast, const QString &jsonFrame, const QByteArray &binaryFrame)
{
    Channel *target = channel(broadcast.topic);
    if (!target || target->principal.orgId != broadcast.orgId)
        return;
    if (broadcast.senderConnection == m_id && !broadcast.deliverToSender)
        return;
    if (expired(*target))
        return;
    // Binary-born broadcasts go back out binary to vsn 2.0.0; JSON text to everyone else
    // when the payload is JSON (a raw-bytes payload cannot be expressed in text frames).
    if (broadcast.binaryOrigin && m_serializer == PhoenixCodec::Serializer::V2)
        sendBinary(binaryFrame, Write::Queued);
    else if (!jsonFrame.isEmpty())
        sendText(jsonFrame, Write::Queued);
}

void RealtimeConnection::reply(
    const PhoenixMessage &to, const QString &status, const QJsonObject &response)
{
    const QJsonObject payload { { QStringLiteral("status"), status },
        { QStringLiteral("response"), response } };
    // Heartbeat replies carry no join_ref (Phoenix).
    const QJsonValue joinRef
        = to.topic == QLatin1String("phoenix") ? QJsonValue(QJsonValue::Null) : to.joinRef;
    sendText(QString::fromUtf8(PhoenixCodec::encode(
        { joinRef, to.ref, to.topic, QStringLiteral("phx_reply"), payload }, m_serializer)));
}

void RealtimeConnection::push(const QJsonValue &joinRef, const QString &topic, const QString &event,
    const QJsonObject &payload)
{
    sendText(QString::fromUtf8(
        PhoenixCodec::encode({ joinRef, QJsonValue::Null, topic, event, payload }, m_serializer)));
}

void RealtimeConnection::systemMessage(
    const Channel &channel, const QString &status, const QString &extension, const QString &message)
{
    push(channel.joinRef, channel.topic, QStringLiteral("system"),
        { { QStringLiteral("message"), message }, { QStringLiteral("status"), status },
            { QStringLiteral("extension"), extension },
            { QStringLiteral("channel"), channelName(channel.topic) } });
}

bool RealtimeConnection::expired(Channel &channel)
{
    if (channel.closedByExpiry)
        return true;
    if (channel.expiresAt > m_services->clock->nowMs() / 1000)
        return false;
    // Never pause and skip: a change skipped here would be lost to a client that resumes with
    // a fresh token. Close the channel, as Supabase Realtime does; the client joins again and
    // fills the gap from /api/changes, so nothing is missed.
    channel.closedByExpiry = true;
    systemMessage(channel, QStringLiteral("error"), QStringLiteral("system"),
        QStringLiteral(
            "Token has expired: the channel is closed; join again with a fresh access_token"));
    sendText(
        QString::fromUtf8(PhoenixCodec::encode({ channel.joinRef, channel.joinRef, channel.topic,
                                                   QStringLiteral("phx_close"), QJsonObject() },
            m_serializer)));
    return true;
}

bool RealtimeConnection::tooFarBehind()
{
    // Looking at the send buffer costs more than a send; every few sends is soon enough.
    if (++m_sendsSinceBufferCheck < 8)
        return false;
    m_sendsSinceBufferCheck = 0;
    if (m_socket->bytesToWrite() <= m_services->options.maxBufferedBytes)
        return false;
    m_services->metrics->recordRealtimeDrop();
    qCInfo(lcRealtime) << "dropping slow subscriber" << m_id << "with" << m_socket->bytesToWrite()
                       << "bytes queued";
    close(4008,
        QStringLiteral("too slow: send buffer full; reconnect and fill the gap from /api/changes"));
    return true;
}

bool RealtimeConnection::sendText(const QString &frame, Write write)
{
    if (m_closing || tooFarBehind())
        return false;
    written(m_socket->sendTextMessage(frame), write);
    return true;
}

bool RealtimeConnection::sendBinary(const QByteArray &frame, Write write)
{
    if (m_closing || tooFarBehind())
        return false;
    written(m_socket->sendBinaryMessage(frame), write);
    return true;
}

void RealtimeConnection::written(qint64 bytes, Write write)
{
    // Write now (or at flushQueued) rather than on the next write notification: saves a
    // notifier round trip per write, which is much of the cost when fanning out to thousands.
    if (write == Write::Now)
        m_socket->flush();
    else
        m_unflushed = true;
    m_services->metrics->recordRealtimeFrameSent(bytes);
}

RealtimeConnection::Channel *RealtimeConnection::channel(const QString &topic)
{
    for (Channel &c : m_channels) {
        if (c.topic == topic && !c.closedByExpiry) // a closed channel is gone for its client
            return &c;
    }
    return nullptr;
}

void RealtimeConnection::removeChannel(const QString &topic)
{
    const auto it = std::find_if(m_channels.begin(), m_channels.end(),
        [&](const Channel &c) { return c.topic == topic && !c.closedByExpiry; });
    if (it == m_channels.end())
        return;
    m_channels.erase(it);
    m_services->metrics->recordRealtimeChannelsLeft(1);
}
