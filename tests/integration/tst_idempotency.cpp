// Every idempotency rule of DESIGN.md against a real syncloopd, asserting the effect on the
// data (exactly one version bump), not only the status codes.
#include "dbinspector.h"
#include "demodata.h"
#include "httpclient.h"
#include "metricstext.h"
#include "rawhttpconnection.h"
#include "serverprocess.h"

#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTest>

namespace {

const QString confirmPath = QStringLiteral("/api/bookings/confirm");

QJsonObject bookingBody(const QString &id)
{
    return { { QStringLiteral("bookingId"), id } };
}

} // namespace

class TestIdempotency : public QObject
{
    Q_OBJECT
private:
    std::unique_ptr<ServerProcess> m_server;
    std::unique_ptr<HttpClient> m_agent1;
    std::unique_ptr<HttpClient> m_agent2;
    std::unique_ptr<HttpClient> m_admin; // /metrics is for admins
    std::unique_ptr<DbInspector> m_db;
    QStringList m_pending1; // agent1's pending bookings, handed out one per test
    QStringList m_pending2;

    QString nextPending1() { return m_pending1.takeFirst(); }
    QString nextPending2() { return m_pending2.takeFirst(); }

private slots:
    void initTestCase()
    {
        ServerProcess::Options options;
        options.demoBookings = 200;
        m_server = std::make_unique<ServerProcess>(options);
        QVERIFY(m_server->start());
        m_agent1 = std::make_unique<HttpClient>(m_server->baseUrl());
        m_agent2 = std::make_unique<HttpClient>(m_server->baseUrl());
        QVERIFY(!m_agent1->login(DemoData::agent1).isEmpty());
        QVERIFY(!m_agent2->login(DemoData::agent2).isEmpty());
        m_admin = std::make_unique<HttpClient>(m_server->baseUrl());
        QVERIFY(!m_admin->login(DemoData::admin).isEmpty());
        m_db = std::make_unique<DbInspector>(m_server->databasePath());
        m_pending1 = DemoData::bookingIds(*m_agent1, QStringLiteral("pending"));
        m_pending2 = DemoData::bookingIds(*m_agent2, QStringLiteral("pending"));
        QVERIFY(m_pending1.size() >= 20 && m_pending2.size() >= 20);
    }

    void cleanupTestCase() { m_db.reset(); }

    void replayIsByteIdenticalAndMarked()
    {
        const QString id = nextPending1();
        const qint64 version = m_db->bookingVersion(id);
        const QString key = HttpClient::newKey();
        const HttpResult first = m_agent1->postJson(confirmPath, bookingBody(id), key);
        QCOMPARE(first.status, 200);
        QVERIFY(first.header("Idempotent-Replayed").isNull());
        for (int i = 0; i < 3; ++i) {
            const HttpResult again = m_agent1->postJson(confirmPath, bookingBody(id), key);
            QCOMPARE(again.status, 200);
            QCOMPARE(again.body, first.body);
            QCOMPARE(again.header("Idempotent-Replayed"), QByteArray("true"));
            QCOMPARE(again.header("Content-Type"), first.header("Content-Type"));
        }
        QCOMPARE(m_db->bookingVersion(id), version + 1);
        QCOMPARE(m_db->changesFor(id), 1);
    }

    void storedErrorIsReplayedToo()
    {
        // A state conflict is a result, not a failure: the same key answers it again.
        const QString id = DemoData::bookingIds(*m_agent1, QStringLiteral("cancelled")).first();
        const QString key = HttpClient::newKey();
        const HttpResult first = m_agent1->postJson(confirmPath, bookingBody(id), key);
        QCOMPARE(first.status, 409);
        const HttpResult again = m_agent1->postJson(confirmPath, bookingBody(id), key);
        QCOMPARE(again.status, 409);
        QCOMPARE(again.body, first.body);
        QCOMPARE(again.header("Idempotent-Replayed"), QByteArray("true"));
    }

