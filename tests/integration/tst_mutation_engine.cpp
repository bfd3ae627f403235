// The client's mutation engine in-process (SyncSession, as syncloop-desk wires it) against a
// real syncloopd behind a FaultProxy that loses answers, refuses realtime, rate-limits and
// delays on command. Each test asserts what the user sees (the handle's states, in order, in
// bounded time) and the effect at the server (versions moved exactly once, change-log rows,
// idempotency records), read from its database. The client's time is a ManualClock run five
// times faster than real time (TimeLapse): its waits — backoff, Retry-After, echo re-reads,
// the confirm cap, the idempotency window — are measured and asserted on that clock, and
// take a fifth of the time; the server's answers stay real.
#include "apiclient.h"
#include "clock.h"
#include "dbinspector.h"
#include "demodata.h"
#include "faultproxy.h"
#include "httpclient.h"
#include "metricstext.h"
#include "mutationhandle.h"
#include "offlinequeue.h"
#include "serverprocess.h"
#include "syncsession.h"
#include "timelapse.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

namespace {

const QString confirmPath = QStringLiteral("/api/bookings/confirm");
const QString leadStatusPath = QStringLiteral("/api/leads/status");
const QString password = QStringLiteral("syncloop-demo");
const QString post = QStringLiteral("POST");
const QString get = QStringLiteral("GET");

constexpr qint64 echoWaitMs = 300;
constexpr qint64 confirmCapMs = 2000;
constexpr qint64 backoffCapMs = 500;

// Every state a handle went through, each with when it was entered (ms since submit(), on
// the client's clock).
class StateLog : public QObject
{
public:
    StateLog(MutationHandle *handle, const Clock *clock)
        : m_handle(handle)
        , m_clock(clock)
        , m_startMs(clock->nowMs())
    {
        m_states.append(handle->state());
        m_at.append(0);
        connect(handle, &MutationHandle::changed, this, [this] {
            if (m_handle && m_handle->state() != m_states.constLast()) {
                m_states.append(m_handle->state());
                m_at.append(m_clock->nowMs() - m_startMs);
            }
        });
    }
    const QList<Mutation::State> &states() const { return m_states; }
    // When `state` was first entered; -1 if never.
    qint64 enteredAt(Mutation::State state) const
    {
        const qsizetype i = m_states.indexOf(state);
        return i < 0 ? -1 : m_at[i];
    }
    QString text() const
    {
        QStringList parts;
        for (qsizetype i = 0; i < m_states.size(); ++i)
            parts.append(
                QStringLiteral("%1@%2ms").arg(Mutation::stateName(m_states[i])).arg(m_at[i]));
        return parts.join(QStringLiteral(" -> "));
    }

private:
    QPointer<MutationHandle> m_handle;
    const Clock *m_clock;
    const qint64 m_startMs;
    QList<Mutation::State> m_states;
    QList<qint64> m_at;
};

// One desktop client: its own queue in a temporary directory, credentials in memory only,
// small engine timings so that tests run in seconds.
struct Client
{
    QTemporaryDir dir;
    std::unique_ptr<SyncSession> session;

    MutationEngine *engine() const { return session->engine(); }
};

enum class Realtime { On, Off };
// Lapsed: the client runs on the test's fast ManualClock. Wall: on the system clock, for a
// test whose point is that something arrives before a wait runs out.
enum class Time { Lapsed, Wall };

} // namespace

class TestMutationEngine : public QObject
{
    Q_OBJECT
private:
    ManualClock m_clock; // outlives every client: their timers run on it
    std::unique_ptr<TimeLapse> m_lapse;
    std::unique_ptr<ServerProcess> m_server;
    std::unique_ptr<FaultProxy> m_proxy;
    std::unique_ptr<HttpClient> m_agent1; // straight to the server, for set-up
    std::unique_ptr<HttpClient> m_admin; // for /metrics
    std::unique_ptr<DbInspector> m_db;
    QString m_agent1Id;
    QStringList m_pending; // agent1's pending bookings, handed out one per use
    QList<QJsonObject> m_leads;

    QString nextPending() { return m_pending.takeFirst(); }

