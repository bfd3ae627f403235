// SyncButton bound to real mutations: a real MutationEngine with its OfflineQueue on disk and
// an ApiClient talking to a real syncloopd through a FaultProxy. Each test walks the button
// into one state the way it happens in use (a slow answer, a dead server, a busy server, a
// booking cancelled behind the client's back, a queue older than the idempotency window, an
// answer never seen back) and checks what the user and assistive technology get: text,
// enabled, accessible name and description, tooltip, look; what a click does there; and what
// the server recorded. A BookingCard bound to the same handles is saved as a screenshot of
// every state (card-state-*.png) for design review.
#include "apiclient.h"
#include "bookingcard.h"
#include "bookingstore.h"
#include "clock.h"
#include "connectivity.h"
#include "dbinspector.h"
#include "demodata.h"
#include "faultproxy.h"
#include "httpclient.h"
#include "mutationengine.h"
#include "mutationhandle.h"
#include "offlinequeue.h"
#include "randomsource.h"
#include "serverprocess.h"
#include "syncbutton.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QJsonDocument>
#include <QMetaEnum>
#include <QPointer>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

namespace {

const QString confirmPath = QStringLiteral("/api/bookings/confirm");
const QString post = QStringLiteral("POST");
const QString get = QStringLiteral("GET");
const QString idleText = QStringLiteral("Confirm");
const QString successMessage = QStringLiteral("Booking confirmed");

constexpr qint64 echoWaitMs = 300;
constexpr qint64 confirmCapMs = 900;
constexpr qint64 backoffBaseMs = 200;
constexpr int holdMs = 400;

QString screenshotDir()
{
    QString dir = QStringLiteral(SCREENSHOT_DIR);
    QDir().mkpath(dir);
    return dir;
}

QString stateShotName(SyncButton::Look look)
{
    return QStringLiteral("card-state-") + SyncButton::lookName(look).toLower();
}

// Wall-clock time that a test can move forward: the engine judges the idempotency window by
// it, so a queue "older than the window" needs no waiting.
class ShiftedClock final : public Clock
{
public:
    qint64 nowMs() const override { return QDateTime::currentMSecsSinceEpoch() + m_shiftMs; }
    void advance(qint64 ms) { m_shiftMs += ms; }

private:
    qint64 m_shiftMs = 0;
};

// Always the top of the jitter range: each backoff is exactly its ceiling, so the engine's
// next offline probe comes at least backoffBaseMs after the last one.
class CeilingRandom final : public RandomSource
{
public:
    qint64 boundedInclusive(qint64 bound) override { return std::max<qint64>(0, bound); }
};

// What the button shows, compared with what it should; the first difference in words.
QString faceDiff(const SyncButton &b, SyncButton::Look look, const QString &text, bool enabled,
    const QString &tip)
{
    QStringList diffs;
    if (b.look() != look)
        diffs << QStringLiteral("look %1, expected %2")
                     .arg(SyncButton::lookName(b.look()), SyncButton::lookName(look));
    if (b.text() != text)
        diffs << QStringLiteral("text \"%1\", expected \"%2\"").arg(b.text(), text);
    if (b.isEnabled() != enabled)
        diffs
            << QStringLiteral("enabled %1, expected %2").arg(int(b.isEnabled())).arg(int(enabled));
    // A screen reader says the accessible name: it must say what the button says now.
    if (b.accessibleName() != text)
        diffs << QStringLiteral("accessible name \"%1\", expected \"%2\"")
                     .arg(b.accessibleName(), text);
    if (!tip.isNull() && b.toolTip() != tip)
        diffs << QStringLiteral("tooltip \"%1\", expected \"%2\"").arg(b.toolTip(), tip);
    if (b.toolTip().isEmpty())
        diffs << QStringLiteral("no tooltip");
    if (b.accessibleDescription() != b.toolTip())
        diffs << QStringLiteral("accessible description \"%1\" is not the tooltip")
                     .arg(b.accessibleDescription());
    return diffs.join(QStringLiteral("; "));
}

#define VERIFY_FACE(button, look, text, enabled, tip)                                              \
    do {                                                                                           \
        const QString diff_ = faceDiff(button, look, text, enabled, tip);                          \
        QVERIFY2(diff_.isEmpty(), qPrintable(diff_));                                              \
    } while (false)

// One client as syncloop-desk wires it (SyncSession::wire, BookingsView), minus realtime:
// the engine's re-read is what closes the loop. The owner starts a mutation on every
// actionRequested, with no guard of its own, so a click the button lets through while busy
// shows up as a second mutation.
struct Rig
{
    QTemporaryDir dir;
    ShiftedClock clock;
    CeilingRandom random;
    ApiClient api;
    Connectivity connectivity;
    OfflineQueue queue;
    BookingStore store;
    std::unique_ptr<MutationEngine> engine;
    SyncButton button { idleText };
    std::unique_ptr<BookingCard> card;
    QString id;
    QPointer<MutationHandle> current;
    QList<SyncButton::Look> looks; // every look the button took, as the handle changed

