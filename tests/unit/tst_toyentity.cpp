// A toy entity, "invoices" with "mark-paid" and "void", added the way a newcomer would: two
// descriptors in a registry and a RowStore handed to the session. Nothing else of the client
// changes: the engine sends it with an idempotency key, shows it at once, recognises its echo
// (from the store, or by reading the row again) and finds it as the record's latest. The
// server is a real local HTTP stand-in that knows invoices.
#include "entityregistry.h"
#include "mutationengine.h"
#include "mutationhandle.h"
#include "rowstore.h"
#include "syncsession.h"

#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponse>
#include <QJsonDocument>
#include <QPointer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

namespace {

const QString invoiceId = QStringLiteral("inv-1");

QJsonObject invoice(qint64 version, const QString &status)
{
    return { { QStringLiteral("id"), invoiceId }, { QStringLiteral("version"), version },
        { QStringLiteral("number"), QStringLiteral("2030-0001") },
        { QStringLiteral("status"), status } };
}

// The toy entity, described once.
EntityRegistry withInvoices()
{
    EntityRegistry registry = EntityRegistry::builtIn();
    registry.add(EntityDescriptor { .table = QStringLiteral("invoices"),
        .member = QStringLiteral("invoice"),
        .listPath = QStringLiteral("/api/invoices"),
        .listMember = QStringLiteral("invoices"),
        .rowPath = QStringLiteral("/api/invoices/%1"),
        .columns = { { QStringLiteral("id") }, { QStringLiteral("status"), 6 },
            { QStringLiteral("number") } },
        .listHelp = QStringLiteral("the invoices you may see") });
    registry.add(ActionDescriptor { .entity = QStringLiteral("invoices"),
        .name = QStringLiteral("mark-paid"),
        .path = QStringLiteral("/api/invoices/mark-paid"),
        .idMember = QStringLiteral("invoiceId"),
        .optimistic =
            [](const QJsonObject &) {
                return QJsonObject { { QStringLiteral("status"), QStringLiteral("paid") } };
            },
        .help = QStringLiteral("mark an invoice paid") });
    registry.add(ActionDescriptor { .entity = QStringLiteral("invoices"),
        .name = QStringLiteral("remind"),
        .path = QStringLiteral("/api/invoices/remind"),
        .idMember = QStringLiteral("invoiceId"),
        .params = { QStringLiteral("channel") },
        .synopsis = QStringLiteral("CHANNEL"),
        .help = QStringLiteral("remind the customer") });
    registry.add(ActionDescriptor { .entity = QStringLiteral("invoices"),
        .name = QStringLiteral("void"),
        .path = QStringLiteral("/api/invoices/void"),
        .idMember = QStringLiteral("invoiceId"),
        .echo = ActionDescriptor::Echo::Deletion,
        .optimistic =
            [](const QJsonObject &) {
                return QJsonObject { { QStringLiteral("voiding"), true } };
            },
        .help = QStringLiteral("void an invoice") });
    return registry;
}

// What the stand-in was asked.
struct Call
{
    QString method;
    QString path;
    QByteArray key;
    QJsonObject body;
};

} // namespace

class TestToyEntity : public QObject
{
    Q_OBJECT
private:
    QHttpServer m_server;
    QUrl m_url;
    QList<Call> m_calls;
    QJsonObject m_stored = invoice(1, QStringLiteral("open")); // the server's row

    QList<Call> callsTo(const QString &path) const
    {
        QList<Call> out;
        for (const Call &c : m_calls) {
            if (c.path == path)
                out.append(c);
        }
        return out;
    }

    void record(const QHttpServerRequest &request)
    {
        m_calls.append(
            { request.method() == QHttpServerRequest::Method::Post ? QStringLiteral("POST")
                                                                   : QStringLiteral("GET"),
                request.url().path(), request.value("Idempotency-Key"),
                QJsonDocument::fromJson(request.body()).object() });
    }

    struct Rig
    {
        EntityRegistry registry = withInvoices();
        QTemporaryDir dir;
        RowStore invoices { QStringLiteral("invoices"), { "number", "status" } };
        std::unique_ptr<SyncSession> session;