    void bothHeaderNamesAndBothValueFormsNameTheSameKey_data()
    {
        QTest::addColumn<QByteArray>("firstHeader");
        QTest::addColumn<QByteArray>("firstValue");
        QTest::addColumn<QByteArray>("secondHeader");
        QTest::addColumn<QByteArray>("secondValue");
        QTest::newRow("bare, then quoted") << QByteArray("Idempotency-Key") << QByteArray("K")
                                           << QByteArray("Idempotency-Key") << QByteArray("\"K\"");
        QTest::newRow("quoted, then X- bare")
            << QByteArray("Idempotency-Key") << QByteArray("\"K\"")
            << QByteArray("X-Idempotency-Key") << QByteArray("K");
        QTest::newRow("X-, then standard") << QByteArray("X-Idempotency-Key") << QByteArray("K")
                                           << QByteArray("Idempotency-Key") << QByteArray("K");
        QTest::newRow("escaped backslash")
            << QByteArray("Idempotency-Key") << QByteArray("\"a\\\\K\"")
            << QByteArray("X-Idempotency-Key") << QByteArray("a\\K");
    }
    void bothHeaderNamesAndBothValueFormsNameTheSameKey()
    {
        QFETCH(QByteArray, firstHeader);
        QFETCH(QByteArray, firstValue);
        QFETCH(QByteArray, secondHeader);
        QFETCH(QByteArray, secondValue);
        const QString id = nextPending1();
        const qint64 version = m_db->bookingVersion(id);
        const QByteArray unique = HttpClient::newKey().toLatin1();
        const QByteArray body = QJsonDocument(bookingBody(id)).toJson(QJsonDocument::Compact);
        const HttpResult first = m_agent1->post(
            confirmPath, body, { { firstHeader, QByteArray(firstValue).replace("K", unique) } });
        QCOMPARE(first.status, 200);
        QVERIFY(first.header("Idempotent-Replayed").isNull());
        const HttpResult second = m_agent1->post(
            confirmPath, body, { { secondHeader, QByteArray(secondValue).replace("K", unique) } });
        QCOMPARE(second.status, 200);
        QCOMPARE(second.header("Idempotent-Replayed"), QByteArray("true"));
        QCOMPARE(second.body, first.body);
        QCOMPARE(m_db->bookingVersion(id), version + 1);
    }

    void sameKeyForAnotherRequestIs422()
    {
        const QString a = nextPending1();
        const QString b = nextPending1();
        const QString key = HttpClient::newKey();
        QCOMPARE(m_agent1->postJson(confirmPath, bookingBody(a), key).status, 200);
        const qint64 versionB = m_db->bookingVersion(b);
        const DbInspector::Snapshot before = m_db->snapshot();

        const HttpResult otherBody = m_agent1->postJson(confirmPath, bookingBody(b), key);
        QCOMPARE(otherBody.status, 422);
        QCOMPARE(otherBody.code(), QStringLiteral("idempotency_key_reused"));
        QCOMPARE(otherBody.json().value(QStringLiteral("retryable")).toBool(), false);

        const QString lead
            = DemoData::leads(*m_agent1).first().value(QStringLiteral("id")).toString();
        const HttpResult otherRoute = m_agent1->postJson(QStringLiteral("/api/leads/status"),
            { { QStringLiteral("leadId"), lead },
                { QStringLiteral("status"), QStringLiteral("lost") } },
            key);
        QCOMPARE(otherRoute.status, 422);
        QCOMPARE(otherRoute.code(), QStringLiteral("idempotency_key_reused"));

        QCOMPARE(m_db->bookingVersion(b), versionB);
        QCOMPARE(m_db->snapshot(), before);
    }

    void keyOrderInTheBodyDoesNotMatter()
    {
        // The fingerprint is over canonical JSON: the same object, spelled differently.
        const QString lead
            = DemoData::leads(*m_agent1).at(1).value(QStringLiteral("id")).toString();
        const QString key = HttpClient::newKey();
        const QByteArray spelledOneWay
            = "{\"leadId\":\"" + lead.toLatin1() + "\",\"status\":\"qualified\"}";
        const QByteArray spelledAnother
            = "{ \"status\" : \"qualified\", \"leadId\" : \"" + lead.toLatin1() + "\" }";
        const HttpResult first = m_agent1->post(QStringLiteral("/api/leads/status"), spelledOneWay,
            { { "Idempotency-Key", key.toLatin1() } });
        QCOMPARE(first.status, 200);
        const HttpResult second = m_agent1->post(QStringLiteral("/api/leads/status"),
            spelledAnother, { { "Idempotency-Key", key.toLatin1() } });
        QCOMPARE(second.status, 200);
        QCOMPARE(second.header("Idempotent-Replayed"), QByteArray("true"));
    }

