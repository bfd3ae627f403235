#include "realtimeloop.h"

#include "clock.h"
#include "http/httpfrontend.h"
#include "logging.h"
#include "metrics/servermetrics.h"
#include "realtimehub.h"

#include <QJsonArray>
#include <QUrlQuery>
#include <algorithm>
#include <atomic>
#include <utility>

namespace {

std::atomic<quint64> nextConnectionId { 1 };

void refuse(std::unique_ptr<QWebSocket> socket, int code, const QString &reason, QObject *owner)
{
    QWebSocket *raw = socket.release();
    raw->setParent(owner);
    QObject::connect(raw, &QWebSocket::disconnected, raw, &QObject::deleteLater);
    raw->close(static_cast<QWebSocketProtocol::CloseCode>(code), reason);
}

QByteArray broadcastPayload(const BroadcastEvent &b)
{
    QByteArray out = "{\"type\":\"broadcast\",\"event\":" + PhoenixCodec::jsonString(b.event)
        + ",\"payload\":" + b.payload;
    if (!b.meta.isEmpty())
        out += ",\"meta\":" + b.meta;
    return out + '}';
}

} // namespace

RealtimeLoop::RealtimeLoop(HttpFrontend *frontend, const RealtimeConnection::Services *services)
    : QObject(frontend)
    , m_frontend(frontend)
    , m_services(services)
    , m_sweep(this)
{
    connect(frontend, &HttpFrontend::newWebSocketConnection, this, &RealtimeLoop::onNewConnection);
    connect(&m_sweep, &QTimer::timeout, this, &RealtimeLoop::sweepIdle);
    m_sweep.start(int(std::clamp<qint64>(services->options.idleTimeoutMs / 4, 250, 5000)));
    services->hub->registerLoop(this);
}

RealtimeLoop::~RealtimeLoop()
{
    m_services->hub->unregisterLoop(this);
    qDeleteAll(m_connections);
}

void RealtimeLoop::onNewConnection()
{
    while (m_frontend->hasPendingWebSocketConnections()) {
        std::unique_ptr<QWebSocket> socket = m_frontend->nextPendingWebSocketConnection();
        if (!socket)
            continue;
        // Qt 6.4 cannot refuse before the handshake: accept, then close with a reason.
        const QUrlQuery query(socket->requestUrl());
        QString apiKey = query.queryItemValue(QStringLiteral("apikey"), QUrl::FullyDecoded);
        const QByteArray headerKey = socket->request().rawHeader("x-api-key");
        if (!headerKey.isEmpty())
            apiKey = QString::fromUtf8(headerKey);
        const auto serializer
            = PhoenixCodec::serializerFor(query.queryItemValue(QStringLiteral("vsn")));
        if (m_shuttingDown) {
            refuse(std::move(socket), int(QWebSocketProtocol::CloseCodeGoingAway),
                QStringLiteral("server shutting down"), this);
        } else if (m_services->options.apiKey.isEmpty()) {
            refuse(std::move(socket), 4403,
                QStringLiteral("realtime is disabled: start syncloopd with --realtime-apikey"),
                this);
        } else if (apiKey != m_services->options.apiKey) {
            refuse(std::move(socket), 4401,
                apiKey.isEmpty() ? QStringLiteral("unauthorized: API key is missing")
                                 : QStringLiteral("unauthorized: invalid API key"),
                this);
        } else if (!serializer) {
            refuse(std::move(socket), 4400, QStringLiteral("unsupported vsn: use 1.0.0 or 2.0.0"),
                this);
        } else {
            const quint64 id = nextConnectionId++;
            auto *connection
                = new RealtimeConnection(std::move(socket), *serializer, id, m_services, this);
            connect(connection, &RealtimeConnection::closed, this, [this](quint64 closedId) {
                if (RealtimeConnection *c = m_connections.take(closedId))
                    c->deleteLater();
            });
            m_connections.insert(id, connection);
        }
    }
}

void RealtimeLoop::deliverChanges(const ChangeBatch &batch)
{
    m_pendingChanges.push_back(batch);
    scheduleDrain();
}

void RealtimeLoop::deliverBroadcast(const SharedBroadcast &broadcast)
{
    m_pendingBroadcasts.push_back(broadcast);
    scheduleDrain();
}

void RealtimeLoop::shutdown()
{
    m_shuttingDown = true;
    if (m_drainQueued)
        drain(); // what was committed before goes out first; clients gap-fill the rest
    const QHash<quint64, RealtimeConnection *> connections = m_connections; // as in drain()
    for (RealtimeConnection *connection : connections)
        connection->goAway(QStringLiteral("server shutting down: reconnect and rejoin"));
}

