// Two syncloopd instances on one PostgreSQL behind nginx (issue 11), as users deploy them: no
// sticky sessions. Through the load balancer: a storm with one key has one effect; realtime
// subscribers, wherever nginx put them, hear every change in seq order; and a burst of 500
// confirms drained by the real syncloopctl survives kill -9 of one instance, each applied
// exactly once. Runs only on PostgreSQL (label postgres).
#include "dbinspector.h"
#include "demodata.h"
#include "httpclient.h"
#include "mutation.h"
#include "nginxprocess.h"
#include "offlinequeue.h"
#include "phoenixcodec.h"
#include "realtimetestclient.h"
#include "serverprocess.h"
#include "smsproviderstandin.h"

#include <QDateTime>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUuid>

namespace {

const QString confirmPath = QStringLiteral("/api/bookings/confirm");

QList<qint64> seqsOf(const RealtimeTestClient &client)
{
    QList<qint64> out;
    for (const QJsonObject &c : client.changes())
        out.append(
            c.value(QStringLiteral("data")).toObject().value(QStringLiteral("seq")).toInteger());
    return out;
}

QString describe(const QList<qint64> &seqs)
{
    QStringList s;
    for (qint64 q : seqs)
        s << QString::number(q);
    return s.join(u' ');
}

} // namespace

class TestNginx : public QObject
{
    Q_OBJECT

    const QByteArray m_secret = QByteArrayLiteral("nginx-test-secret-0123456789abcdef0123");
    std::unique_ptr<ServerProcess> m_a;
    std::unique_ptr<ServerProcess> m_b;
    NginxProcess m_nginx;
    SmsProviderStandIn m_provider;
    std::unique_ptr<DbInspector> m_db;
    std::unique_ptr<HttpClient> m_admin; // through nginx
    QString m_adminId;
    QStringList m_pending;

private slots:
    void initTestCase()
    {
        QVERIFY2(TestDatabase::usePostgres(),
            "tst_nginx runs on PostgreSQL only (SYNCLOOP_TEST_DATABASE=postgres)");
        ServerProcess::Options options;
        options.demoBookings = 1200;
        options.jwtSecret = m_secret;
        QVERIFY(m_provider.start());
        options.extraArgs = { QStringLiteral("--sms-gateway"), m_provider.url().toString(),
            QStringLiteral("--sms-timeout"), QStringLiteral("1s"),
            QStringLiteral("--sms-retry-base"), QStringLiteral("100ms") };
        m_a = std::make_unique<ServerProcess>(options);
        QVERIFY(m_a->start());
        options.sharedDatabase = m_a->databasePath();
        m_b = std::make_unique<ServerProcess>(options);
        QVERIFY(m_b->start());
        QVERIFY(m_nginx.start({ m_a->port(), m_b->port() }));
        m_db = std::make_unique<DbInspector>(m_a->databasePath());
        m_admin = std::make_unique<HttpClient>(m_nginx.baseUrl());
        QVERIFY(!m_admin->login(DemoData::admin).isEmpty());
        m_adminId = m_admin->lastLogin()
                        .value(QStringLiteral("user"))
                        .toObject()
                        .value(QStringLiteral("id"))
                        .toString();
        m_pending = DemoData::bookingIds(*m_admin, QStringLiteral("pending"));
        QVERIFY(m_pending.size() >= 600);
    }

    void cleanupTestCase() { m_nginx.stop(); }