    // A signed-in client through `proxy`, with the snapshot loaded (and realtime opened, unless
    // `realtime` is Off). Null (after a failed QVERIFY-style message) if any step fails.
    std::unique_ptr<Client> signedInClient(FaultProxy &proxy, Realtime realtime,
        Time time = Time::Lapsed, const QString &email = DemoData::agent1)
    {
        auto client = std::make_unique<Client>();
        SyncSession::Options options;
        options.server = proxy.url();
        options.queuePath = client->dir.filePath(QStringLiteral("queue.sqlite"));
        options.credentials = CredentialStore::Backend::MemoryOnly;
        options.realtimeEnabled = realtime == Realtime::On;
        options.engine.backoff = { 50, backoffCapMs };
        options.engine.echoWaitMs = echoWaitMs;
        options.engine.confirmCapMs = confirmCapMs;
        options.requestTimeoutMs = 10000;
        options.clock
            = time == Time::Lapsed ? static_cast<const Clock *>(&m_clock) : SystemClock::instance();
        client->session = std::make_unique<SyncSession>(options);
        QString error;
        if (!client->session->open(&error)) {
            qWarning() << "cannot open the queue:" << error;
            return nullptr;
        }
        QSignalSpy signedIn(client->session.get(), &SyncSession::signedIn);
        client->session->signIn(email, password, SyncSession::Persistence::ThisRunOnly);
        if (!signedIn.wait(15000)) {
            qWarning() << "sign-in failed";
            return nullptr;
        }
        QSignalSpy loaded(client->session.get(), &SyncSession::snapshotLoaded);
        client->session->loadSnapshot();
        if (!loaded.wait(15000)) {
            qWarning() << "no snapshot";
            return nullptr;
        }
        return client;
    }

    qint64 changeLogRows(const QString &id, const QString &type = QStringLiteral("UPDATE")) const
    {
        return m_db->scalar(
            QStringLiteral(
                "SELECT COUNT(*) FROM change_log WHERE record_id = ? AND change_type = ?"),
            { id, type });
    }
    qint64 keyRecords(const QString &key) const
    {
        return m_db->scalar(
            QStringLiteral(
                "SELECT COUNT(*) FROM idempotency_keys WHERE user_id = ? AND idem_key = ?"),
            { m_agent1Id, key });
    }

private slots:
    void initTestCase()
    {
        m_lapse = std::make_unique<TimeLapse>(&m_clock, 5);
        ServerProcess::Options options;
        options.demoBookings = 200;
        m_server = std::make_unique<ServerProcess>(options);
        QVERIFY(m_server->start());
        m_proxy = std::make_unique<FaultProxy>();
        m_proxy->setClock(&m_clock);
        QVERIFY(m_proxy->listen(m_server->baseUrl()));
        m_agent1 = std::make_unique<HttpClient>(m_server->baseUrl());
        QVERIFY(!m_agent1->login(DemoData::agent1).isEmpty());
        m_admin = std::make_unique<HttpClient>(m_server->baseUrl());
        QVERIFY(!m_admin->login(DemoData::admin).isEmpty());
        m_agent1Id = m_agent1->lastLogin()
                         .value(QStringLiteral("user"))
                         .toObject()
                         .value(QStringLiteral("id"))
                         .toString();
        QVERIFY(!m_agent1Id.isEmpty());
        m_db = std::make_unique<DbInspector>(m_server->databasePath());
        m_pending = DemoData::bookingIds(*m_agent1, QStringLiteral("pending"));
        QVERIFY(m_pending.size() >= 20);
        m_leads = DemoData::leads(*m_agent1);
        QVERIFY(m_leads.size() >= 3);
    }

    void init()
    {
        m_lapse->resume();
        m_proxy->passAll();
        m_proxy->clearLog();
    }

    void cleanupTestCase()
    {
        m_db.reset();
        m_proxy.reset();
    }