void RealtimeLoop::scheduleDrain()
{
    // What queues up while this loop is busy is drained together: under load each socket
    // then gets several messages per write instead of one.
    if (m_drainQueued)
        return;
    m_drainQueued = true;
    QMetaObject::invokeMethod(this, &RealtimeLoop::drain, Qt::QueuedConnection);
}

void RealtimeLoop::drain()
{
    m_drainQueued = false;
    const std::vector<ChangeBatch> batches = std::exchange(m_pendingChanges, {});
    const std::vector<SharedBroadcast> broadcastEvents = std::exchange(m_pendingBroadcasts, {});
    std::vector<const ChangeEvent *> changes;
    for (const ChangeBatch &batch : batches) {
        for (const ChangeEvent &change : *batch)
            changes.push_back(&change);
    }
    // One encoding per (change, topic, matched ids, serializer), shared by every socket.
    std::vector<QHash<QString, QString>> frames(changes.size());
    const RealtimeConnection::FrameSource frameFor
        = [&frames, &changes](std::size_t index, const QString &topic, const QList<int> &ids,
              PhoenixCodec::Serializer serializer) -> const QString & {
        QString key = topic;
        key += QLatin1Char(serializer == PhoenixCodec::Serializer::V2 ? '2' : '1');
        for (const int id : ids)
            key += QLatin1Char(',') + QString::number(id);
        QHash<QString, QString> &cache = frames[index];
        auto it = cache.find(key);
        if (it == cache.end()) {
            QByteArray payload = "{\"ids\":[";
            for (qsizetype i = 0; i < ids.size(); ++i)
                payload += (i ? "," : "") + QByteArray::number(ids[i]);
            payload += "],\"data\":" + changes[index]->dataJson + '}';
            it = cache.insert(key,
                QString::fromUtf8(PhoenixCodec::encodeRaw(QJsonValue::Null, QJsonValue::Null, topic,
                    u"postgres_changes", payload, serializer)));
        }
        return *it;
    };
    std::vector<EncodedBroadcast> broadcasts;
    broadcasts.reserve(broadcastEvents.size());
    for (const SharedBroadcast &broadcast : broadcastEvents)
        broadcasts.push_back(encode(broadcast));
    // A shared copy: a socket that closes while we write takes itself out of m_connections,
    // which then detaches instead of changing under this loop (the object lives until later).
    const QHash<quint64, RealtimeConnection *> connections = m_connections;
    for (RealtimeConnection *connection : connections) {
        if (!changes.empty())
            connection->deliverChanges(changes, frameFor);
        for (const EncodedBroadcast &b : broadcasts)
            connection->deliverBroadcast(*b.event,
                connection->serializer() == PhoenixCodec::Serializer::V2 ? b.v2 : b.v1, b.binary);
        connection->flushQueued();
    }
}

RealtimeLoop::EncodedBroadcast RealtimeLoop::encode(const SharedBroadcast &broadcast)
{
    const BroadcastEvent &b = *broadcast;
    EncodedBroadcast out { broadcast, {}, {}, {} };
    if (b.json) {
        const QByteArray payload = broadcastPayload(b);
        out.v1 = QString::fromUtf8(PhoenixCodec::encodeRaw(QJsonValue::Null, QJsonValue::Null,
            b.topic, u"broadcast", payload, PhoenixCodec::Serializer::V1));
        out.v2 = QString::fromUtf8(PhoenixCodec::encodeRaw(QJsonValue::Null, QJsonValue::Null,
            b.topic, u"broadcast", payload, PhoenixCodec::Serializer::V2));
    }
    if (b.binaryOrigin)
        out.binary = PhoenixCodec::encodeBroadcast(
            { {}, {}, b.topic, b.event, b.meta, b.payload, b.json });
    return out;
}

void RealtimeLoop::sweepIdle()
{
    const qint64 now = m_services->clock->nowMs();
    const RealtimeOptions &options = m_services->options;
    const QHash<quint64, RealtimeConnection *> connections = m_connections; // as in drain()
    for (RealtimeConnection *connection : connections) {
        if (connection->isClosing()) {
            // Our close frame waits behind what the peer has not read: one that stopped
            // reading would hold the socket and its buffer for ever.
            if (now - connection->closingSinceMs() > options.closeGraceMs)
                connection->abort();
        } else if (now - connection->lastHeardMs() > options.idleTimeoutMs) {
            m_services->metrics->recordRealtimeIdleTimeout();
            connection->close(4000,
                QStringLiteral("heartbeat timeout: nothing received for %1 s")
                    .arg(options.idleTimeoutMs / 1000));
        } else {
            // Delivery notices an expired token only when something is sent; a quiet
            // channel hears it from here.
            connection->reportExpiredTokens();
        }
    }
}