    explicit Rig(const QUrl &server)
        : api(server)
        , queue(dir.filePath(QStringLiteral("queue.sqlite")))
    {
        api.setTimeoutMs(5000);
    }

    void bindAll(MutationHandle *h)
    {
        current = h;
        button.setHandle(h);
        if (h) {
            // After the button's own connection: the button has refreshed when this runs.
            QObject::connect(h, &MutationHandle::changed, &button, [this] {
                if (looks.isEmpty() || looks.constLast() != button.look())
                    looks.append(button.look());
            });
            looks.append(button.look());
        }
        card->bind(card->index());
    }

    void confirm()
    {
        bindAll(engine->submit(
            { confirmPath, { { QStringLiteral("bookingId"), id } }, QStringLiteral("bookings"), id,
                { { QStringLiteral("status"), QStringLiteral("confirmed") } } }));
    }

    // As BookingsView::retry: past the window a new intent, otherwise the same key again.
    void retry(const QString &key)
    {
        MutationHandle *h = engine->handle(key);
        if (h && h->state() == Mutation::State::NeedsReview)
            bindAll(engine->resubmit(key));
        else
            engine->retry(key);
    }

    bool open(const QJsonObject &row, QString *error)
    {
        if (!queue.open(error))
            return false;
        id = row.value(QStringLiteral("id")).toString();
        store.apply(row);
        auto versionOf = [this](const QString &table, const QString &rowId) -> qint64 {
            return table == QLatin1String("bookings") ? store.version(rowId) : -1;
        };
        MutationEngine::Options options;
        options.backoff = { backoffBaseMs, 1000 };
        options.echoWaitMs = echoWaitMs;
        options.confirmCapMs = confirmCapMs;
        engine = std::make_unique<MutationEngine>(
            &queue, &api, &connectivity, versionOf, &clock, &random, options);
        QObject::connect(
            &store, &RowStore::versionObserved, engine.get(), &MutationEngine::observe);
        QObject::connect(engine.get(), &MutationEngine::optimisticApplied, &store,
            [this](const QString &, const QString &rowId, const QString &key,
                const QJsonObject &patch) { store.setOverlay(rowId, key, patch); });
        QObject::connect(engine.get(), &MutationEngine::optimisticCleared, &store,
            [this](const QString &, const QString &rowId, const QString &key, bool) {
                store.clearOverlay(rowId, key);
            });
        QObject::connect(engine.get(), &MutationEngine::rowFetched, &store,
            [this](const QString &, const QJsonObject &fetched) { store.apply(fetched); });

        button.setSuccessMessage(successMessage);
        button.setConfirmedHoldMs(holdMs);
        QObject::connect(&button, &SyncButton::actionRequested, &button, [this] { confirm(); });
        QObject::connect(&button, &SyncButton::retryRequested, &button,
            [this](const QString &key) { retry(key); });
        button.adjustSize();
        button.show();

        card = std::make_unique<BookingCard>([this](const QString &) {
            return std::make_pair(current.data(), static_cast<MutationHandle *>(nullptr));
        });
        card->bind(store.index(store.indexOf(id), 0));
        // As CardListView does: a changed row is bound again.
        QObject::connect(&store, &QAbstractItemModel::dataChanged, card.get(),
            [this] { card->bind(card->index()); });
        card->resize(620, BookingCard::height);
        card->show();

        engine->start();
        QSignalSpy signedIn(&api, &ApiClient::signedIn);
        api.login(DemoData::agent1, QStringLiteral("syncloop-demo"));
        if (!signedIn.wait(10000)) {
            *error = QStringLiteral("sign-in failed");
            return false;
        }
        return true;
    }