    void keysAreScopedPerUser()
    {
        const QString mine = nextPending1();
        const QString theirs = nextPending2();
        const QString key = HttpClient::newKey();
        const HttpResult a = m_agent1->postJson(confirmPath, bookingBody(mine), key);
        QCOMPARE(a.status, 200);
        const qint64 theirVersion = m_db->bookingVersion(theirs);

        // Agent 2 with agent 1's key: its own request runs; nothing of agent 1's is revealed.
        const HttpResult b = m_agent2->postJson(confirmPath, bookingBody(theirs), key);
        QCOMPARE(b.status, 200);
        QVERIFY(b.header("Idempotent-Replayed").isNull());
        QCOMPARE(b.json()
                     .value(QStringLiteral("booking"))
                     .toObject()
                     .value(QStringLiteral("id"))
                     .toString(),
            theirs);
        QVERIFY(!b.body.contains(mine.toLatin1()));
        QCOMPARE(m_db->bookingVersion(theirs), theirVersion + 1);

        // Agent 2 replaying agent 1's exact request (same key, same body) is not a replay of
        // agent 1's answer either: it runs as agent 2, who may not see that booking.
        const HttpResult c = m_agent2->postJson(confirmPath, bookingBody(mine), key);
        QCOMPARE(c.status, 422); // agent 2 already used this key for another body
        QVERIFY(!c.body.contains(mine.toLatin1()));
        const HttpResult d
            = m_agent2->postJson(confirmPath, bookingBody(mine), HttpClient::newKey());
        QCOMPARE(d.status, 404);
    }

    void windowIsAdvertisedOnEveryMutationResponse()
    {
        const HttpResult ok
            = m_agent1->postJson(confirmPath, bookingBody(nextPending1()), HttpClient::newKey());
        const HttpResult notFound = m_agent1->postJson(confirmPath,
            bookingBody(QStringLiteral("00000000-0000-4000-8000-000000000000")),
            HttpClient::newKey());
        const HttpResult noKey = m_agent1->postJson(confirmPath, bookingBody(nextPending1()));
        QCOMPARE(ok.status, 200);
        QCOMPARE(notFound.status, 404);
        QCOMPARE(noKey.status, 400);
        for (const HttpResult *r : { &ok, &notFound, &noKey })
            QCOMPARE(r->header("Idempotency-Window"), QByteArray("86400"));

        // A replay, a mismatch, a wrong media type and a request without a token are answers of
        // a mutation route too. (409 "in use" is checked in keyInUseIs409WithRetryAfter.)
        const QString id = nextPending1();
        const QString key = HttpClient::newKey();
        QCOMPARE(m_agent1->postJson(confirmPath, bookingBody(id), key).status, 200);
        const qint64 version = m_db->bookingVersion(id);
        const DbInspector::Snapshot before = m_db->snapshot();
        const HttpResult replay = m_agent1->postJson(confirmPath, bookingBody(id), key);
        QCOMPARE(replay.status, 200);
        QCOMPARE(replay.header("Idempotent-Replayed"), QByteArray("true"));
        const HttpResult mismatch
            = m_agent1->postJson(confirmPath, bookingBody(nextPending1()), key);
        QCOMPARE(mismatch.status, 422);
        QCOMPARE(mismatch.code(), QStringLiteral("idempotency_key_reused"));
        const HttpResult wrongType = m_agent1->post(confirmPath,
            QJsonDocument(bookingBody(nextPending1())).toJson(QJsonDocument::Compact),
            { { "Idempotency-Key", HttpClient::newKey().toLatin1() } }, "text/plain");
        QCOMPARE(wrongType.status, 415);
        QCOMPARE(wrongType.code(), QStringLiteral("unsupported_media_type"));
        // Authentication fails before the body or key are looked at, but after routing: the
        // route is known to be a mutation, so the window is advertised here as well.
        HttpClient anonymous(m_server->baseUrl());
        const HttpResult noToken
            = anonymous.postJson(confirmPath, bookingBody(nextPending1()), HttpClient::newKey());
        QCOMPARE(noToken.status, 401);
        for (const HttpResult *r : { &replay, &mismatch, &wrongType, &noToken })
            QVERIFY2(r->header("Idempotency-Window") == QByteArray("86400"),
                qPrintable(QString::number(r->status)));
        QCOMPARE(m_db->bookingVersion(id), version);
        QCOMPARE(m_db->snapshot(), before);

        // Reads are not mutations.
        QVERIFY(
            m_agent1->get(QStringLiteral("/api/bookings")).header("Idempotency-Window").isNull());
    }