        bool open(const QUrl &server, qint64 echoWaitMs)
        {
            SyncSession::Options options;
            options.server = server;
            options.queuePath = dir.filePath(QStringLiteral("queue.sqlite"));
            options.realtimeEnabled = false;
            options.credentials = CredentialStore::Backend::MemoryOnly;
            options.engine.entities = &registry;
            options.engine.echoWaitMs = echoWaitMs;
            options.engine.confirmCapMs = 10000;
            session = std::make_unique<SyncSession>(options);
            invoices.reset({ invoice(1, QStringLiteral("open")) });
            session->addStore(&invoices);
            QString error;
            if (!session->open(&error))
                return false;
            QSignalSpy signedIn(session.get(), &SyncSession::signedIn);
            session->signIn(QStringLiteral("agent@example.com"), QStringLiteral("secret"),
                SyncSession::Persistence::ThisRunOnly);
            return signedIn.wait(5000);
        }
    };

private slots:
    void initTestCase()
    {
        m_server.route(
            QStringLiteral("/api/auth/login"), [this](const QHttpServerRequest &request) {
                record(request);
                return QHttpServerResponse(
                    QJsonObject { { QStringLiteral("access_token"), QStringLiteral("access") },
                        { QStringLiteral("refresh_token"), QStringLiteral("refresh") },
                        { QStringLiteral("user"),
                            QJsonObject { { QStringLiteral("id"), QStringLiteral("user-1") } } } });
            });
        m_server.route(
            QStringLiteral("/api/invoices/mark-paid"), [this](const QHttpServerRequest &request) {
                record(request);
                m_stored = invoice(m_stored.value(QStringLiteral("version")).toInteger() + 1,
                    QStringLiteral("paid"));
                return QHttpServerResponse(QJsonObject { { QStringLiteral("invoice"), m_stored } });
            });
        m_server.route(
            QStringLiteral("/api/invoices/void"), [this](const QHttpServerRequest &request) {
                record(request);
                return QHttpServerResponse(QJsonObject { { QStringLiteral("deleted"), true },
                    { QStringLiteral("table"), QStringLiteral("invoices") },
                    { QStringLiteral("id"), invoiceId },
                    { QStringLiteral("version"),
                        m_stored.value(QStringLiteral("version")).toInteger() + 1 } });
            });
        m_server.route(QStringLiteral("/api/invoices/<arg>"),
            [this](const QString &, const QHttpServerRequest &request) {
                record(request);
                return QHttpServerResponse(QJsonObject { { QStringLiteral("invoice"), m_stored } });
            });
        const quint16 port = m_server.listen(QHostAddress::LocalHost, 0);
        QVERIFY(port != 0);
        m_url = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port));
    }

    void init()
    {
        m_calls.clear();
        m_stored = invoice(1, QStringLiteral("open"));
    }

    void markPaidIsSentShownAndConfirmedByReadingTheRowAgain()
    {
        Rig rig;
        QVERIFY(rig.open(m_url, 100)); // no realtime here: the row is read again after 100 ms
        QPointer<MutationHandle> h = rig.session->engine()->submitAction(
            QStringLiteral("invoices"), QStringLiteral("mark-paid"), invoiceId);
        QVERIFY(h);
        QCOMPARE(h->action(), QStringLiteral("mark-paid"));
        // Shown at once, from the descriptor's optimistic fields.
        const int row = rig.invoices.indexOf(invoiceId);
        QCOMPARE(rig.invoices.displayed(row).value(QStringLiteral("status")).toString(),
            QStringLiteral("paid"));
        QVERIFY(rig.invoices.isPending(invoiceId));
        QCOMPARE(rig.session->engine()->latest(
                     QStringLiteral("invoices"), invoiceId, QStringLiteral("mark-paid")),
            h.data());

        QTRY_COMPARE_WITH_TIMEOUT(h->state(), Mutation::State::Confirmed, 5000);
        // Sent once, to the described route, with the described body and its key.
        const QList<Call> posts = callsTo(QStringLiteral("/api/invoices/mark-paid"));
        QCOMPARE(posts.size(), 1);
        QCOMPARE(posts.first().key, h->key().toLatin1());
        QCOMPARE(posts.first().body, (QJsonObject { { QStringLiteral("invoiceId"), invoiceId } }));
        // The echo was the row the answer named, read again through the described route.
        QCOMPARE(h->echoTable(), QStringLiteral("invoices"));
        QCOMPARE(h->echoVersion(), 2);
        QVERIFY(!callsTo(QStringLiteral("/api/invoices/") + invoiceId).isEmpty());
        QCOMPARE(rig.invoices.version(invoiceId), 2);
        QCOMPARE(rig.invoices.row(invoiceId).value(QStringLiteral("status")).toString(),
            QStringLiteral("paid"));
        QVERIFY(!rig.invoices.isPending(invoiceId));
        QCOMPARE(rig.session->engine()->pendingCount(), 0);
    }

    void markPaidIsConfirmedByTheStoreSeeingItsRow()
    {
        Rig rig;
        QVERIFY(rig.open(m_url, 60000)); // the store's echo comes long before any re-read
        QPointer<MutationHandle> h = rig.session->engine()->submitAction(
            QStringLiteral("invoices"), QStringLiteral("mark-paid"), invoiceId);
        QVERIFY(h);
        QTRY_COMPARE_WITH_TIMEOUT(h->state(), Mutation::State::AwaitingEcho, 5000);
        QCOMPARE(h->phase(), Mutation::Phase::AwaitingEcho);
        QVERIFY(h->isBusy());
        // As realtime would bring it: the store takes the row and the closed loop sees it.
        QVERIFY(rig.invoices.take(QStringLiteral("invoices"), m_stored));
        QCOMPARE(h->state(), Mutation::State::Confirmed);
        QCOMPARE(h->phase(), Mutation::Phase::Done);
        QVERIFY(callsTo(QStringLiteral("/api/invoices/") + invoiceId).isEmpty());
    }

    void voidIsConfirmedWhenTheTableItsAnswerNamesLosesTheRow()
    {
        Rig rig;
        QVERIFY(rig.open(m_url, 60000));
        QPointer<MutationHandle> h = rig.session->engine()->submitAction(
            QStringLiteral("invoices"), QStringLiteral("void"), invoiceId);
        QVERIFY(h);
        QTRY_COMPARE_WITH_TIMEOUT(h->state(), Mutation::State::AwaitingEcho, 5000);
        // The answer named its table: the engine waits for that row to go, not a booking.
        QCOMPARE(h->echoTable(), QStringLiteral("invoices"));
        QVERIFY(h->echoIsDeletion());
        QVERIFY(rig.invoices.remove(invoiceId, 2));
        QCOMPARE(h->state(), Mutation::State::Confirmed);
        QCOMPARE(rig.invoices.rowCount(), 0);
    }

    void latestIsTheNewestOfAnActionWhoseBodyMatches()
    {
        Rig rig;
        QVERIFY(rig.open(m_url, 60000));
        MutationEngine *engine = rig.session->engine();
        MutationHandle *byEmail = engine->submitAction(QStringLiteral("invoices"),
            QStringLiteral("remind"), invoiceId, { QStringLiteral("email") });
        MutationHandle *bySms = engine->submitAction(QStringLiteral("invoices"),
            QStringLiteral("remind"), invoiceId, { QStringLiteral("sms") });
        MutationHandle *paid = engine->submitAction(
            QStringLiteral("invoices"), QStringLiteral("mark-paid"), invoiceId);
        QVERIFY(byEmail && bySms && paid);
        QCOMPARE(bySms->mutation().body,
            (QJsonObject { { QStringLiteral("invoiceId"), invoiceId },
                { QStringLiteral("channel"), QStringLiteral("sms") } }));
        QCOMPARE(
            engine->latest(QStringLiteral("invoices"), invoiceId, QStringLiteral("remind")), bySms);
        QCOMPARE(engine->latest(QStringLiteral("invoices"), invoiceId, QStringLiteral("remind"),
                     { { QStringLiteral("channel"), QStringLiteral("email") } }),
            byEmail);
        QCOMPARE(engine->latest(QStringLiteral("invoices"), invoiceId, QStringLiteral("remind"),
                     { { QStringLiteral("channel"), QStringLiteral("sms") } }),
            bySms);
        QCOMPARE(engine->latest(QStringLiteral("invoices"), invoiceId, QStringLiteral("remind"),
                     { { QStringLiteral("channel"), QStringLiteral("fax") } }),
            nullptr);
        QCOMPARE(engine->latest(QStringLiteral("invoices"), invoiceId, QStringLiteral("mark-paid")),
            paid);
        QCOMPARE(engine->latest(QStringLiteral("invoices"), QStringLiteral("inv-2"),
                     QStringLiteral("mark-paid")),
            nullptr);
        // A discarded one is no one's latest any more (nothing was sent yet: no event loop ran).
        QVERIFY(engine->discard(byEmail->key()));
        QCOMPARE(engine->latest(QStringLiteral("invoices"), invoiceId, QStringLiteral("remind"),
                     { { QStringLiteral("channel"), QStringLiteral("email") } }),
            nullptr);
    }

    void anActionNotDescribedIsRefusedAndNothingIsQueued()
    {
        Rig rig;
        QVERIFY(rig.open(m_url, 100));
        QVERIFY(!rig.session->engine()->submitAction(
            QStringLiteral("invoices"), QStringLiteral("refund"), invoiceId));
        QVERIFY(!rig.session->engine()->submitAction(QStringLiteral("invoices"),
            QStringLiteral("mark-paid"), invoiceId, { QStringLiteral("unexpected") }));
        QVERIFY(rig.session->engine()->handles().isEmpty());
        QCOMPARE(rig.session->engine()->pendingCount(), 0);
        QVERIFY(callsTo(QStringLiteral("/api/invoices/mark-paid")).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestToyEntity)
#include "tst_toyentity.moc"
