// syncloop-core's RealtimeClient against a real syncloopd: live changes in both serializers,
// the gap fill after a clean close (in order, each once, even when the live stream overlaps),
// reconnection after the server died and came back on the same port, heartbeats that outlive
// the server's idle timeout, and an access token refreshed in place.
#include "apiclient.h"
#include "clock.h"
#include "demodata.h"
#include "httpclient.h"
#include "randomsource.h"
#include "realtimeclient.h"
#include "serverprocess.h"
#include "testjwt.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

namespace {

using State = RealtimeClient::State;

const QString password = QStringLiteral("syncloop-demo");

// Every table the client knows, every event.
QJsonArray everything()
{
    QJsonArray bindings;
    for (const QString &table :
        { QStringLiteral("bookings"), QStringLiteral("leads"), QStringLiteral("sms_messages") })
        bindings.append(QJsonObject { { QStringLiteral("event"), QStringLiteral("*") },
            { QStringLiteral("schema"), QStringLiteral("public") },
            { QStringLiteral("table"), table } });
    return bindings;
}

QString mintToken(const QByteArray &secret, const QJsonObject &claims)
{
    return QString::fromLatin1(TestJwt::mint(claims, secret));
}

// What the client emitted, in order: changes of every table and the moments it went live.
struct Event
{
    QString what; // "bookings", "leads", "sms_messages" or "live"
    QString type;
    QJsonObject record;
    QJsonObject old;
};

class Recorder
{
public:
    explicit Recorder(RealtimeClient &client)
    {
        QObject::connect(&client, &RealtimeClient::bookingChanged, &client,
            [this](const QString &type, const QJsonObject &record, const QJsonObject &old) {
                events.append({ QStringLiteral("bookings"), type, record, old });
            });
        QObject::connect(&client, &RealtimeClient::leadChanged, &client,
            [this](const QString &type, const QJsonObject &record, const QJsonObject &old) {
                events.append({ QStringLiteral("leads"), type, record, old });
            });
        QObject::connect(&client, &RealtimeClient::smsChanged, &client,
            [this](const QString &type, const QJsonObject &record, const QJsonObject &old) {
                events.append({ QStringLiteral("sms_messages"), type, record, old });
            });
        QObject::connect(&client, &RealtimeClient::live, &client, [this] {
            events.append({ QStringLiteral("live"), {}, {}, {} });
        });
        QObject::connect(
            &client, &RealtimeClient::stateChanged, &client, [this](State s) { states.append(s); });
    }

    QList<Event> events;
    QList<State> states;

    QList<Event> bookings() const
    {
        QList<Event> out;
        for (const Event &e : events) {
            if (e.what == QLatin1String("bookings"))
                out.append(e);
        }
        return out;
    }
    int count(const QString &what) const
    {
        return int(std::count_if(
            events.cbegin(), events.cend(), [&](const Event &e) { return e.what == what; }));
    }
    // Booking ids in the order their changes arrived.
    QStringList bookingIds() const
    {
        QStringList ids;
        for (const Event &e : bookings())
            ids << e.record.value(QStringLiteral("id")).toString();
        return ids;
    }
    // What the log looks like, compactly: "live", "b:<id>" ...
    QStringList trace() const
    {
        QStringList out;
        for (const Event &e : events)
            out << (e.what == QLatin1String("live") ? e.what
                                                    : e.what.left(1) + QLatin1Char(':')
                        + e.record.value(QStringLiteral("id")).toString());
        return out;
    }
};

// A login endpoint that hands out a session the test made: a short-lived access token minted
// with the server's secret and a real refresh token. Anything else is answered 500 and counted.
class LoginStandIn : public QObject
{
public:
    explicit LoginStandIn(QJsonObject session)
        : m_session(std::move(session))
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                connect(
                    socket, &QTcpSocket::readyRead, this, [this, socket] { onReadable(socket); });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
    }
    bool start() { return m_server.listen(QHostAddress::LocalHost, 0); }
    QUrl url() const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort()));
    }
    int logins = 0;
    QStringList unexpected;

