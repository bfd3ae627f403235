// ApiService's dispositions: each request's route is matched once, on the event loop, and a
// deferred request (group commit or worker) carries that match with it; each path through
// runs its handler with the transaction context of its thread.
#include "auth/tokenservice.h"
#include "clock.h"
#include "http/apiservice.h"
#include "http/disposition.h"
#include "http/httprequest.h"
#include "http/requestcontext.h"
#include "metrics/servermetrics.h"
#include "randomsource.h"
#include "storage/database.h"
#include "storage/storageerror.h"
#include "storage/transaction.h"
#include "storage/transactionrunner.h"

#include <QSqlError>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

namespace {

using Attempts = TransactionRunner::Attempts;

HttpRequest request(QByteArray method, QByteArray rawPath)
{
    HttpRequest r;
    r.method = std::move(method);
    r.rawPath = std::move(rawPath);
    return r;
}

HttpRequest mutation(const QByteArray &key)
{
    HttpRequest r = request("POST", "/api/things/touch");
    r.headers = { { "content-type", "application/json" }, { "idempotency-key", '"' + key + '"' } };
    r.body = "{}";
    return r;
}

} // namespace

class TestApiService : public QObject
{
    Q_OBJECT

private slots:
    void init()
    {
        QVERIFY(m_dir.isValid());
        DatabaseConfig config;
        config.sqlitePath = m_dir.filePath(QStringLiteral("api-%1.sqlite").arg(++m_databases));
        m_database = std::make_unique<Database>(config);
        QString error;
        QVERIFY2(m_database->open(&error), qPrintable(error));
        m_runner = std::make_unique<TransactionRunner>(*m_database, SystemClock::instance(),
            SystemRandomSource::instance(), TransactionRunner::Options {});
        m_metrics = std::make_unique<ServerMetrics>();
        m_tokens = std::make_unique<TokenService>(QByteArray(32, 'k'), SystemClock::instance());
        m_api = std::make_unique<ApiService>(
            *m_tokens, *m_metrics, *m_runner, ApiService::Options {});
        m_calls.clear();
        m_busyOnce = true;

        const Router::Options inlineQuery { .access = Router::Access::Public };
        const Router::Options workerQuery { .access = Router::Access::Public,
            .execution = Router::Execution::Worker };
        const Router::Options inlineMutation { .access = Router::Access::Public,
            .kind = Router::Kind::Mutation };
        Router &router = m_api->router();
        router.add(
            "GET", QStringLiteral("/api/things/{id}"), inlineQuery, [this](RequestContext &ctx) {
                m_calls << ctx.transactions();
                return HttpResponse::json(
                    200, { { QStringLiteral("id"), ctx.param(QStringLiteral("id")) } });
            });
        router.add("GET", QStringLiteral("/api/slow"), workerQuery, [this](RequestContext &ctx) {
            m_calls << ctx.transactions();
            return HttpResponse::json(200, {});
        });
        router.add("GET", QStringLiteral("/api/busy"), inlineQuery, [this](RequestContext &ctx) {
            m_calls << ctx.transactions();
            // Busy for the event loop's one attempt; the worker's attempt goes through.
            if (std::exchange(m_busyOnce, false))
                throw StorageError(
                    QSqlError(), StorageError::Kind::Transient, QStringLiteral("busy"));
            return HttpResponse::json(200, {});
        });
        router.add("POST", QStringLiteral("/api/things/touch"), inlineMutation,
            [this](RequestContext &ctx) {
                m_calls << ctx.transactions();
                m_runner->write(ctx.transactions(), [](Transaction &) {});
                return HttpResponse::json(200, {});
            });
    }

    void cleanup()
    {
        m_api.reset();
        m_tokens.reset();
        m_metrics.reset();
        m_runner.reset();
        m_database.reset();
    }

    void inlineQueryIsAnsweredOnTheLoopInOneAttempt()
    {
        Disposition d = m_api->dispose(request("GET", "/api/things/abc"));
        QCOMPARE(d.kind(), Disposition::Kind::Answer);
        QCOMPARE(d.response().status, 200);
        QCOMPARE(d.response().body, QByteArray(R"({"id":"abc"})"));
        QCOMPARE(m_calls.size(), 1);
        QCOMPARE(m_calls.first().attempts, Attempts::Single);
        QVERIFY(!m_calls.first().batch);
        QCOMPARE(m_metrics->totalRequests(), quint64(1));
    }

