// Two syncloopd instances on one PostgreSQL (issue 11): a subscriber on one instance hears,
// in seq order and once each, every change committed through the other, also across a killed
// LISTEN connection (pg_terminate_backend); client broadcasts cross instances the same way,
// with a clear error above the NOTIFY payload limit. Runs only on PostgreSQL (label postgres).
#include "dbinspector.h"
#include "demodata.h"
#include "httpclient.h"
#include "phoenixcodec.h"
#include "realtimetestclient.h"
#include "serverprocess.h"
#include "smsproviderstandin.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

namespace {

using V = PhoenixCodec::Serializer;

QJsonArray allBookings()
{
    return { QJsonObject { { QStringLiteral("event"), QStringLiteral("*") },
        { QStringLiteral("schema"), QStringLiteral("public") },
        { QStringLiteral("table"), QStringLiteral("bookings") } } };
}

QList<qint64> seqsOf(const RealtimeTestClient &client)
{
    QList<qint64> out;
    for (const QJsonObject &c : client.changes())
        out.append(
            c.value(QStringLiteral("data")).toObject().value(QStringLiteral("seq")).toInteger());
    return out;
}

// Every seq in (from, to], in order, once.
bool exactlyInOrder(const QList<qint64> &seqs, qint64 from, qint64 to)
{
    if (seqs.size() != to - from)
        return false;
    for (qsizetype i = 0; i < seqs.size(); ++i) {
        if (seqs[i] != from + 1 + i)
            return false;
    }
    return true;
}

QString describe(const QList<qint64> &seqs)
{
    QStringList s;
    for (qint64 q : seqs)
        s << QString::number(q);
    return s.join(u' ');
}

} // namespace

class TestScaleOut : public QObject
{
    Q_OBJECT

    const QByteArray m_secret = QByteArrayLiteral("scale-out-test-secret-0123456789abcdef");
    std::unique_ptr<ServerProcess> m_a;
    std::unique_ptr<ServerProcess> m_b;
    std::unique_ptr<DbInspector> m_db;
    SmsProviderStandIn m_provider;
    std::unique_ptr<HttpClient> m_agentOnA;
    std::unique_ptr<HttpClient> m_agentOnB;
    std::unique_ptr<HttpClient> m_agent2OnB;
    QStringList m_pending;

    qint64 head() const { return m_db->changeSeq(); }

    // Confirms `n` pending bookings, alternating instances when `both`; false on any non-200.
    bool confirmSome(int n, bool both)
    {
        for (int i = 0; i < n; ++i) {
            HttpClient &via = both && i % 2 ? *m_agentOnB : *m_agentOnA;
            const HttpResult r = via.postJson(QStringLiteral("/api/bookings/confirm"),
                { { QStringLiteral("bookingId"), m_pending.takeFirst() } }, HttpClient::newKey());
            if (r.status != 200) {
                qWarning() << "confirm answered" << r.status << r.body;
                return false;
            }
        }
        return true;
    }

