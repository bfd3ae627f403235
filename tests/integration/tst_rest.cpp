// REST routes against a real syncloopd: what each returns, row visibility, state rules.
#include "dbinspector.h"
#include "demodata.h"
#include "httpclient.h"
#include "metricstext.h"
#include "serverprocess.h"

#include <QJsonArray>
#include <QTemporaryFile>
#include <QTest>

class TestRest : public QObject
{
    Q_OBJECT
private:
    ServerProcess m_server;
    std::unique_ptr<HttpClient> m_agent1;
    std::unique_ptr<HttpClient> m_agent2;
    std::unique_ptr<HttpClient> m_admin;

private slots:
    void initTestCase()
    {
        QVERIFY(m_server.start());
        m_agent1 = std::make_unique<HttpClient>(m_server.baseUrl());
        m_agent2 = std::make_unique<HttpClient>(m_server.baseUrl());
        m_admin = std::make_unique<HttpClient>(m_server.baseUrl());
        QVERIFY(!m_agent1->login(DemoData::agent1).isEmpty());
        QVERIFY(!m_agent2->login(DemoData::agent2).isEmpty());
        QVERIFY(!m_admin->login(DemoData::admin).isEmpty());
    }

    void healthz()
    {
        HttpClient anonymous(m_server.baseUrl());
        const HttpResult r = anonymous.get(QStringLiteral("/healthz"));
        QCOMPARE(r.status, 200);
    }

    void demoSeedSplitsRowsBetweenAgents()
    {
        const auto mine = DemoData::bookings(*m_agent1);
        const auto theirs = DemoData::bookings(*m_agent2);
        const auto all = DemoData::bookings(*m_admin);
        QCOMPARE(all.size(), 60);
        QCOMPARE(mine.size() + theirs.size(), all.size());
        QVERIFY(!mine.isEmpty() && !theirs.isEmpty());
        const QString me = m_agent1->lastLogin()
                               .value(QStringLiteral("user"))
                               .toObject()
                               .value(QStringLiteral("id"))
                               .toString();
        for (const QJsonObject &b : mine)
            QCOMPARE(b.value(QStringLiteral("owner_id")).toString(), me);
        QVERIFY(DemoData::leads(*m_admin).size() >= 20);
        for (const QString &field :
            { QStringLiteral("id"), QStringLiteral("version"), QStringLiteral("updated_at") })
            QVERIFY2(all.first().contains(field), qPrintable(field));
    }

    void listCarriesTheChangeSeq()
    {
        const HttpResult r = m_agent1->get(QStringLiteral("/api/bookings"));
        QCOMPARE(r.status, 200);
        QVERIFY(r.json().value(QStringLiteral("seq")).isDouble());
    }

    void confirmBumpsVersionOnceAndLogsTheChange()
    {
        const QString id = DemoData::bookingIds(*m_agent1, QStringLiteral("pending")).first();
        const QJsonObject before = DemoData::booking(*m_agent1, id);
        const qint64 seqBefore = m_agent1->get(QStringLiteral("/api/bookings"))
                                     .json()
                                     .value(QStringLiteral("seq"))
                                     .toInteger();

        const HttpResult r = m_agent1->postJson(QStringLiteral("/api/bookings/confirm"),
            { { QStringLiteral("bookingId"), id } }, HttpClient::newKey());
        QCOMPARE(r.status, 200);
        const QJsonObject after = r.json().value(QStringLiteral("booking")).toObject();
        QCOMPARE(after.value(QStringLiteral("status")).toString(), QStringLiteral("confirmed"));
        QCOMPARE(after.value(QStringLiteral("version")).toInteger(),
            before.value(QStringLiteral("version")).toInteger() + 1);
        QCOMPARE(r.header("Idempotency-Window"), QByteArray("86400"));

        const HttpResult changes
            = m_agent1->get(QStringLiteral("/api/changes?since=%1").arg(seqBefore));
        const QJsonArray list = changes.json().value(QStringLiteral("changes")).toArray();
        QCOMPARE(list.size(), 1);
        const QJsonObject change = list.first().toObject();
        QCOMPARE(change.value(QStringLiteral("table")).toString(), QStringLiteral("bookings"));
        QCOMPARE(change.value(QStringLiteral("type")).toString(), QStringLiteral("UPDATE"));
        QCOMPARE(change.value(QStringLiteral("record")).toObject(), after);
        QCOMPARE(change.value(QStringLiteral("old_record")).toObject(), before);
        QCOMPARE(change.value(QStringLiteral("seq")).toInteger(),
            changes.json().value(QStringLiteral("seq")).toInteger());
    }