    // The proxy itself: realtime goes through it (WebSocket piped raw), so the echo confirms
    // without a re-read.
    void echoThroughTheProxyConfirmsWithoutReread()
    {
        auto client = signedInClient(*m_proxy, Realtime::On, Time::Wall);
        QVERIFY(client);
        QTRY_VERIFY_WITH_TIMEOUT(client->session->realtime()->isLive(), 10000);
        QCOMPARE(m_proxy->liveTunnels(), 1);
        const QString id = nextPending();
        const qint64 version = m_db->bookingVersion(id);

        QPointer<MutationHandle> h = client->session->confirmBooking(id);
        QVERIFY(h);
        StateLog log(h, client->session->clock());
        QTRY_COMPARE_WITH_TIMEOUT(h->state(), Mutation::State::Confirmed, 10000);
        QCOMPARE(log.states(),
            (QList<Mutation::State> { Mutation::State::Queued, Mutation::State::Sending,
                Mutation::State::AwaitingEcho, Mutation::State::Confirmed }));
        QCOMPARE(m_proxy->requestCount(QStringLiteral("/api/bookings/") + id, get), 0);
        QCOMPARE(m_proxy->requestCount(confirmPath, post), 1);
        QCOMPARE(m_db->bookingVersion(id), version + 1);
        QCOMPARE(h->mutation().resultVersion, version + 1);
        QCOMPARE(changeLogRows(id), 1);
    }

    // (1) The server commits, the answer is lost on the way: every retry carries the same key
    // and gets the stored answer back (a replay), and the row moved once. Qt 6.4's HTTP stack
    // itself resends a request whose connection closed before any byte of the answer (up to
    // twice per channel, also with the same key), so which layer retries a single loss varies;
    // five losses in a row always reach the engine, which backs off and retries.
    void lostResponseIsRetriedAsReplay_data()
    {
        QTest::addColumn<int>("lost");
        QTest::addColumn<bool>("engineRetries");
        QTest::newRow("lost once") << 1 << false;
        QTest::newRow("lost five times (the engine retries)") << 5 << true;
    }
    void lostResponseIsRetriedAsReplay()
    {
        QFETCH(int, lost);
        QFETCH(bool, engineRetries);
        auto client = signedInClient(*m_proxy, Realtime::On);
        QVERIFY(client);
        const QString id = nextPending();
        const qint64 version = m_db->bookingVersion(id);
        const qint64 replaysBefore
            = qint64(MetricsText::fetch(*m_admin).value("syncloop_idempotency_replays_total"));
        QVERIFY(replaysBefore >= 0);
        m_proxy->dropResponses(confirmPath, lost, post);

        QPointer<MutationHandle> h = client->session->confirmBooking(id);
        QVERIFY(h);
        StateLog log(h, client->session->clock());
        QTRY_COMPARE_WITH_TIMEOUT(h->state(), Mutation::State::Confirmed, 10000);
        const QList<FaultProxy::Exchange> sent = m_proxy->exchanges(confirmPath, post);
        qInfo() << "attempts by the engine:" << h->attempts()
                << "requests at the proxy:" << sent.size();
        QCOMPARE(sent.size(), lost + 1);
        for (int i = 0; i < sent.size(); ++i) {
            QCOMPARE(sent[i].action,
                i < lost ? FaultProxy::Action::ResponseDropped : FaultProxy::Action::Forwarded);
            QCOMPARE(sent[i].status, 200);
            QCOMPARE(sent[i].isReplayed(), i > 0); // executed once, every later answer a replay
            QCOMPARE(sent[i].idempotencyKey(), h->key());
            QCOMPARE(sent[i].responseBody, sent[0].responseBody); // byte for byte
        }
        if (engineRetries) {
            QVERIFY2(log.states().contains(Mutation::State::Waiting), qPrintable(log.text()));
            QVERIFY(h->attempts() > 1);
        }

        QCOMPARE(qint64(MetricsText::fetch(*m_admin).value("syncloop_idempotency_replays_total")),
            replaysBefore + lost);
        QCOMPARE(m_db->bookingVersion(id), version + 1);
        QCOMPARE(m_db->bookingStatus(id), QStringLiteral("confirmed"));
        QCOMPARE(changeLogRows(id), 1);
        QCOMPARE(keyRecords(h->key()), 1);
        QCOMPARE(client->session->queue()->count(), 0);
    }

