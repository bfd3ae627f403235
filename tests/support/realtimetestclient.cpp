#include "realtimetestclient.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>
#include <QUrlQuery>

RealtimeTestClient::RealtimeTestClient(
    const QUrl &httpBase, PhoenixCodec::Serializer serializer, QObject *parent)
    : QObject(parent)
    , m_base(httpBase)
    , m_serializer(serializer)
{
    m_socket.setMaxAllowedIncomingMessageSize(64 << 20);
    connect(&m_heartbeat, &QTimer::timeout, this,
        [this] { send(QStringLiteral("phoenix"), QStringLiteral("heartbeat"), QJsonObject()); });
    connect(&m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
        QString error;
        if (auto message = PhoenixCodec::decode(text.toUtf8(), m_serializer, &error))
            m_frames.append({ *message, false, {} });
        else
            qWarning() << "undecodable frame from the server:" << error << text.left(200);
    });
    connect(&m_socket, &QWebSocket::binaryMessageReceived, this, [this](const QByteArray &data) {
        QString error;
        if (auto b = PhoenixCodec::decodeBinary(data, &error))
            m_frames.append(
                { { QJsonValue::Null, QJsonValue::Null, b->topic, QStringLiteral("broadcast"), {} },
                    true, *b });
        else
            qWarning() << "undecodable binary frame from the server:" << error;
    });
    connect(&m_socket, &QWebSocket::disconnected, this, [this] {
        m_closeCode = m_socket.closeCode();
        m_closeReason = m_socket.closeReason();
    });
}

bool RealtimeTestClient::open(const QString &apiKey, int timeoutMs)
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("apikey"), apiKey);
    query.addQueryItem(QStringLiteral("vsn"), PhoenixCodec::vsnOf(m_serializer));
    return openWithQuery(query.toString(QUrl::FullyEncoded), timeoutMs);
}

bool RealtimeTestClient::openWithQuery(const QString &query, int timeoutMs)
{
    QUrl url = m_base;
    url.setScheme(QStringLiteral("ws"));
    url.setPath(QStringLiteral("/realtime/v1/websocket"));
    url.setQuery(query);
    QSignalSpy connected(&m_socket, &QWebSocket::connected);
    m_socket.open(url);
    return connected.wait(timeoutMs) || !connected.isEmpty();
}

QString RealtimeTestClient::send(
    const QString &topic, const QString &event, const QJsonValue &payload, const QString &joinRef)
{
    QString ref = QString::number(m_nextRef++);
    const QString jr = joinRef.isEmpty() ? m_joinRefs.value(topic) : joinRef;
    PhoenixMessage m { jr.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(jr), ref, topic,
        event, payload };
    m_socket.sendTextMessage(QString::fromUtf8(PhoenixCodec::encode(m, m_serializer)));
    return ref;
}

QJsonObject RealtimeTestClient::waitForReply(const QString &ref, int timeoutMs)
{
    auto find = [&]() -> QJsonObject {
        for (const Frame &f : std::as_const(m_frames)) {
            if (!f.binary && f.message.event == QLatin1String("phx_reply")
                && f.message.ref == QJsonValue(ref))
                return f.message.payload.toObject();
        }
        return {};
    };
    QElapsedTimer clock;
    clock.start();
    while (find().isEmpty() && clock.elapsed() < timeoutMs && isOpen()) {
        QSignalSpy more(&m_socket, &QWebSocket::textMessageReceived);
        more.wait(50);
    }
    return find();
}

QJsonObject RealtimeTestClient::join(const QString &topic, const QJsonArray &postgresChanges,
    const QString &accessToken, const QJsonObject &broadcast)
{
    const QString ref = QString::number(m_nextRef);
    m_joinRefs.insert(topic, ref);
    QJsonObject config { { QStringLiteral("postgres_changes"), postgresChanges },
        { QStringLiteral("broadcast"),
            broadcast.isEmpty() ? QJsonObject { { QStringLiteral("ack"), false },
                { QStringLiteral("self"), false } }
                                : broadcast },
        { QStringLiteral("presence"),
            QJsonObject {
                { QStringLiteral("key"), QString() }, { QStringLiteral("enabled"), false } } },
        { QStringLiteral("private"), false } };
    QJsonObject payload { { QStringLiteral("config"), config } };
    if (!accessToken.isEmpty())
        payload.insert(QStringLiteral("access_token"), accessToken);
    send(topic, QStringLiteral("phx_join"), payload, ref);
    return waitForReply(ref);
}

QList<QJsonObject> RealtimeTestClient::changes(const QString &topic) const
{
    QList<QJsonObject> out;
    for (const Frame &f : m_frames) {
        if (!f.binary && f.message.event == QLatin1String("postgres_changes")
            && (topic.isEmpty() || f.message.topic == topic))
            out.append(f.message.payload.toObject());
    }
    return out;
}

QList<QJsonObject> RealtimeTestClient::systemMessages(const QString &topic) const
{
    QList<QJsonObject> out;
    for (const Frame &f : m_frames) {
        if (!f.binary && f.message.event == QLatin1String("system")
            && (topic.isEmpty() || f.message.topic == topic))
            out.append(f.message.payload.toObject());
    }
    return out;
}

bool RealtimeTestClient::waitForChanges(int count, int timeoutMs, const QString &topic)
{
    return waitUntil([&] { return changes(topic).size() >= count; }, timeoutMs);
}

bool RealtimeTestClient::waitUntil(const std::function<bool()> &done, int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    while (!done() && clock.elapsed() < timeoutMs && isOpen()) {
        QSignalSpy more(&m_socket, &QWebSocket::textMessageReceived);
        more.wait(50);
    }
    return done();
}

bool RealtimeTestClient::waitForClose(int timeoutMs)
{
    if (m_socket.state() == QAbstractSocket::UnconnectedState)
        return true;
    QSignalSpy closed(&m_socket, &QWebSocket::disconnected);
    return closed.wait(timeoutMs) || !closed.isEmpty();
}

void RealtimeTestClient::startHeartbeat(int intervalMs)
{
    m_heartbeat.start(intervalMs);
}
