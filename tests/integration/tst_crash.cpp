// A burst of confirms from 10 clients; syncloopd is killed with SIGKILL in the middle of it and
// restarted on the same data and port. Every client retries with the key it minted once per
// booking until it gets a 200. Afterwards every booking is confirmed exactly once: one version
// bump, one change-log row, one idempotency record, and the database is intact.
#include "dbinspector.h"
#include "demodata.h"
#include "httpclient.h"
#include "serverprocess.h"

#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRandomGenerator>
#include <QTest>
#include <QTimer>
#include <array>
#include <functional>
#include <memory>
#include <vector>

namespace {

const QString confirmPath = QStringLiteral("/api/bookings/confirm");
constexpr int clientCount = 10;
constexpr int confirmsPerClient = 50;
constexpr int confirmCount = clientCount * confirmsPerClient;
constexpr int killAfterSuccesses = 100;

QByteArray confirmBody(const QString &bookingId)
{
    return QJsonDocument(QJsonObject { { QStringLiteral("bookingId"), bookingId } })
        .toJson(QJsonDocument::Compact);
}

// Down lasts until restart() returns, so it also covers the new server's first answers.
enum class Phase { BeforeKill, Down, Restarted };

// One booking to confirm. The key is minted once, before the first attempt; retries reuse it.
struct Confirm
{
    QString bookingId;
    QByteArray key;
    qint64 initialVersion = 0;
    int attempts = 0;
    bool done = false;
    QByteArray body; // of the 200
    bool replayed = false;
    Phase answeredIn = Phase::BeforeKill;
};

// What all clients saw, shared with the test body.
struct Burst
{
    Phase phase = Phase::BeforeKill;
    int succeeded = 0;
    int succeededAtKill = -1;
    std::array<int, 3> successesIn {}; // per Phase
    int transportErrors = 0;
    int serverErrors = 0;
    int keyInUse = 0;
    QStringList unexpected; // answers that must never happen; the test fails on any
    std::function<void()> onSuccess;
};

// One client: its own QNetworkAccessManager (one keep-alive connection, as it never has more
// than one request in flight), working through its bookings one after another and retrying
// each with the same key on any transient failure.
class ConfirmClient
{
public:
    ConfirmClient(QUrl base, QByteArray token, std::vector<Confirm *> work, Burst &burst)
        : m_base(std::move(base))
        , m_token(std::move(token))
        , m_work(std::move(work))
        , m_burst(burst)
    {
        m_network.setAutoDeleteReplies(true);
    }

    void start() { sendNext(); }

private:
    void sendNext()
    {
        if (m_next < m_work.size())
            send(*m_work[m_next]);
    }

    void send(Confirm &c)
    {
        QNetworkRequest request(m_base.resolved(QUrl(confirmPath)));
        request.setRawHeader("Authorization", "Bearer " + m_token);
        request.setRawHeader("Content-Type", "application/json");
        request.setRawHeader("Idempotency-Key", c.key);
        request.setTransferTimeout(15000); // a hung attempt becomes a failure, then a retry
        ++c.attempts;
        QNetworkReply *reply = m_network.post(request, confirmBody(c.bookingId));
        QObject::connect(reply, &QNetworkReply::finished, &m_network,
            [this, reply, &c] { onFinished(reply, c); });
    }

    void onFinished(QNetworkReply *reply, Confirm &c)
    {
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray body = reply->readAll();
        if (status == 200) {
            succeeded(c, body, reply->rawHeader("Idempotent-Replayed") == "true");
            return;
        }
        if (status == 0) {
            ++m_burst.transportErrors; // refused, reset, closed: the server is down or dying
        } else if (status >= 500) {
            ++m_burst.serverErrors;
        } else if (status == 409
            && QJsonDocument::fromJson(body).object().value(QStringLiteral("code")).toString()
                == QLatin1String("idempotency_key_in_use")) {
            ++m_burst.keyInUse;
        } else {
            m_burst.unexpected.append(QStringLiteral("%1: HTTP %2 %3")
                                          .arg(c.bookingId)
                                          .arg(status)
                                          .arg(QString::fromUtf8(body)));
            return;
        }
        retryLater(c);
    }