    // The card shows the same mutation as the button; saved for review.
    void screenshot()
    {
        card->grab().save(
            QDir(screenshotDir()).filePath(stateShotName(button.look()) + QStringLiteral(".png")));
    }
};

} // namespace

class TestSyncButton : public QObject
{
    Q_OBJECT
private:
    std::unique_ptr<ServerProcess> m_server;
    std::unique_ptr<FaultProxy> m_proxy;
    std::unique_ptr<HttpClient> m_agent1;
    std::unique_ptr<DbInspector> m_db;
    std::unique_ptr<Rig> m_rig;
    QStringList m_pending;
    QDateTime m_startedAt;

    qint64 changeLogRows(const QString &id) const { return m_db->changesFor(id); }
    qint64 keyRecords(const QString &key) const { return m_db->keyRecords(key); }
    QJsonObject row(const QString &id) { return DemoData::booking(*m_agent1, id); }

private slots:
    void initTestCase()
    {
        // A second of slack: a file system may keep no finer times.
        m_startedAt = QDateTime::currentDateTimeUtc().addSecs(-1);
        ServerProcess::Options options;
        options.demoBookings = 120;
        m_server = std::make_unique<ServerProcess>(options);
        QVERIFY(m_server->start());
        m_proxy = std::make_unique<FaultProxy>();
        QVERIFY(m_proxy->listen(m_server->baseUrl()));
        m_agent1 = std::make_unique<HttpClient>(m_server->baseUrl());
        QVERIFY(!m_agent1->login(DemoData::agent1).isEmpty());
        m_db = std::make_unique<DbInspector>(m_server->databasePath());
        m_pending = DemoData::bookingIds(*m_agent1, QStringLiteral("pending"));
        QVERIFY(m_pending.size() >= 8);
    }

    void init()
    {
        m_proxy->passAll();
        m_proxy->clearLog();
        const QJsonObject booking = row(m_pending.takeFirst());
        QCOMPARE(booking.value(QStringLiteral("status")).toString(), QStringLiteral("pending"));
        m_rig = std::make_unique<Rig>(m_proxy->url());
        QString error;
        QVERIFY2(m_rig->open(booking, &error), qPrintable(error));
        m_proxy->clearLog(); // the sign-in is not what the tests count
    }

    void cleanup() { m_rig.reset(); }

    void cleanupTestCase()
    {
        m_db.reset();
        m_proxy.reset();
    }