    void stormWithOneKeyHasOneEffect()
    {
        const QString id = m_pending.takeFirst();
        const qint64 version = m_db->bookingVersion(id);
        const qint64 seq = m_db->changeSeq();
        const QByteArray key = HttpClient::newKey().toLatin1();
        QNetworkAccessManager network;
        QList<QNetworkReply *> replies;
        for (int i = 0; i < 40; ++i) {
            QNetworkRequest request(m_nginx.baseUrl().resolved(QUrl(confirmPath)));
            request.setRawHeader("Authorization", "Bearer " + m_admin->token().toLatin1());
            request.setRawHeader("Content-Type", "application/json");
            request.setRawHeader("Idempotency-Key", key);
            replies.append(network.post(request,
                QJsonDocument(QJsonObject { { QStringLiteral("bookingId"), id } })
                    .toJson(QJsonDocument::Compact)));
        }
        QTRY_VERIFY_WITH_TIMEOUT(std::all_of(replies.cbegin(), replies.cend(),
                                     [](QNetworkReply *r) { return r->isFinished(); }),
            30000);
        QMap<int, int> statuses;
        for (QNetworkReply *r : std::as_const(replies)) {
            const int status = r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            ++statuses[status];
            QVERIFY2(status == 200 || (status == 409 && r->rawHeader("Retry-After").toInt() >= 1),
                qPrintable(QString::number(status)));
            r->deleteLater();
        }
        qInfo() << "storm through nginx, answers by status:" << statuses;
        QCOMPARE(m_db->bookingVersion(id), version + 1);
        QCOMPARE(m_db->changeSeq(), seq + 1);
    }

    void realtimeThroughTheBalancerInSeqOrder()
    {
        // Four sockets through nginx: round robin puts them on both instances.
        QList<std::shared_ptr<RealtimeTestClient>> subscribers;
        for (int i = 0; i < 4; ++i) {
            auto c = std::make_shared<RealtimeTestClient>(m_nginx.baseUrl(),
                i % 2 ? PhoenixCodec::Serializer::V1 : PhoenixCodec::Serializer::V2);
            QVERIFY(c->open());
            QVERIFY(c->join(QStringLiteral("realtime:b"),
                         { QJsonObject { { QStringLiteral("event"), QStringLiteral("*") },
                             { QStringLiteral("schema"), QStringLiteral("public") },
                             { QStringLiteral("table"), QStringLiteral("bookings") } } },
                         m_admin->token())
                        .value(QStringLiteral("status"))
                == QStringLiteral("ok"));
            QTRY_COMPARE(c->systemMessages().size(), 1);
            subscribers << c;
        }
        // Subscribers on both instances, so each hears changes made through the other.
        for (ServerProcess *instance : { m_a.get(), m_b.get() }) {
            HttpClient direct(instance->baseUrl());
            direct.setToken(m_admin->token());
            const qint64 sockets = direct.get(QStringLiteral("/api/admin/sync-health"))
                                       .json()
                                       .value(QStringLiteral("realtime"))
                                       .toObject()
                                       .value(QStringLiteral("connections"))
                                       .toInteger();
            QVERIFY2(sockets >= 1, qPrintable(instance->baseUrl().toString()));
        }
        const qint64 from = m_db->changeSeq();
        for (int i = 0; i < 20; ++i) {
            const HttpResult r = m_admin->postJson(confirmPath,
                { { QStringLiteral("bookingId"), m_pending.takeFirst() } }, HttpClient::newKey());
            QCOMPARE(r.status, 200);
        }
        const qint64 to = m_db->changeSeq();
        QCOMPARE(to - from, 20);
        for (const auto &c : subscribers) {
            QVERIFY2(c->waitUntil([&] { return seqsOf(*c).size() >= 20; }, 10000),
                qPrintable(describe(seqsOf(*c))));
            QList<qint64> expected;
            for (qint64 s = from + 1; s <= to; ++s)
                expected << s;
            QCOMPARE(seqsOf(*c), expected);
        }
    }