private:
    void onReadable(QTcpSocket *socket)
    {
        QByteArray &buffer = m_buffers[socket];
        buffer += socket->readAll();
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        qsizetype length = 0;
        for (const QByteArray &line : buffer.left(end).split('\n')) {
            if (line.toLower().startsWith("content-length:"))
                length = line.mid(15).trimmed().toLongLong();
        }
        if (buffer.size() < end + 4 + length)
            return;
        const QByteArray requestLine = buffer.left(buffer.indexOf("\r\n"));
        m_buffers.remove(socket);
        QByteArray status = "200 OK";
        QByteArray body = QJsonDocument(m_session).toJson(QJsonDocument::Compact);
        if (requestLine.startsWith("POST /api/auth/login ")) {
            ++logins;
        } else {
            unexpected << QString::fromLatin1(requestLine);
            status = "500 Internal Server Error";
            body = "{}";
        }
        socket->write("HTTP/1.1 " + status
            + "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
            + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        socket->disconnectFromHost();
    }

    QTcpServer m_server;
    QJsonObject m_session;
    QHash<QTcpSocket *, QByteArray> m_buffers;
};

bool signIn(ApiClient &api, const QString &email)
{
    QSignalSpy signedIn(&api, &ApiClient::signedIn);
    api.login(email, password);
    return !signedIn.isEmpty() || signedIn.wait(10000);
}

} // namespace

class TestRealtimeClient : public QObject
{
    Q_OBJECT
private:
    QByteArray m_secret = "realtimeclient-test-secret-0123456789-abcdefghijklmnop";
    std::unique_ptr<ServerProcess> m_server;
    std::unique_ptr<HttpClient> m_rest; // agent1 over plain REST: the "other device"
    QStringList m_pending; // agent1's pending bookings, used up one by one
    SeededRandomSource m_random { 20240611 };

    RealtimeClient::Options fastOptions(
        PhoenixCodec::Serializer serializer = PhoenixCodec::Serializer::V2) const
    {
        RealtimeClient::Options options;
        options.serializer = serializer;
        options.reconnect = { 100, 1000 };
        options.heartbeatMs = 1000; // well inside the server's 3 s idle timeout
        return options;
    }

    // The seq of agent1's snapshot: everything up to it is known.
    qint64 snapshotSeq()
    {
        const HttpResult r = m_rest->get(QStringLiteral("/api/bookings"));
        return r.status == 200 ? r.json().value(QStringLiteral("seq")).toInteger() : -1;
    }

    // Confirms over REST; returns the booking's new version (or -status).
    qint64 confirm(const QString &id)
    {
        const HttpResult r = m_rest->postJson(QStringLiteral("/api/bookings/confirm"),
            { { QStringLiteral("bookingId"), id } }, HttpClient::newKey());
        if (r.status != 200) {
            qWarning().noquote() << "confirm" << id << "->" << r.status << r.body;
            return -r.status;
        }
        const QJsonObject booking = r.json().value(QStringLiteral("booking")).toObject();
        if (booking.value(QStringLiteral("status")).toString() != QLatin1String("confirmed"))
            return -1;
        return booking.value(QStringLiteral("version")).toInteger();
    }

    QString nextPending() { return m_pending.isEmpty() ? QString() : m_pending.takeFirst(); }

private slots:
    void initTestCase()
    {
        ServerProcess::Options options;
        options.demoBookings = 120;
        options.jwtSecret = m_secret;
        options.extraArgs
            = QStringList { QStringLiteral("--realtime-idle-timeout"), QStringLiteral("3s") };
        m_server = std::make_unique<ServerProcess>(options);
        QVERIFY(m_server->start());
        m_rest = std::make_unique<HttpClient>(m_server->baseUrl());
        QVERIFY(!m_rest->login(DemoData::agent1).isEmpty());
        m_pending = DemoData::bookingIds(*m_rest, QStringLiteral("pending"));
        QVERIFY2(m_pending.size() >= 20, "the demo seed has too few pending bookings for agent1");
    }