    // (2) No echo (realtime off, or every upgrade refused): the re-read after echoWaitMs
    // observes the answered version and confirms.
    void missedEchoIsConfirmedByReread_data()
    {
        QTest::addColumn<bool>("realtimeEnabled");
        QTest::newRow("realtime disabled") << false;
        QTest::newRow("upgrades refused by the proxy") << true;
    }
    void missedEchoIsConfirmedByReread()
    {
        QFETCH(bool, realtimeEnabled);
        m_proxy->setRefuseRealtime(realtimeEnabled);
        auto client = signedInClient(*m_proxy, realtimeEnabled ? Realtime::On : Realtime::Off);
        QVERIFY(client);
        const QString id = nextPending();
        const qint64 version = m_db->bookingVersion(id);

        QPointer<MutationHandle> h = client->session->confirmBooking(id);
        QVERIFY(h);
        StateLog log(h, client->session->clock());
        QSignalSpy finished(h.data(), &MutationHandle::finished);
        QSignalSpy cleared(client->session->engine(), &MutationEngine::optimisticCleared);
        QTRY_COMPARE_WITH_TIMEOUT(h->state(), Mutation::State::Confirmed, 10000);
        QCOMPARE(log.states(),
            (QList<Mutation::State> { Mutation::State::Queued, Mutation::State::Sending,
                Mutation::State::AwaitingEcho, Mutation::State::Confirmed }));
        // Settled once: the re-read's row reaches the store, whose observation settles it; the
        // re-read must not settle it a second time.
        QCOMPARE(finished.size(), 1);
        QCOMPARE(cleared.size(), 1);
        // Not on a timer alone: a re-read saw the new version, and only after the echo wait.
        const QList<FaultProxy::Exchange> rereads
            = m_proxy->exchanges(QStringLiteral("/api/bookings/") + id, get);
        QVERIFY(!rereads.isEmpty());
        QCOMPARE(QJsonDocument::fromJson(rereads.last().responseBody)
                     .object()
                     .value(QStringLiteral("booking"))
                     .toObject()
                     .value(QStringLiteral("version"))
                     .toInteger(),
            version + 1);
        const qint64 waited = log.enteredAt(Mutation::State::Confirmed)
            - log.enteredAt(Mutation::State::AwaitingEcho);
        QVERIFY2(waited >= echoWaitMs * 9 / 10, qPrintable(log.text()));
        QVERIFY2(waited < echoWaitMs + 3000, qPrintable(log.text()));
        if (realtimeEnabled) {
            QVERIFY(m_proxy->requestCount(QStringLiteral("/realtime/")) >= 1);
            for (const FaultProxy::Exchange &e : m_proxy->exchanges(QStringLiteral("/realtime/")))
                QCOMPARE(e.action, FaultProxy::Action::UpgradeRefused);
        } else {
            QCOMPARE(m_proxy->requestCount(QStringLiteral("/realtime/")), 0);
        }
        QCOMPARE(m_db->bookingVersion(id), version + 1);
        QCOMPARE(changeLogRows(id), 1);
    }

