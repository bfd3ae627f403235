// Bad input against a real syncloopd: every malformed body, header or path gets an RFC 9457
// problem+json answer with a precise code, and leaves the database exactly as it was.
// Requests go out as raw bytes (RawHttpConnection), so neither Qt nor a proxy can repair them.
#include "dbinspector.h"
#include "demodata.h"
#include "httpclient.h"
#include "rawhttpconnection.h"
#include "serverprocess.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>
#include <algorithm>
#include <memory>
#include <vector>

namespace {

using RawHeaders = QList<std::pair<QByteArray, QByteArray>>;

const QByteArray json = "application/json";

// A well-formed WebSocket handshake's headers (RFC 6455 section 1.3).
const QByteArray webSocketHandshake
    = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";

// A login announcing a 300 MB body, with an Upgrade header that asks for nothing (no
// "Connection: upgrade"): an ordinary request as far as HTTP goes.
const QByteArray hugeLoginHead
    = "POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: h2c\r\n"
      "Content-Type: application/json\r\nContent-Length: 300000000\r\n\r\n";

qint64 residentKb(qint64 pid)
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> lines = status.readAll().split('\n');
    for (const QByteArray &line : lines) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

// Sends a huge body as fast as the server takes it, and keeps what the server answers.
class BodyPusher : public QObject
{
public:
    BodyPusher(quint16 port, const QByteArray &head, qint64 bodyBytes, int chunkBytes, int everyMs)
        : m_left(bodyBytes)
        , m_chunk(chunkBytes, 'x')
    {
        connect(
            &m_socket, &QTcpSocket::readyRead, this, [this] { m_answer += m_socket.readAll(); });
        connect(&m_timer, &QTimer::timeout, this, &BodyPusher::push);
        m_socket.connectToHost(QStringLiteral("127.0.0.1"), port);
        if (m_socket.waitForConnected(5000)) {
            m_socket.write(head);
            m_timer.start(everyMs);
        }
    }
    bool isDone() const
    {
        return m_left <= 0 || m_socket.state() != QAbstractSocket::ConnectedState;
    }
    bool isClosed() const { return m_socket.state() != QAbstractSocket::ConnectedState; }
    QByteArray answer() const { return m_answer; }

private:
    void push()
    {
        // A few chunks in flight at most: the pace is the server's.
        if (isDone() || m_socket.bytesToWrite() > 4 * m_chunk.size())
            return;
        const qint64 n = std::min<qint64>(m_left, m_chunk.size());
        m_socket.write(m_chunk.constData(), n);
        m_left -= n;
    }

    QTcpSocket m_socket;
    QTimer m_timer;
    qint64 m_left;
    QByteArray m_chunk;
    QByteArray m_answer;
};

} // namespace

class TestBadInput : public QObject
{
    Q_OBJECT
private:
    ServerProcess m_server;
    std::unique_ptr<HttpClient> m_agent1;
    std::unique_ptr<DbInspector> m_db;
    QByteArray m_pendingBooking; // agent1's, so any request that slips through would confirm it
    QByteArray m_lead; // agent1's

    // One request on its own connection; the answer, or status 0 when none came.
    RawHttpConnection::Response exchange(const QByteArray &method, const QByteArray &path,
        const QByteArray &body, const RawHeaders &headers)
    {
        RawHttpConnection connection(QStringLiteral("127.0.0.1"), m_server.port());
        if (!connection.connectToServer())
            return {};
        QSignalSpy answered(&connection, &RawHttpConnection::responseReceived);
        connection.enqueue(RawHttpConnection::request(method, path, body, headers));
        if (connection.responses().isEmpty())
            answered.wait(15000);
        return connection.responses().value(0);
    }

    // Authorization and Content-Type as a well-behaved client sends them, plus `extra`.
    RawHeaders headers(const QByteArray &contentType, const RawHeaders &extra) const
    {
        RawHeaders out { { "Authorization", "Bearer " + m_agent1->token().toLatin1() } };
        if (!contentType.isNull())
            out.append({ "Content-Type", contentType });
        return out + extra;
    }

    static RawHeaders freshKey()
    {
        return { { "Idempotency-Key", HttpClient::newKey().toLatin1() } };
    }