    int listeners() const
    {
        return int(m_db->scalar(
            QStringLiteral("SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = "
                           "'syncloopd listener' AND datname = current_database()")));
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(TestDatabase::usePostgres(),
            "tst_scaleout runs on PostgreSQL only (SYNCLOOP_TEST_DATABASE=postgres)");
        ServerProcess::Options options;
        options.demoBookings = 200;
        options.jwtSecret = m_secret;
        QVERIFY(m_provider.start());
        options.extraArgs = { QStringLiteral("--sms-gateway"), m_provider.url().toString(),
            QStringLiteral("--sms-timeout"), QStringLiteral("2s"),
            QStringLiteral("--sms-retry-base"), QStringLiteral("100ms"),
            QStringLiteral("--sms-breaker-open"), QStringLiteral("300ms") };
        m_a = std::make_unique<ServerProcess>(options);
        QVERIFY(m_a->start());
        options.sharedDatabase = m_a->databasePath();
        m_b = std::make_unique<ServerProcess>(options);
        QVERIFY(m_b->start());
        m_db = std::make_unique<DbInspector>(m_a->databasePath());
        QCOMPARE(
            m_db->scalar(QStringLiteral("SELECT COUNT(*) FROM organisations")), 1); // seeded once

        m_agentOnA = std::make_unique<HttpClient>(m_a->baseUrl());
        m_agentOnB = std::make_unique<HttpClient>(m_b->baseUrl());
        m_agent2OnB = std::make_unique<HttpClient>(m_b->baseUrl());
        QVERIFY(!m_agentOnA->login(DemoData::agent1).isEmpty());
        QVERIFY(!m_agentOnB->login(DemoData::agent1).isEmpty());
        QVERIFY(!m_agent2OnB->login(DemoData::agent2).isEmpty());
        m_pending = DemoData::bookingIds(*m_agentOnA, QStringLiteral("pending"));
        QVERIFY(m_pending.size() >= 60);
        QTRY_COMPARE(listeners(), 2);
    }

    void changesThroughEitherInstanceReachSubscribersOnBothInSeqOrder()
    {
        RealtimeTestClient onA(m_a->baseUrl(), V::V2), onB(m_b->baseUrl(), V::V1);
        for (auto *c : { &onA, &onB }) {
            QVERIFY(c->open());
            QCOMPARE(c->join(QStringLiteral("realtime:b"), allBookings(), m_agentOnA->token())
                         .value(QStringLiteral("status"))
                         .toString(),
                QStringLiteral("ok"));
            QTRY_COMPARE(c->systemMessages().size(), 1);
        }
        const qint64 from = head();
        QVERIFY(confirmSome(20, true));
        const qint64 to = head();
        QCOMPARE(to - from, 20);
        for (auto *c : { &onA, &onB })
            QVERIFY2(c->waitUntil([&] { return seqsOf(*c).size() >= 20; }, 10000),
                qPrintable(describe(seqsOf(*c))));
        QTest::qWait(200); // anything doubled would be here by now
        QVERIFY2(exactlyInOrder(seqsOf(onA), from, to), qPrintable(describe(seqsOf(onA))));
        QVERIFY2(exactlyInOrder(seqsOf(onB), from, to), qPrintable(describe(seqsOf(onB))));
    }

    void aKilledListenerConnectionLosesNoChange()
    {
        RealtimeTestClient onB(m_b->baseUrl(), V::V2);
        QVERIFY(onB.open());
        onB.startHeartbeat(1000);
        QVERIFY(onB.join(QStringLiteral("realtime:b"), allBookings(), m_agentOnA->token())
                    .value(QStringLiteral("status"))
            == QStringLiteral("ok"));
        QTRY_COMPARE(onB.systemMessages().size(), 1);
        const qint64 from = head();
        QVERIFY(confirmSome(5, false));

        // Both instances' listeners go; changes committed now are never notified to them.
        const QList<qint64> before = { m_db->scalar(
            QStringLiteral("SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
                           "application_name = "
                           "'syncloopd listener' AND datname = current_database()")) };
        QCOMPARE(before.first(), 2);
        QVERIFY(confirmSome(10, false));
        QVERIFY(confirmSome(10, true));
        // They come back on their own and read the log from where they were.
        QTRY_COMPARE_WITH_TIMEOUT(listeners(), 2, 15000);
        QVERIFY(confirmSome(5, true));
        const qint64 to = head();
        QCOMPARE(to - from, 30);
        QVERIFY2(onB.waitUntil([&] { return seqsOf(onB).size() >= 30; }, 15000),
            qPrintable(describe(seqsOf(onB))));
        QTest::qWait(200);
        QVERIFY2(exactlyInOrder(seqsOf(onB), from, to), qPrintable(describe(seqsOf(onB))));
        QVERIFY2(m_b->output().contains(QStringLiteral("realtime listener lost its connection")),
            qPrintable(m_b->output().right(2000)));
    }

