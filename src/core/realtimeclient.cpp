#include "realtimeclient.h"

#include "apiclient.h"
#include "apireply.h"
#include "clock.h"
#include "logging.h"
#include "randomsource.h"

#include <QUrlQuery>
#include <utility>

namespace {
constexpr int gapFillPage = 1000;
}

RealtimeClient::RealtimeClient(
    ApiClient *api, Options options, const Clock *clock, RandomSource *random, QObject *parent)
    : QObject(parent)
    , m_api(api)
    , m_options(std::move(options))
    , m_clock(clock)
    , m_random(random)
    , m_backoff(m_options.reconnect)
    , m_heartbeat(clock)
    , m_reconnect(clock)
{
    m_socket.setParent(this);
    connect(&m_socket, &QWebSocket::connected, this, &RealtimeClient::onConnected);
    connect(&m_socket, &QWebSocket::disconnected, this, &RealtimeClient::onDisconnected);
    connect(&m_socket, &QWebSocket::textMessageReceived, this, &RealtimeClient::onText);
    connect(&m_heartbeat, &ClockTimer::timeout, this, [this] {
        m_heartbeat.start(m_options.heartbeatMs); // first: a dead connection found stops it
        heartbeat();
    });
    connect(&m_reconnect, &ClockTimer::timeout, this, &RealtimeClient::connectSocket);
    connect(m_api, &ApiClient::accessTokenChanged, this, &RealtimeClient::sendAccessToken);
}

RealtimeClient::~RealtimeClient()
{
    m_wanted = false;
    m_socket.disconnect(this);
    m_socket.abort();
}

void RealtimeClient::setLastSeq(qint64 seq)
{
    m_lastSeq = std::max(m_lastSeq, seq);
    m_seqKnown = true;
    // The reloaded snapshot is in the stores: fill from its seq, then release what was held.
    if (std::exchange(m_awaitingSnapshot, false) && m_gapFilling)
        gapFillFrom(m_lastSeq);
}

void RealtimeClient::snapshotReloadFailed()
{
    if (!std::exchange(m_awaitingSnapshot, false))
        return;
    qCWarning(lcRealtimeClient) << "snapshot reload failed; reconnecting later";
    m_socket.close();
}

void RealtimeClient::addChannel(const QString &topic, const QJsonArray &postgresChanges)
{
    Channel channel;
    channel.topic = topic;
    channel.bindings = postgresChanges;
    m_channels.append(channel);
    if (m_socket.state() == QAbstractSocket::ConnectedState)
        join(topic);
}

void RealtimeClient::setState(State state)
{
    if (state == m_state)
        return;
    m_state = state;
    emit stateChanged(state);
}

void RealtimeClient::open()
{
    m_wanted = true;
    if (m_socket.state() == QAbstractSocket::UnconnectedState && !m_reconnect.isActive())
        connectSocket();
}

void RealtimeClient::close()
{
    m_wanted = false;
    m_reconnect.stop();
    m_reconnectAtMs = 0;
    m_heartbeat.stop();
    m_socket.close();
    setState(State::Disconnected);
}

void RealtimeClient::connectSocket()
{
    m_reconnectAtMs = 0;
    if (!m_wanted)
        return;
    QUrl url = m_api->baseUrl();
    url.setScheme(
        url.scheme() == QLatin1String("https") ? QStringLiteral("wss") : QStringLiteral("ws"));
    url.setPath(url.path() + QStringLiteral("/realtime/v1/websocket"));
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("apikey"), m_options.apiKey);
    query.addQueryItem(QStringLiteral("vsn"), PhoenixCodec::vsnOf(m_options.serializer));
    url.setQuery(query);
    setState(State::Connecting);
    m_socket.open(url);
}

void RealtimeClient::onConnected()
{
    qCInfo(lcRealtimeClient) << "realtime connected";
    m_pendingHeartbeat.clear();
    m_heartbeat.start(m_options.heartbeatMs);
    setState(State::Joining);
    for (Channel &c : m_channels) {
        c.joined = false;
        c.subscribed = false;
        c.expiredToken.clear();
        join(c.topic);
    }
}

void RealtimeClient::onDisconnected()
{
    m_heartbeat.stop();
    for (Channel &c : m_channels)
        c.joined = c.subscribed = false;
    m_gapFilling = false;
    m_awaitingSnapshot = false; // a snapshot still on its way only moves lastSeq on
    m_heldBack.clear();
    setState(State::Disconnected);
    if (m_wanted)
        scheduleReconnect();
}

void RealtimeClient::scheduleReconnect()
{
    const qint64 delay = m_backoff.delayMs(m_failedAttempts++, *m_random);
    m_reconnectAtMs = m_clock->nowMs() + delay;
    qCInfo(lcRealtimeClient) << "realtime reconnecting in" << delay << "ms";
    m_reconnect.start(delay);
}

