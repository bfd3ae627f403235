// The server's idempotency window outlives the client (issue 10.9). A client learns the window
// from a real syncloopd started with --idempotency-window 1h and quits; mutations queued
// offline are found, 2 hours later, by a new session on the same queue file. It must judge
// them by the kept window before it sends anything: past it they go to needs review and the
// server gets nothing (no SMS at the provider stand-in, no booking version moved, no key
// record); one still inside the window goes out once. The queue file is aged by editing its
// stored created_at (no sleeping).
#include "apiclient.h"
#include "dbinspector.h"
#include "demodata.h"
#include "faultproxy.h"
#include "httpclient.h"
#include "mutationengine.h"
#include "mutationhandle.h"
#include "offlinequeue.h"
#include "serverprocess.h"
#include "smsproviderstandin.h"
#include "syncsession.h"

#include <QPointer>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>
#include <memory>

namespace {

const QString password = QStringLiteral("syncloop-demo");
constexpr qint64 hourMs = 3600LL * 1000;

// Moves a queued mutation's intent `ms` into the past, as time passing while the client was
// not running would have (Nextcloud's tests expire backoff the same way).
bool ageQueuedMutation(const QString &queuePath, const QString &key, qint64 ms)
{
    const QString name
        = QStringLiteral("age-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(queuePath);
        if (db.open()) {
            QSqlQuery q(db);
            q.prepare(QStringLiteral("UPDATE mutations SET created_at_ms = created_at_ms - ?,"
                                     " next_attempt_at_ms = next_attempt_at_ms - ? WHERE key = ?"));
            q.addBindValue(ms);
            q.addBindValue(ms);
            q.addBindValue(key);
            ok = q.exec() && q.numRowsAffected() == 1;
            if (!ok)
                qWarning() << "cannot age" << key << q.lastError().text();
            db.close();
        }
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

// A handle's state by name; "gone" once the engine let it go (a confirmed one does, after a while).
QString stateOf(const QPointer<MutationHandle> &handle)
{
    return handle ? Mutation::stateName(handle->state()) : QStringLiteral("gone");
}

const QString needsReview = Mutation::stateName(Mutation::State::NeedsReview);

} // namespace

class TestIdempotencyWindow : public QObject
{
    Q_OBJECT
private:
    std::unique_ptr<SmsProviderStandIn> m_provider;
    std::unique_ptr<ServerProcess> m_server;
    std::unique_ptr<FaultProxy> m_proxy;
    std::unique_ptr<HttpClient> m_agent1;
    std::unique_ptr<DbInspector> m_db;
    QTemporaryDir m_dir;

    QString queuePath() const { return m_dir.filePath(QStringLiteral("queue.sqlite")); }

    // A desktop session (as syncloop-desk wires it) on the shared queue file, through the proxy.
    std::unique_ptr<SyncSession> openSession()
    {
        SyncSession::Options options;
        options.server = m_proxy->url();
        options.queuePath = queuePath();
        options.credentials = CredentialStore::Backend::MemoryOnly;
        options.realtimeEnabled = false; // the closed loop confirms by re-reading
        options.engine.backoff = { 50, 500 };
        options.engine.echoWaitMs = 200;
        options.engine.confirmCapMs = 5000;
        auto session = std::make_unique<SyncSession>(options);
        QString error;
        if (!session->open(&error)) {
            qWarning() << "cannot open the queue:" << error;
            return nullptr;
        }
        return session;
    }

    static bool signIn(SyncSession &session)
    {
        QSignalSpy signedIn(&session, &SyncSession::signedIn);
        session.signIn(DemoData::agent1, password, SyncSession::Persistence::ThisRunOnly);
        return signedIn.wait(15000);
    }

    qint64 keyRecords(const QString &key) const { return m_db->keyRecords(key); }
    qint64 smsRows(const QString &leadId) const
    {
        return m_db->scalar(
            QStringLiteral("SELECT COUNT(*) FROM sms_messages WHERE lead_id = ?"), { leadId });
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_provider = std::make_unique<SmsProviderStandIn>();
        QVERIFY(m_provider->start());
        ServerProcess::Options options;
        options.demoBookings = 30;
        options.extraArgs = { QStringLiteral("--idempotency-window"), QStringLiteral("1h"),
            QStringLiteral("--sms-gateway"), m_provider->url().toString() };
        m_server = std::make_unique<ServerProcess>(options);
        QVERIFY(m_server->start());
        m_proxy = std::make_unique<FaultProxy>();
        QVERIFY(m_proxy->listen(m_server->baseUrl()));
        m_agent1 = std::make_unique<HttpClient>(m_server->baseUrl());
        QVERIFY(!m_agent1->login(DemoData::agent1).isEmpty());
        m_db = std::make_unique<DbInspector>(m_server->databasePath());
    }

    void cleanupTestCase()
    {
        m_db.reset();
        m_proxy.reset();
        m_server.reset();
        m_provider.reset();
    }

    void aRestartedClientNeverReplaysPastTheKeptWindow()
    {
        const QStringList pending = DemoData::bookingIds(*m_agent1, QStringLiteral("pending"));
        QVERIFY(pending.size() >= 4);
        const QList<QJsonObject> leads = DemoData::leads(*m_agent1);
        QVERIFY(!leads.isEmpty());
        const QString leadId = leads.first().value(QStringLiteral("id")).toString();
        const QString &learnId = pending[0];
        const QString &oldConfirmId = pending[1];
        const QString &recentConfirmId = pending[2];

        QString smsKey;
        QString oldConfirmKey;
        QString recentConfirmKey;
        {
            // First run: one mutation through teaches the client the 1 h window.
            auto first = openSession();
            QVERIFY(first);
            QCOMPARE(
                first->engine()->idempotencyWindowSeconds(), qint64(86400)); // nothing known yet
            QVERIFY(signIn(*first));
            QPointer<MutationHandle> learn = first->confirmBooking(learnId);
            QVERIFY(learn);
            QTRY_COMPARE_WITH_TIMEOUT(learn->state(), Mutation::State::Confirmed, 10000);
            QCOMPARE(first->api()->idempotencyWindowSeconds(), qint64(3600));
            QCOMPARE(first->engine()->idempotencyWindowSeconds(), qint64(3600));
            QCOMPARE(
                first->queue()->idempotencyWindowSeconds(m_proxy->url()).value_or(0), qint64(3600));

            // The server becomes unreachable: an SMS and two confirms wait in the queue.
            m_proxy->setRefuseConnections(true);
            m_proxy->closeAll();
            QPointer<MutationHandle> sms
                = first->sendSms(leadId, QStringLiteral("Your viewing is at 10:00"));
            QPointer<MutationHandle> oldConfirm = first->confirmBooking(oldConfirmId);
            QPointer<MutationHandle> recentConfirm = first->confirmBooking(recentConfirmId);
            QVERIFY(sms && oldConfirm && recentConfirm);
            for (const auto &h : { sms, oldConfirm, recentConfirm }) {
                QTRY_COMPARE_WITH_TIMEOUT(h->state(), Mutation::State::Waiting, 10000);
                QCOMPARE(h->mutation().lastError.kind, ApiError::Kind::Offline);
            }
            smsKey = sms->key();
            oldConfirmKey = oldConfirm->key();
            recentConfirmKey = recentConfirm->key();
        } // the client quits

        // Two hours pass for two of them (half an hour for the third) while nothing runs.
        QVERIFY(ageQueuedMutation(queuePath(), smsKey, 2 * hourMs));
        QVERIFY(ageQueuedMutation(queuePath(), oldConfirmKey, 2 * hourMs));
        QVERIFY(ageQueuedMutation(queuePath(), recentConfirmKey, hourMs / 2));
        const qint64 oldVersion = m_db->bookingVersion(oldConfirmId);
        const qint64 recentVersion = m_db->bookingVersion(recentConfirmId);
        const qint64 smsBefore = smsRows(leadId);

        // The server is back; a new session starts on the same queue.
        m_proxy->setRefuseConnections(false);
        m_proxy->clearLog();
        auto second = openSession();
        QVERIFY(second);
        // Known from the queue before the server has said anything.
        QCOMPARE(second->engine()->idempotencyWindowSeconds(), qint64(3600));
        QCOMPARE(second->api()->idempotencyWindowSeconds(), qint64(86400));
        QPointer<MutationHandle> sms = second->engine()->handle(smsKey);
        QPointer<MutationHandle> oldConfirm = second->engine()->handle(oldConfirmKey);
        QPointer<MutationHandle> recentConfirm = second->engine()->handle(recentConfirmKey);
        QVERIFY(sms && oldConfirm && recentConfirm);
        QVERIFY(signIn(*second));

        // Inside the window: sent once with its key. Past it: needs review, never sent.
        QTRY_COMPARE_WITH_TIMEOUT(
            stateOf(recentConfirm), Mutation::stateName(Mutation::State::Confirmed), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(sms), needsReview, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(oldConfirm), needsReview, 5000);
        QCOMPARE(m_db->bookingVersion(recentConfirmId), recentVersion + 1);
        QCOMPARE(keyRecords(recentConfirmKey), 1);

        // A later mutation goes through: the engine has looked at everything ahead of it.
        QPointer<MutationHandle> barrier = second->confirmBooking(pending[3]);
        QVERIFY(barrier);
        QTRY_COMPARE_WITH_TIMEOUT(barrier->state(), Mutation::State::Confirmed, 10000);
        QCOMPARE(stateOf(sms), needsReview);
        QCOMPARE(stateOf(oldConfirm), needsReview);

        // Nothing of theirs reached the server.
        for (const FaultProxy::Exchange &e : m_proxy->exchanges()) {
            QVERIFY2(e.idempotencyKey() != smsKey, "an SMS past the window was replayed");
            QVERIFY2(e.idempotencyKey() != oldConfirmKey, "a confirm past the window was replayed");
        }
        QCOMPARE(m_proxy->requestCount(QStringLiteral("/api/leads/send-sms")), 0);
        QCOMPARE(m_provider->calls(), 0);
        QCOMPARE(smsRows(leadId), smsBefore);
        QCOMPARE(m_db->bookingVersion(oldConfirmId), oldVersion);
        QCOMPARE(m_db->bookingStatus(oldConfirmId), QStringLiteral("pending"));
        QCOMPARE(keyRecords(smsKey), 0);
        QCOMPARE(keyRecords(oldConfirmKey), 0);

        // The review state is durable: the queue says so for the next run too.
        const auto kept = second->queue()->find(smsKey);
        QVERIFY(kept);
        QCOMPARE(kept->state, Mutation::State::NeedsReview);
        QCOMPARE(second->queue()->find(oldConfirmKey).value_or(Mutation()).state,
            Mutation::State::NeedsReview);
    }
};

QTEST_GUILESS_MAIN(TestIdempotencyWindow)
#include "tst_idempotency_window.moc"