    // One key, 40 requests at once split across both instances. Every answer is the stored
    // success or 409 key-in-use with Retry-After, never a 500 from the key's primary key
    // clashing with the other instance's insert; a retry afterwards replays the success.
    // Returns the success body.
    QByteArray storm(const QString &path, const QJsonObject &json, int success)
    {
        const QByteArray key = HttpClient::newKey().toLatin1();
        const QByteArray body = QJsonDocument(json).toJson(QJsonDocument::Compact);
        QNetworkAccessManager network;
        QList<QNetworkReply *> replies;
        for (int i = 0; i < 40; ++i) {
            QNetworkRequest request((i % 2 ? m_b : m_a)->baseUrl().resolved(QUrl(path)));
            request.setRawHeader("Authorization", "Bearer " + m_agentOnA->token().toLatin1());
            request.setRawHeader("Content-Type", "application/json");
            request.setRawHeader("Idempotency-Key", key);
            replies.append(network.post(request, body));
        }
        auto finished = [&replies] {
            return std::all_of(
                replies.cbegin(), replies.cend(), [](QNetworkReply *r) { return r->isFinished(); });
        };
        if (!QTest::qWaitFor(finished, 30000)) {
            qWarning() << "storm: not every request was answered";
            return {};
        }
        QMap<int, int> statuses;
        QByteArray stored;
        QStringList wrong;
        for (QNetworkReply *r : std::as_const(replies)) {
            const int status = r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            ++statuses[status];
            const QByteArray answer = r->readAll();
            if (status == success && (stored.isEmpty() || answer == stored)) {
                stored = answer;
            } else if (status != 409 || r->rawHeader("Retry-After").toInt() < 1
                || QJsonDocument::fromJson(answer).object().value(QStringLiteral("code")).toString()
                    != QLatin1String("idempotency_key_in_use")) {
                wrong << QString::number(status) + QLatin1Char(' ')
                        + QString::fromUtf8(answer.left(200));
            }
            r->deleteLater();
        }
        qInfo() << path << "answers by status:" << statuses;
        if (!wrong.isEmpty()) {
            qWarning().noquote() << "storm: unexpected answers:"
                                 << wrong.join(QStringLiteral("\n"));
            return {};
        }
        if (m_db->keyRecords(QString::fromLatin1(key)) != 1)
            return {};
        const HttpResult replay = m_agentOnB->postJson(path, json, QString::fromLatin1(key));
        if (replay.status != success || replay.body != stored
            || replay.header("Idempotent-Replayed") != "true") {
            qWarning() << "storm: the replay answered" << replay.status << replay.body;
            return {};
        }
        return stored;
    }

    void aKeyStormAcrossInstancesConfirmsOnce()
    {
        const QString id = m_pending.takeFirst();
        const qint64 version = m_db->bookingVersion(id);
        const qint64 seqBefore = head();
        QVERIFY(!storm(
            QStringLiteral("/api/bookings/confirm"), { { QStringLiteral("bookingId"), id } }, 200)
                     .isEmpty());
        QCOMPARE(m_db->bookingVersion(id), version + 1);
        QCOMPARE(head(), seqBefore + 1);
    }

    // An insert has no row to collide on: both instances run the work, and only the key's
    // primary key stops the second.
    void aKeyStormAcrossInstancesQueuesOneSms()
    {
        const QString lead
            = DemoData::leads(*m_agentOnA).first().value(QStringLiteral("id")).toString();
        const qint64 before = m_db->scalar(
            QStringLiteral("SELECT COUNT(*) FROM sms_messages WHERE lead_id = ?"), { lead });
        QVERIFY(!storm(QStringLiteral("/api/leads/send-sms"),
            { { QStringLiteral("leadId"), lead },
                { QStringLiteral("message"), QStringLiteral("storm") } },
            202)
                     .isEmpty());
        QCOMPARE(m_db->scalar(QStringLiteral("SELECT COUNT(*) FROM sms_messages WHERE lead_id = ?"),
                     { lead }),
            before + 1);
    }