    // The answer is a problem+json body with this status and code, and nothing changed.
    static void verifyProblem(const RawHttpConnection::Response &r, int status, const QString &code)
    {
        QCOMPARE(r.status, status);
        QCOMPARE(r.header("Content-Type"), QByteArray("application/problem+json"));
        QJsonParseError error;
        const QJsonObject body = QJsonDocument::fromJson(r.body, &error).object();
        QVERIFY2(error.error == QJsonParseError::NoError, r.body.constData());
        QCOMPARE(body.value(QStringLiteral("code")).toString(), code);
        QCOMPARE(body.value(QStringLiteral("status")).toInt(), status);
        QCOMPARE(body.value(QStringLiteral("retryable")).toBool(true), false);
        QVERIFY(!body.value(QStringLiteral("type")).toString().isEmpty());
        QVERIFY(!body.value(QStringLiteral("title")).toString().isEmpty());
    }

    QByteArray bookingBody() const { return "{\"bookingId\":\"" + m_pendingBooking + "\"}"; }

private slots:
    void initTestCase()
    {
        QVERIFY(m_server.start());
        m_agent1 = std::make_unique<HttpClient>(m_server.baseUrl());
        QVERIFY(!m_agent1->login(DemoData::agent1).isEmpty());
        m_db = std::make_unique<DbInspector>(m_server.databasePath());
        const QStringList pending = DemoData::bookingIds(*m_agent1, QStringLiteral("pending"));
        QVERIFY(!pending.isEmpty());
        m_pendingBooking = pending.first().toLatin1();
        const auto leads = DemoData::leads(*m_agent1);
        QVERIFY(!leads.isEmpty());
        m_lead = leads.first().value(QStringLiteral("id")).toString().toLatin1();
        QVERIFY(m_db->snapshot().bookings > 0);
    }

    // The control: this body, sent well, is accepted (see servesValidRequestsAfterwards). Each
    // row below breaks exactly one thing about it.
    void badBody_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");

        const QByteArray confirm = "/api/bookings/confirm";
        const QByteArray status = "/api/leads/status";
        const QByteArray sms = "/api/leads/send-sms";
        const QByteArray b = m_pendingBooking;
        const QByteArray l = m_lead;
        const QString malformed = QStringLiteral("malformed_json");
        const QString missing = QStringLiteral("missing_field");
        const QString type = QStringLiteral("invalid_field_type");
        const QString invalidId = QStringLiteral("invalid_id");

        // Not JSON at all, or not quite.
        QTest::newRow("truncated object")
            << confirm << QByteArray("{\"bookingId\": \"" + b) << 400 << malformed;
        QTest::newRow("unquoted key, single quotes")
            << confirm << QByteArray("{bookingId: '" + b + "'}") << 400 << malformed;
        QTest::newRow("garbage after the object")
            << confirm << QByteArray("{\"bookingId\":\"" + b + "\"} x") << 400 << malformed;
        QTest::newRow("trailing comma")
            << confirm << QByteArray("{\"bookingId\":\"" + b + "\",}") << 400 << malformed;
        QTest::newRow("empty body") << confirm << QByteArray() << 400 << malformed;
        QTest::newRow("invalid UTF-8 in a string")
            << confirm << QByteArray("{\"bookingId\":\"\xff\xfe\"}") << 400 << malformed;
        QTest::newRow("nesting too deep")
            << confirm
            << QByteArray("{\"bookingId\":\"" + b + "\",\"x\":" + QByteArray(5000, '[')
                   + QByteArray(5000, ']') + "}")
            << 400 << malformed;

        // JSON, but not an object.
        QTest::newRow("array") << confirm << QByteArray("[{\"bookingId\":\"" + b + "\"}]") << 400
                               << malformed;
        QTest::newRow("empty array") << confirm << QByteArray("[]") << 400 << malformed;
        QTest::newRow("string") << confirm << QByteArray("\"" + b + "\"") << 400 << malformed;
        QTest::newRow("number") << confirm << QByteArray("42") << 400 << malformed;
        QTest::newRow("null") << confirm << QByteArray("null") << 400 << malformed;

        // Wrong types.
        QTest::newRow("bookingId a number")
            << confirm << QByteArray("{\"bookingId\":42}") << 400 << type;
        QTest::newRow("bookingId null")
            << confirm << QByteArray("{\"bookingId\":null}") << 400 << missing;
        QTest::newRow("bookingId an object")
            << confirm << QByteArray("{\"bookingId\":{\"id\":\"" + b + "\"}}") << 400 << type;
        QTest::newRow("bookingId an array")
            << confirm << QByteArray("{\"bookingId\":[\"" + b + "\"]}") << 400 << type;
        QTest::newRow("bookingId a boolean")
            << confirm << QByteArray("{\"bookingId\":true}") << 400 << type;
        QTest::newRow("lead status a number")
            << status << QByteArray("{\"leadId\":\"" + l + "\",\"status\":2}") << 400 << type;
        QTest::newRow("sms message an array")
            << sms << QByteArray("{\"leadId\":\"" + l + "\",\"message\":[\"hi\"]}") << 400 << type;