    // (3) No echo and every re-read lost: "unknown" becomes the visible, retryable Unconfirmed
    // at the cap — never an endless spinner — and a retry later confirms it.
    void noEchoAndNoRereadEndsUnconfirmedWithinTheCap()
    {
        m_proxy->setRefuseRealtime(true);
        auto client = signedInClient(*m_proxy, Realtime::On);
        QVERIFY(client);
        const QString id = nextPending();
        const QString rowPath = QStringLiteral("/api/bookings/") + id;
        const qint64 version = m_db->bookingVersion(id);
        m_proxy->dropResponses(rowPath, FaultProxy::always, get);

        QPointer<MutationHandle> h = client->session->confirmBooking(id);
        QVERIFY(h);
        StateLog log(h, client->session->clock());
        QSignalSpy finished(h.data(), &MutationHandle::finished);
        QTRY_COMPARE_WITH_TIMEOUT(h->state(), Mutation::State::Unconfirmed, confirmCapMs + 8000);
        QCOMPARE(log.states(),
            (QList<Mutation::State> { Mutation::State::Queued, Mutation::State::Sending,
                Mutation::State::AwaitingEcho, Mutation::State::Unconfirmed }));
        const qint64 busyFor = log.enteredAt(Mutation::State::Unconfirmed)
            - log.enteredAt(Mutation::State::AwaitingEcho);
        qInfo("awaiting echo for %lld ms before Unconfirmed (cap %lld ms)", busyFor, confirmCapMs);
        QVERIFY2(busyFor >= confirmCapMs - 50, qPrintable(log.text()));
        QVERIFY2(busyFor <= confirmCapMs + echoWaitMs + 2000, qPrintable(log.text()));
        QVERIFY(!h->isBusy());
        QVERIFY(h->isFinal());
        QVERIFY(!h->errorMessage().isEmpty());
        QCOMPARE(finished.size(), 1);
        QCOMPARE(client->engine()->pendingCount(), 0); // the server has it: nothing is owed
        QCOMPARE(client->session->queue()->count(), 0);

        const QList<FaultProxy::Exchange> rereads = m_proxy->exchanges(rowPath, get);
        QVERIFY(rereads.size() >= 2);
        for (const FaultProxy::Exchange &e : rereads)
            QCOMPARE(e.action, FaultProxy::Action::ResponseDropped);
        QCOMPARE(m_proxy->requestCount(confirmPath, post), 1);
        QCOMPARE(m_db->bookingVersion(id), version + 1); // it did happen, once
        QCOMPARE(changeLogRows(id), 1);

        // Retryable: once re-reads get through, a retry observes the new state.
        m_proxy->passAll();
        client->engine()->retry(h->key());
        QCOMPARE(h->state(), Mutation::State::AwaitingEcho);
        QTRY_COMPARE_WITH_TIMEOUT(h->state(), Mutation::State::Confirmed, 10000);
        QCOMPARE(m_proxy->requestCount(confirmPath, post), 1); // observed again, not sent again
        QCOMPARE(m_db->bookingVersion(id), version + 1);
    }

    // (4) Two status changes of one lead: the second goes only after the first was answered,
    // whatever happened to the first, and the lead ends with the second.
    void sameEntityMutationsGoInOrder_data()
    {
        QTest::addColumn<QString>("fault");
        QTest::addColumn<int>("attemptsOfFirst");
        QTest::newRow("first answered 503 once") << QStringLiteral("503") << 2;
        QTest::newRow("first answer lost once") << QStringLiteral("drop") << 2;
        QTest::newRow("first answer delayed 600 ms") << QStringLiteral("delay") << 1;
    }
    void sameEntityMutationsGoInOrder()
    {
        QFETCH(QString, fault);
        QFETCH(int, attemptsOfFirst);
        QVERIFY(!m_leads.isEmpty());
        const QJsonObject lead = m_leads.takeFirst();
        const QString leadId = lead.value(QStringLiteral("id")).toString();
        const QString current
            = m_db->text(QStringLiteral("SELECT status FROM leads WHERE id = ?"), { leadId });
        const qint64 version
            = m_db->scalar(QStringLiteral("SELECT version FROM leads WHERE id = ?"), { leadId });
        QStringList choices { QStringLiteral("contacted"), QStringLiteral("qualified"),
            QStringLiteral("won"), QStringLiteral("lost") };
        choices.removeAll(current);
        const QString first = choices.at(0);
        const QString second = choices.at(1);

        auto client = signedInClient(*m_proxy, Realtime::On);
        QVERIFY(client);
        if (fault == QLatin1String("503"))
            m_proxy->answer(leadStatusPath, 1, 503, 0, QStringLiteral("unavailable"), post);
        else if (fault == QLatin1String("drop"))
            m_proxy->dropResponses(leadStatusPath, 1, post);
        else
            m_proxy->delayResponses(leadStatusPath, 1, 600, post);

        QPointer<MutationHandle> a = client->session->setLeadStatus(leadId, first);
        QPointer<MutationHandle> b = client->session->setLeadStatus(leadId, second);
        QVERIFY(a && b);
        QTRY_VERIFY_WITH_TIMEOUT(
            a->state() == Mutation::State::Confirmed && b->state() == Mutation::State::Confirmed,
            15000);

        const QList<FaultProxy::Exchange> sent = m_proxy->exchanges(leadStatusPath, post);
        QList<FaultProxy::Exchange> ofFirst, ofSecond;
        for (const FaultProxy::Exchange &e : sent) {
            const QString status = QJsonDocument::fromJson(e.requestBody)
                                       .object()
                                       .value(QStringLiteral("status"))
                                       .toString();
            QVERIFY(status == first || status == second);
            if (status == first) {
                QVERIFY2(
                    ofSecond.isEmpty(), "the second change went before the first one was done");
                QCOMPARE(e.idempotencyKey(), a->key());
                ofFirst.append(e);
            } else {
                QCOMPARE(e.idempotencyKey(), b->key());
                ofSecond.append(e);
            }
        }
        QCOMPARE(ofFirst.size(), attemptsOfFirst);
        QCOMPARE(ofSecond.size(), 1);
        // Sent only once the first one's answer had reached the client.
        QVERIFY(ofFirst.last().deliveredAtMs >= 0);
        QVERIFY2(ofSecond.first().receivedAtMs >= ofFirst.last().deliveredAtMs,
            qPrintable(QStringLiteral("second at %1 ms, first answered at %2 ms")
                           .arg(ofSecond.first().receivedAtMs)
                           .arg(ofFirst.last().deliveredAtMs)));
        if (fault == QLatin1String("drop"))
            QVERIFY(ofFirst.last().isReplayed());

        QCOMPARE(m_db->text(QStringLiteral("SELECT status FROM leads WHERE id = ?"), { leadId }),
            second);
        QCOMPARE(m_db->scalar(QStringLiteral("SELECT version FROM leads WHERE id = ?"), { leadId }),
            version + 2);
        QCOMPARE(changeLogRows(leadId), 2);
        QCOMPARE(a->mutation().resultVersion, version + 1);
        QCOMPARE(b->mutation().resultVersion, version + 2);
    }

