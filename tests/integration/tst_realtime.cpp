// The realtime endpoint against a real syncloopd, frame by frame: joins and filters, delivery of
// INSERT/UPDATE/DELETE, visibility, ordering, heartbeats, token expiry and refresh, gap fill,
// broadcasts, slow subscribers, and bad input that must never take the server down.
#include "dbinspector.h"
#include "demodata.h"
#include "httpclient.h"
#include "realtimetestclient.h"
#include "serverprocess.h"
#include "stalledwebsocket.h"
#include "testjwt.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>
#include <QUuid>
#include <algorithm>

namespace {

using V = PhoenixCodec::Serializer;

QJsonArray bindings(
    const QString &table, const QString &event = QStringLiteral("*"), const QString &filter = {})
{
    QJsonObject b { { QStringLiteral("event"), event },
        { QStringLiteral("schema"), QStringLiteral("public") },
        { QStringLiteral("table"), table } };
    if (!filter.isEmpty())
        b.insert(QStringLiteral("filter"), filter);
    return { b };
}

QString mintToken(const QByteArray &secret, const QJsonObject &claims)
{
    return QString::fromLatin1(TestJwt::mint(claims, secret));
}

QString confirm(HttpClient &client, const QString &id)
{
    const HttpResult r = client.postJson(QStringLiteral("/api/bookings/confirm"),
        { { QStringLiteral("bookingId"), id } }, HttpClient::newKey());
    return r.status == 200 ? r.json()
                                 .value(QStringLiteral("booking"))
                                 .toObject()
                                 .value(QStringLiteral("status"))
                                 .toString()
                           : QString::number(r.status);
}

QJsonObject data(const QJsonObject &change)
{
    return change.value(QStringLiteral("data")).toObject();
}

} // namespace

class TestRealtime : public QObject
{
    Q_OBJECT
private:
    QByteArray m_secret = "realtime-test-secret-0123456789-abcdefghijklmnop";
    std::unique_ptr<ServerProcess> m_server;
    std::unique_ptr<HttpClient> m_agent1, m_agent2, m_admin;
    QStringList m_pending1, m_pending2;

    QString userId(HttpClient &client) const
    {
        return client.lastLogin()
            .value(QStringLiteral("user"))
            .toObject()
            .value(QStringLiteral("id"))
            .toString();
    }
    QString orgId(HttpClient &client) const
    {
        return client.lastLogin()
            .value(QStringLiteral("user"))
            .toObject()
            .value(QStringLiteral("org_id"))
            .toString();
    }
    // Claims for a token of agent 1 that we mint ourselves (to choose its expiry).
    QJsonObject agent1Claims(qint64 issuedAt, qint64 expiresAt) const
    {
        return { { QStringLiteral("sub"), userId(*m_agent1) },
            { QStringLiteral("org"), orgId(*m_agent1) },
            { QStringLiteral("role"), QStringLiteral("agent") },
            { QStringLiteral("email"), DemoData::agent1 }, { QStringLiteral("iat"), issuedAt },
            { QStringLiteral("exp"), expiresAt } };
    }
    static QList<RealtimeTestClient::Frame> framesOf(
        const RealtimeTestClient &client, const QString &event, const QString &topic = {})
    {
        QList<RealtimeTestClient::Frame> out;
        for (const auto &f : client.frames()) {
            if (f.message.event == event && (topic.isEmpty() || f.message.topic == topic))
                out.append(f);
        }
        return out;
    }

private slots:
    void initTestCase()
    {
        ServerProcess::Options options;
        options.demoBookings = 200;
        options.jwtSecret = m_secret;
        options.extraArgs = QStringList { QStringLiteral("--realtime-idle-timeout"),
            QStringLiteral("2s"), QStringLiteral("--realtime-close-grace"), QStringLiteral("15s") };
        m_server = std::make_unique<ServerProcess>(options);
        QVERIFY(m_server->start());
        m_agent1 = std::make_unique<HttpClient>(m_server->baseUrl());
        m_agent2 = std::make_unique<HttpClient>(m_server->baseUrl());
        m_admin = std::make_unique<HttpClient>(m_server->baseUrl());
        QVERIFY(!m_agent1->login(DemoData::agent1).isEmpty());
        QVERIFY(!m_agent2->login(DemoData::agent2).isEmpty());
        QVERIFY(!m_admin->login(DemoData::admin).isEmpty());
        m_pending1 = DemoData::bookingIds(*m_agent1, QStringLiteral("pending"));
        m_pending2 = DemoData::bookingIds(*m_agent2, QStringLiteral("pending"));
    }