    // Commit order of seq: 8 writers (4 per instance, each a chain of lead status changes)
    // at once; on each instance a realtime subscriber and a reader polling /api/changes. Each
    // reader must see every seq once and in order: a seq committed after a later one was
    // already visible would be skipped for ever by a reader that had moved past it.
    void concurrentWritersOnBothInstancesLeaveNoGapForReaders()
    {
        HttpClient admin(m_a->baseUrl());
        QVERIFY(!admin.login(DemoData::admin).isEmpty());
        RealtimeTestClient subscriberOnA(m_a->baseUrl(), V::V2),
            subscriberOnB(m_b->baseUrl(), V::V2);
        const QJsonArray leadsAndBookings { allBookings().first(),
            QJsonObject { { QStringLiteral("event"), QStringLiteral("*") },
                { QStringLiteral("schema"), QStringLiteral("public") },
                { QStringLiteral("table"), QStringLiteral("leads") } } };
        for (auto *c : { &subscriberOnA, &subscriberOnB }) {
            QVERIFY(c->open());
            c->startHeartbeat(1000);
            QVERIFY(c->join(QStringLiteral("realtime:all"), leadsAndBookings, admin.token())
                        .value(QStringLiteral("status"))
                == QStringLiteral("ok"));
            QTRY_COMPARE(c->systemMessages().size(), 1);
        }
        const qint64 from = head();

        // The polling readers: GET /api/changes?since=<last> as fast as answers come.
        struct Poller
        {
            QNetworkAccessManager network;
            QUrl base;
            QByteArray token;
            QList<qint64> seen;
            qint64 last = 0;
            bool stop = false;
            bool idle = true;
        };
        Poller pollers[2];
        std::function<void(Poller &)> poll = [&poll](Poller &p) {
            if (p.stop) {
                p.idle = true;
                return;
            }
            p.idle = false;
            QNetworkRequest request(
                p.base.resolved(QUrl(QStringLiteral("/api/changes?since=%1").arg(p.last))));
            request.setRawHeader("Authorization", "Bearer " + p.token);
            QNetworkReply *reply = p.network.get(request);
            QObject::connect(reply, &QNetworkReply::finished, reply, [&poll, &p, reply] {
                reply->deleteLater();
                const QJsonObject o = QJsonDocument::fromJson(reply->readAll()).object();
                for (const QJsonValue &c : o.value(QStringLiteral("changes")).toArray())
                    p.seen.append(c.toObject().value(QStringLiteral("seq")).toInteger());
                if (!p.seen.isEmpty())
                    p.last = p.seen.last();
                poll(p);
            });
        };
        for (int i = 0; i < 2; ++i) {
            pollers[i].base = (i ? m_b : m_a)->baseUrl();
            pollers[i].token = admin.token().toLatin1();
            pollers[i].last = from;
            poll(pollers[i]);
        }

        // The writers: each its own leads, a chain of status changes through one instance.
        HttpClient agent2OnA(m_a->baseUrl());
        QVERIFY(!agent2OnA.login(DemoData::agent2).isEmpty());
        struct Writer
        {
            QNetworkAccessManager network;
            QUrl base;
            QByteArray token;
            QStringList leads;
            int left = 0;
            int failures = 0;
            int done = 0;
        };
        const QList<QJsonObject> leads1 = DemoData::leads(*m_agentOnA);
        const QList<QJsonObject> leads2 = DemoData::leads(agent2OnA);
        constexpr int writers = 8;
        constexpr int perWriter = 25;
        Writer w[writers];
        std::function<void(Writer &)> write = [&write](Writer &x) {
            if (x.left == 0)
                return;
            const QString lead = x.leads.at(x.left % x.leads.size());
            const QString status
                = x.left % 2 ? QStringLiteral("qualified") : QStringLiteral("contacted");
            --x.left;
            QNetworkRequest request(x.base.resolved(QUrl(QStringLiteral("/api/leads/status"))));
            request.setRawHeader("Authorization", "Bearer " + x.token);
            request.setRawHeader("Content-Type", "application/json");
            request.setRawHeader("Idempotency-Key", HttpClient::newKey().toLatin1());
            QNetworkReply *reply = x.network.post(request,
                QJsonDocument(QJsonObject { { QStringLiteral("leadId"), lead },
                                  { QStringLiteral("status"), status } })
                    .toJson(QJsonDocument::Compact));
            QObject::connect(reply, &QNetworkReply::finished, reply, [&write, &x, reply] {
                reply->deleteLater();
                if (reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() != 200)
                    ++x.failures;
                ++x.done;
                write(x);
            });
        };
        for (int i = 0; i < writers; ++i) {
            const bool second = i % 2;
            w[i].base = (i < writers / 2 ? m_a : m_b)->baseUrl();
            w[i].token = (second ? agent2OnA.token() : m_agentOnA->token()).toLatin1();
            const QList<QJsonObject> &mine = second ? leads2 : leads1;
            for (int k = i / 2; k < mine.size(); k += writers / 2)
                w[i].leads << mine.at(k).value(QStringLiteral("id")).toString();
            QVERIFY(!w[i].leads.isEmpty());
            w[i].left = perWriter;
            write(w[i]);
        }
        QVERIFY(QTest::qWaitFor(
            [&] {
                return std::all_of(std::begin(w), std::end(w),
                    [](const Writer &x) { return x.done == perWriter; });
            },
            60000));
        for (const Writer &x : w)
            QCOMPARE(x.failures, 0);
        const qint64 to = head();
        QVERIFY2(to - from >= writers * perWriter / 2,
            qPrintable(QString::number(to - from))); // a same-status write logs nothing

        for (Poller &p : pollers)
            QVERIFY2(
                QTest::qWaitFor([&] { return p.last >= to; }, 15000), qPrintable(describe(p.seen)));
        for (Poller &p : pollers)
            p.stop = true;
        for (auto *c : { &subscriberOnA, &subscriberOnB })
            QVERIFY2(c->waitUntil([&] { return seqsOf(*c).size() >= to - from; }, 15000),
                qPrintable(describe(seqsOf(*c))));
        QVERIFY(QTest::qWaitFor([&] { return pollers[0].idle && pollers[1].idle; }, 5000));
        QTest::qWait(200);
        for (const Poller &p : pollers)
            QVERIFY2(exactlyInOrder(p.seen, from, to), qPrintable(describe(p.seen)));
        for (auto *c : { &subscriberOnA, &subscriberOnB })
            QVERIFY2(exactlyInOrder(seqsOf(*c), from, to), qPrintable(describe(seqsOf(*c))));
        qInfo() << to - from << "changes from" << writers
                << "writers on 2 instances; 4 readers, none skipped or out of order";
    }