    void succeeded(Confirm &c, const QByteArray &body, bool replayed)
    {
        const QJsonObject booking
            = QJsonDocument::fromJson(body).object().value(QStringLiteral("booking")).toObject();
        if (booking.value(QStringLiteral("id")).toString() != c.bookingId
            || booking.value(QStringLiteral("status")).toString() != QLatin1String("confirmed")
            || booking.value(QStringLiteral("version")).toInteger() != c.initialVersion + 1) {
            m_burst.unexpected.append(
                QStringLiteral("%1: 200 (replayed: %2) but not confirmed at version %3: %4")
                    .arg(c.bookingId)
                    .arg(replayed)
                    .arg(c.initialVersion + 1)
                    .arg(QString::fromUtf8(body)));
            return;
        }
        c.done = true;
        c.body = body;
        c.replayed = replayed;
        c.answeredIn = m_burst.phase;
        ++m_burst.succeeded;
        ++m_burst.successesIn[std::size_t(m_burst.phase)];
        ++m_next;
        if (m_burst.onSuccess)
            m_burst.onSuccess();
        sendNext();
    }

    void retryLater(Confirm &c)
    {
        // Capped exponential backoff with full jitter, on a timer: the event loop keeps running.
        const int cap = std::min(200, 5 << std::min(c.attempts, 6));
        QTimer::singleShot(
            int(QRandomGenerator::global()->bounded(cap + 1)), &m_network, [this, &c] { send(c); });
    }

    QNetworkAccessManager m_network;
    QUrl m_base;
    QByteArray m_token;
    std::vector<Confirm *> m_work;
    std::size_t m_next = 0;
    Burst &m_burst;
};

} // namespace