    void refusesAMissingOrWrongApiKeyAndAnUnknownVsn_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<int>("code");
        QTest::newRow("no apikey") << QStringLiteral("vsn=2.0.0") << 4401;
        QTest::newRow("wrong apikey") << QStringLiteral("apikey=guess&vsn=2.0.0") << 4401;
        QTest::newRow("unknown vsn") << QStringLiteral("apikey=demo-anon-key&vsn=9.9.9") << 4400;
    }
    void refusesAMissingOrWrongApiKeyAndAnUnknownVsn()
    {
        QFETCH(QString, query);
        QFETCH(int, code);
        RealtimeTestClient client(m_server->baseUrl(), V::V2);
        client.openWithQuery(query);
        QVERIFY(client.waitForClose());
        QCOMPARE(client.closeCode(), code);
        QVERIFY(!client.closeReason().isEmpty());
    }

    void plainHttpOnTheSocketPathIs426()
    {
        HttpClient anonymous(m_server->baseUrl());
        const HttpResult r = anonymous.get(QStringLiteral("/realtime/v1/websocket"));
        QCOMPARE(r.status, 426);
        QCOMPARE(r.code(), QStringLiteral("upgrade_required"));
    }

    void joinEchoesBindingsThenSubscribes_data()
    {
        QTest::addColumn<int>("vsn");
        QTest::newRow("1.0.0") << int(V::V1);
        QTest::newRow("2.0.0") << int(V::V2);
    }
    void joinEchoesBindingsThenSubscribes()
    {
        QFETCH(int, vsn);
        RealtimeTestClient client(m_server->baseUrl(), V(vsn));
        QVERIFY(client.open());
        QJsonArray requested = bindings(QStringLiteral("bookings"));
        requested.append(bindings(
            QStringLiteral("leads"), QStringLiteral("UPDATE"), QStringLiteral("status=eq.won"))
                             .first());
        const QJsonObject reply
            = client.join(QStringLiteral("realtime:watch"), requested, m_agent1->token());
        QCOMPARE(reply.value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
        const QJsonArray echoed = reply.value(QStringLiteral("response"))
                                      .toObject()
                                      .value(QStringLiteral("postgres_changes"))
                                      .toArray();
        QCOMPARE(echoed.size(), 2);
        for (int i = 0; i < 2; ++i) {
            QJsonObject e = echoed[i].toObject();
            QVERIFY(e.value(QStringLiteral("id")).isDouble());
            e.remove(QStringLiteral("id"));
            QCOMPARE(e, requested[i].toObject()); // in order, as sent
        }
        QTRY_COMPARE(client.systemMessages().size(), 1);
        const QJsonObject system = client.systemMessages().first();
        QCOMPARE(system.value(QStringLiteral("message")).toString(),
            QStringLiteral("Subscribed to PostgreSQL"));
        QCOMPARE(system.value(QStringLiteral("extension")).toString(),
            QStringLiteral("postgres_changes"));
        QCOMPARE(system.value(QStringLiteral("channel")).toString(), QStringLiteral("watch"));
    }

    void updateArrivesWithRecordAndOldRecord()
    {
        RealtimeTestClient client(m_server->baseUrl(), V::V2);
        QVERIFY(client.open());
        const QJsonObject reply = client.join(
            QStringLiteral("realtime:b"), bindings(QStringLiteral("bookings")), m_agent1->token());
        const int id = reply.value(QStringLiteral("response"))
                           .toObject()
                           .value(QStringLiteral("postgres_changes"))
                           .toArray()
                           .first()
                           .toObject()
                           .value(QStringLiteral("id"))
                           .toInt();
        const QString booking = m_pending1.takeFirst();
        const QJsonObject before = DemoData::booking(*m_agent1, booking);
        QCOMPARE(confirm(*m_agent1, booking), QStringLiteral("confirmed"));
        QVERIFY(client.waitForChanges(1));
        const QJsonObject change = client.changes().first();
        QCOMPARE(change.value(QStringLiteral("ids")).toArray(), QJsonArray { id });
        const QJsonObject d = data(change);
        QCOMPARE(d.value(QStringLiteral("type")).toString(), QStringLiteral("UPDATE"));
        QCOMPARE(d.value(QStringLiteral("table")).toString(), QStringLiteral("bookings"));
        QCOMPARE(d.value(QStringLiteral("schema")).toString(), QStringLiteral("public"));
        QCOMPARE(d.value(QStringLiteral("old_record")).toObject(), before);
        QCOMPARE(
            d.value(QStringLiteral("record")).toObject().value(QStringLiteral("status")).toString(),
            QStringLiteral("confirmed"));
        QCOMPARE(d.value(QStringLiteral("record"))
                     .toObject()
                     .value(QStringLiteral("version"))
                     .toInteger(),
            before.value(QStringLiteral("version")).toInteger() + 1);
        QVERIFY(d.value(QStringLiteral("seq")).toInteger() > 0);
        QVERIFY(d.value(QStringLiteral("columns")).isArray());
        QVERIFY(d.value(QStringLiteral("errors")).isNull());
        QVERIFY(!d.value(QStringLiteral("commit_timestamp")).toString().isEmpty());
    }

    void insertAndDeleteArriveToo()
    {
        RealtimeTestClient client(m_server->baseUrl(), V::V1);
        QVERIFY(client.open());
        QJsonArray b = bindings(QStringLiteral("sms_messages"), QStringLiteral("INSERT"));
        b.append(bindings(QStringLiteral("bookings"), QStringLiteral("DELETE")).first());
        QCOMPARE(client.join(QStringLiteral("realtime:x"), b, m_agent2->token())
                     .value(QStringLiteral("status"))
                     .toString(),
            QStringLiteral("ok"));
        const QString lead
            = DemoData::leads(*m_agent2).first().value(QStringLiteral("id")).toString();
        QCOMPARE(m_agent2
                     ->postJson(QStringLiteral("/api/leads/send-sms"),
                         { { QStringLiteral("leadId"), lead },
                             { QStringLiteral("message"), QStringLiteral("hi") } },
                         HttpClient::newKey())
                     .status,
            202);
        const QString doomed = m_pending2.takeLast();
        QCOMPARE(m_agent2
                     ->postJson(QStringLiteral("/api/bookings/delete"),
                         { { QStringLiteral("bookingId"), doomed } }, HttpClient::newKey())
                     .status,
            200);
        QVERIFY(client.waitForChanges(2));
        // The loopback provider's later UPDATEs (sending, sent) are not INSERTs: not delivered.
        const QList<QJsonObject> changes = client.changes();
        QCOMPARE(
            data(changes[0]).value(QStringLiteral("type")).toString(), QStringLiteral("INSERT"));
        QCOMPARE(data(changes[0])
                     .value(QStringLiteral("record"))
                     .toObject()
                     .value(QStringLiteral("status"))
                     .toString(),
            QStringLiteral("queued"));
        QCOMPARE(data(changes[0]).value(QStringLiteral("old_record")).toObject(), QJsonObject());
        QCOMPARE(
            data(changes[1]).value(QStringLiteral("type")).toString(), QStringLiteral("DELETE"));
        QCOMPARE(data(changes[1])
                     .value(QStringLiteral("old_record"))
                     .toObject()
                     .value(QStringLiteral("id"))
                     .toString(),
            doomed);
        QCOMPARE(data(changes[1]).value(QStringLiteral("record")).toObject(), QJsonObject());
        QVERIFY(!client.waitForChanges(3, 500));
    }

    void filtersSelectRows()
    {
        RealtimeTestClient client(m_server->baseUrl(), V::V2);
        QVERIFY(client.open());
        const QString watched = m_pending1.takeFirst();
        const QString other = m_pending1.takeFirst();
        QJsonArray b = bindings(QStringLiteral("bookings"), QStringLiteral("UPDATE"),
            QStringLiteral("id=eq.") + watched);
        b.append(bindings(
            QStringLiteral("bookings"), QStringLiteral("*"), QStringLiteral("version=gt.100"))
                     .first());
        b.append(bindings(QStringLiteral("bookings"), QStringLiteral("*"),
            QStringLiteral("status=in.(cancelled,confirmed)"))
                     .first());
        const QJsonObject reply = client.join(QStringLiteral("realtime:f"), b, m_agent1->token());
        const QJsonArray echoed = reply.value(QStringLiteral("response"))
                                      .toObject()
                                      .value(QStringLiteral("postgres_changes"))
                                      .toArray();
        QCOMPARE(echoed.size(), 3);
        QCOMPARE(confirm(*m_agent1, other), QStringLiteral("confirmed"));
        QCOMPARE(confirm(*m_agent1, watched), QStringLiteral("confirmed"));
        QVERIFY(client.waitForChanges(2));
        const QList<QJsonObject> changes = client.changes();
        // `other` matches only the in.(...) binding; `watched` matches it and the id filter.
        QCOMPARE(changes[0].value(QStringLiteral("ids")).toArray(),
            QJsonArray { echoed[2].toObject().value(QStringLiteral("id")) });
        QCOMPARE(changes[1].value(QStringLiteral("ids")).toArray().size(), 2);
        QVERIFY(changes[1]
                    .value(QStringLiteral("ids"))
                    .toArray()
                    .contains(echoed[0].toObject().value(QStringLiteral("id"))));
        QVERIFY(!changes[1]
                     .value(QStringLiteral("ids"))
                     .toArray()
                     .contains(echoed[1].toObject().value(QStringLiteral("id"))));
    }

    // One binding, two bookings: the one the filter must miss is confirmed first, so had it
    // matched it would be the first change to arrive.
    void filterOperatorsDeliverMatchingRowsOnly_data()
    {
        QTest::addColumn<QString>("op");
        QTest::addColumn<QString>("threshold"); // "low" or "high" of the two booking ids
        QTest::addColumn<QString>("matching");
        QTest::newRow("neq") << QStringLiteral("neq") << QStringLiteral("low")
                             << QStringLiteral("high");
        QTest::newRow("lt") << QStringLiteral("lt") << QStringLiteral("high")
                            << QStringLiteral("low");
        QTest::newRow("lte") << QStringLiteral("lte") << QStringLiteral("low")
                             << QStringLiteral("low");
        QTest::newRow("gte") << QStringLiteral("gte") << QStringLiteral("high")
                             << QStringLiteral("high");
    }
    void filterOperatorsDeliverMatchingRowsOnly()
    {
        QFETCH(QString, op);
        QFETCH(QString, threshold);
        QFETCH(QString, matching);
        QVERIFY(m_pending1.size() >= 2);
        QStringList ids { m_pending1.takeFirst(), m_pending1.takeFirst() };
        std::sort(ids.begin(), ids.end()); // canonical uuids order as text as Postgres orders them
        const QString value = threshold == QLatin1String("low") ? ids[0] : ids[1];
        const QString match = matching == QLatin1String("low") ? ids[0] : ids[1];
        const QString miss = match == ids[0] ? ids[1] : ids[0];

        RealtimeTestClient client(m_server->baseUrl(), V::V2);
        QVERIFY(client.open());
        const QString filter = QStringLiteral("id=%1.%2").arg(op, value);
        const QJsonObject reply = client.join(QStringLiteral("realtime:op-") + op,
            bindings(QStringLiteral("bookings"), QStringLiteral("UPDATE"), filter),
            m_agent1->token());
        QCOMPARE(reply.value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
        const QJsonValue bindingId = reply.value(QStringLiteral("response"))
                                         .toObject()
                                         .value(QStringLiteral("postgres_changes"))
                                         .toArray()
                                         .first()
                                         .toObject()
                                         .value(QStringLiteral("id"));
        QCOMPARE(confirm(*m_agent1, miss), QStringLiteral("confirmed"));
        QCOMPARE(confirm(*m_agent1, match), QStringLiteral("confirmed"));
        QVERIFY(client.waitForChanges(1));
        const QJsonObject first = client.changes().first();
        QCOMPARE(data(first)
                     .value(QStringLiteral("record"))
                     .toObject()
                     .value(QStringLiteral("id"))
                     .toString(),
            match);
        QCOMPARE(first.value(QStringLiteral("ids")).toArray(), QJsonArray { bindingId });
    }

    // A time filter means the instant, whatever the spelling: no milliseconds, an offset.
    void timeFiltersCompareInstantsNotText()
    {
        const QString id = m_pending1.takeFirst();
        const QJsonObject booking = m_agent1->get(QStringLiteral("/api/bookings/") + id)
                                        .json()
                                        .value(QStringLiteral("booking"))
                                        .toObject();
        const QDateTime startsAt = QDateTime::fromString(
            booking.value(QStringLiteral("starts_at")).toString(), Qt::ISODateWithMs);
        QVERIFY(startsAt.isValid());
        // The same instant two hours east, without milliseconds: "…T11:00:00+02:00".
        const QString east = startsAt.toOffsetFromUtc(2 * 3600).toString(Qt::ISODate);
        QVERIFY(!east.contains(QLatin1Char('.')) && east.endsWith(QLatin1String("+02:00")));
        const QString earlier = startsAt.addSecs(-1).toString(Qt::ISODate); // UTC, "Z", no ms

        RealtimeTestClient client(m_server->baseUrl(), V::V2);
        QVERIFY(client.open());
        QJsonArray both = bindings(QStringLiteral("bookings"), QStringLiteral("UPDATE"),
            QStringLiteral("starts_at=eq.") + east);
        both.append(bindings(QStringLiteral("bookings"), QStringLiteral("UPDATE"),
            QStringLiteral("starts_at=gt.") + earlier)
                        .first());
        const QJsonObject reply
            = client.join(QStringLiteral("realtime:time"), both, m_agent1->token());
        QCOMPARE(reply.value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
        QCOMPARE(confirm(*m_agent1, id), QStringLiteral("confirmed"));
        QVERIFY(client.waitUntil([&] {
            for (const QJsonObject &c : client.changes()) {
                if (data(c)
                        .value(QStringLiteral("record"))
                        .toObject()
                        .value(QStringLiteral("id"))
                        .toString()
                    == id)
                    return true;
            }
            return false;
        }));
        for (const QJsonObject &c : client.changes()) {
            if (data(c)
                    .value(QStringLiteral("record"))
                    .toObject()
                    .value(QStringLiteral("id"))
                    .toString()
                == id)
                QCOMPARE(
                    c.value(QStringLiteral("ids")).toArray().size(), 2); // both bindings matched
        }
    }

    void visibilityFollowsTheRowOwner()
    {
        RealtimeTestClient agent1(m_server->baseUrl(), V::V2), agent2(m_server->baseUrl(), V::V2),
            admin(m_server->baseUrl(), V::V1);
        for (auto *c : { &agent1, &agent2, &admin })
            QVERIFY(c->open());
        // Agent 1 asks for exactly agent 2's booking: the filter cannot widen what it may see.
        const QString theirs = m_pending2.takeFirst();
        QVERIFY(agent1
                    .join(QStringLiteral("realtime:v"),
                        bindings(QStringLiteral("bookings"), QStringLiteral("*"),
                            QStringLiteral("id=eq.") + theirs),
                        m_agent1->token())
                    .value(QStringLiteral("status"))
            == QStringLiteral("ok"));
        QVERIFY(agent2
                    .join(QStringLiteral("realtime:v"), bindings(QStringLiteral("bookings")),
                        m_agent2->token())
                    .value(QStringLiteral("status"))
            == QStringLiteral("ok"));
        QVERIFY(admin
                    .join(QStringLiteral("realtime:v"), bindings(QStringLiteral("bookings")),
                        m_admin->token())
                    .value(QStringLiteral("status"))
            == QStringLiteral("ok"));
        const QString mine = m_pending1.takeFirst();
        QCOMPARE(confirm(*m_agent2, theirs), QStringLiteral("confirmed"));
        QCOMPARE(confirm(*m_agent1, mine), QStringLiteral("confirmed"));
        QVERIFY(admin.waitForChanges(2));
        QVERIFY(agent2.waitForChanges(1));
        QVERIFY(!agent1.waitForChanges(1, 500));
        QVERIFY(!agent2.waitForChanges(2, 300));
        const QString agent2Id = userId(*m_agent2);
        for (const QJsonObject &c : agent2.changes())
            QCOMPARE(data(c)
                         .value(QStringLiteral("record"))
                         .toObject()
                         .value(QStringLiteral("owner_id"))
                         .toString(),
                agent2Id);
    }

    void changesArriveInCommitOrder()
    {
        RealtimeTestClient client(m_server->baseUrl(), V::V2);
        QVERIFY(client.open());
        QVERIFY(client
                    .join(QStringLiteral("realtime:o"), bindings(QStringLiteral("bookings")),
                        m_admin->token())
                    .value(QStringLiteral("status"))
            == QStringLiteral("ok"));
        QStringList order;
        for (int i = 0; i < 10; ++i) {
            const QString id = i % 2 ? m_pending1.takeFirst() : m_pending2.takeFirst();
            QCOMPARE(confirm(*m_admin, id), QStringLiteral("confirmed"));
            order << id;
        }
        QVERIFY(client.waitForChanges(10));
        qint64 lastSeq = 0;
        QStringList received;
        for (const QJsonObject &c : client.changes()) {
            const qint64 seq = data(c).value(QStringLiteral("seq")).toInteger();
            QVERIFY(seq > lastSeq);
            lastSeq = seq;
            received << data(c)
                            .value(QStringLiteral("record"))
                            .toObject()
                            .value(QStringLiteral("id"))
                            .toString();
        }
        QCOMPARE(received, order);
    }

    void silentSocketsAreDroppedHeartbeatsKeepThemAlive()
    {
        RealtimeTestClient silent(m_server->baseUrl(), V::V2), beating(m_server->baseUrl(), V::V1);
        QVERIFY(silent.open());
        QVERIFY(beating.open());
        // The server runs with --realtime-idle-timeout 2s; this client beats every 400 ms.
        auto idleTimeouts = [this] {
            return m_admin->get(QStringLiteral("/api/admin/sync-health"))
                .json()
                .value(QStringLiteral("realtime"))
                .toObject()
                .value(QStringLiteral("idle_timeouts"))
                .toInteger(-1);
        };
        const qint64 timeoutsBefore = idleTimeouts();
        QVERIFY(timeoutsBefore >= 0);
        beating.startHeartbeat(400);
        QVERIFY(silent.waitForClose(6000));
        QCOMPARE(silent.closeCode(), 4000);
        QVERIFY(
            idleTimeouts() - timeoutsBefore >= 1); // others may time out too on this shared server
        QVERIFY(silent.closeReason().contains(QLatin1String("heartbeat")));
        QVERIFY(beating.isOpen());
        const QString last
            = beating.send(QStringLiteral("phoenix"), QStringLiteral("heartbeat"), QJsonObject());
        QCOMPARE(beating.waitForReply(last).value(QStringLiteral("status")).toString(),
            QStringLiteral("ok"));
    }

    void expiredTokenClosesTheChannelAndNothingIsLost()
    {
        // A channel whose token expires is told so and closed, never left open skipping
        // changes: whoever joins again with a fresh token fills the gap from /api/changes and
        // misses nothing. (It used to pause and skip: the change made while expired was lost.)
        RealtimeTestClient client(m_server->baseUrl(), V::V2);
        QVERIFY(client.open());
        client.startHeartbeat(400); // this test outlives the server's 2 s idle timeout
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        auto claims = [&](qint64 exp) {
            return QJsonObject { { QStringLiteral("sub"), userId(*m_agent1) },
                { QStringLiteral("org"), orgId(*m_agent1) },
                { QStringLiteral("role"), QStringLiteral("agent") },
                { QStringLiteral("email"), DemoData::agent1 }, { QStringLiteral("iat"), now },
                { QStringLiteral("exp"), exp } };
        };
        const QString shortLived = mintToken(m_secret, claims(now + 2));
        QVERIFY(client
                    .join(QStringLiteral("realtime:t"), bindings(QStringLiteral("bookings")),
                        shortLived)
                    .value(QStringLiteral("status"))
            == QStringLiteral("ok"));
        QCOMPARE(confirm(*m_agent1, m_pending1.takeFirst()), QStringLiteral("confirmed"));
        QVERIFY(client.waitForChanges(1));
        const qint64 lastSeq = client.changes()
                                   .last()
                                   .value(QStringLiteral("data"))
                                   .toObject()
                                   .value(QStringLiteral("seq"))
                                   .toInteger();

        // Expired: told on the channel (even with nothing to deliver), then closed.
        auto expiryMessages = [&] {
            int n = 0;
            for (const QJsonObject &s : client.systemMessages())
                n += s.value(QStringLiteral("status")).toString() == QLatin1String("error") ? 1 : 0;
            return n;
        };
        auto closed = [&] {
            for (const auto &f : client.frames())
                if (f.message.event == QLatin1String("phx_close")
                    && f.message.topic == QLatin1String("realtime:t"))
                    return true;
            return false;
        };
        QTRY_COMPARE_WITH_TIMEOUT(expiryMessages(), 1, 8000);
        QTRY_VERIFY(closed());
        const QString missedId = m_pending1.takeFirst();
        QCOMPARE(confirm(*m_agent1, missedId), QStringLiteral("confirmed"));
        QVERIFY(!client.waitForChanges(2, 500)); // a closed channel delivers nothing ...
        // ... and is gone: a token pushed to it revives nothing.
        const QString ref
            = client.send(QStringLiteral("realtime:t"), QStringLiteral("access_token"),
                QJsonObject {
                    { QStringLiteral("access_token"), mintToken(m_secret, claims(now + 600)) } });
        QCOMPARE(client.waitForReply(ref).value(QStringLiteral("status")).toString(),
            QStringLiteral("error"));

        // Joining again with a fresh token and filling the gap brings the change made meanwhile.
        QVERIFY(client
                    .join(QStringLiteral("realtime:t"), bindings(QStringLiteral("bookings")),
                        mintToken(m_secret, claims(now + 600)))
                    .value(QStringLiteral("status"))
            == QStringLiteral("ok"));
        const HttpResult gap = m_agent1->get(QStringLiteral("/api/changes?since=%1").arg(lastSeq));
        QCOMPARE(gap.status, 200);
        QStringList filled;
        for (const QJsonValue &change : gap.json().value(QStringLiteral("changes")).toArray())
            filled << change.toObject()
                          .value(QStringLiteral("record"))
                          .toObject()
                          .value(QStringLiteral("id"))
                          .toString();
        QVERIFY2(filled.contains(missedId), qPrintable(filled.join(u',')));
        QCOMPARE(confirm(*m_agent1, m_pending1.takeFirst()), QStringLiteral("confirmed"));
        QVERIFY(client.waitForChanges(2));
        QCOMPARE(expiryMessages(), 1);
    }

    void invalidTokensAreRefused()
    {
        RealtimeTestClient client(m_server->baseUrl(), V::V2);
        QVERIFY(client.open());
        const QJsonObject none = client.join(
            QStringLiteral("realtime:a"), bindings(QStringLiteral("bookings")), QString());
        QCOMPARE(none.value(QStringLiteral("status")).toString(), QStringLiteral("error"));
        const QJsonObject forged
            = client.join(QStringLiteral("realtime:b"), bindings(QStringLiteral("bookings")),
                mintToken("another-secret-of-sufficient-length-xx", {}));
        QCOMPARE(forged.value(QStringLiteral("status")).toString(), QStringLiteral("error"));
        QVERIFY(forged.value(QStringLiteral("response"))
                    .toObject()
                    .value(QStringLiteral("reason"))
                    .toString()
                    .startsWith(QLatin1String("InvalidJWT")));
        // A bad token sent later closes that channel.
        QVERIFY(client
                    .join(QStringLiteral("realtime:c"), bindings(QStringLiteral("bookings")),
                        m_agent1->token())
                    .value(QStringLiteral("status"))
            == QStringLiteral("ok"));
        client.send(QStringLiteral("realtime:c"), QStringLiteral("access_token"),
            QJsonObject { { QStringLiteral("access_token"), QStringLiteral("not.a.jwt") } });
        auto closed = [&] {
            for (const auto &f : client.frames())
                if (f.message.event == QLatin1String("phx_close")
                    && f.message.topic == QLatin1String("realtime:c"))
                    return true;
            return false;
        };
        QTRY_VERIFY(closed());
    }

    void gapFillAfterADisconnect()
    {
        qint64 lastSeq = 0;
        {
            RealtimeTestClient client(m_server->baseUrl(), V::V2);
            QVERIFY(client.open());
            QVERIFY(client
                        .join(QStringLiteral("realtime:g"), bindings(QStringLiteral("bookings")),
                            m_agent1->token())
                        .value(QStringLiteral("status"))
                == QStringLiteral("ok"));
            QCOMPARE(confirm(*m_agent1, m_pending1.takeFirst()), QStringLiteral("confirmed"));
            QVERIFY(client.waitForChanges(1));
            lastSeq = data(client.changes().last()).value(QStringLiteral("seq")).toInteger();
            client.close();
        }
        // While disconnected: three changes of ours, one of someone else's.
        QStringList missed;
        for (int i = 0; i < 3; ++i) {
            missed << m_pending1.takeFirst();
            QCOMPARE(confirm(*m_agent1, missed.last()), QStringLiteral("confirmed"));
        }
        QCOMPARE(confirm(*m_agent2, m_pending2.takeFirst()), QStringLiteral("confirmed"));

        RealtimeTestClient again(m_server->baseUrl(), V::V2);
        QVERIFY(again.open());
        QVERIFY(again
                    .join(QStringLiteral("realtime:g"), bindings(QStringLiteral("bookings")),
                        m_agent1->token())
                    .value(QStringLiteral("status"))
            == QStringLiteral("ok"));
        QStringList filled;
        qint64 since = lastSeq;
        for (;;) {
            const QJsonObject page
                = m_agent1->get(QStringLiteral("/api/changes?since=%1&limit=2").arg(since)).json();
            const QJsonArray changes = page.value(QStringLiteral("changes")).toArray();
            if (changes.isEmpty())
                break;
            for (const QJsonValue &c : changes)
                filled << c.toObject()
                              .value(QStringLiteral("record"))
                              .toObject()
                              .value(QStringLiteral("id"))
                              .toString();
            since = page.value(QStringLiteral("seq")).toInteger();
        }
        QCOMPARE(filled, missed);
    }

    void broadcastReachesTheOrganisationOnly()
    {
        RealtimeTestClient sender(m_server->baseUrl(), V::V2), listener(m_server->baseUrl(), V::V1),
            selfish(m_server->baseUrl(), V::V2);
        for (auto *c : { &sender, &listener, &selfish })
            QVERIFY(c->open());
        const QString topic = QStringLiteral("realtime:room");
        QVERIFY(sender
                    .join(topic, {}, m_agent1->token(),
                        { { QStringLiteral("ack"), true }, { QStringLiteral("self"), false } })
                    .value(QStringLiteral("status"))
            == QStringLiteral("ok"));
        QVERIFY(listener.join(topic, {}, m_agent2->token()).value(QStringLiteral("status"))
            == QStringLiteral("ok"));
        QVERIFY(selfish.join(topic, {}, m_admin->token(), { { QStringLiteral("self"), true } })
                    .value(QStringLiteral("status"))
            == QStringLiteral("ok"));

        const QString ref = sender.send(topic, QStringLiteral("broadcast"),
            QJsonObject { { QStringLiteral("type"), QStringLiteral("broadcast") },
                { QStringLiteral("event"), QStringLiteral("cursor") },
                { QStringLiteral("payload"), QJsonObject { { QStringLiteral("x"), 1 } } } });
        QCOMPARE(sender.waitForReply(ref).value(QStringLiteral("status")).toString(),
            QStringLiteral("ok")); // ack
        auto broadcasts = [](const RealtimeTestClient &c) {
            QList<RealtimeTestClient::Frame> out;
            for (const auto &f : c.frames())
                if (f.message.event == QLatin1String("broadcast"))
                    out.append(f);
            return out;
        };
        QTRY_COMPARE(broadcasts(listener).size(), 1);
        QTRY_COMPARE(broadcasts(selfish).size(), 1);
        const QJsonObject p = broadcasts(listener).first().message.payload.toObject();
        QCOMPARE(p.value(QStringLiteral("event")).toString(), QStringLiteral("cursor"));
        QCOMPARE(
            p.value(QStringLiteral("payload")).toObject().value(QStringLiteral("x")).toInt(), 1);

        // A binary push (kind 3) goes out as kind 4 to vsn 2.0.0 and as JSON text to 1.0.0;
        // `self` sends it back to the admin's own socket.
        selfish.sendRawBinary(PhoenixCodec::encodeBroadcastPush({ selfish.joinRefOf(topic),
            QStringLiteral("99"), topic, QStringLiteral("ping"), {}, R"({"n":2})", true }));
        QTRY_COMPARE(broadcasts(listener).size(), 2);
        QTRY_COMPARE(broadcasts(sender).size(), 1);
        QVERIFY(broadcasts(sender).first().binary);
        QCOMPARE(broadcasts(sender).first().broadcast.payload, QByteArray(R"({"n":2})"));
        QVERIFY(!broadcasts(listener).last().binary);
        QCOMPARE(broadcasts(listener)
                     .last()
                     .message.payload.toObject()
                     .value(QStringLiteral("payload"))
                     .toObject()
                     .value(QStringLiteral("n"))
                     .toInt(),
            2);
        QTRY_COMPARE(broadcasts(selfish).size(), 2);
        QCOMPARE(broadcasts(sender).size(), 1); // self:false: the sender never hears its own
    }

    void aSlowSubscriberIsDroppedWithoutStallingOthers()
    {
        const QString topic = QStringLiteral("realtime:flood");
        RealtimeTestClient fast(m_server->baseUrl(), V::V2);
        QVERIFY(fast.open());
        QVERIFY(fast.join(topic, {}, m_admin->token(), { { QStringLiteral("self"), true } })
                    .value(QStringLiteral("status"))
            == QStringLiteral("ok"));
        fast.startHeartbeat(400);
        // Two subscribers that stop reading but keep sending heartbeats: `reader` reads again
        // after the drop to see the close frame, `deaf` never does.
        const QByteArray join = QJsonDocument(
            QJsonArray { QStringLiteral("1"), QStringLiteral("1"), topic,
                QStringLiteral("phx_join"),
                QJsonObject { { QStringLiteral("access_token"), m_agent1->token() } } })
                                    .toJson(QJsonDocument::Compact);
        const QByteArray heartbeat = R"([null,"hb","phoenix","heartbeat",{}])";
        StalledWebSocket reader, deaf;
        for (StalledWebSocket *s : { &reader, &deaf }) {
            QVERIFY(s->open(m_server->baseUrl(), QStringLiteral("apikey=demo-anon-key&vsn=2.0.0")));
            s->sendText(join);
            QVERIFY(s->waitForBytes(R"("phx_reply",{"response":)")
                || s->waitForBytes(R"("phx_reply",{"status":"ok")"));
            s->startHeartbeat(heartbeat, 400);
            s->stopReading();
        }
        auto drops = [this] {
            return m_admin->get(QStringLiteral("/api/admin/sync-health"))
                .json()
                .value(QStringLiteral("realtime"))
                .toObject()
                .value(QStringLiteral("drops"))
                .toInteger();
        };
        const qint64 dropsBefore = drops();
        auto broadcasts = [&fast] {
            int n = 0;
            for (const auto &f : fast.frames())
                n += f.message.event == QLatin1String("broadcast");
            return n;
        };

        // 200 x 256 KiB: far beyond the 8 MiB a socket may fall behind plus the kernel's buffers.
        // Each goes out once the fast subscriber has the one before: it never lags, the
        // stalled ones fall further behind with every one. On PostgreSQL a broadcast must fit
        // in a NOTIFY (other instances hear it that way): 4000 x 6 KB, as far beyond.
        const bool small = m_server->isPostgres();
        const QString blob(small ? 6000 : 256 * 1024, QLatin1Char('x'));
        const int count = small ? 4000 : 200;
        for (int i = 0; i < count; ++i) {
            fast.send(topic, QStringLiteral("broadcast"),
                QJsonObject { { QStringLiteral("type"), QStringLiteral("broadcast") },
                    { QStringLiteral("event"), QStringLiteral("flood") },
                    { QStringLiteral("payload"),
                        QJsonObject {
                            { QStringLiteral("i"), i }, { QStringLiteral("blob"), blob } } } });
            QVERIFY2(fast.waitUntil([&] { return broadcasts() == i + 1; }, 10000),
                qPrintable(QString::number(i)));
        }
        // Both backed-up subscribers are dropped; `reader` then finds the close frame behind
        // what it had not read (within the 15 s close grace this server runs with, which starts
        // at the drop: it must outlast the rest of the flood — 8 s did not, once, on a CI run
        // with other tests beside it; the flood is slower still under sanitizers).
        QTRY_COMPARE_WITH_TIMEOUT(drops() - dropsBefore, 2, 10000);
        QVERIFY(reader.resumeReadingUntilClose());
        QCOMPARE(reader.closeCode(), 4008);
        QVERIFY2(reader.closeReason().contains("too slow"), reader.closeReason().constData());
        QVERIFY(fast.isOpen());
        // The deaf one never takes the close: the server cuts it after the grace instead of
        // holding its buffer for ever.
        QVERIFY(deaf.waitForDisconnected(25000));

        QCOMPARE(confirm(*m_agent1, m_pending1.takeFirst()), QStringLiteral("confirmed"));
        RealtimeTestClient after(m_server->baseUrl(), V::V2);
        QVERIFY(after.open());
    }

    void badFramesNeverHurtTheServer()
    {
        RealtimeTestClient victim(m_server->baseUrl(), V::V2),
            bystander(m_server->baseUrl(), V::V2);
        QVERIFY(victim.open());
        QVERIFY(bystander.open());
        QVERIFY(bystander
                    .join(QStringLiteral("realtime:safe"), bindings(QStringLiteral("bookings")),
                        m_agent1->token())
                    .value(QStringLiteral("status"))
            == QStringLiteral("ok"));
        const QString token = m_agent1->token();

        victim.sendRawText(QStringLiteral("this is not json"));
        victim.sendRawText(QStringLiteral("{\"topic\":1}"));
        victim.sendRawText(QStringLiteral("[1,2,3]"));
        victim.sendRawText(QStringLiteral("[null,\"1\",\"realtime:x\",42,{}]"));
        victim.sendRawBinary(QByteArray::fromHex("03ffffffffff01")); // lengths beyond the frame
        victim.sendRawBinary(QByteArray::fromHex("09000000")); // unknown kind
        victim.sendRawBinary(QByteArray()); // empty
        const QString unknownEvent = victim.send(
            QStringLiteral("realtime:nowhere"), QStringLiteral("dance"), QJsonObject());
        QCOMPARE(victim.waitForReply(unknownEvent)
                     .value(QStringLiteral("response"))
                     .toObject()
                     .value(QStringLiteral("reason"))
                     .toString(),
            QStringLiteral("unmatched topic"));

        const QJsonObject unknownTable
            = victim.join(QStringLiteral("realtime:u"), bindings(QStringLiteral("payroll")), token);
        QCOMPARE(unknownTable.value(QStringLiteral("status")).toString(), QStringLiteral("error"));
        QVERIFY(unknownTable.value(QStringLiteral("response"))
                    .toObject()
                    .value(QStringLiteral("reason"))
                    .toString()
                    .startsWith(QLatin1String("UnknownTable")));
        // Filters we cannot serve are refused at join, each with its reason.
        const QList<std::pair<QString, QString>> refusedFilters {
            { QStringLiteral("id"),
                QStringLiteral("InvalidFilter: expected column=operator.value") },
            { QStringLiteral("id=like.x"),
                QStringLiteral("InvalidFilter: unknown operator \"like\"") },
            { QStringLiteral("nope=eq.1"),
                QStringLiteral("InvalidFilter: unknown column \"nope\"") },
            { QStringLiteral("status=in.x"),
                QStringLiteral("InvalidFilter: in expects in.(a,b,c)") },
            // Values that are no literal of the column's type, as Postgres would refuse them.
            { QStringLiteral("id=eq.1' OR '1'='1"),
                QStringLiteral(
                    "InvalidFilter: \"1' OR '1'='1\" is not a valid uuid for column id") },
            { QStringLiteral("id=eq.1; DROP TABLE bookings;--"),
                QStringLiteral("InvalidFilter: \"1; DROP TABLE bookings;--\" is not a valid uuid "
                               "for column id") },
            { QStringLiteral("version=neq.abc"),
                QStringLiteral("InvalidFilter: \"abc\" is not a valid int8 for column version") },
            { QStringLiteral("version=gt.1 OR 1=1"),
                QStringLiteral(
                    "InvalidFilter: \"1 OR 1=1\" is not a valid int8 for column version") },
            { QStringLiteral("version=in.(1,x)"),
                QStringLiteral("InvalidFilter: \"x\" is not a valid int8 for column version") },
            { QStringLiteral("starts_at=gt.yesterday"),
                QStringLiteral("InvalidFilter: \"yesterday\" is not a valid timestamptz for column "
                               "starts_at") },
        };
        for (const auto &[filter, reason] : refusedFilters) {
            const QJsonObject r = victim.join(QStringLiteral("realtime:filter"),
                bindings(QStringLiteral("bookings"), QStringLiteral("*"), filter), token);
            QVERIFY2(r.value(QStringLiteral("status")).toString() == QLatin1String("error"),
                qPrintable(filter));
            QCOMPARE(r.value(QStringLiteral("response"))
                         .toObject()
                         .value(QStringLiteral("reason"))
                         .toString(),
                reason);
        }
        // Injection-looking values on text columns are just text: joined, never SQL, and
        // matching no row. The unfiltered control channel tells when the change went by.
        const QStringList plainText { QStringLiteral("status=eq.confirmed' OR '1'='1"),
            QStringLiteral("customer_name=eq.x'; DROP TABLE bookings;--"),
            QStringLiteral("status=in.(confirmed') OR ('1'='1)"),
            QStringLiteral("service=eq.\" OR \"\"=\"") };
        for (qsizetype i = 0; i < plainText.size(); ++i) {
            const QJsonObject r = victim.join(QStringLiteral("realtime:text-%1").arg(i),
                bindings(QStringLiteral("bookings"), QStringLiteral("*"), plainText[i]), token);
            QVERIFY2(r.value(QStringLiteral("status")).toString() == QLatin1String("ok"),
                qPrintable(plainText[i]));
        }
        QVERIFY(victim
                    .join(QStringLiteral("realtime:text-control"),
                        bindings(QStringLiteral("bookings")), token)
                    .value(QStringLiteral("status"))
            == QStringLiteral("ok"));
        QCOMPARE(confirm(*m_agent1, m_pending1.takeFirst()), QStringLiteral("confirmed"));
        QVERIFY(victim.waitForChanges(1, 5000, QStringLiteral("realtime:text-control")));
        QCOMPARE(
            victim.changes().size(), 1); // channels are served in order: the others had their turn
        DbInspector db(m_server->databasePath());
        QVERIFY(db.scalar(QStringLiteral("SELECT COUNT(*) FROM bookings")) > 0);

        // Thousands of joins on one socket: capped.
        int refused = 0;
        QString lastRef;
        for (int i = 0; i < 1000; ++i) {
            lastRef
                = victim.send(QStringLiteral("realtime:many-%1").arg(i), QStringLiteral("phx_join"),
                    QJsonObject { { QStringLiteral("access_token"), token } },
                    QString::number(10000 + i));
        }
        QVERIFY(!victim.waitForReply(lastRef, 15000).isEmpty());
        for (const auto &f : victim.frames()) {
            if (f.message.event == QLatin1String("phx_reply")
                && f.message.payload.toObject()
                        .value(QStringLiteral("response"))
                        .toObject()
                        .value(QStringLiteral("reason"))
                        .toString()
                    == QLatin1String("too many channels joined"))
                ++refused;
        }
        QVERIFY2(refused >= 890, qPrintable(QString::number(refused)));

        // A frame over 1 MiB closes that socket (1009), nobody else's.
        victim.sendRawText(QString(2LL * 1024 * 1024, QLatin1Char('x')));
        QVERIFY(victim.waitForClose(10000));
        QCOMPARE(victim.closeCode(), 1009);

        QCOMPARE(confirm(*m_agent1, m_pending1.takeFirst()), QStringLiteral("confirmed"));
        QVERIFY(bystander.waitForChanges(1));
    }

    void unknownEventOnAJoinedTopicIsAnError()
    {
        RealtimeTestClient client(m_server->baseUrl(), V::V2);
        QVERIFY(client.open());
        const QString topic = QStringLiteral("realtime:dancefloor");
        QVERIFY(client.join(topic, bindings(QStringLiteral("bookings")), m_agent1->token())
                    .value(QStringLiteral("status"))
            == QStringLiteral("ok"));
        const QString ref = client.send(topic, QStringLiteral("dance"), QJsonObject());
        const QJsonObject reply = client.waitForReply(ref);
        QCOMPARE(reply.value(QStringLiteral("status")).toString(), QStringLiteral("error"));
        QCOMPARE(reply.value(QStringLiteral("response"))
                     .toObject()
                     .value(QStringLiteral("reason"))
                     .toString(),
            QStringLiteral("unknown event \"dance\""));
        // The channel stays joined.
        QCOMPARE(confirm(*m_agent1, m_pending1.takeFirst()), QStringLiteral("confirmed"));
        QVERIFY(client.waitForChanges(1, 5000, topic));
    }

    void leaveRepliesOkThenClosesTheChannel()
    {
        RealtimeTestClient client(
            m_server->baseUrl(), V::V1); // vsn 1.0.0 carries join_ref as a member
        QVERIFY(client.open());
        const QString topic = QStringLiteral("realtime:goodbye");
        QVERIFY(client.join(topic, bindings(QStringLiteral("bookings")), m_agent1->token())
                    .value(QStringLiteral("status"))
            == QStringLiteral("ok"));
        const QString joinRef = client.joinRefOf(topic);
        const QString ref = client.send(topic, QStringLiteral("phx_leave"), QJsonObject());
        QCOMPARE(client.waitForReply(ref).value(QStringLiteral("status")).toString(),
            QStringLiteral("ok"));
        QTRY_COMPARE(framesOf(client, QStringLiteral("phx_close"), topic).size(), 1);
        const PhoenixMessage close
            = framesOf(client, QStringLiteral("phx_close"), topic).first().message;
        QCOMPARE(close.joinRef, QJsonValue(joinRef));
        QCOMPARE(close.ref, QJsonValue(joinRef));
        QCOMPARE(close.payload, QJsonValue(QJsonObject()));
        // The reply comes first, then the close.
        const QList<RealtimeTestClient::Frame> &frames = client.frames();
        qsizetype replyAt = -1, closeAt = -1;
        for (qsizetype i = 0; i < frames.size(); ++i) {
            if (frames[i].message.event == QLatin1String("phx_reply")
                && frames[i].message.ref == QJsonValue(ref))
                replyAt = i;
            if (frames[i].message.event == QLatin1String("phx_close"))
                closeAt = i;
        }
        QVERIFY(replyAt >= 0 && replyAt < closeAt);
        // The channel is gone: the server no longer knows the topic on this socket.
        const QString after = client.send(topic, QStringLiteral("dance"), QJsonObject());
        QCOMPARE(client.waitForReply(after)
                     .value(QStringLiteral("response"))
                     .toObject()
                     .value(QStringLiteral("reason"))
                     .toString(),
            QStringLiteral("unmatched topic"));
    }

    // All demo users share one organisation; a token minted for another one must hear
    // neither that organisation's changes nor its broadcasts, on the very same topic name.
    void anotherOrganisationHearsNothing()
    {
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        const QString outsiderToken = mintToken(m_secret,
            { { QStringLiteral("sub"), QUuid::createUuid().toString(QUuid::WithoutBraces) },
                { QStringLiteral("org"), QUuid::createUuid().toString(QUuid::WithoutBraces) },
                { QStringLiteral("role"), QStringLiteral("admin") },
                { QStringLiteral("email"), QStringLiteral("admin@elsewhere.example") },
                { QStringLiteral("iat"), now }, { QStringLiteral("exp"), now + 600 } });
        const QString topic = QStringLiteral("realtime:shared-name");
        const QJsonObject self { { QStringLiteral("self"), true } };
        RealtimeTestClient sender(m_server->baseUrl(), V::V2), insider(m_server->baseUrl(), V::V2),
            outsider(m_server->baseUrl(), V::V2);
        for (auto *c : { &sender, &insider, &outsider })
            QVERIFY(c->open());
        QVERIFY(sender.join(topic, {}, m_agent1->token()).value(QStringLiteral("status"))
            == QStringLiteral("ok"));
        QVERIFY(insider.join(topic, bindings(QStringLiteral("bookings")), m_admin->token(), self)
                    .value(QStringLiteral("status"))
            == QStringLiteral("ok"));
        QVERIFY(outsider.join(topic, bindings(QStringLiteral("bookings")), outsiderToken, self)
                    .value(QStringLiteral("status"))
            == QStringLiteral("ok"));
        auto say = [&topic](RealtimeTestClient &c, const QString &event) {
            c.send(topic, QStringLiteral("broadcast"),
                QJsonObject { { QStringLiteral("type"), QStringLiteral("broadcast") },
                    { QStringLiteral("event"), event },
                    { QStringLiteral("payload"), QJsonObject() } });
        };
        auto heard = [&topic](const RealtimeTestClient &c, const QString &event) {
            for (const auto &f : framesOf(c, QStringLiteral("broadcast"), topic)) {
                if (f.message.payload.toObject().value(QStringLiteral("event")).toString() == event)
                    return true;
            }
            return false;
        };

        QCOMPARE(confirm(*m_agent1, m_pending1.takeFirst()), QStringLiteral("confirmed"));
        say(sender, QStringLiteral("org-secret"));
        QVERIFY(insider.waitForChanges(1));
        QVERIFY(insider.waitUntil([&] { return heard(insider, QStringLiteral("org-secret")); }));
        // The change and the broadcast were handed to every loop before the outsider's own
        // broadcast below: once it hears itself (self), it has been offered both already.
        say(outsider, QStringLiteral("outsider-marker"));
        QVERIFY(
            outsider.waitUntil([&] { return heard(outsider, QStringLiteral("outsider-marker")); }));
        QVERIFY(outsider.changes().isEmpty());
        QVERIFY(!heard(outsider, QStringLiteral("org-secret")));
        // And the other way round.
        say(insider, QStringLiteral("insider-marker"));
        QVERIFY(
            insider.waitUntil([&] { return heard(insider, QStringLiteral("insider-marker")); }));
        QVERIFY(!heard(insider, QStringLiteral("outsider-marker")));
        QVERIFY(!heard(sender, QStringLiteral("outsider-marker")));
    }

    // Nothing is delivered to this channel, so only the loop's sweep can notice the expiry.
    void aQuietChannelIsToldItsTokenExpired()
    {
        RealtimeTestClient client(m_server->baseUrl(), V::V2);
        QVERIFY(client.open());
        client.startHeartbeat(400); // outlives the server's 2 s idle timeout
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        const QString topic = QStringLiteral("realtime:quiet");
        QVERIFY(client
                    .join(topic, bindings(QStringLiteral("bookings")),
                        mintToken(m_secret, agent1Claims(now, now + 2)))
                    .value(QStringLiteral("status"))
            == QStringLiteral("ok"));
        auto errors = [&] {
            QList<QJsonObject> out;
            for (const QJsonObject &s : client.systemMessages(topic)) {
                if (s.value(QStringLiteral("status")).toString() == QLatin1String("error"))
                    out.append(s);
            }
            return out;
        };
        QTRY_COMPARE_WITH_TIMEOUT(errors().size(), 1, 8000);
        QVERIFY(QDateTime::currentSecsSinceEpoch() >= now + 2);
        const QJsonObject system = errors().first();
        QCOMPARE(system.value(QStringLiteral("extension")).toString(), QStringLiteral("system"));
        QCOMPARE(system.value(QStringLiteral("channel")).toString(), QStringLiteral("quiet"));
        QVERIFY2(
            system.value(QStringLiteral("message")).toString().contains(QLatin1String("expired")),
            qPrintable(system.value(QStringLiteral("message")).toString()));
        QCOMPARE(framesOf(client, QStringLiteral("system"), topic).first().message.joinRef,
            QJsonValue(client.joinRefOf(topic)));
        QVERIFY(client.isOpen());
    }

    // SIGTERM: every joined channel gets phx_error (join_ref = ref = its join_ref), so clients
    // rejoin, then the socket closes with 1001 "going away". A server of its own: it stops.
    void shutdownTellsEveryChannelToRejoin()
    {
        ServerProcess server;
        QVERIFY(server.start());
        HttpClient agent(server.baseUrl());
        QVERIFY(!agent.login(DemoData::agent1).isEmpty());
        RealtimeTestClient v2(server.baseUrl(), V::V2), v1(server.baseUrl(), V::V1);
        QVERIFY(v2.open());
        QVERIFY(v1.open());
        const QHash<RealtimeTestClient *, QStringList> topics {
            { &v2, { QStringLiteral("realtime:one"), QStringLiteral("realtime:two") } },
            { &v1, { QStringLiteral("realtime:three") } },
        };
        QVERIFY(v2.join(QStringLiteral("realtime:one"), bindings(QStringLiteral("bookings")),
                      agent.token())
                    .value(QStringLiteral("status"))
            == QStringLiteral("ok"));
        QVERIFY(v2.join(QStringLiteral("realtime:two"), {}, agent.token())
                    .value(QStringLiteral("status"))
            == QStringLiteral("ok"));
        QVERIFY(v1.join(QStringLiteral("realtime:three"), bindings(QStringLiteral("leads")),
                      agent.token())
                    .value(QStringLiteral("status"))
            == QStringLiteral("ok"));

        server.terminate();
        QVERIFY(!server.isRunning());
        for (auto it = topics.cbegin(); it != topics.cend(); ++it) {
            RealtimeTestClient &client = *it.key();
            QVERIFY(client.waitForClose(10000));
            QCOMPARE(client.closeCode(), int(QWebSocketProtocol::CloseCodeGoingAway));
            QVERIFY(!client.closeReason().isEmpty());
            QCOMPARE(framesOf(client, QStringLiteral("phx_error")).size(), it.value().size());
            for (const QString &topic : it.value()) {
                const QList<RealtimeTestClient::Frame> errors
                    = framesOf(client, QStringLiteral("phx_error"), topic);
                QCOMPARE(errors.size(), 1);
                const QJsonValue joinRef(client.joinRefOf(topic));
                QCOMPARE(errors.first().message.joinRef, joinRef);
                QCOMPARE(errors.first().message.ref, joinRef);
                QCOMPARE(errors.first().message.payload, QJsonValue(QJsonObject()));
            }
        }
    }

    void healthReportsRealtimeFigures()
    {
        RealtimeTestClient client(m_server->baseUrl(), V::V2);
        QVERIFY(client.open());
        QVERIFY(client
                    .join(QStringLiteral("realtime:h"), bindings(QStringLiteral("leads")),
                        m_admin->token())
                    .value(QStringLiteral("status"))
            == QStringLiteral("ok"));
        const QJsonObject realtime = m_admin->get(QStringLiteral("/api/admin/sync-health"))
                                         .json()
                                         .value(QStringLiteral("realtime"))
                                         .toObject();
        QVERIFY(realtime.value(QStringLiteral("connections")).toInteger() >= 1);
        QVERIFY(realtime.value(QStringLiteral("channels")).toInteger() >= 1);
        QVERIFY(realtime.value(QStringLiteral("messages_out")).toInteger() > 0);
        QVERIFY(realtime.value(QStringLiteral("bytes_out")).toInteger() > 0);
        QVERIFY(realtime.contains(QStringLiteral("drops")));
    }
};

QTEST_GUILESS_MAIN(TestRealtime)
#include "tst_realtime.moc"