    // The outbox across instances: 200 messages queued through both while the provider is
    // down, so both instances keep waking for the same retries; when it comes back, both race
    // for the same due rows. Each is claimed by one instance only: one accepted call per
    // message, none repeated (the provider key would hide a repeat from the phone, not from
    // the bill).
    void eachSmsIsSentByOneInstanceOnly()
    {
        const QString lead
            = DemoData::leads(*m_agentOnA).at(1).value(QStringLiteral("id")).toString();
        const qint64 sentBefore = m_db->scalar(
            QStringLiteral("SELECT COUNT(*) FROM sms_messages WHERE status = 'sent'"));
        const qsizetype deliveredBefore = m_provider.delivered().size();
        const int callsBefore = m_provider.calls();
        m_provider.setMode(SmsProviderStandIn::Mode::Fail);
        constexpr int count = 200;
        for (int i = 0; i < count; ++i) {
            const HttpResult r
                = (i % 2 ? m_agentOnB : m_agentOnA)
                      ->postJson(QStringLiteral("/api/leads/send-sms"),
                          { { QStringLiteral("leadId"), lead },
                              { QStringLiteral("message"), QStringLiteral("m%1").arg(i) } },
                          HttpClient::newKey());
            QCOMPARE(r.status, 202);
        }
        QTRY_VERIFY_WITH_TIMEOUT(
            m_provider.calls() - callsBefore > count, 20000); // retried, on both instances
        m_provider.setMode(SmsProviderStandIn::Mode::Accept);
        QTRY_COMPARE_WITH_TIMEOUT(
            m_db->scalar(QStringLiteral("SELECT COUNT(*) FROM sms_messages WHERE status = 'sent'")),
            sentBefore + count, 60000);
        QTest::qWait(500); // a repeated call would be on its way by now
        QCOMPARE(m_provider.delivered().size() - deliveredBefore, count);
        QCOMPARE(m_provider.repeatedAccepts(), 0);
    }