    void keyInUseIs409WithRetryAfter()
    {
        const QString id = nextPending1();
        const qint64 version = m_db->bookingVersion(id);
        const QString key = HttpClient::newKey();
        const qint64 retriesBefore = qint64(
            MetricsText::fetch(*m_admin).value("syncloop_storage_transient_retries_total"));

        // Hold the database's write lock from this process: the server's first request for the key
        // keeps retrying (busy) while it holds the key.
        DbInspector locker(m_server->databasePath());
        QVERIFY(locker.holdWriteLock());

        QNetworkAccessManager network;
        QNetworkRequest request(m_server->baseUrl().resolved(QUrl(confirmPath)));
        request.setRawHeader("Authorization", "Bearer " + m_agent1->token().toLatin1());
        request.setRawHeader("Content-Type", "application/json");
        request.setRawHeader("Idempotency-Key", key.toLatin1());
        QNetworkReply *first
            = network.post(request, QJsonDocument(bookingBody(id)).toJson(QJsonDocument::Compact));
        QSignalSpy firstDone(first, &QNetworkReply::finished);

        QTRY_VERIFY_WITH_TIMEOUT(
            qint64(MetricsText::fetch(*m_admin).value("syncloop_storage_transient_retries_total"))
                > retriesBefore,
            5000);
        QVERIFY(firstDone.isEmpty());

        const HttpResult second = m_agent1->postJson(confirmPath, bookingBody(id), key);
        QCOMPARE(second.status, 409);
        QCOMPARE(second.code(), QStringLiteral("idempotency_key_in_use"));
        QCOMPARE(second.json().value(QStringLiteral("retryable")).toBool(), true);
        QVERIFY(second.header("Retry-After").toInt() >= 1);
        QCOMPARE(second.header("Idempotency-Window"), QByteArray("86400"));

        QVERIFY(locker.releaseWriteLock());
        QVERIFY(!firstDone.isEmpty() || firstDone.wait(10000));
        QCOMPARE(first->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        const QByteArray firstBody = first->readAll();
        first->deleteLater();

        const HttpResult third = m_agent1->postJson(confirmPath, bookingBody(id), key);
        QCOMPARE(third.status, 200);
        QCOMPARE(third.body, firstBody);
        QCOMPARE(third.header("Idempotent-Replayed"), QByteArray("true"));
        QCOMPARE(third.header("Idempotency-Window"), QByteArray("86400"));
        QCOMPARE(m_db->bookingVersion(id), version + 1);
    }

    void rolledBackRequestLeavesNoRecord()
    {
        // The database stays busy past the server's retry budget: the request answers 503
        // (retryable) and rolls back. Nothing was stored, so the same key runs afresh later.
        const QString id = nextPending1();
        const qint64 version = m_db->bookingVersion(id);
        const qint64 records = m_db->idempotencyRecords();
        const QString key = HttpClient::newKey();
        {
            DbInspector locker(m_server->databasePath());
            QVERIFY(locker.holdWriteLock());
            const HttpResult busy = m_agent1->postJson(confirmPath, bookingBody(id), key);
            QCOMPARE(busy.status, 503);
            QCOMPARE(busy.code(), QStringLiteral("temporarily_unavailable"));
            QCOMPARE(busy.json().value(QStringLiteral("retryable")).toBool(), true);
            QVERIFY(!busy.header("Retry-After").isEmpty());
            QVERIFY(locker.releaseWriteLock());
        }
        QCOMPARE(m_db->bookingVersion(id), version);
        QCOMPARE(m_db->idempotencyRecords(), records);

        const HttpResult retry = m_agent1->postJson(confirmPath, bookingBody(id), key);
        QCOMPARE(retry.status, 200);
        QVERIFY(retry.header("Idempotent-Replayed").isNull());
        QCOMPARE(m_db->bookingVersion(id), version + 1);
        QCOMPARE(m_db->idempotencyRecords(), records + 1);
    }

    void expiredKeysAreForgottenAndPurged()
    {
        ServerProcess::Options options;
        options.extraArgs
            = QStringList { QStringLiteral("--idempotency-window"), QStringLiteral("2s") };
        ServerProcess server(options);
        QVERIFY(server.start());
        HttpClient client(server.baseUrl());
        QVERIFY(!client.login(DemoData::admin).isEmpty());
        DbInspector db(server.databasePath());
        const QString lead = DemoData::leads(client).first().value(QStringLiteral("id")).toString();
        const QString key = HttpClient::newKey();
        auto setStatus = [&](const char *status) {
            return client.postJson(QStringLiteral("/api/leads/status"),
                { { QStringLiteral("leadId"), lead },
                    { QStringLiteral("status"), QLatin1String(status) } },
                key);
        };
        const HttpResult first = setStatus("contacted");
        QCOMPARE(first.status, 200);
        QCOMPARE(first.header("Idempotency-Window"), QByteArray("2"));
        QCOMPARE(setStatus("contacted").header("Idempotent-Replayed"), QByteArray("true"));
        QCOMPARE(db.idempotencyRecords(), 1);

        // After the window the key is forgotten: the background purge removes the record,
        // and the key may be used again.
        QTRY_COMPARE_WITH_TIMEOUT(db.idempotencyRecords(), 0, 10000);
        const HttpResult later = setStatus("qualified");
        QCOMPARE(later.status, 200);
        QVERIFY(later.header("Idempotent-Replayed").isNull());
        QCOMPARE(later.json()
                     .value(QStringLiteral("lead"))
                     .toObject()
                     .value(QStringLiteral("status"))
                     .toString(),
            QStringLiteral("qualified"));
        const HttpResult health = client.get(QStringLiteral("/api/admin/sync-health"));
        QVERIFY(health.json()
                    .value(QStringLiteral("idempotency"))
                    .toObject()
                    .value(QStringLiteral("purged"))
                    .toInteger()
            >= 1);
    }

    void duplicateStorm()
    {
        // 200 requests with one key from 20 connections at once: one effect; every answer is
        // the original result, a replay of it, or 409 "in use"; never a 5xx.
        const QString id = nextPending2();
        const qint64 version = m_db->bookingVersion(id);
        const QByteArray key = HttpClient::newKey().toLatin1();
        const QByteArray request = RawHttpConnection::request("POST", confirmPath.toLatin1(),
            QJsonDocument(bookingBody(id)).toJson(QJsonDocument::Compact),
            { { "Authorization", "Bearer " + m_agent2->token().toLatin1() },
                { "Content-Type", "application/json" }, { "Idempotency-Key", key } });
        std::vector<std::unique_ptr<RawHttpConnection>> connections;
        for (int c = 0; c < 20; ++c) {
            connections.push_back(
                std::make_unique<RawHttpConnection>(QStringLiteral("127.0.0.1"), m_server->port()));
            QVERIFY(connections.back()->connectToServer());
        }
        for (auto &connection : connections) {
            for (int r = 0; r < 10; ++r)
                connection->enqueue(request);
        }
        auto answered = [&] {
            int n = 0;
            for (auto &connection : connections)
                n += int(connection->responses().size());
            return n;
        };
        QTRY_COMPARE_WITH_TIMEOUT(answered(), 200, 30000);

        QByteArray original;
        int ok = 0, replays = 0, inUse = 0;
        for (auto &connection : connections) {
            for (const RawHttpConnection::Response &r : connection->responses()) {
                QVERIFY2(r.status == 200 || r.status == 409,
                    qPrintable(QString::number(r.status) + QString::fromUtf8(r.body)));
                if (r.status == 409) {
                    QVERIFY(r.body.contains("idempotency_key_in_use"));
                    ++inUse;
                    continue;
                }
                ++ok;
                if (original.isEmpty())
                    original = r.body;
                QCOMPARE(r.body, original);
                replays += r.header("Idempotent-Replayed") == "true" ? 1 : 0;
            }
        }
        QCOMPARE(ok + inUse, 200);
        QCOMPARE(replays, ok - 1); // exactly one original
        QCOMPARE(m_db->bookingVersion(id), version + 1);
        QCOMPARE(m_db->changesFor(id), 1);
        qInfo("storm: %d originals, %d replays, %d in use", ok - replays, replays, inUse);
    }
};

QTEST_GUILESS_MAIN(TestIdempotency)
#include "tst_idempotency.moc"