void RealtimeClient::join(const QString &topic)
{
    for (Channel &c : m_channels) {
        if (c.topic != topic)
            continue;
        c.joinRef = nextRef();
        const QJsonObject config {
            { QStringLiteral("broadcast"),
                QJsonObject {
                    { QStringLiteral("ack"), false }, { QStringLiteral("self"), false } } },
            { QStringLiteral("presence"),
                QJsonObject {
                    { QStringLiteral("key"), QString() }, { QStringLiteral("enabled"), false } } },
            { QStringLiteral("postgres_changes"), c.bindings },
            { QStringLiteral("private"), false },
        };
        QJsonObject payload { { QStringLiteral("config"), config } };
        if (!m_api->accessToken().isEmpty())
            payload.insert(QStringLiteral("access_token"), m_api->accessToken());
        const PhoenixMessage m { c.joinRef, c.joinRef, topic, QStringLiteral("phx_join"), payload };
        m_socket.sendTextMessage(QString::fromUtf8(PhoenixCodec::encode(m, m_options.serializer)));
    }
}

void RealtimeClient::push(const QJsonValue &joinRef, const QString &topic, const QString &event,
    const QJsonObject &payload)
{
    const PhoenixMessage m { joinRef, nextRef(), topic, event, payload };
    m_socket.sendTextMessage(QString::fromUtf8(PhoenixCodec::encode(m, m_options.serializer)));
}

void RealtimeClient::sendAccessToken(const QString &token)
{
    if (m_socket.state() != QAbstractSocket::ConnectedState)
        return;
    bool rejoining = false;
    for (Channel &c : m_channels) {
        if (c.expiredToken.isEmpty()) {
            if (c.joined)
                push(c.joinRef, c.topic, QStringLiteral("access_token"),
                    { { QStringLiteral("access_token"), token } });
        } else if (!c.joined) {
            // Closed for its expired token: join with this one (its subscription gap-fills).
            c.expiredToken.clear();
            rejoining = true;
            join(c.topic);
        } // else its close is on the way, and joins with this token when it comes
    }
    // Whatever a server did around the old token's end, look at the log from the last change
    // applied: a change it skipped is filled in, one seen twice is dropped by its seq.
    if (!rejoining && m_state == State::Live && !m_gapFilling)
        startGapFill();
}

void RealtimeClient::heartbeat()
{
    if (!m_pendingHeartbeat.isEmpty()) {
        // The last one was never answered: the connection is dead even if TCP has not noticed.
        qCInfo(lcRealtimeClient) << "heartbeat timeout; reconnecting";
        m_pendingHeartbeat.clear();
        m_socket.abort();
        return;
    }
    m_pendingHeartbeat = nextRef();
    const PhoenixMessage m { QJsonValue::Null, m_pendingHeartbeat, QStringLiteral("phoenix"),
        QStringLiteral("heartbeat"), QJsonObject() };
    m_socket.sendTextMessage(QString::fromUtf8(PhoenixCodec::encode(m, m_options.serializer)));
}

void RealtimeClient::onText(const QString &text)
{
    QString error;
    const auto message = PhoenixCodec::decode(text.toUtf8(), m_options.serializer, &error);
    if (!message) {
        qCWarning(lcRealtimeClient) << "undecodable frame:" << error;
        return;
    }
    onMessage(*message);
}