        // Missing fields.
        QTest::newRow("no bookingId") << confirm << QByteArray("{}") << 400 << missing;
        QTest::newRow("bookingId misspelt")
            << confirm << QByteArray("{\"bookingid\":\"" + b + "\"}") << 400 << missing;
        QTest::newRow("status without leadId")
            << status << QByteArray("{\"status\":\"won\"}") << 400 << missing;
        QTest::newRow("status without status")
            << status << QByteArray("{\"leadId\":\"" + l + "\"}") << 400 << missing;
        QTest::newRow("sms without leadId")
            << sms << QByteArray("{\"message\":\"hello\"}") << 400 << missing;
        QTest::newRow("sms without message")
            << sms << QByteArray("{\"leadId\":\"" + l + "\"}") << 400 << missing;

        // Values the route does not know.
        const QString invalidStatus = QStringLiteral("invalid_status");
        QTest::newRow("unknown lead status")
            << status << QByteArray("{\"leadId\":\"" + l + "\",\"status\":\"archived\"}") << 400
            << invalidStatus;
        QTest::newRow("lead status in capitals")
            << status << QByteArray("{\"leadId\":\"" + l + "\",\"status\":\"WON\"}") << 400
            << invalidStatus;
        QTest::newRow("empty lead status")
            << status << QByteArray("{\"leadId\":\"" + l + "\",\"status\":\"\"}") << 400
            << invalidStatus;

        // Ids that are not UUIDs.
        QTest::newRow("bookingId not a uuid")
            << confirm << QByteArray("{\"bookingId\":\"not-a-uuid\"}") << 400 << invalidId;
        QTest::newRow("bookingId in braces")
            << confirm << QByteArray("{\"bookingId\":\"{" + b + "}\"}") << 400 << invalidId;
        QTest::newRow("bookingId with a space")
            << confirm << QByteArray("{\"bookingId\":\" " + b + "\"}") << 400 << invalidId;
        QTest::newRow("bookingId truncated")
            << confirm << QByteArray("{\"bookingId\":\"" + b.chopped(1) + "\"}") << 400
            << invalidId;
        QTest::newRow("bookingId nil uuid")
            << confirm << QByteArray("{\"bookingId\":\"00000000-0000-0000-0000-000000000000\"}")
            << 400 << invalidId;
        QTest::newRow("bookingId empty")
            << confirm << QByteArray("{\"bookingId\":\"\"}") << 400 << invalidId;
        QTest::newRow("bookingId very long")
            << confirm << QByteArray("{\"bookingId\":\"" + b + QByteArray(100, 'a') + "\"}") << 400
            << QStringLiteral("field_too_long");
        QTest::newRow("leadId not a uuid")
            << status << QByteArray("{\"leadId\":\"42\",\"status\":\"won\"}") << 400 << invalidId;
        QTest::newRow("sms leadId not a uuid")
            << sms << QByteArray("{\"leadId\":\"lead-1\",\"message\":\"hi\"}") << 400 << invalidId;