    // 200 SMS through nginx with both outboxes running; instance B is killed with SIGKILL
    // when about half are delivered. A takes over B's leased messages when their lease runs
    // out, with the same provider keys: every message is delivered once. A call B had in
    // flight when it died has been acted on by the provider (it answers after 20 ms), so A
    // asks the provider about the key first and does not send it again: exactly one send call
    // per message, each under the key it was queued with.
    void smsOutboxSurvivesAKilledInstance()
    {
        const QString lead
            = DemoData::leads(*m_admin).first().value(QStringLiteral("id")).toString();
        const qsizetype deliveredBefore = m_provider.delivered().size();
        const int repeatsBefore = m_provider.repeatedAccepts();
        const int callsBefore = m_provider.calls();
        const int lookupsBefore = m_provider.lookups();
        m_provider.setDelayMs(20); // calls overlap, so some are in flight at the kill
        constexpr int count = 200;
        QHash<QString, QString> keyOf; // sms id -> the provider key it must be sent with
        for (int i = 0; i < count; ++i) {
            const QString key = HttpClient::newKey();
            const HttpResult r = m_admin->postJson(QStringLiteral("/api/leads/send-sms"),
                { { QStringLiteral("leadId"), lead },
                    { QStringLiteral("message"), QStringLiteral("n%1").arg(i) } },
                key);
            QCOMPARE(r.status, 202);
            keyOf.insert(r.json()
                             .value(QStringLiteral("sms"))
                             .toObject()
                             .value(QStringLiteral("id"))
                             .toString(),
                m_adminId + u':' + key);
        }
        QCOMPARE(keyOf.size(), count);
        QTRY_VERIFY_WITH_TIMEOUT(
            m_provider.delivered().size() - deliveredBefore >= count / 2, 30000);
        m_b->kill();
        const qsizetype atKill = m_provider.delivered().size() - deliveredBefore;
        QTRY_COMPARE_WITH_TIMEOUT(m_db->scalar(QStringLiteral(
                                      "SELECT COUNT(*) FROM sms_messages WHERE status <> 'sent'")),
            0, 60000);
        QTest::qWait(500);
        m_provider.setDelayMs(0);
        const int repeats = m_provider.repeatedAccepts() - repeatsBefore;
        const int sendCalls = m_provider.calls() - callsBefore;
        qInfo("instance B killed with %lld of %d delivered; %d send calls (%d beyond one per "
              "message), %d repeating a key "
              "already delivered; %d status lookups",
            qint64(atKill), count, sendCalls, sendCalls - count, repeats,
            m_provider.lookups() - lookupsBefore);
        QCOMPARE(m_provider.delivered().size() - deliveredBefore, count);
        QVERIFY2(
            repeats <= 8, qPrintable(QString::number(repeats))); // at most what B had in flight (8)
        QCOMPARE(sendCalls, count);
        QCOMPARE(repeats, 0);
        // A asked about what B held when it died, and about nothing else.
        const int lookups = m_provider.lookups() - lookupsBefore;
        QVERIFY2(lookups >= 0 && lookups <= 8, qPrintable(QString::number(lookups)));
        QStringList wrong;
        for (auto it = keyOf.cbegin(); it != keyOf.cend(); ++it) {
            const QString stored = m_db->text(
                QStringLiteral("SELECT provider_key FROM sms_messages WHERE id = ?"), { it.key() });
            if (stored != it.value() || m_provider.callsFor(it.value()) != 1)
                wrong << QStringLiteral("%1: key %2 (queued with %3), %4 send calls")
                             .arg(it.key(), stored, it.value())
                             .arg(m_provider.callsFor(it.value()));
        }
        QVERIFY2(wrong.isEmpty(), qPrintable(wrong.mid(0, 10).join(u'\n')));
        QVERIFY(m_b->restart(/*samePort=*/true)); // nginx's upstream is back for what follows
    }