    void deliversALiveUpdate_data()
    {
        QTest::addColumn<PhoenixCodec::Serializer>("serializer");
        QTest::newRow("vsn 1.0.0") << PhoenixCodec::Serializer::V1;
        QTest::newRow("vsn 2.0.0") << PhoenixCodec::Serializer::V2;
    }
    void deliversALiveUpdate()
    {
        QFETCH(PhoenixCodec::Serializer, serializer);
        ApiClient api(m_server->baseUrl());
        QVERIFY(signIn(api, DemoData::agent1));
        RealtimeClient client(&api, fastOptions(serializer), SystemClock::instance(), &m_random);
        Recorder recorder(client);
        QSignalSpy live(&client, &RealtimeClient::live);
        QSignalSpy errors(&client, &RealtimeClient::errorOccurred);

        const qint64 seq = snapshotSeq();
        QVERIFY(seq >= 0);
        client.addChannel(QStringLiteral("realtime:x"), everything());
        client.setLastSeq(seq);
        QCOMPARE(client.state(), State::Disconnected);
        client.open();
        QVERIFY(live.wait(10000));
        QCOMPARE(client.state(), State::Live);
        QVERIFY(client.isLive());
        QCOMPARE(
            recorder.states, (QList<State> { State::Connecting, State::Joining, State::Live }));
        QCOMPARE(recorder.trace(),
            QStringList { QStringLiteral("live") }); // nothing happened since the snapshot

        const QString id = nextPending();
        const QJsonObject before = DemoData::booking(*m_rest, id);
        const qint64 version = confirm(id);
        QCOMPARE(version, before.value(QStringLiteral("version")).toInteger() + 1);
        QTRY_COMPARE(recorder.bookings().size(), 1);
        const Event e = recorder.bookings().first();
        QCOMPARE(e.type, QStringLiteral("UPDATE"));
        QCOMPARE(e.record.value(QStringLiteral("id")).toString(), id);
        QCOMPARE(e.record.value(QStringLiteral("status")).toString(), QStringLiteral("confirmed"));
        QCOMPARE(e.record.value(QStringLiteral("version")).toInteger(), version);
        QCOMPARE(e.old, before);
        QVERIFY(client.lastSeq() > seq);
        QCOMPARE(recorder.count(QStringLiteral("leads")), 0);
        QCOMPARE(recorder.count(QStringLiteral("sms_messages")), 0);
        QVERIFY2(errors.isEmpty(),
            qPrintable(errors.isEmpty() ? QString() : errors.first().first().toString()));

        client.close();
        QCOMPARE(client.state(), State::Disconnected);
    }

    void gapFillAfterACleanCloseDeliversEachChangeOnceInOrder()
    {
        ApiClient api(m_server->baseUrl());
        QVERIFY(signIn(api, DemoData::agent1));
        RealtimeClient client(&api, fastOptions(), SystemClock::instance(), &m_random);
        Recorder recorder(client);
        QSignalSpy live(&client, &RealtimeClient::live);
        client.addChannel(QStringLiteral("realtime:x"), everything());
        client.setLastSeq(snapshotSeq());
        client.open();
        QVERIFY(live.wait(10000));

        client.close();
        QCOMPARE(client.state(), State::Disconnected);
        // While the client is away: three changes it must not miss.
        QStringList missed;
        QList<qint64> versions;
        for (int i = 0; i < 3; ++i) {
            missed << nextPending();
            versions << confirm(missed.last());
            QVERIFY(versions.last() > 0);
        }
        QCOMPARE(recorder.bookings().size(), 0);

        // A fourth change is committed while the client joins: it may come both from the gap
        // fill and from the live stream, and must still be delivered once.
        const QString racing = nextPending();
        bool raced = false;
        connect(&client, &RealtimeClient::stateChanged, this, [&](State s) {
            if (s != State::Joining || raced)
                return;
            raced = true;
            api.post(QStringLiteral("/api/bookings/confirm"),
                { { QStringLiteral("bookingId"), racing } }, HttpClient::newKey());
        });
        recorder.events.clear();
        client.open();
        QVERIFY(live.wait(10000));
        QVERIFY(raced);
        // The gap arrives before the client says it is live, in commit order.
        const qsizetype liveAt = recorder.trace().indexOf(QStringLiteral("live"));
        QVERIFY(liveAt >= 3);
        QCOMPARE(recorder.bookingIds().mid(0, 3), missed);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(recorder.bookings()[i].type, QStringLiteral("UPDATE"));
            QCOMPARE(recorder.bookings()[i].record.value(QStringLiteral("version")).toInteger(),
                versions[i]);
        }
        QTRY_VERIFY(recorder.bookingIds().contains(racing));