        // SMS text.
        QTest::newRow("empty sms")
            << sms << QByteArray("{\"leadId\":\"" + l + "\",\"message\":\"\"}") << 400
            << QStringLiteral("empty_message");
        QTest::newRow("blank sms")
            << sms << QByteArray("{\"leadId\":\"" + l + "\",\"message\":\" \\n\\t \"}") << 400
            << QStringLiteral("empty_message");
        QTest::newRow("sms of 1601 characters")
            << sms
            << QByteArray(
                   "{\"leadId\":\"" + l + "\",\"message\":\"" + QByteArray(1601, 'x') + "\"}")
            << 400 << QStringLiteral("field_too_long");
    }
    void badBody()
    {
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(QString, code);
        const DbInspector::Snapshot before = m_db->snapshot();
        const auto r = exchange("POST", path, body, headers(json, freshKey()));
        verifyProblem(r, status, code);
        QCOMPARE(m_db->snapshot(), before);
    }

    void bodyOverOneMebibyte()
    {
        // A valid request, padded past the limit: had it been read, it would confirm.
        const QByteArray padding(1024LL * 1024, 'x');
        const QByteArray body
            = "{\"bookingId\":\"" + m_pendingBooking + "\",\"padding\":\"" + padding + "\"}";
        QVERIFY(body.size() > 1024LL * 1024);
        const DbInspector::Snapshot before = m_db->snapshot();
        const auto r = exchange("POST", "/api/bookings/confirm", body, headers(json, freshKey()));
        verifyProblem(r, 413, QStringLiteral("payload_too_large"));
        QCOMPARE(m_db->snapshot(), before);
        QCOMPARE(
            m_db->bookingStatus(QString::fromLatin1(m_pendingBooking)), QStringLiteral("pending"));
    }

    // Refused from the head alone, before any body byte is read: the server answers at once
    // (it would otherwise wait for a body that never comes) and never holds the body.
    void refusedFromTheHead_data()
    {
        QTest::addColumn<QByteArray>("head");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        const QByteArray start = "POST /api/bookings/confirm HTTP/1.1\r\nHost: "
                                 "127.0.0.1\r\nContent-Type: application/json\r\n";
        QTest::newRow("200 MB announced") << start + "Content-Length: 200000000\r\n\r\n"
                                          << 413 << QStringLiteral("payload_too_large");
        QTest::newRow("1 MiB + 1 announced") << start + "Content-Length: 1048577\r\n\r\n"
                                             << 413 << QStringLiteral("payload_too_large");
        QTest::newRow("chunked body") << start + "Transfer-Encoding: chunked\r\n\r\n"
                                      << 411 << QStringLiteral("length_required");
        QTest::newRow("head over 64 KiB") << start + "X-Padding: " + QByteArray(70LL * 1024, 'a')
                                          << 431 << QStringLiteral("headers_too_large");
    }
    void refusedFromTheHead()
    {
        QFETCH(QByteArray, head);
        QFETCH(int, status);
        QFETCH(QString, code);
        const DbInspector::Snapshot before = m_db->snapshot();
        RawHttpConnection connection(QStringLiteral("127.0.0.1"), m_server.port());
        QVERIFY(connection.connectToServer());
        QSignalSpy answered(&connection, &RawHttpConnection::responseReceived);
        const QByteArray credentials = "\r\nAuthorization: Bearer " + m_agent1->token().toLatin1()
            + "\r\nIdempotency-Key: " + HttpClient::newKey().toLatin1() + "\r\n\r\n";
        connection.sendNow(head.replace("\r\n\r\n", credentials));
        QVERIFY(answered.wait(5000));
        const auto r = connection.responses().value(0);
        verifyProblem(r, status, code);
        if (status != 431) // a head cut short has no route to speak of
            QCOMPARE(r.header("Idempotency-Window"), QByteArray("86400"));
        QCOMPARE(r.header("Connection"), QByteArray("close"));
        QTRY_VERIFY_WITH_TIMEOUT(connection.isClosed(), 10000);
        QCOMPARE(m_db->snapshot(), before);
    }

    void wrongContentType_data()
    {
        QTest::addColumn<QByteArray>("contentType"); // null: no Content-Type header at all
        QTest::newRow("text/plain") << QByteArray("text/plain");
        QTest::newRow("text/plain with charset") << QByteArray("text/plain; charset=utf-8");
        QTest::newRow("no content type") << QByteArray();
        QTest::newRow("empty content type") << QByteArray("");
        QTest::newRow("form") << QByteArray("application/x-www-form-urlencoded");
        QTest::newRow("json with a suffix") << QByteArray("application/jsonx");
        QTest::newRow("problem+json") << QByteArray("application/problem+json");
    }
    void wrongContentType()
    {
        QFETCH(QByteArray, contentType);
        const DbInspector::Snapshot before = m_db->snapshot();
        const auto r = exchange(
            "POST", "/api/bookings/confirm", bookingBody(), headers(contentType, freshKey()));
        verifyProblem(r, 415, QStringLiteral("unsupported_media_type"));
        QCOMPARE(m_db->snapshot(), before);
    }

    void badIdempotencyKey_data()
    {
        QTest::addColumn<RawHeaders>("keyHeaders");
        QTest::addColumn<QString>("code");
        const QString missing = QStringLiteral("idempotency_key_missing");
        const QString invalid = QStringLiteral("invalid_idempotency_key");

        QTest::newRow("missing") << RawHeaders() << missing;
        QTest::newRow("256 characters")
            << RawHeaders { { "Idempotency-Key", QByteArray(256, 'k') } } << invalid;
        QTest::newRow("256 characters, quoted")
            << RawHeaders { { "Idempotency-Key", '"' + QByteArray(256, 'k') + '"' } } << invalid;
        QTest::newRow("X- header, 256 characters")
            << RawHeaders { { "X-Idempotency-Key", QByteArray(256, 'k') } } << invalid;
        QTest::newRow("control character")
            << RawHeaders { { "Idempotency-Key", QByteArray("key\x01value") } } << invalid;
        QTest::newRow("tab inside")
            << RawHeaders { { "Idempotency-Key", QByteArray("key\tvalue") } } << invalid;
        QTest::newRow("non-ASCII UTF-8")
            << RawHeaders { { "Idempotency-Key", QByteArray("cl\xc3\xa9") } } << invalid;
        QTest::newRow("Latin-1 byte")
            << RawHeaders { { "Idempotency-Key", QByteArray("cl\xe9") } } << invalid;
        QTest::newRow("unterminated quoted string")
            << RawHeaders { { "Idempotency-Key", QByteArray("\"abc") } } << invalid;
        QTest::newRow("text after the closing quote")
            << RawHeaders { { "Idempotency-Key", QByteArray("\"abc\";x=1") } } << invalid;
        QTest::newRow("bad escape in quoted string")
            << RawHeaders { { "Idempotency-Key", QByteArray("\"a\\bc\"") } } << invalid;
        QTest::newRow("empty quoted string")
            << RawHeaders { { "Idempotency-Key", QByteArray("\"\"") } } << invalid;
        QTest::newRow("both headers, different values")
            << RawHeaders { { "Idempotency-Key", "key-one" }, { "X-Idempotency-Key", "key-two" } }
            << invalid;
        QTest::newRow("Idempotency-Key twice") << RawHeaders { { "Idempotency-Key", "key-one" },
            { "Idempotency-Key", "key-one" } } << invalid;
    }
    void badIdempotencyKey()
    {
        QFETCH(RawHeaders, keyHeaders);
        QFETCH(QString, code);
        const DbInspector::Snapshot before = m_db->snapshot();
        const auto r
            = exchange("POST", "/api/bookings/confirm", bookingBody(), headers(json, keyHeaders));
        verifyProblem(r, 400, code);
        QCOMPARE(m_db->snapshot(), before);
        QCOMPARE(
            m_db->bookingStatus(QString::fromLatin1(m_pendingBooking)), QStringLiteral("pending"));
    }

    void badPath_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QByteArray>("path");

        QTest::newRow("dot-dot back into /api")
            << QByteArray("GET") << QByteArray("/api/../api/bookings");
        QTest::newRow("encoded dot-dot") << QByteArray("GET") << QByteArray("/api/bookings/%2e%2e");
        QTest::newRow("encoded dot-dot, upper case")
            << QByteArray("GET") << QByteArray("/api/bookings/%2E%2E");
        QTest::newRow("encoded slashes")
            << QByteArray("GET") << QByteArray("/api/bookings/%2F..%2Fetc");
        QTest::newRow("encoded backslash")
            << QByteArray("GET") << QByteArray("/api/bookings/%5C..%5Cetc");
        QTest::newRow("not hex") << QByteArray("GET") << QByteArray("/api/bookings/%zz");
        QTest::newRow("truncated escape") << QByteArray("GET") << QByteArray("/api/bookings/%4");
        QTest::newRow("encoded NUL") << QByteArray("GET") << QByteArray("/api/bookings/%00");
        QTest::newRow("encoded newline")
            << QByteArray("GET") << QByteArray("/api/bookings/%0d%0aX-Injected:%201");
        QTest::newRow("invalid UTF-8") << QByteArray("GET") << QByteArray("/api/bookings/%ff%fe");
        QTest::newRow("overlong UTF-8 slash")
            << QByteArray("GET") << QByteArray("/api/bookings/%c0%af");
        // Mutations whose path, once normalised, names a real route: a server that normalised
        // would confirm the booking.
        QTest::newRow("POST via dot-dot")
            << QByteArray("POST") << QByteArray("/api/leads/../bookings/confirm");
        QTest::newRow("POST via dot")
            << QByteArray("POST") << QByteArray("/api/bookings/./confirm");
        QTest::newRow("POST via encoded dot-dot")
            << QByteArray("POST") << QByteArray("/api/leads/%2e%2e/bookings/confirm");
        QTest::newRow("POST via encoded slash")
            << QByteArray("POST") << QByteArray("/api/bookings%2Fconfirm");
    }
    void badPath()
    {
        QFETCH(QByteArray, method);
        QFETCH(QByteArray, path);
        const DbInspector::Snapshot before = m_db->snapshot();
        const QByteArray body = method == "POST" ? bookingBody() : QByteArray();
        const auto r = exchange(
            method, path, body, headers(method == "POST" ? json : QByteArray(), freshKey()));
        verifyProblem(r, 400, QStringLiteral("invalid_path"));
        QCOMPARE(m_db->snapshot(), before);
        QCOMPARE(
            m_db->bookingStatus(QString::fromLatin1(m_pendingBooking)), QStringLiteral("pending"));
    }

    void badIdInPath_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::newRow("booking") << QByteArray("/api/bookings/not-a-uuid");
        QTest::newRow("booking in braces")
            << QByteArray("/api/bookings/%7B" + m_pendingBooking + "%7D");
        QTest::newRow("lead") << QByteArray("/api/leads/12345");
    }
    void badIdInPath()
    {
        QFETCH(QByteArray, path);
        const DbInspector::Snapshot before = m_db->snapshot();
        const auto r = exchange("GET", path, {}, headers(QByteArray(), {}));
        verifyProblem(r, 400, QStringLiteral("invalid_id"));
        QCOMPARE(m_db->snapshot(), before);
    }

    // Qt 6.4 takes any request with "Upgrade: websocket" and "Connection: upgrade" for a
    // handshake, whatever its path or method, and drops other upgrades without an answer: only
    // the realtime path's GET handshake may pass, the rest is refused from the head.
    void upgradeRequestsAreRefusedFromTheHead_data()
    {
        QTest::addColumn<QByteArray>("head"); // TOKEN and KEY are filled in
        const QByteArray credentials = "Authorization: Bearer TOKEN\r\nIdempotency-Key: KEY\r\n";
        QTest::newRow("websocket handshake on a list")
            << "GET /api/bookings HTTP/1.1\r\nHost: 127.0.0.1\r\n" + credentials
                + webSocketHandshake + "\r\n";
        QTest::newRow("websocket handshake on a mutation")
            << "POST /api/bookings/confirm HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
               "application/json\r\n"
                + credentials + webSocketHandshake + "Content-Length: BODYLENGTH\r\n\r\nBODY";
        QTest::newRow("POST handshake on the realtime path")
            << "POST /realtime/v1/websocket?apikey=demo-anon-key HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + webSocketHandshake + "Content-Length: 0\r\n\r\n";
        QTest::newRow("h2c upgrade with a 300 MB body")
            << QByteArray("POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: "
                          "h2c\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                          "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\nContent-Type: "
                          "application/json\r\nContent-Length: 300000000\r\n\r\n");
    }
    void upgradeRequestsAreRefusedFromTheHead()
    {
        QFETCH(QByteArray, head);
        head.replace("TOKEN", m_agent1->token().toLatin1());
        head.replace("KEY", HttpClient::newKey().toLatin1());
        head.replace("BODYLENGTH", QByteArray::number(bookingBody().size()));
        head.replace("BODY", bookingBody());
        const DbInspector::Snapshot before = m_db->snapshot();
        RawHttpConnection connection(QStringLiteral("127.0.0.1"), m_server.port());
        QVERIFY(connection.connectToServer());
        QSignalSpy answered(&connection, &RawHttpConnection::responseReceived);
        connection.sendNow(head);
        QVERIFY(answered.wait(5000));
        const auto r = connection.responses().value(0);
        verifyProblem(r, 400, QStringLiteral("upgrade_not_supported"));
        QCOMPARE(r.header("Connection"), QByteArray("close"));
        QTRY_VERIFY_WITH_TIMEOUT(connection.isClosed(), 10000);
        QCOMPARE(connection.responses().size(), 1); // no 101 behind it
        QCOMPARE(m_db->snapshot(), before);
        QCOMPARE(
            m_db->bookingStatus(QString::fromLatin1(m_pendingBooking)), QStringLiteral("pending"));
    }

    // An Upgrade header without "Connection: upgrade" asks for nothing: the request is an
    // ordinary one, so its announced 300 MB are refused from the head and never held.
    void upgradeHeaderAloneKeepsTheSizeGuard()
    {
        const qint64 pid = m_server.processId();
        const qint64 before = residentKb(pid);
        QVERIFY(before > 0);
        BodyPusher pusher(m_server.port(), hugeLoginHead, 64LL * 1024 * 1024, 1024 * 1024, 1);
        QTRY_VERIFY_WITH_TIMEOUT(pusher.answer().contains("\r\n\r\n"), 5000);
        QVERIFY2(pusher.answer().startsWith("HTTP/1.1 413 "), pusher.answer().constData());
        QVERIFY(pusher.answer().contains("\"payload_too_large\""));
        // The server reads and drops what still comes (so the 413 is not lost to a reset) and
        // cuts the connection after a while; nothing of the body is kept.
        QTRY_VERIFY_WITH_TIMEOUT(pusher.isDone(), 15000);
        const qint64 after = residentKb(pid);
        qInfo("server RSS before %lld KiB, after the upgrade-headed 64 MiB body %lld KiB", before,
            after);
        QVERIFY2(after - before < 16LL * 1024,
            qPrintable(QStringLiteral("RSS grew by %1 KiB").arg(after - before)));
    }

    // A handshake pipelined behind a request still being answered (a login: its password hash
    // takes a while) would put that answer into the WebSocket's stream: it is refused, and the
    // connection closed.
    void handshakeBehindAnOwedAnswerIsRefused()
    {
        RawHttpConnection connection(QStringLiteral("127.0.0.1"), m_server.port());
        QVERIFY(connection.connectToServer());
        const QByteArray login = RawHttpConnection::request("POST", "/api/auth/login",
            "{\"email\":\"" + DemoData::agent2.toLatin1() + "\",\"password\":\"syncloop-demo\"}",
            { { "Content-Type", json } });
        connection.sendNow(login
            + "GET /realtime/v1/websocket?apikey=demo-anon-key HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + webSocketHandshake + "\r\n");
        QTRY_VERIFY_WITH_TIMEOUT(connection.isClosed(), 10000);
        QVERIFY(!connection.responses().isEmpty());
        for (const auto &r : connection.responses())
            QVERIFY(r.status != 101);
        verifyProblem(
            connection.responses().constLast(), 400, QStringLiteral("upgrade_not_supported"));
    }

    // The guard watches every request of a kept-alive connection, not only the first.
    void laterRequestsOnAKeptAliveConnectionAreStillChecked()
    {
        RawHttpConnection connection(QStringLiteral("127.0.0.1"), m_server.port());
        QVERIFY(connection.connectToServer());
        connection.enqueue(
            RawHttpConnection::request("GET", "/healthz", {}, { { "Upgrade", "h2c" } }));
        QTRY_COMPARE_WITH_TIMEOUT(int(connection.responses().size()), 1, 5000);
        QCOMPARE(connection.responses().at(0).status, 200);
        connection.sendNow(hugeLoginHead);
        QTRY_COMPARE_WITH_TIMEOUT(int(connection.responses().size()), 2, 5000);
        verifyProblem(connection.responses().at(1), 413, QStringLiteral("payload_too_large"));
        QTRY_VERIFY_WITH_TIMEOUT(connection.isClosed(), 10000);
    }

    // One bad client must not stall the others. It did: a connection that carried an ordinary
    // request and then became a WebSocket left its answer queue behind under the socket's
    // address (Qt disconnects every signal of a socket it upgrades, including the one that
    // cleaned up), and the next connection allocated at that address never got an answer.
    void oneBadClientCannotStallOthers()
    {
        for (int i = 0; i < 5; ++i) {
            // An ordinary request, then a handshake on the same connection.
            RawHttpConnection upgraded(QStringLiteral("127.0.0.1"), m_server.port());
            QVERIFY(upgraded.connectToServer());
            upgraded.enqueue(RawHttpConnection::request("GET", "/healthz", {}, {}));
            upgraded.enqueue("GET /realtime/v1/websocket?apikey=demo-anon-key&vsn=1.0.0 "
                             "HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + webSocketHandshake + "\r\n");
            QTRY_COMPARE_WITH_TIMEOUT(int(upgraded.responses().size()), 2, 5000);
            QCOMPARE(upgraded.responses().at(1).status, 101);
        }
        // A handshake where no socket may be (checked at the end: the others come first).
        const auto other = exchange("GET", "/api/bookings", {},
            headers({},
                { { "Upgrade", "websocket" }, { "Connection", "Upgrade" },
                    { "Sec-WebSocket-Version", "13" },
                    { "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==" } }));
        // And one that keeps streaming a huge body while the others log in.
        BodyPusher dribbler(m_server.port(), hugeLoginHead, 300000000, 64 * 1024, 10);

        const QByteArray login = RawHttpConnection::request("POST", "/api/auth/login",
            "{\"email\":\"" + DemoData::agent2.toLatin1() + "\",\"password\":\"syncloop-demo\"}",
            { { "Content-Type", json } });
        constexpr int logins = 40;
        constexpr int wave = 1; // one after the other, each on a new connection
        QElapsedTimer clock;
        clock.start();
        std::vector<qint64> latencies;
        for (int done = 0; done < logins; done += wave) {
            std::vector<std::unique_ptr<RawHttpConnection>> connections;
            QElapsedTimer waveClock;
            waveClock.start();
            for (int i = 0; i < wave; ++i) {
                connections.push_back(std::make_unique<RawHttpConnection>(
                    QStringLiteral("127.0.0.1"), m_server.port()));
                QVERIFY(connections.back()->connectToServer());
                connections.back()->enqueue(login);
            }
            for (auto &c : connections) {
                QTRY_COMPARE_WITH_TIMEOUT(int(c->responses().size()), 1, 10000);
                // "Come back in a moment" (503 + Retry-After: the password-hashing slots were
                // taken) is an answer, not a stall: a client asks again, as ApiClient does.
                for (int again = 0; again < 5 && c->responses().at(0).status == 503; ++again) {
                    qInfo("login answered 503 (%s); asking again",
                        c->responses().at(0).body.constData());
                    QVERIFY(!c->responses().at(0).header("Retry-After").isEmpty());
                    c = std::make_unique<RawHttpConnection>(
                        QStringLiteral("127.0.0.1"), m_server.port());
                    QVERIFY(c->connectToServer());
                    c->enqueue(login);
                    QTRY_COMPARE_WITH_TIMEOUT(int(c->responses().size()), 1, 10000);
                }
                QVERIFY2(c->responses().at(0).status == 200, c->responses().at(0).body.constData());
                latencies.push_back(waveClock.elapsed());
            }
        }
        std::sort(latencies.begin(), latencies.end());
        qInfo("40 logins beside the bad clients: %lld ms in all, slowest %lld ms",
            qint64(clock.elapsed()), latencies.back());
        QVERIFY2(latencies.back() < 5000, "a login waited behind the bad clients");
        QTRY_VERIFY_WITH_TIMEOUT(dribbler.answer().contains("\r\n\r\n"), 5000);
        QVERIFY(dribbler.answer().startsWith("HTTP/1.1 413 "));
        QCOMPARE(other.status, 400);
    }

    // Runs last: after all of the above, the same connection handling and the same booking
    // still work, exactly once.
    void servesValidRequestsAfterwards()
    {
        RawHttpConnection connection(QStringLiteral("127.0.0.1"), m_server.port());
        QVERIFY(connection.connectToServer());
        QSignalSpy answered(&connection, &RawHttpConnection::responseReceived);
        // Garbage first, then a valid request on the same keep-alive connection.
        connection.enqueue(
            RawHttpConnection::request("GET", "/api/bookings/%zz%00", {}, headers({}, {})));
        connection.enqueue(RawHttpConnection::request(
            "GET", "/api/bookings/" + m_pendingBooking, {}, headers({}, {})));
        QTRY_COMPARE_WITH_TIMEOUT(int(connection.responses().size()), 2, 15000);
        QCOMPARE(connection.responses().at(0).status, 400);
        QCOMPARE(connection.responses().at(1).status, 200);

        const qint64 version = m_db->bookingVersion(QString::fromLatin1(m_pendingBooking));
        const DbInspector::Snapshot before = m_db->snapshot();
        const HttpResult r = m_agent1->postJson(QStringLiteral("/api/bookings/confirm"),
            { { QStringLiteral("bookingId"), QString::fromLatin1(m_pendingBooking) } },
            HttpClient::newKey());
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json()
                     .value(QStringLiteral("booking"))
                     .toObject()
                     .value(QStringLiteral("status"))
                     .toString(),
            QStringLiteral("confirmed"));
        QCOMPARE(m_db->bookingVersion(QString::fromLatin1(m_pendingBooking)), version + 1);
        const DbInspector::Snapshot after = m_db->snapshot();
        QCOMPARE(after.bookingVersions, before.bookingVersions + 1);
        QCOMPARE(after.changeSeq, before.changeSeq + 1);
        QCOMPARE(after.idempotencyRecords, before.idempotencyRecords + 1);
        QVERIFY(m_server.isRunning());
    }
};

QTEST_GUILESS_MAIN(TestBadInput)
#include "tst_badinput.moc"