    // The happy path, slowed down by the proxy just enough to look at each step: at rest,
    // sending (spinning), waiting to see the change, ✓, and at rest again after the hold.
    // Clicks and keys while it is busy send nothing.
    void idleSendingAwaitingEchoConfirmedThenIdle()
    {
        Rig &r = *m_rig;
        SyncButton &b = r.button;
        const qint64 version = m_db->bookingVersion(r.id);

        VERIFY_FACE(b, SyncButton::Look::Idle, idleText, true, idleText);
        QVERIFY(!b.handle());
        r.screenshot();
        // The owner's say: nothing to do at rest means disabled, and the tooltip says why.
        b.setActionAvailable(false);
        VERIFY_FACE(b, SyncButton::Look::Idle, idleText, false, QStringLiteral("Nothing to do"));
        b.setActionAvailable(true);
        VERIFY_FACE(b, SyncButton::Look::Idle, idleText, true, idleText);

        m_proxy->delayResponses(confirmPath, 1, 700, post);
        m_proxy->delayResponses(QStringLiteral("/api/bookings/") + r.id, 1, 400, get);
        QSignalSpy action(&b, &SyncButton::actionRequested);
        QSignalSpy settled(&b, &SyncButton::settled);
        QTest::mouseClick(&b, Qt::LeftButton);
        QCOMPARE(action.size(), 1);
        QVERIFY(r.current);
        const QPointer<MutationHandle> h = r.current;
        // Persisted and owed before a byte is sent: already "sending" to the user.
        QCOMPARE(h->state(), Mutation::State::Queued);
        const QString sendingTip = QStringLiteral("Confirm: sending to the server");
        VERIFY_FACE(b, SyncButton::Look::Sending, QStringLiteral("Sending…"), false, sendingTip);

        QTRY_COMPARE_WITH_TIMEOUT(h->state(), Mutation::State::Sending, 5000);
        VERIFY_FACE(b, SyncButton::Look::Sending, QStringLiteral("Sending…"), false, sendingTip);
        QCOMPARE(r.card->confirmButton()->look(), SyncButton::Look::Sending);
        r.screenshot();
        // It spins: the picture moves on its own while the answer is held back.
        const QImage frame = b.grab().toImage();
        QTRY_VERIFY_WITH_TIMEOUT(b.grab().toImage() != frame, 600);
        QCOMPARE(h->state(), Mutation::State::Sending);
        // Busy: neither a click, nor Space, nor Enter, nor click() starts anything.
        QTest::mouseClick(&b, Qt::LeftButton);
        QTest::mouseDClick(&b, Qt::LeftButton);
        QTest::keyClick(&b, Qt::Key_Space);
        QTest::keyClick(&b, Qt::Key_Return);
        b.click();
        QCOMPARE(action.size(), 1);

        QTRY_COMPARE_WITH_TIMEOUT(b.look(), SyncButton::Look::AwaitingEcho, 5000);
        VERIFY_FACE(b, SyncButton::Look::AwaitingEcho, QStringLiteral("Confirming…"), false,
            QStringLiteral("Confirm: the server accepted it; waiting to see the change"));
        QCOMPARE(h->state(), Mutation::State::AwaitingEcho);
        QCOMPARE(r.card->confirmButton()->look(), SyncButton::Look::AwaitingEcho);
        r.screenshot();
        QTest::mouseClick(&b, Qt::LeftButton);
        b.click();
        QCOMPARE(action.size(), 1);

        QTRY_COMPARE_WITH_TIMEOUT(b.look(), SyncButton::Look::Confirmed, 5000);
        VERIFY_FACE(
            b, SyncButton::Look::Confirmed, QStringLiteral("✓ Done"), false, successMessage);
        QCOMPARE(h->state(), Mutation::State::Confirmed);
        QCOMPARE(r.card->confirmButton()->look(), SyncButton::Look::Confirmed);
        r.screenshot();
        QCOMPARE(settled.size(), 1);
        QCOMPARE(settled.first().at(0).toBool(), true);
        QCOMPARE(settled.first().at(1).toString(), successMessage);
        QTest::mouseClick(&b, Qt::LeftButton);
        QCOMPARE(action.size(), 1);

        // Back at rest after the hold, with nothing bound.
        QTRY_COMPARE_WITH_TIMEOUT(b.look(), SyncButton::Look::Idle, 5000);
        VERIFY_FACE(b, SyncButton::Look::Idle, idleText, true, idleText);
        QVERIFY(!b.handle());
        QCOMPARE(r.looks,
            (QList<SyncButton::Look> { SyncButton::Look::Sending, SyncButton::Look::AwaitingEcho,
                SyncButton::Look::Confirmed }));
        // The card's row came back from the server confirmed: its button has nothing more to do.
        QCOMPARE(r.store.row(r.id).value(QStringLiteral("status")).toString(),
            QStringLiteral("confirmed"));

        // One mutation, sent once, applied once.
        QCOMPARE(r.engine->handles().size(), 1);
        QCOMPARE(m_proxy->requestCount(confirmPath, post), 1);
        QCOMPARE(m_db->bookingVersion(r.id), version + 1);
        QCOMPARE(m_db->bookingStatus(r.id), QStringLiteral("confirmed"));
        QCOMPARE(changeLogRows(r.id), 1);
        QCOMPARE(keyRecords(h->key()), 1);
    }