void RealtimeClient::onMessage(const PhoenixMessage &message)
{
    const QJsonObject payload = message.payload.toObject();
    if (message.topic == QLatin1String("phoenix")) {
        if (message.event == QLatin1String("phx_reply")
            && message.ref.toString() == m_pendingHeartbeat)
            m_pendingHeartbeat.clear();
        return;
    }
    Channel *channel = nullptr;
    for (Channel &c : m_channels) {
        if (c.topic == message.topic)
            channel = &c;
    }
    if (!channel)
        return;
    // A frame of an earlier join of this topic: it belongs to a channel that no longer exists.
    if (message.joinRef.isString() && message.joinRef.toString() != channel->joinRef)
        return;
    const QString &event = message.event;
    if (event == QLatin1String("phx_reply") && message.ref.toString() == channel->joinRef) {
        if (payload.value(QStringLiteral("status")).toString() == QLatin1String("ok")) {
            channel->joined = true;
        } else {
            const QString reason = payload.value(QStringLiteral("response"))
                                       .toObject()
                                       .value(QStringLiteral("reason"))
                                       .toString();
            qCWarning(lcRealtimeClient) << "join refused:" << reason;
            emit errorOccurred(reason);
            if (reason.startsWith(QLatin1String("InvalidJWT")))
                m_api->refreshSession(); // a fresh token rejoins below
            m_socket.close(); // reconnect with backoff, then rejoin
        }
    } else if (event == QLatin1String("system")) {
        const QString status = payload.value(QStringLiteral("status")).toString();
        if (status == QLatin1String("ok")
            && payload.value(QStringLiteral("extension")).toString()
                == QLatin1String("postgres_changes")) {
            channel->subscribed = true;
            m_failedAttempts = 0;
            const bool allSubscribed = std::all_of(m_channels.cbegin(), m_channels.cend(),
                [](const Channel &c) { return c.subscribed; });
            if (allSubscribed)
                startGapFill();
        } else if (status == QLatin1String("error")) {
            const QString text = payload.value(QStringLiteral("message")).toString();
            emit errorOccurred(text);
            if (text.contains(QLatin1String("expired"), Qt::CaseInsensitive)) {
                channel->expiredToken = m_api->accessToken();
                m_api->refreshSession(); // accessTokenChanged() rejoins with the new one
            }
        }
    } else if (event == QLatin1String("phx_close") || event == QLatin1String("phx_error")) {
        channel->joined = channel->subscribed = false;
        if (!channel->expiredToken.isEmpty()) {
            // Closed for its expired token: join again with a newer one (now, if the refresh
            // already brought it); that join's gap fill brings what came meanwhile.
            if (m_api->accessToken() != channel->expiredToken && !m_api->accessToken().isEmpty()) {
                channel->expiredToken.clear();
                join(channel->topic);
            }
            setState(State::Joining);
        } else if (m_wanted)
            ClockTimer::singleShot(
                m_clock, m_backoff.delayMs(0, *m_random), this, [this, topic = channel->topic] {
                    if (m_socket.state() == QAbstractSocket::ConnectedState)
                        join(topic);
                });
    } else if (event == QLatin1String("postgres_changes")) {
        const QJsonObject data = payload.value(QStringLiteral("data")).toObject();
        if (m_gapFilling)
            m_heldBack.append(data); // after the gap, in order
        else
            deliver(data);
    }
}

void RealtimeClient::startGapFill()
{
    if (m_awaitingSnapshot)
        return; // the reloaded snapshot resumes the fill
    if (!m_options.gapFill || !m_seqKnown) {
        finishGapFill();
        return;
    }
    m_gapFilling = true;
    gapFillFrom(m_lastSeq);
}

void RealtimeClient::gapFillFrom(qint64 since)
{
    ApiReply *reply
        = m_api->get(QStringLiteral("/api/changes?since=%1&limit=%2").arg(since).arg(gapFillPage));
    connect(reply, &ApiReply::finished, this, [this, reply, since] {
        if (!m_gapFilling)
            return; // disconnected meanwhile: the next join starts over
        if (reply->status() == 404) {
            emit gapFillUnavailable(GapFillGap::NoChangeLog);
            finishGapFill();
            return;
        }
        if (reply->status() == 410 && reply->error().code == QLatin1String("history_expired")) {
            // What came after our seq is gone from the server's history: only a snapshot can
            // catch us up. Live changes stay held back meanwhile (m_gapFilling).
            qCInfo(lcRealtimeClient)
                << "change history expired after seq" << since << "; reloading the snapshot";
            m_awaitingSnapshot = true;
            emit gapFillUnavailable(GapFillGap::HistoryExpired);
            return;
        }
        if (!reply->isSuccess()) {
            // Could not look: reconnect later and try again rather than go live with a hole.
            qCWarning(lcRealtimeClient) << "gap fill failed:" << reply->error();
            m_socket.close();
            return;
        }
        const QJsonObject page = reply->json();
        const QJsonArray changes = page.value(QStringLiteral("changes")).toArray();
        for (const QJsonValue &change : changes)
            deliver(change.toObject());
        if (changes.isEmpty())
            finishGapFill();
        else
            gapFillFrom(std::max(since, page.value(QStringLiteral("seq")).toInteger()));
    });
}

void RealtimeClient::finishGapFill()
{
    m_gapFilling = false;
    const QList<QJsonObject> held = std::move(m_heldBack);
    m_heldBack.clear();
    for (const QJsonObject &data : held)
        deliver(data);
    setState(State::Live);
    emit live();
}

void RealtimeClient::deliver(const QJsonObject &data)
{
    const QJsonValue seqValue = data.value(QStringLiteral("seq"));
    if (seqValue.isDouble()) {
        const qint64 seq = seqValue.toInteger();
        if (seq <= m_lastSeq)
            return; // already seen (a gap fill and the live stream overlap)
        m_lastSeq = seq;
    }
    const QString table = data.value(QStringLiteral("table")).toString();
    const QString type = data.value(QStringLiteral("type")).toString();
    const QJsonObject record = data.value(QStringLiteral("record")).toObject();
    const QJsonObject old = data.value(QStringLiteral("old_record")).toObject();
    emit changed(table, type, record, old);
    if (table == QLatin1String("bookings"))
        emit bookingChanged(type, record, old);
    else if (table == QLatin1String("leads"))
        emit leadChanged(type, record, old);
    else if (table == QLatin1String("sms_messages"))
        emit smsChanged(type, record, old);
}