    void unroutableRequestsAreAnsweredAtOnce_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<int>("status");
        QTest::newRow("no such resource") << QByteArray("GET") << QByteArray("/api/nowhere") << 404;
        QTest::newRow("wrong method") << QByteArray("DELETE") << QByteArray("/api/slow") << 405;
        QTest::newRow("invalid path") << QByteArray("GET") << QByteArray("/api/things/%zz") << 400;
    }

    void unroutableRequestsAreAnsweredAtOnce()
    {
        QFETCH(QByteArray, method);
        QFETCH(QByteArray, path);
        QFETCH(int, status);
        Disposition d = m_api->dispose(request(method, path));
        QCOMPARE(d.kind(), Disposition::Kind::Answer);
        QCOMPARE(d.response().status, status);
        QVERIFY(m_calls.isEmpty());
        QCOMPARE(
            m_metrics->requestCounts().value({ QStringLiteral("unmatched"), QByteArray(), status }),
            quint64(1));
    }

    void workerRouteCarriesItsMatchToTheWorker()
    {
        Disposition d = m_api->dispose(request("GET", "/api/slow"));
        QCOMPARE(d.kind(), Disposition::Kind::Worker);
        QVERIFY(m_calls.isEmpty());
        QCOMPARE(m_metrics->totalRequests(), quint64(0));
        RoutedRequest routed = d.routed();
        QCOMPARE(routed.match.route->pattern, QStringLiteral("/api/slow"));
        // The worker answers the route matched on the loop, not one matched again: a path
        // that routes nowhere still reaches the handler found for the original one.
        routed.request.rawPath = "/api/nowhere";
        const HttpResponse response = m_api->handle(routed);
        QCOMPARE(response.status, 200);
        QCOMPARE(m_calls.size(), 1);
        QCOMPARE(m_calls.first().attempts, Attempts::RetryWithBackoff);
        QCOMPARE(m_metrics->requestCounts().value(
                     { QStringLiteral("/api/slow"), QByteArray("GET"), 200 }),
            quint64(1));
    }

    void transientErrorOnTheLoopGoesToAWorker()
    {
        Disposition d = m_api->dispose(request("GET", "/api/busy"));
        QCOMPARE(d.kind(), Disposition::Kind::Worker);
        QCOMPARE(m_metrics->totalRequests(), quint64(0)); // counted once, by the worker
        QCOMPARE(m_api->handle(d.routed()).status, 200);
        QCOMPARE(m_calls.size(), 2);
        QCOMPARE(m_calls.at(0).attempts, Attempts::Single);
        QCOMPARE(m_calls.at(1).attempts, Attempts::RetryWithBackoff);
        QCOMPARE(m_metrics->totalRequests(), quint64(1));
    }

    void inlineMutationsRunInOneBatch()
    {
        std::vector<RoutedRequest> batch;
        for (const QByteArray &key : { QByteArray("key-1"), QByteArray("key-2") }) {
            Disposition d = m_api->dispose(mutation(key));
            QCOMPARE(d.kind(), Disposition::Kind::Batch);
            batch.push_back(d.routed());
        }
        QVERIFY(m_calls.isEmpty());
        std::vector<Disposition> answers = m_api->handleBatch(std::move(batch));
        QCOMPARE(answers.size(), std::size_t(2));
        for (Disposition &answer : answers) {
            QCOMPARE(answer.kind(), Disposition::Kind::Answer);
            QCOMPARE(answer.response().status, 200);
        }
        QCOMPARE(m_calls.size(), 2);
        QVERIFY(m_calls.at(0).batch);
        QCOMPARE(m_calls.at(0).batch, m_calls.at(1).batch); // one transaction for both
        QCOMPARE(m_metrics->requestCounts().value(
                     { QStringLiteral("/api/things/touch"), QByteArray("POST"), 200 }),
            quint64(2));
    }

private:
    QTemporaryDir m_dir;
    int m_databases = 0;
    std::unique_ptr<Database> m_database;
    std::unique_ptr<TransactionRunner> m_runner;
    std::unique_ptr<ServerMetrics> m_metrics;
    std::unique_ptr<TokenService> m_tokens;
    std::unique_ptr<ApiService> m_api;
    QList<TransactionRunner::Context> m_calls;
    bool m_busyOnce = true;
};

QTEST_GUILESS_MAIN(TestApiService)
#include "tst_apiservice.moc"