    // The server cannot be reached: "will send when online", still, disabled; clicks add
    // nothing; when the server is reachable again the change goes by itself, once.
    void queuedWhileTheServerCannotBeReached()
    {
        Rig &r = *m_rig;
        SyncButton &b = r.button;
        const qint64 version = m_db->bookingVersion(r.id);
        m_proxy->setRefuseConnections(true);
        m_proxy->closeAll();

        QSignalSpy action(&b, &SyncButton::actionRequested);
        QTest::mouseClick(&b, Qt::LeftButton);
        QCOMPARE(action.size(), 1);
        const QPointer<MutationHandle> h = r.current;
        QVERIFY(h);
        QTRY_COMPARE_WITH_TIMEOUT(b.look(), SyncButton::Look::Queued, 5000);
        const QString text = QStringLiteral("Will send when online");
        const QString tip = QStringLiteral(
            "Confirm: saved on this computer; it will be sent as soon as the server is reachable");
        VERIFY_FACE(b, SyncButton::Look::Queued, text, false, tip);
        QCOMPARE(h->state(), Mutation::State::Waiting);
        QCOMPARE(h->mutation().lastError.kind, ApiError::Kind::Offline);
        QCOMPARE(r.card->confirmButton()->look(), SyncButton::Look::Queued);
        r.screenshot();

        // Not spinning: the picture stays the same until the engine's next probe (at least
        // backoffBaseMs later, more than two spinner steps) has come and gone.
        const QImage frame = b.grab().toImage();
        const int refused = m_proxy->refusedConnections();
        QTRY_VERIFY_WITH_TIMEOUT(m_proxy->refusedConnections() > refused, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(h->state(), Mutation::State::Waiting, 5000);
        VERIFY_FACE(b, SyncButton::Look::Queued, text, false, tip);
        QCOMPARE(b.grab().toImage(), frame);

        QTest::mouseClick(&b, Qt::LeftButton);
        QTest::keyClick(&b, Qt::Key_Space);
        b.click();
        QCOMPARE(action.size(), 1);
        QCOMPARE(r.engine->handles().size(), 1);
        QCOMPARE(r.queue.count(), 1);
        QCOMPARE(m_proxy->requestCount(confirmPath, post), 0);

        // Reachable again: nothing to click; the next probe sends it. A probe that takes its
        // time (a slow or hanging server) is still "will send when online", not a spinner.
        m_proxy->delayResponses(confirmPath, 1, 1500, post);
        m_proxy->setRefuseConnections(false);
        QTRY_COMPARE_WITH_TIMEOUT(h->state(), Mutation::State::Sending, 5000);
        VERIFY_FACE(b, SyncButton::Look::Queued, text, false, tip);
        QTRY_COMPARE_WITH_TIMEOUT(b.look(), SyncButton::Look::Confirmed, 10000);
        QCOMPARE(m_proxy->requestCount(confirmPath, post), 1);
        QCOMPARE(r.queue.count(), 0);
        QCOMPARE(m_db->bookingVersion(r.id), version + 1);
        QCOMPARE(changeLogRows(r.id), 1);
        QCOMPARE(keyRecords(h->key()), 1);
    }

    // A busy server (429 / 503 with Retry-After): "retrying in N s", disabled; the engine tries
    // again with the same key after the server's delay, and the change is applied once.
    void retryingAfterABusyAnswer_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        QTest::newRow("503") << 503 << QStringLiteral("unavailable");
        QTest::newRow("429") << 429 << QStringLiteral("rate_limited");
    }
    void retryingAfterABusyAnswer()
    {
        QFETCH(int, status);
        QFETCH(QString, code);
        Rig &r = *m_rig;
        SyncButton &b = r.button;
        const qint64 version = m_db->bookingVersion(r.id);
        m_proxy->answer(confirmPath, 1, status, 1, code, post);

        QSignalSpy action(&b, &SyncButton::actionRequested);
        QTest::mouseClick(&b, Qt::LeftButton);
        const QPointer<MutationHandle> h = r.current;
        QVERIFY(h);
        QTRY_COMPARE_WITH_TIMEOUT(b.look(), SyncButton::Look::Retrying, 5000);
        QCOMPARE(h->state(), Mutation::State::Waiting);
        QVERIFY(h->mutation().lastError.isRetryable());
        QVERIFY(h->mutation().lastError.kind != ApiError::Kind::Offline);
        QCOMPARE(
            h->errorMessage(), QStringLiteral("Injected by FaultProxy.")); // the answer's own words
        // The visible text counts down to the next attempt (Retry-After: 1).
        QVERIFY2(
            QRegularExpression(QStringLiteral("^Retrying in [01] s$")).match(b.text()).hasMatch(),
            qPrintable(b.text()));
        QVERIFY(!b.isEnabled());
        // The accessible name stays put while the countdown ticks, so a screen reader is not
        // interrupted every second.
        QCOMPARE(b.accessibleName(), QStringLiteral("Retrying…"));
        QCOMPARE(b.toolTip(),
            QStringLiteral("Confirm: the server is busy; trying again automatically (Injected by "
                           "FaultProxy.)"));
        QCOMPARE(b.accessibleDescription(), b.toolTip());
        QCOMPARE(r.card->confirmButton()->look(), SyncButton::Look::Retrying);
        if (status == 503)
            r.screenshot();
        QTest::mouseClick(&b, Qt::LeftButton);
        b.click();
        QCOMPARE(action.size(), 1);

        QTRY_COMPARE_WITH_TIMEOUT(b.look(), SyncButton::Look::Confirmed, 5000);
        const QList<FaultProxy::Exchange> sent = m_proxy->exchanges(confirmPath, post);
        QCOMPARE(sent.size(), 2);
        QCOMPARE(sent[0].action, FaultProxy::Action::Answered);
        QCOMPARE(sent[0].status, status);
        QCOMPARE(sent[1].status, 200);
        QCOMPARE(sent[1].idempotencyKey(), sent[0].idempotencyKey());
        QCOMPARE(sent[1].idempotencyKey(), h->key());
        QVERIFY2(
            sent[1].receivedAtMs - sent[0].receivedAtMs >= 990, "Retry-After: 1 was not honoured");
        QCOMPARE(r.looks,
            (QList<SyncButton::Look> { SyncButton::Look::Sending, SyncButton::Look::Retrying,
                SyncButton::Look::Sending, SyncButton::Look::AwaitingEcho,
                SyncButton::Look::Confirmed }));
        QCOMPARE(m_db->bookingVersion(r.id), version + 1);
        QCOMPARE(changeLogRows(r.id), 1);
    }