class TestCrash : public QObject
{
    Q_OBJECT
private slots:
    void killedMidBurstEveryConfirmTakesEffectOnce()
    {
        ServerProcess::Options options;
        options.demoBookings = 1200;
        ServerProcess server(options);
        QVERIFY(server.start());
        HttpClient admin(server.baseUrl());
        const QString token = admin.login(DemoData::admin);
        QVERIFY(!token.isEmpty());
        const QString adminId = admin.lastLogin()
                                    .value(QStringLiteral("user"))
                                    .toObject()
                                    .value(QStringLiteral("id"))
                                    .toString();
        QVERIFY(!adminId.isEmpty());

        std::vector<Confirm> confirms;
        confirms.reserve(confirmCount);
        for (const QJsonObject &b : DemoData::bookings(admin)) {
            if (b.value(QStringLiteral("status")).toString() != QLatin1String("pending"))
                continue;
            Confirm c;
            c.bookingId = b.value(QStringLiteral("id")).toString();
            c.key = "crash-" + HttpClient::newKey().toLatin1();
            c.initialVersion = b.value(QStringLiteral("version")).toInteger();
            confirms.push_back(c);
            if (int(confirms.size()) == confirmCount)
                break;
        }
        QCOMPARE(int(confirms.size()), confirmCount);

        Burst burst;
        // Killed from the handler of the 100th 200, not from a QTRY poll: by the next poll the
        // whole burst could be over.
        burst.onSuccess = [&] {
            if (burst.phase == Phase::BeforeKill && burst.succeeded >= killAfterSuccesses) {
                server.kill();
                burst.succeededAtKill = burst.succeeded;
                burst.phase = Phase::Down;
            }
        };
        std::vector<std::unique_ptr<ConfirmClient>> clients;
        for (int i = 0; i < clientCount; ++i) {
            std::vector<Confirm *> work;
            work.reserve(confirmsPerClient);
            for (int j = 0; j < confirmsPerClient; ++j)
                work.push_back(&confirms[std::size_t(i) * confirmsPerClient + std::size_t(j)]);
            clients.push_back(std::make_unique<ConfirmClient>(
                server.baseUrl(), token.toLatin1(), std::move(work), burst));
        }
        for (auto &client : clients)
            client->start();

        QTRY_VERIFY_WITH_TIMEOUT(burst.phase == Phase::Down || !burst.unexpected.isEmpty(), 60000);
        QVERIFY2(burst.unexpected.isEmpty(), qPrintable(burst.unexpected.join(QLatin1Char('\n'))));
        QVERIFY(!server.isRunning());
        // The clients keep retrying (connection refused) while it starts again.
        QVERIFY(server.restart());
        burst.phase = Phase::Restarted;

        QTRY_VERIFY_WITH_TIMEOUT(
            burst.succeeded == confirmCount || !burst.unexpected.isEmpty(), 120000);
        QVERIFY2(burst.unexpected.isEmpty(), qPrintable(burst.unexpected.join(QLatin1Char('\n'))));

        int replays = 0;
        for (const Confirm &c : confirms) {
            QVERIFY(c.done);
            // Nothing was retried before the kill, so nothing could be a replay then.
            QVERIFY2(!(c.replayed && c.answeredIn == Phase::BeforeKill), qPrintable(c.bookingId));
            replays += c.replayed ? 1 : 0;
        }
        qInfo(
            "%d confirmed before the kill, %d before restart() returned, %d after it; %d replays; "
            "%d transport errors, %d 5xx, %d key in use",
            burst.successesIn[0], burst.successesIn[1], burst.successesIn[2], replays,
            burst.transportErrors, burst.serverErrors, burst.keyInUse);

        // The kill really happened mid-burst.
        QCOMPARE(burst.succeededAtKill, killAfterSuccesses);
        QVERIFY(burst.successesIn[std::size_t(Phase::Restarted)] > 0);
        QVERIFY(burst.transportErrors > 0);

        // Retrying again now replays each stored answer byte for byte.
        QNetworkAccessManager network;
        network.setAutoDeleteReplies(true);
        int answered = 0;
        QStringList replayProblems;
        for (const Confirm &c : confirms) {
            QNetworkRequest request(server.baseUrl().resolved(QUrl(confirmPath)));
            request.setRawHeader("Authorization", "Bearer " + token.toLatin1());
            request.setRawHeader("Content-Type", "application/json");
            request.setRawHeader("Idempotency-Key", c.key);
            QNetworkReply *reply = network.post(request, confirmBody(c.bookingId));
            connect(reply, &QNetworkReply::finished, this, [&answered, &replayProblems, &c, reply] {
                const QByteArray body = reply->readAll();
                if (reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() != 200
                    || reply->rawHeader("Idempotent-Replayed") != "true" || body != c.body)
                    replayProblems.append(
                        c.bookingId + QLatin1String(": ") + QString::fromUtf8(body));
                ++answered;
            });
        }
        QTRY_COMPARE_WITH_TIMEOUT(answered, confirmCount, 60000);
        QVERIFY2(replayProblems.isEmpty(), qPrintable(replayProblems.join(QLatin1Char('\n'))));

        // The effect, read from the database itself.
        DbInspector db(server.databasePath());
        QStringList problems;
        for (const Confirm &c : confirms) {
            const QString status = db.bookingStatus(c.bookingId);
            const qint64 version = db.bookingVersion(c.bookingId);
            const qint64 changes = db.changesFor(c.bookingId);
            const qint64 updates = db.scalar(
                QStringLiteral("SELECT COUNT(*) FROM change_log WHERE record_id = ?"
                               " AND table_name = 'bookings' AND change_type = 'UPDATE'"),
                { c.bookingId });
            const qint64 records
                = db.scalar(QStringLiteral("SELECT COUNT(*) FROM idempotency_keys WHERE user_id = ?"
                                           " AND idem_key = ? AND response_status = 200"),
                    { adminId, QString::fromLatin1(c.key) });
            if (status != QLatin1String("confirmed") || version != c.initialVersion + 1
                || changes != 1 || updates != 1 || records != 1)
                problems.append(QStringLiteral("%1: status %2, version %3 (was %4), %5 change-log "
                                               "rows (%6 updates), %7 key records")
                                    .arg(c.bookingId, status)
                                    .arg(version)
                                    .arg(c.initialVersion)
                                    .arg(changes)
                                    .arg(updates)
                                    .arg(records));
        }
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
        QCOMPARE(
            db.scalar(QStringLiteral("SELECT COUNT(*) FROM idempotency_keys WHERE user_id = ?"),
                { adminId }),
            qint64(confirmCount));
        QCOMPARE(db.integrityCheck(), QStringLiteral("ok"));
    }
};

QTEST_GUILESS_MAIN(TestCrash)
#include "tst_crash.moc"