    // Three instances started at once with --demo on one empty database: the schema is
    // migrated and the demo seeded once (advisory locks), and every instance starts.
    void instancesStartedTogetherMigrateAndSeedOnce()
    {
        const QString url = TestDatabase::createPostgres();
        const auto drop = qScopeGuard([&url] { TestDatabase::dropPostgres(url); });
        QTemporaryDir dirs[3];
        QProcess servers[3];
        for (int i = 0; i < 3; ++i) {
            servers[i].start(ServerProcess::executable(),
                { QStringLiteral("--data-dir"), dirs[i].path(), QStringLiteral("--database"), url,
                    QStringLiteral("--demo"), QStringLiteral("--demo-bookings"),
                    QStringLiteral("500"), QStringLiteral("--port"), QStringLiteral("0") });
        }
        QStringList outcomes;
        for (QProcess &p : servers) {
            const bool listening = QTest::qWaitFor(
                [&p] {
                    return p.state() == QProcess::NotRunning
                        || p.peek(4096).contains("syncloopd listening on");
                },
                30000);
            outcomes << (listening && p.state() == QProcess::Running
                    ? QStringLiteral("up")
                    : QString::fromLocal8Bit(p.readAllStandardError().right(500)));
        }
        for (QProcess &p : servers) {
            p.kill();
            p.waitForFinished();
        }
        QCOMPARE(outcomes, QStringList(3, QStringLiteral("up")));
        DbInspector db(url);
        QCOMPARE(db.scalar(QStringLiteral("SELECT COUNT(*) FROM organisations")), 1);
        QCOMPARE(db.scalar(QStringLiteral("SELECT COUNT(*) FROM users")), 3);
        QCOMPARE(db.scalar(QStringLiteral("SELECT COUNT(*) FROM bookings")), 500);
        QCOMPARE(db.scalar(QStringLiteral("SELECT COUNT(*) FROM schema_version")),
            db.scalar(QStringLiteral("SELECT MAX(version) FROM schema_version")));
    }