    // A final answer (the booking was cancelled behind the client's back: 409): "failed – try
    // again", enabled, the server's message as tooltip; a click asks for the action again,
    // which the owner sends as a new mutation with a new key.
    void failedShowsTheServersMessageAndAClickAsksAgain()
    {
        Rig &r = *m_rig;
        SyncButton &b = r.button;
        QVERIFY(m_db->exec(
            QStringLiteral(
                "UPDATE bookings SET status = 'cancelled', version = version + 1 WHERE id = ?"),
            { r.id }));
        const qint64 version = m_db->bookingVersion(r.id);

        QSignalSpy action(&b, &SyncButton::actionRequested);
        QSignalSpy retry(&b, &SyncButton::retryRequested);
        QSignalSpy settled(&b, &SyncButton::settled);
        QTest::mouseClick(&b, Qt::LeftButton);
        const QPointer<MutationHandle> h = r.current;
        QVERIFY(h);
        QTRY_COMPARE_WITH_TIMEOUT(b.look(), SyncButton::Look::Failed, 5000);
        QCOMPARE(h->state(), Mutation::State::Failed);
        const QList<FaultProxy::Exchange> sent = m_proxy->exchanges(confirmPath, post);
        QCOMPARE(sent.size(), 1);
        QCOMPARE(sent[0].status, 409);
        const QJsonObject problem = QJsonDocument::fromJson(sent[0].responseBody).object();
        QCOMPARE(
            problem.value(QStringLiteral("code")).toString(), QStringLiteral("booking_cancelled"));
        const QString serverSays = problem.value(QStringLiteral("detail")).toString();
        QVERIFY(!serverSays.isEmpty());
        VERIFY_FACE(
            b, SyncButton::Look::Failed, QStringLiteral("Failed – try again"), true, serverSays);
        QCOMPARE(settled.size(), 1);
        QCOMPARE(settled.first().at(0).toBool(), false);
        QCOMPARE(settled.first().at(1).toString(), serverSays);
        QCOMPARE(r.card->confirmButton()->look(), SyncButton::Look::Failed);
        r.screenshot();

        // "Try again" is the action again (the old key's answer is final), not a retry.
        QTest::mouseClick(&b, Qt::LeftButton);
        QCOMPARE(action.size(), 2);
        QCOMPARE(retry.size(), 0);
        QVERIFY(r.current && r.current != h);
        QTRY_COMPARE_WITH_TIMEOUT(r.current->state(), Mutation::State::Failed, 5000);
        VERIFY_FACE(
            b, SyncButton::Look::Failed, QStringLiteral("Failed – try again"), true, serverSays);
        const QList<FaultProxy::Exchange> again = m_proxy->exchanges(confirmPath, post);
        QCOMPARE(again.size(), 2);
        QCOMPARE(again[1].status, 409);
        QCOMPARE(again[1].idempotencyKey(), r.current->key());
        QVERIFY(again[1].idempotencyKey() != again[0].idempotencyKey());
        QCOMPARE(m_db->bookingVersion(r.id), version);
        QCOMPARE(m_db->bookingStatus(r.id), QStringLiteral("cancelled"));
    }