    void confirmingAConfirmedBookingIsNaturallyIdempotent()
    {
        const QString id = DemoData::bookingIds(*m_agent1, QStringLiteral("confirmed")).first();
        const QJsonObject before = DemoData::booking(*m_agent1, id);
        const HttpResult r = m_agent1->postJson(QStringLiteral("/api/bookings/confirm"),
            { { QStringLiteral("bookingId"), id } }, HttpClient::newKey());
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json().value(QStringLiteral("booking")).toObject(), before);
    }

    void confirmingACancelledBookingIsAConflict()
    {
        const QString id = DemoData::bookingIds(*m_agent1, QStringLiteral("cancelled")).first();
        DbInspector db(m_server.databasePath());
        const qint64 version = db.bookingVersion(id);
        const HttpResult r = m_agent1->postJson(QStringLiteral("/api/bookings/confirm"),
            { { QStringLiteral("bookingId"), id } }, HttpClient::newKey());
        QCOMPARE(r.status, 409);
        QCOMPARE(r.code(), QStringLiteral("booking_cancelled"));
        QCOMPARE(r.json().value(QStringLiteral("retryable")).toBool(), false);
        QCOMPARE(r.header("Content-Type"), QByteArray("application/problem+json"));
        QCOMPARE(db.bookingVersion(id), version);
        QCOMPARE(db.bookingStatus(id), QStringLiteral("cancelled"));
    }

    void anotherAgentsRowIsNotFound()
    {
        const QString theirs = DemoData::bookingIds(*m_agent2, QStringLiteral("pending")).first();
        DbInspector db(m_server.databasePath());
        const qint64 version = db.bookingVersion(theirs);
        QCOMPARE(m_agent1->get(QStringLiteral("/api/bookings/") + theirs).status, 404);
        const HttpResult r = m_agent1->postJson(QStringLiteral("/api/bookings/confirm"),
            { { QStringLiteral("bookingId"), theirs } }, HttpClient::newKey());
        QCOMPARE(r.status, 404);
        QCOMPARE(r.code(), QStringLiteral("not_found"));
        QCOMPARE(db.bookingVersion(theirs), version);
        // The admin sees the whole organisation.
        QCOMPARE(m_admin->get(QStringLiteral("/api/bookings/") + theirs).status, 200);
    }

    void deleteRemovesTheRowAndLogsADelete()
    {
        const QString id = DemoData::bookingIds(*m_agent2, QStringLiteral("pending")).last();
        const QJsonObject before = DemoData::booking(*m_agent2, id);
        const qint64 seq = m_agent2->get(QStringLiteral("/api/bookings"))
                               .json()
                               .value(QStringLiteral("seq"))
                               .toInteger();
        const HttpResult r = m_agent2->postJson(QStringLiteral("/api/bookings/delete"),
            { { QStringLiteral("bookingId"), id } }, HttpClient::newKey());
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json().value(QStringLiteral("deleted")).toBool(), true);
        // The answer names the table and the row's last version: what the client waits to see go.
        QCOMPARE(r.json().value(QStringLiteral("table")).toString(), QStringLiteral("bookings"));
        QCOMPARE(r.json().value(QStringLiteral("id")).toString(), id);
        QCOMPARE(r.json().value(QStringLiteral("version")).toInteger(),
            before.value(QStringLiteral("version")).toInteger() + 1);
        QCOMPARE(m_agent2->get(QStringLiteral("/api/bookings/") + id).status, 404);
        const QJsonArray changes = m_agent2->get(QStringLiteral("/api/changes?since=%1").arg(seq))
                                       .json()
                                       .value(QStringLiteral("changes"))
                                       .toArray();
        QCOMPARE(changes.size(), 1);
        QCOMPARE(changes.first().toObject().value(QStringLiteral("type")).toString(),
            QStringLiteral("DELETE"));
        QCOMPARE(changes.first().toObject().value(QStringLiteral("old_record")).toObject(), before);
        QCOMPARE(
            changes.first().toObject().value(QStringLiteral("record")).toObject(), QJsonObject());
    }

    void leadStatusChangesAndSameStatusIsANoOp()
    {
        const QJsonObject lead = DemoData::leads(*m_agent1).first();
        const QString id = lead.value(QStringLiteral("id")).toString();
        const HttpResult won = m_agent1->postJson(QStringLiteral("/api/leads/status"),
            { { QStringLiteral("leadId"), id },
                { QStringLiteral("status"), QStringLiteral("won") } },
            HttpClient::newKey());
        QCOMPARE(won.status, 200);
        const QJsonObject after = won.json().value(QStringLiteral("lead")).toObject();
        QCOMPARE(after.value(QStringLiteral("status")).toString(), QStringLiteral("won"));
        QCOMPARE(after.value(QStringLiteral("version")).toInteger(),
            lead.value(QStringLiteral("version")).toInteger() + 1);
        const HttpResult again = m_agent1->postJson(QStringLiteral("/api/leads/status"),
            { { QStringLiteral("leadId"), id },
                { QStringLiteral("status"), QStringLiteral("won") } },
            HttpClient::newKey());
        QCOMPARE(again.status, 200);
        QCOMPARE(again.json().value(QStringLiteral("lead")).toObject(), after);
    }

    void sendSmsQueuesAndTheLoopbackProviderDelivers()
    {
        const QString id
            = DemoData::leads(*m_agent2).first().value(QStringLiteral("id")).toString();
        const HttpResult r = m_agent2->postJson(QStringLiteral("/api/leads/send-sms"),
            { { QStringLiteral("leadId"), id },
                { QStringLiteral("message"), QStringLiteral("See you at 10") } },
            HttpClient::newKey());
        QCOMPARE(r.status, 202);
        const QJsonObject sms = r.json().value(QStringLiteral("sms")).toObject();
        QCOMPARE(sms.value(QStringLiteral("status")).toString(), QStringLiteral("queued"));
        const QString smsId = sms.value(QStringLiteral("id")).toString();
        auto status = [&] {
            const QJsonArray list = m_agent2->get(QStringLiteral("/api/leads/") + id)
                                        .json()
                                        .value(QStringLiteral("sms"))
                                        .toArray();
            for (const QJsonValue &v : list) {
                if (v.toObject().value(QStringLiteral("id")).toString() == smsId)
                    return v.toObject().value(QStringLiteral("status")).toString();
            }
            return QString();
        };
        QTRY_COMPARE_WITH_TIMEOUT(status(), QStringLiteral("sent"), 10000);
    }

    void unknownRouteAndWrongMethod()
    {
        const HttpResult missing = m_agent1->get(QStringLiteral("/api/nothing-here"));
        QCOMPARE(missing.status, 404);
        QCOMPARE(missing.code(), QStringLiteral("not_found"));
        const HttpResult wrong = m_agent1->send(
            "PUT", QStringLiteral("/api/bookings/confirm"), "{}", {}, "application/json");
        QCOMPARE(wrong.status, 405);
        QCOMPARE(wrong.code(), QStringLiteral("method_not_allowed"));
    }

    void metricsNeedAnAdminOrTheScrapeToken()
    {
        HttpClient anonymous(m_server.baseUrl());
        const HttpResult none = anonymous.get(QStringLiteral("/metrics"));
        QCOMPARE(none.status, 401);
        QCOMPARE(none.code(), QStringLiteral("unauthorized"));
        QCOMPARE(m_agent1->get(QStringLiteral("/metrics")).status, 403);
        QCOMPARE(m_admin->get(QStringLiteral("/metrics")).status, 200);

        // A scraper cannot refresh a 15-minute JWT: --metrics-token-file gives it a bearer.
        QTemporaryFile tokenFile;
        QVERIFY(tokenFile.open());
        const QByteArray token = "scrape-" + HttpClient::newKey().toLatin1();
        tokenFile.write(token + "\n");
        tokenFile.close();
        ServerProcess::Options options;
        options.extraArgs = { QStringLiteral("--metrics-token-file"), tokenFile.fileName() };
        ServerProcess scraped(options);
        QVERIFY(scraped.start());
        HttpClient scraper(scraped.baseUrl());
        scraper.setToken(QString::fromLatin1(token));
        const HttpResult ok = scraper.get(QStringLiteral("/metrics"));
        QCOMPARE(ok.status, 200);
        QVERIFY(ok.body.contains("syncloop_http_requests_total"));
        QCOMPARE(
            scraper.get(QStringLiteral("/api/bookings")).status, 401); // good for /metrics only
        scraper.setToken(QString::fromLatin1(token) + QStringLiteral("x"));
        QCOMPARE(scraper.get(QStringLiteral("/metrics")).status, 401);
    }

    void metricsCountWhatHappened()
    {
        const QString route = QStringLiteral("/api/bookings/confirm");
        const MetricsText before = MetricsText::fetch(*m_admin);
        for (const char *family : { "syncloop_http_requests_total",
                 "syncloop_http_request_duration_seconds_bucket", "syncloop_idempotency_records",
                 "syncloop_idempotency_replays_total", "syncloop_idempotency_conflicts_total",
                 "syncloop_idempotency_mismatches_total", "syncloop_idempotency_window_seconds",
                 "syncloop_outbox_depth", "syncloop_breaker_state",
                 "syncloop_breaker_not_permitted_calls_total", "syncloop_realtime_connections" })
            QVERIFY2(before.hasFamily(family), family);

        // One executed confirm, its replay, the key reused with another body (422), a 409.
        const QStringList pending = DemoData::bookingIds(*m_agent1, QStringLiteral("pending"));
        QVERIFY(pending.size() >= 2);
        const QString key = HttpClient::newKey();
        QCOMPARE(
            m_agent1->postJson(route, { { QStringLiteral("bookingId"), pending[0] } }, key).status,
            200);
        QCOMPARE(m_agent1->postJson(route, { { QStringLiteral("bookingId"), pending[0] } }, key)
                     .header("Idempotent-Replayed"),
            QByteArray("true"));
        QCOMPARE(
            m_agent1->postJson(route, { { QStringLiteral("bookingId"), pending[1] } }, key).status,
            422);

        const MetricsText after = MetricsText::fetch(*m_admin);
        auto delta = [&](const QByteArray &sample) {
            return after.value(sample, 0) - before.value(sample, 0);
        };
        const QByteArray label = "route=\"" + route.toLatin1() + "\"";
        QCOMPARE(
            delta("syncloop_http_requests_total{" + label + ",method=\"POST\",status=\"200\"}"),
            2.0);
        QCOMPARE(
            delta("syncloop_http_requests_total{" + label + ",method=\"POST\",status=\"422\"}"),
            1.0);
        QCOMPARE(delta("syncloop_idempotency_replays_total"), 1.0);
        QCOMPARE(delta("syncloop_idempotency_mismatches_total"), 1.0);
        QCOMPARE(delta("syncloop_idempotency_records"), 1.0);
        QCOMPARE(after.value("syncloop_idempotency_window_seconds"), 86400.0);
        QCOMPARE(delta("syncloop_http_request_duration_seconds_count{" + label + "}"), 3.0);
        // Cumulative buckets: never decreasing, and +Inf is the count.
        double previous = 0;
        for (const double le : { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                 1.0, 2.5, 5.0, 10.0 }) {
            const double bucket = after.value("syncloop_http_request_duration_seconds_bucket{"
                + label + ",le=\"" + QByteArray::number(le) + "\"}");
            QVERIFY2(bucket >= previous, QByteArray::number(le).constData());
            previous = bucket;
        }
        QCOMPARE(
            after.value("syncloop_http_request_duration_seconds_bucket{" + label + ",le=\"+Inf\"}"),
            after.value("syncloop_http_request_duration_seconds_count{" + label + "}"));
        QVERIFY(
            previous <= after.value("syncloop_http_request_duration_seconds_count{" + label + "}"));
    }

    void syncHealthReportsTheSameFigures()
    {
        QCOMPARE(m_agent1->get(QStringLiteral("/api/admin/sync-health")).status, 403);
        const QString route = QStringLiteral("/api/bookings/confirm");
        QCOMPARE(m_agent1
                     ->postJson(route,
                         { { QStringLiteral("bookingId"),
                             DemoData::bookingIds(*m_agent1, QStringLiteral("pending")).first() } },
                         HttpClient::newKey())
                     .status,
            200);
        const HttpResult health = m_admin->get(QStringLiteral("/api/admin/sync-health"));
        QCOMPARE(health.status, 200);
        const QJsonObject h = health.json();
        const QJsonObject idempotency = h.value(QStringLiteral("idempotency")).toObject();
        QCOMPARE(idempotency.value(QStringLiteral("window_seconds")).toInteger(), 86400);
        QVERIFY(idempotency.value(QStringLiteral("records")).toInteger() >= 1);
        for (const char *field : { "replays", "conflicts", "mismatches", "stored", "purged" })
            QVERIFY2(idempotency.value(QLatin1String(field)).isDouble(), field);
        QVERIFY(h.value(QStringLiteral("realtime"))
                    .toObject()
                    .value(QStringLiteral("connections"))
                    .isDouble());
        QCOMPARE(h.value(QStringLiteral("breakers"))
                     .toArray()
                     .first()
                     .toObject()
                     .value(QStringLiteral("state"))
                     .toString(),
            QStringLiteral("closed"));
        QVERIFY(
            h.value(QStringLiteral("outbox")).toObject().value(QStringLiteral("depth")).isDouble());

        qint64 confirmed = 0;
        for (const QJsonValue &r : h.value(QStringLiteral("requests")).toArray()) {
            const QJsonObject o = r.toObject();
            if (o.value(QStringLiteral("route")).toString() == route
                && o.value(QStringLiteral("status")).toInt() == 200)
                confirmed = o.value(QStringLiteral("count")).toInteger();
        }
        QVERIFY(confirmed >= 1);
        const QJsonObject latency
            = h.value(QStringLiteral("latency")).toObject().value(route).toObject();
        const qint64 count = latency.value(QStringLiteral("count")).toInteger();
        QVERIFY(count >= confirmed);
        const QJsonArray buckets = latency.value(QStringLiteral("buckets")).toArray();
        QCOMPARE(buckets.size(), 14);
        qint64 previous = 0;
        for (const QJsonValue &b : buckets) {
            QVERIFY(b.toObject().value(QStringLiteral("count")).toInteger() >= previous);
            previous = b.toObject().value(QStringLiteral("count")).toInteger();
        }
        QVERIFY(previous <= count);
        QCOMPARE(buckets.last().toObject().value(QStringLiteral("le_ms")).toDouble(), 10000.0);
    }
};

QTEST_GUILESS_MAIN(TestRest)
#include "tst_rest.moc"