        // A sentinel after everything: a duplicate of anything earlier would arrive before it.
        const QString sentinel = nextPending();
        QVERIFY(confirm(sentinel) > 0);
        QTRY_VERIFY(recorder.bookingIds().contains(sentinel));
        QCOMPARE(recorder.bookingIds(), (missed + QStringList { racing, sentinel }));
        QCOMPARE(recorder.count(QStringLiteral("live")), 1);
    }

    void heartbeatsOutliveTheIdleTimeout()
    {
        ApiClient api(m_server->baseUrl());
        QVERIFY(signIn(api, DemoData::agent1));
        RealtimeClient::Options beatingOptions = fastOptions();
        beatingOptions.heartbeatMs = 300;
        RealtimeClient::Options silentOptions = fastOptions();
        silentOptions.heartbeatMs = 60000; // the first beat would come long after the 3 s timeout
        RealtimeClient beating(&api, beatingOptions, SystemClock::instance(), &m_random);
        RealtimeClient silent(&api, silentOptions, SystemClock::instance(), &m_random);
        Recorder beatingLog(beating), silentLog(silent);
        for (RealtimeClient *c : { &beating, &silent }) {
            QSignalSpy live(c, &RealtimeClient::live);
            c->addChannel(QStringLiteral("realtime:hb"), everything());
            c->setLastSeq(snapshotSeq());
            c->open();
            QVERIFY(live.wait(10000));
        }

        // The server drops the silent one after its idle timeout (and it reconnects)...
        QTRY_VERIFY_WITH_TIMEOUT(silentLog.states.contains(State::Disconnected), 8000);
        // ...while the beating one, open just as long, never left Live.
        QCOMPARE(
            beatingLog.states, (QList<State> { State::Connecting, State::Joining, State::Live }));
        QCOMPARE(beating.state(), State::Live);

        const QString id = nextPending();
        const qint64 version = confirm(id);
        QVERIFY(version > 0);
        QTRY_VERIFY(beatingLog.bookingIds().contains(id));
        QCOMPARE(beatingLog.bookings().last().record.value(QStringLiteral("version")).toInteger(),
            version);
        QCOMPARE(beatingLog.states.size(), 3);
        silent.close();
    }

    void refreshedAccessTokenIsSentInPlace()
    {
        // A session whose access token expires in a few seconds, with a real refresh token.
        HttpClient other(m_server->baseUrl());
        QVERIFY(!other.login(DemoData::agent1).isEmpty());
        const QJsonObject real = other.lastLogin();
        const QJsonObject user = real.value(QStringLiteral("user")).toObject();
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        const qint64 expiresAt = now + 3;
        const QString shortLived = mintToken(m_secret,
            { { QStringLiteral("sub"), user.value(QStringLiteral("id")) },
                { QStringLiteral("org"), user.value(QStringLiteral("org_id")) },
                { QStringLiteral("role"), QStringLiteral("agent") },
                { QStringLiteral("email"), DemoData::agent1 }, { QStringLiteral("iat"), now },
                { QStringLiteral("exp"), expiresAt } });
        QJsonObject session = real;
        session.insert(QStringLiteral("access_token"), shortLived);
        session.insert(QStringLiteral("expires_in"), 3);
        LoginStandIn standIn(session);
        QVERIFY(standIn.start());

        ApiClient api(standIn.url());
        QVERIFY(signIn(api, DemoData::agent1));
        QCOMPARE(standIn.logins, 1);
        QCOMPARE(api.accessToken(), shortLived);
        api.setBaseUrl(m_server->baseUrl());

        RealtimeClient::Options options = fastOptions();
        options.heartbeatMs = 300; // the test outlives the server's idle timeout
        RealtimeClient client(&api, options, SystemClock::instance(), &m_random);
        Recorder recorder(client);
        QSignalSpy live(&client, &RealtimeClient::live);
        QSignalSpy errors(&client, &RealtimeClient::errorOccurred);
        client.addChannel(QStringLiteral("realtime:token"), everything());
        client.setLastSeq(snapshotSeq());
        client.open();
        QVERIFY(live.wait(10000));

        const QString first = nextPending();
        QVERIFY(confirm(first) > 0);
        QTRY_VERIFY(recorder.bookingIds().contains(first));

        QSignalSpy tokenChanged(&api, &ApiClient::accessTokenChanged);
        api.refreshSession();
        QVERIFY(tokenChanged.wait(10000));
        QVERIFY(api.accessToken() != shortLived);

        // Past the first token's expiry: the server delivers only if the new token reached it.
        QTRY_VERIFY_WITH_TIMEOUT(QDateTime::currentSecsSinceEpoch() > expiresAt, 6000);
        const QString second = nextPending();
        const qint64 version = confirm(second);
        QVERIFY(version > 0);
        QTRY_VERIFY(recorder.bookingIds().contains(second));
        QCOMPARE(recorder.bookings().last().record.value(QStringLiteral("version")).toInteger(),
            version);
        QVERIFY2(errors.isEmpty(),
            qPrintable(errors.isEmpty() ? QString() : errors.first().first().toString()));
        // Refreshed in place: the connection never dropped.
        QCOMPARE(
            recorder.states, (QList<State> { State::Connecting, State::Joining, State::Live }));
        QVERIFY2(
            standIn.unexpected.isEmpty(), qPrintable(standIn.unexpected.join(QLatin1Char(','))));
    }

    // Last: it restarts the server.
    void reconnectsAfterTheServerComesBack()
    {
        ApiClient api(m_server->baseUrl());
        QVERIFY(signIn(api, DemoData::agent1));
        RealtimeClient client(&api, fastOptions(), SystemClock::instance(), &m_random);
        Recorder recorder(client);
        QSignalSpy live(&client, &RealtimeClient::live);
        client.addChannel(QStringLiteral("realtime:x"), everything());
        client.setLastSeq(snapshotSeq());
        client.open();
        QVERIFY(live.wait(10000));
        recorder.states.clear();

        m_server->kill();
        QTRY_VERIFY(recorder.states.contains(State::Disconnected));
        // It keeps trying while the server is down (capped backoff of at most 1 s).
        QTRY_VERIFY_WITH_TIMEOUT(recorder.states.count(State::Connecting) >= 3, 10000);
        QVERIFY(!recorder.states.contains(State::Live));

        QVERIFY(m_server->restart(true));
        QVERIFY(live.wait(10000));
        QCOMPARE(client.state(), State::Live);
        QCOMPARE(recorder.states.first(), State::Disconnected);
        QCOMPARE(recorder.states.mid(recorder.states.size() - 3),
            (QList<State> { State::Connecting, State::Joining, State::Live }));
        QVERIFY(client.reconnectAtMs() == 0);

        // And changes flow again on the new connection.
        const QString id = nextPending();
        const qint64 version = confirm(id);
        QVERIFY(version > 0);
        QTRY_VERIFY(recorder.bookingIds().contains(id));
        QCOMPARE(recorder.bookings().last().record.value(QStringLiteral("version")).toInteger(),
            version);
        QCOMPARE(recorder.bookingIds().count(id), 1);
    }
};

QTEST_GUILESS_MAIN(TestRealtimeClient)
#include "tst_realtimeclient.moc"