    // Queued offline for longer than the server remembers keys: never replayed on its own.
    // "Needs review", enabled; a click asks to resubmit this key, which goes as a new intent.
    void needsReviewPastTheIdempotencyWindow()
    {
        Rig &r = *m_rig;
        SyncButton &b = r.button;
        const qint64 version = m_db->bookingVersion(r.id);
        m_proxy->setRefuseConnections(true);
        m_proxy->closeAll();

        QSignalSpy action(&b, &SyncButton::actionRequested);
        QSignalSpy settled(&b, &SyncButton::settled);
        QTest::mouseClick(&b, Qt::LeftButton);
        const QPointer<MutationHandle> h = r.current;
        QVERIFY(h);
        const QString oldKey = h->key();
        QTRY_COMPARE_WITH_TIMEOUT(b.look(), SyncButton::Look::Queued, 5000);
        r.clock.advance(r.api.idempotencyWindowSeconds() * 1000 + 1000);

        QTRY_COMPARE_WITH_TIMEOUT(b.look(), SyncButton::Look::NeedsReview, 5000);
        QCOMPARE(h->state(), Mutation::State::NeedsReview);
        VERIFY_FACE(b, SyncButton::Look::NeedsReview, QStringLiteral("Needs review – resubmit"),
            true,
            QStringLiteral("This change waited longer than the server remembers requests; check "
                           "it, then resubmit"));
        QCOMPARE(settled.size(), 1);
        QCOMPARE(settled.first().at(0).toBool(), false);
        QCOMPARE(r.card->confirmButton()->look(), SyncButton::Look::NeedsReview);
        r.screenshot();
        QCOMPARE(m_proxy->requestCount(confirmPath, post), 0);

        m_proxy->setRefuseConnections(false);
        QSignalSpy retry(&b, &SyncButton::retryRequested);
        QTest::mouseClick(&b, Qt::LeftButton);
        QCOMPARE(retry.size(), 1);
        QCOMPARE(retry.first().at(0).toString(), oldKey);
        QCOMPARE(action.size(), 1);
        // The owner resubmitted: a new key, sent once, applied once; the old key never went.
        QVERIFY(r.current && r.current->key() != oldKey);
        QTRY_COMPARE_WITH_TIMEOUT(b.look(), SyncButton::Look::Confirmed, 5000);
        const QList<FaultProxy::Exchange> sent = m_proxy->exchanges(confirmPath, post);
        QCOMPARE(sent.size(), 1);
        QCOMPARE(sent[0].idempotencyKey(), r.current->key());
        QCOMPARE(keyRecords(oldKey), 0);
        QCOMPARE(m_db->bookingVersion(r.id), version + 1);
        QCOMPARE(changeLogRows(r.id), 1);
    }