    // 500 confirms queued in syncloopctl's offline queue, drained through nginx by
    // `syncloopctl queue retry-all`; instance A is killed with SIGKILL part-way. Requests in
    // flight on A fail (502), the client retries them with the same keys, nginx sends them to
    // B: every confirm is applied exactly once and nothing is lost.
    void killOneInstanceDuringABurstEachAppliedOnce()
    {
        constexpr int count = 500;
        QTemporaryDir home;
        const QString dataDir = home.filePath(QStringLiteral("data"));
        const QString queuePath = QDir(dataDir).filePath(QStringLiteral("queue.sqlite"));
        QHash<QString, QString> keyOf;
        QHash<QString, qint64> versionOf;
        {
            QVERIFY(QDir().mkpath(dataDir));
            OfflineQueue queue(queuePath);
            QString error;
            QVERIFY2(queue.open(&error), qPrintable(error));
            const qint64 now = QDateTime::currentMSecsSinceEpoch();
            for (int i = 0; i < count; ++i) {
                const QString id = m_pending.takeFirst();
                Mutation m;
                m.key = QUuid::createUuid().toString(QUuid::WithoutBraces);
                m.userId = QStringLiteral("");
                m.path = confirmPath;
                m.body = { { QStringLiteral("bookingId"), id } };
                m.entityTable = QStringLiteral("bookings");
                m.entityId = id;
                m.optimistic = { { QStringLiteral("status"), QStringLiteral("confirmed") } };
                m.createdAtMs = now;
                m.nextAttemptAtMs = now;
                m.state = Mutation::State::Queued;
                QVERIFY(queue.enqueue(m));
                keyOf.insert(id, m.key);
                versionOf.insert(id, m_db->bookingVersion(id));
            }
        }
        const QString confirmedSql
            = QStringLiteral("SELECT COUNT(*) FROM bookings WHERE status = 'confirmed'");
        const qint64 confirmedBefore = m_db->scalar(confirmedSql);

        QProcess ctl;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), home.path());
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral("share")));
        ctl.setProcessEnvironment(env);
        ctl.start(QStringLiteral(SYNCLOOPCTL_PATH),
            { QStringLiteral("--server"), m_nginx.baseUrl().toString(),
                QStringLiteral("--data-dir"), dataDir, QStringLiteral("--email"), DemoData::admin,
                QStringLiteral("--password-stdin"), QStringLiteral("--no-keychain"),
                QStringLiteral("--json"), QStringLiteral("--timeout"), QStringLiteral("120s"),
                QStringLiteral("queue"), QStringLiteral("retry-all") });
        QVERIFY(ctl.waitForStarted());
        ctl.write("syncloop-demo\n");
        ctl.closeWriteChannel();

        // Killed once a fifth are confirmed.
        qint64 atKill = -1;
        QTimer poll;
        poll.setInterval(5);
        connect(&poll, &QTimer::timeout, this, [&] {
            if (atKill < 0 && m_db->scalar(confirmedSql) - confirmedBefore >= count / 5) {
                m_a->kill();
                atKill = m_db->scalar(confirmedSql) - confirmedBefore;
                poll.stop();
            }
        });
        poll.start();
        QVERIFY(QTest::qWaitFor([&] { return ctl.state() == QProcess::NotRunning; }, 150000));
        const QByteArray out = ctl.readAllStandardOutput();
        const QByteArray err = ctl.readAllStandardError();
        qInfo("instance A killed with %lld of %d confirmed; syncloopctl exit %d", atKill, count,
            ctl.exitCode());
        QVERIFY2(atKill >= 0 && atKill < count, qPrintable(QString::number(atKill)));
        QVERIFY2(ctl.exitStatus() == QProcess::NormalExit && ctl.exitCode() == 0,
            qPrintable(QString::fromUtf8(out.right(1000) + '\n' + err.right(2000))));

        QStringList problems;
        for (auto it = keyOf.cbegin(); it != keyOf.cend(); ++it) {
            const QString &id = it.key();
            const qint64 updates
                = m_db->scalar(QStringLiteral("SELECT COUNT(*) FROM change_log WHERE record_id = ? "
                                              "AND change_type = 'UPDATE'"),
                    { id });
            const qint64 records = m_db->scalar(
                QStringLiteral(
                    "SELECT COUNT(*) FROM idempotency_keys WHERE user_id = ? AND idem_key = ?"
                    " AND response_status = 200"),
                { m_adminId, it.value() });
            if (m_db->bookingStatus(id) != QLatin1String("confirmed")
                || m_db->bookingVersion(id) != versionOf.value(id) + 1 || updates != 1
                || records != 1)
                problems << QStringLiteral("%1: version %2 (was %3), %4 updates, %5 key records")
                                .arg(id)
                                .arg(m_db->bookingVersion(id))
                                .arg(versionOf.value(id))
                                .arg(updates)
                                .arg(records);
        }
        QVERIFY2(problems.isEmpty(), qPrintable(problems.mid(0, 10).join(u'\n')));
        QCOMPARE(m_db->scalar(confirmedSql) - confirmedBefore, qint64(count));
        OfflineQueue queue(queuePath);
        QString error;
        QVERIFY2(queue.open(&error), qPrintable(error));
        QCOMPARE(queue.count(), 0);
    }
};

QTEST_GUILESS_MAIN(TestNginx)
#include "tst_nginx.moc"