    void broadcastsCrossInstances()
    {
        RealtimeTestClient sender(m_a->baseUrl(), V::V2), listener(m_b->baseUrl(), V::V1),
            binaryListener(m_b->baseUrl(), V::V2);
        for (auto *c : { &sender, &listener, &binaryListener })
            QVERIFY(c->open());
        const QString topic = QStringLiteral("realtime:room");
        QVERIFY(sender.join(topic, {}, m_agentOnA->token(), { { QStringLiteral("ack"), true } })
                    .value(QStringLiteral("status"))
            == QStringLiteral("ok"));
        QVERIFY(listener.join(topic, {}, m_agent2OnB->token()).value(QStringLiteral("status"))
            == QStringLiteral("ok"));
        QVERIFY(binaryListener.join(topic, {}, m_agentOnB->token()).value(QStringLiteral("status"))
            == QStringLiteral("ok"));
        auto broadcasts = [](const RealtimeTestClient &c) {
            QList<RealtimeTestClient::Frame> out;
            for (const auto &f : c.frames())
                if (f.message.event == QLatin1String("broadcast"))
                    out.append(f);
            return out;
        };

        const QString ref = sender.send(topic, QStringLiteral("broadcast"),
            QJsonObject { { QStringLiteral("type"), QStringLiteral("broadcast") },
                { QStringLiteral("event"), QStringLiteral("cursor") },
                { QStringLiteral("payload"), QJsonObject { { QStringLiteral("x"), 1 } } } });
        QCOMPARE(sender.waitForReply(ref).value(QStringLiteral("status")).toString(),
            QStringLiteral("ok"));
        QTRY_COMPARE(broadcasts(listener).size(), 1);
        QTRY_COMPARE(broadcasts(binaryListener).size(), 1);
        const QJsonObject p = broadcasts(listener).first().message.payload.toObject();
        QCOMPARE(p.value(QStringLiteral("event")).toString(), QStringLiteral("cursor"));
        QCOMPARE(
            p.value(QStringLiteral("payload")).toObject().value(QStringLiteral("x")).toInt(), 1);

        // A binary push (kind 3) from B reaches A's vsn 2.0.0 socket as kind 4, bytes unchanged.
        binaryListener.sendRawBinary(
            PhoenixCodec::encodeBroadcastPush({ binaryListener.joinRefOf(topic),
                QStringLiteral("9"), topic, QStringLiteral("ping"), {}, R"({"n":2})", true }));
        QTRY_COMPARE(broadcasts(sender).size(), 1);
        QVERIFY(broadcasts(sender).first().binary);
        QCOMPARE(broadcasts(sender).first().broadcast.payload, QByteArray(R"({"n":2})"));
        QTRY_COMPARE(broadcasts(listener).size(), 2);

        // Above the NOTIFY limit: a clear error to the sender, and nobody (here or there) gets it.
        const QString big = sender.send(topic, QStringLiteral("broadcast"),
            QJsonObject { { QStringLiteral("type"), QStringLiteral("broadcast") },
                { QStringLiteral("event"), QStringLiteral("blob") },
                { QStringLiteral("payload"), QString(8000, u'x') } });
        const QJsonObject refused = sender.waitForReply(big);
        QCOMPARE(refused.value(QStringLiteral("status")).toString(), QStringLiteral("error"));
        const QString reason = refused.value(QStringLiteral("response"))
                                   .toObject()
                                   .value(QStringLiteral("reason"))
                                   .toString();
        QVERIFY2(
            reason.contains(QStringLiteral("too large")) && reason.contains(QStringLiteral("7000")),
            qPrintable(reason));
        // A small one sent after it arrives, and nothing before it did.
        const QString after = sender.send(topic, QStringLiteral("broadcast"),
            QJsonObject { { QStringLiteral("type"), QStringLiteral("broadcast") },
                { QStringLiteral("event"), QStringLiteral("after") },
                { QStringLiteral("payload"), QJsonObject() } });
        QCOMPARE(sender.waitForReply(after).value(QStringLiteral("status")).toString(),
            QStringLiteral("ok"));
        QTRY_COMPARE(broadcasts(listener).size(), 3);
        QCOMPARE(broadcasts(listener)
                     .last()
                     .message.payload.toObject()
                     .value(QStringLiteral("event"))
                     .toString(),
            QStringLiteral("after"));
    }