    // The server answered but the change is never seen back (every re-read lost): past the cap
    // "unconfirmed – check again", enabled; a click asks to look again for this key, which the
    // engine does without sending the change a second time.
    void unconfirmedWhenTheChangeIsNeverSeenBack()
    {
        Rig &r = *m_rig;
        SyncButton &b = r.button;
        const qint64 version = m_db->bookingVersion(r.id);
        const QString rowPath = QStringLiteral("/api/bookings/") + r.id;
        m_proxy->dropResponses(rowPath, FaultProxy::always, get);

        QSignalSpy action(&b, &SyncButton::actionRequested);
        QSignalSpy settled(&b, &SyncButton::settled);
        QTest::mouseClick(&b, Qt::LeftButton);
        const QPointer<MutationHandle> h = r.current;
        QVERIFY(h);
        QTRY_COMPARE_WITH_TIMEOUT(b.look(), SyncButton::Look::Unconfirmed, confirmCapMs + 8000);
        QCOMPARE(h->state(), Mutation::State::Unconfirmed);
        VERIFY_FACE(b, SyncButton::Look::Unconfirmed, QStringLiteral("Unconfirmed – check again"),
            true,
            QStringLiteral(
                "The server accepted the change but it was not seen back; click to check again"));
        QCOMPARE(settled.size(), 1);
        QCOMPARE(settled.first().at(0).toBool(), false);
        QCOMPARE(settled.first().at(1).toString(), h->errorMessage());
        QCOMPARE(r.card->confirmButton()->look(), SyncButton::Look::Unconfirmed);
        r.screenshot();
        QCOMPARE(r.looks,
            (QList<SyncButton::Look> { SyncButton::Look::Sending, SyncButton::Look::AwaitingEcho,
                SyncButton::Look::Unconfirmed }));
        QVERIFY(m_proxy->requestCount(rowPath, get) >= 1);
        QCOMPARE(m_db->bookingVersion(r.id), version + 1); // it did happen

        m_proxy->passAll();
        QSignalSpy retry(&b, &SyncButton::retryRequested);
        QTest::mouseClick(&b, Qt::LeftButton);
        QCOMPARE(retry.size(), 1);
        QCOMPARE(retry.first().at(0).toString(), h->key());
        QCOMPARE(action.size(), 1);
        QCOMPARE(b.look(), SyncButton::Look::AwaitingEcho); // looking again: busy
        QVERIFY(!b.isEnabled());
        QTRY_COMPARE_WITH_TIMEOUT(b.look(), SyncButton::Look::Confirmed, 5000);
        QVERIFY(r.current == h);
        QCOMPARE(m_proxy->requestCount(confirmPath, post), 1); // looked again, not sent again
        QCOMPARE(m_db->bookingVersion(r.id), version + 1);
        QCOMPARE(changeLogRows(r.id), 1);
    }

    // Every look has a fresh screenshot of a card in it, from the real states above.
    void everyStateWasScreenshot()
    {
        const QMetaEnum looks = QMetaEnum::fromType<SyncButton::Look>();
        for (int i = 0; i < looks.keyCount(); ++i) {
            const auto look = SyncButton::Look(looks.value(i));
            const QFileInfo file(
                QDir(screenshotDir()).filePath(stateShotName(look) + QStringLiteral(".png")));
            QVERIFY2(file.exists(), qPrintable(file.fileName()));
            QVERIFY2(file.lastModified() >= m_startedAt,
                qPrintable(file.fileName() + QStringLiteral(" is from an earlier run")));
            QVERIFY2(!QImage(file.filePath()).isNull(), qPrintable(file.fileName()));
        }
    }
};

QTEST_MAIN(TestSyncButton)
#include "tst_syncbutton.moc"