    // (5) 429 / 503 with Retry-After: 1 — the retry waits at least that long (more than the
    // backoff alone ever would here) and then succeeds.
    void retryAfterIsHonoured_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        QTest::newRow("429") << 429 << QStringLiteral("rate_limited");
        QTest::newRow("503") << 503 << QStringLiteral("unavailable");
    }
    void retryAfterIsHonoured()
    {
        QFETCH(int, status);
        QFETCH(QString, code);
        auto client = signedInClient(*m_proxy, Realtime::On);
        QVERIFY(client);
        const QString id = nextPending();
        const qint64 version = m_db->bookingVersion(id);
        m_proxy->answer(confirmPath, 1, status, 1, code, post);

        QPointer<MutationHandle> h = client->session->confirmBooking(id);
        QVERIFY(h);
        StateLog log(h, client->session->clock());
        QTRY_COMPARE_WITH_TIMEOUT(h->state(), Mutation::State::Confirmed, 10000);
        const QList<FaultProxy::Exchange> sent = m_proxy->exchanges(confirmPath, post);
        qInfo() << sent << h->attempts() << log.text();
        QVERIFY2(log.states().contains(Mutation::State::Waiting), qPrintable(log.text()));
        QCOMPARE(sent.size(), 2);
        QCOMPARE(sent[0].action, FaultProxy::Action::Answered);
        QCOMPARE(sent[0].status, status);
        QCOMPARE(sent[1].action, FaultProxy::Action::Forwarded);
        QCOMPARE(sent[1].status, 200);
        QVERIFY(!sent[1].isReplayed()); // the first attempt never reached the server
        QCOMPARE(sent[1].idempotencyKey(), sent[0].idempotencyKey());
        const qint64 gap = sent[1].receivedAtMs - sent[0].receivedAtMs;
        qInfo("HTTP %d with Retry-After: 1 -> next attempt %lld ms later", status, gap);
        QVERIFY2(gap >= 990, qPrintable(QString::number(gap))); // ms rounding of two clocks
        QVERIFY2(gap < 1000 + backoffCapMs + 1500, qPrintable(QString::number(gap)));
        QCOMPARE(h->attempts(), 2);
        QCOMPARE(m_db->bookingVersion(id), version + 1);
        QCOMPARE(changeLogRows(id), 1);
        QCOMPARE(keyRecords(h->key()), 1);
    }

    // (6) A final 4xx is not retried: the handle fails with the server's own message after
    // exactly one request.
    void finalErrorIsNotRetried()
    {
        auto client = signedInClient(*m_proxy, Realtime::On);
        QVERIFY(client);
        const QString id = DemoData::bookingIds(*m_agent1, QStringLiteral("cancelled")).value(0);
        QVERIFY(!id.isEmpty());
        const qint64 version = m_db->bookingVersion(id);

        QPointer<MutationHandle> h = client->session->confirmBooking(id);
        QVERIFY(h);
        StateLog log(h, client->session->clock());
        QTRY_COMPARE_WITH_TIMEOUT(h->state(), Mutation::State::Failed, 10000);
        QCOMPARE(log.states(),
            (QList<Mutation::State> {
                Mutation::State::Queued, Mutation::State::Sending, Mutation::State::Failed }));
        const QList<FaultProxy::Exchange> sent = m_proxy->exchanges(confirmPath, post);
        QCOMPARE(sent.size(), 1);
        QCOMPARE(sent[0].status, 409);
        const QJsonObject problem = QJsonDocument::fromJson(sent[0].responseBody).object();
        QCOMPARE(
            problem.value(QStringLiteral("code")).toString(), QStringLiteral("booking_cancelled"));
        const QString detail = problem.value(QStringLiteral("detail")).toString();
        QCOMPARE(h->errorMessage(),
            detail.isEmpty() ? problem.value(QStringLiteral("title")).toString() : detail);
        QVERIFY(!h->errorMessage().isEmpty());
        QCOMPARE(h->mutation().lastError.kind, ApiError::Kind::Conflict);
        QVERIFY(!h->isBusy());

        // Not even "retry all" sends it again (a final answer is final for its key); watch for
        // longer than the longest backoff.
        QSignalSpy requests(m_proxy.get(), &FaultProxy::requestReceived);
        client->engine()->retryAll();
        const Clock *clock = client->session->clock();
        const qint64 watchedFrom = clock->nowMs();
        while (clock->nowMs() - watchedFrom < backoffCapMs + 300)
            requests.wait(10);
        QCOMPARE(m_proxy->requestCount(confirmPath, post), 1);
        QCOMPARE(h->state(), Mutation::State::Failed);
        QCOMPARE(m_db->bookingVersion(id), version);
        QCOMPARE(m_db->bookingStatus(id), QStringLiteral("cancelled"));
    }

    // The proxy in front of a server that is killed and restarted on the same port: queued
    // while it is down, sent (once) when it is back, realtime reconnected through the proxy.
    void serverRestartBehindTheProxy()
    {
        auto client = signedInClient(*m_proxy, Realtime::On, Time::Wall);
        QVERIFY(client);
        QTRY_VERIFY_WITH_TIMEOUT(client->session->realtime()->isLive(), 10000);
        const QString id = nextPending();
        const qint64 version = m_db->bookingVersion(id);

        m_server->kill();
        QTRY_COMPARE_WITH_TIMEOUT(m_proxy->liveTunnels(), 0, 5000);
        QPointer<MutationHandle> h = client->session->confirmBooking(id);
        QVERIFY(h);
        QTRY_COMPARE_WITH_TIMEOUT(h->state(), Mutation::State::Waiting, 10000);
        QCOMPARE(h->mutation().lastError.kind, ApiError::Kind::Offline);
        QVERIFY(m_proxy->requestCount(confirmPath, post) >= 1);
        for (const FaultProxy::Exchange &e : m_proxy->exchanges(confirmPath, post))
            QCOMPARE(e.action, FaultProxy::Action::Failed);

        QVERIFY(m_server->restart());
        client->engine()->retryAll();
        QTRY_COMPARE_WITH_TIMEOUT(h->state(), Mutation::State::Confirmed, 15000);
        QTRY_VERIFY_WITH_TIMEOUT(client->session->realtime()->isLive(), 40000);
        QCOMPARE(m_proxy->liveTunnels(), 1);
        QCOMPARE(m_db->bookingVersion(id), version + 1);
        QCOMPARE(changeLogRows(id), 1);
        QCOMPARE(keyRecords(h->key()), 1);
        QVERIFY(m_agent1->get(QStringLiteral("/healthz")).status == 200);
    }

    // (7) Past the server's idempotency window a queued mutation is never replayed on its own:
    // NeedsReview. Resubmitting sends it as a new intent with a new key.
    void pastTheWindowNeedsReview()
    {
        ServerProcess::Options options;
        options.demoBookings = 60;
        options.extraArgs = { QStringLiteral("--idempotency-window"), QStringLiteral("2s") };
        ServerProcess server(options);
        QVERIFY(server.start());
        FaultProxy proxy;
        proxy.setClock(&m_clock);
        QVERIFY(proxy.listen(server.baseUrl()));
        HttpClient direct(server.baseUrl());
        QVERIFY(!direct.login(DemoData::agent1).isEmpty());
        const QStringList pending = DemoData::bookingIds(direct, QStringLiteral("pending"));
        QVERIFY(pending.size() >= 3);
        DbInspector db(server.databasePath());

        auto client = signedInClient(proxy, Realtime::On);
        QVERIFY(client);
        ApiClient *api = client->session->api();
        QCOMPARE(api->idempotencyWindowSeconds(), qint64(86400)); // until a server says otherwise

        // One mutation through: the client learns the window.
        QPointer<MutationHandle> learn = client->session->confirmBooking(pending[0]);
        QVERIFY(learn);
        QTRY_COMPARE_WITH_TIMEOUT(learn->state(), Mutation::State::Confirmed, 10000);
        QCOMPARE(api->idempotencyWindowSeconds(), qint64(2));

        // The server becomes unreachable; the mutation waits offline past the window.
        proxy.setRefuseConnections(true);
        proxy.closeAll();
        const QString &id = pending[1];
        const qint64 version = db.bookingVersion(id);
        QElapsedTimer sinceSubmit;
        sinceSubmit.start();
        // The client's clock stands still until the offline attempt is seen failing: Waiting
        // would otherwise pass by (into NeedsReview) between two looks on a busy machine.
        m_lapse->pause();
        QPointer<MutationHandle> h = client->session->confirmBooking(id);
        QVERIFY(h);
        const QString oldKey = h->key();
        StateLog log(h, client->session->clock());
        QTRY_COMPARE_WITH_TIMEOUT(h->state(), Mutation::State::Waiting, 5000);
        QCOMPARE(h->mutation().lastError.kind, ApiError::Kind::Offline);
        m_lapse->resume();
        QTRY_COMPARE_WITH_TIMEOUT(h->state(), Mutation::State::NeedsReview, 10000);
        QVERIFY2(log.enteredAt(Mutation::State::NeedsReview) >= 2000, qPrintable(log.text()));
        QVERIFY(proxy.refusedConnections() > 0);

        // The server is back; "retry all" still does not replay it.
        proxy.setRefuseConnections(false);
        client->engine()->retryAll();
        QPointer<MutationHandle> barrier = client->session->confirmBooking(pending[2]);
        QVERIFY(barrier);
        QTRY_COMPARE_WITH_TIMEOUT(barrier->state(), Mutation::State::Confirmed, 10000);
        QCOMPARE(h->state(), Mutation::State::NeedsReview);
        QVERIFY(!h->isBusy());
        for (const FaultProxy::Exchange &e : proxy.exchanges(confirmPath, post))
            QVERIFY2(e.idempotencyKey() != oldKey, "a mutation past the window reached the server");
        QCOMPARE(db.bookingVersion(id), version);
        QCOMPARE(db.bookingStatus(id), QStringLiteral("pending"));
        QCOMPARE(db.keyRecords(oldKey), 0);

        // The user re-checks and resubmits: a new intent, a new key, and it happens once.
        QPointer<MutationHandle> again = client->engine()->resubmit(oldKey);
        QVERIFY(again);
        QVERIFY(again->key() != oldKey);
        QTRY_COMPARE_WITH_TIMEOUT(again->state(), Mutation::State::Confirmed, 10000);
        QVERIFY(!client->engine()->handle(oldKey));
        QCOMPARE(proxy.requestCount(confirmPath, post), 3); // learn, barrier, resubmitted
        QCOMPARE(db.bookingVersion(id), version + 1);
        QCOMPARE(db.changesFor(id), 1);
        QCOMPARE(db.keyRecords(again->key()), 1);
    }
};

QTEST_GUILESS_MAIN(TestMutationEngine)
#include "tst_mutation_engine.moc"