    // Last: it kills instance A. Two messages queued through A are held by A when it dies:
    // the provider never acted on the first call (it hangs), and acted on the second after A
    // was gone (it answers after 1.5 s). B takes both over once A's lease runs out (sms-timeout
    // 2 s + 5 s), having heard of them through the change log instead of sleeping out its
    // minute-long idle poll, and asks the provider about each key before sending: the first is
    // sent once more with the same key, the second is recorded sent without a second send
    // call. Keys never change.
    void theSurvivorSendsWhatADeadInstanceHeld()
    {
        const QString lead
            = DemoData::leads(*m_agentOnA).at(2).value(QStringLiteral("id")).toString();
        QTest::qWait(1000); // both outboxes idle after the tests before
        const qint64 deliveredBefore = m_provider.delivered().size();
        auto queue = [&](const QString &text) {
            const HttpResult r = m_agentOnA->postJson(QStringLiteral("/api/leads/send-sms"),
                { { QStringLiteral("leadId"), lead }, { QStringLiteral("message"), text } },
                HttpClient::newKey());
            return r.status == 202 ? r.json()
                                         .value(QStringLiteral("sms"))
                                         .toObject()
                                         .value(QStringLiteral("id"))
                                         .toString()
                                   : QString();
        };
        auto keyOf = [&](const QString &id) {
            return m_db->text(
                QStringLiteral("SELECT provider_key FROM sms_messages WHERE id = ?"), { id });
        };
        auto statusOf = [&](const QString &id) {
            return m_db->text(
                QStringLiteral("SELECT status FROM sms_messages WHERE id = ?"), { id });
        };

        m_provider.setMode(SmsProviderStandIn::Mode::Hang);
        const QString hung = queue(QStringLiteral("held"));
        QVERIFY(!hung.isEmpty());
        const QString hungKey = keyOf(hung);
        QTRY_COMPARE(m_provider.callsFor(hungKey), 1);
        m_provider.setMode(SmsProviderStandIn::Mode::Accept);
        m_provider.setDelayMs(
            1500); // < sms-timeout: whichever instance holds it, its call is acted on once
        const QString acted = queue(QStringLiteral("acted on after the kill"));
        QVERIFY(!acted.isEmpty());
        const QString actedKey = keyOf(acted);
        QTRY_COMPARE(m_provider.callsFor(actedKey), 1);
        QCOMPARE(statusOf(hung), QStringLiteral("sending"));
        m_a->kill();
        QElapsedTimer sinceKill;
        sinceKill.start();
        m_provider.setDelayMs(0);
        QTRY_COMPARE_WITH_TIMEOUT(m_provider.processedFor(actedKey), 1, 5000);

        QTRY_COMPARE_WITH_TIMEOUT(statusOf(hung), QStringLiteral("sent"), 20000);
        QTRY_COMPARE_WITH_TIMEOUT(statusOf(acted), QStringLiteral("sent"), 20000);
        qInfo("sent by the survivor %lld ms after the kill", sinceKill.elapsed());
        QTest::qWait(500); // a repeated call would be on its way by now
        QCOMPARE(m_provider.delivered().size(), deliveredBefore + 2);
        QVERIFY(m_provider.callsFor(hungKey) >= 1);
        // The other was known to the provider: one send call in all.
        QCOMPARE(m_provider.callsFor(actedKey), 1);
        QCOMPARE(m_provider.processedFor(actedKey), 1);
        // The hung call was never acted on: the provider did not know the key, so it was sent
        // once more and acted on once.
        QCOMPARE(m_provider.callsFor(hungKey), 2);
        QCOMPARE(m_provider.processedFor(hungKey), 1);
        QVERIFY(m_provider.lookupsFor(hungKey) >= 1);
        QCOMPARE(m_provider.repeatedAccepts(), 0);
        QCOMPARE(
            m_db->text(QStringLiteral("SELECT provider_message_id FROM sms_messages WHERE id = ?"),
                    { acted })
                .isEmpty(),
            false);
        QCOMPARE(keyOf(hung), hungKey);
        QCOMPARE(keyOf(acted), actedKey);
    }
};

QTEST_GUILESS_MAIN(TestScaleOut)
#include "tst_scaleout.moc"
