// Serialization failures and deadlocks from a real PostgreSQL are retried with capped, jittered
// backoff (issue 11). A PL/pgSQL trigger on `bookings` raises SQLSTATE 40001 or 40P01 for the
// first N attempts at one booking's update; a confirm through syncloopd then succeeds with one
// change after N + 1 attempts, the gaps between attempts within the backoff's bounds. More
// failures than the retry limit answer 503 with Retry-After and change nothing.
//
// The trigger's bookkeeping survives the rollbacks it causes: the attempt count is a sequence
// (nextval is never rolled back) and each attempt's clock_timestamp() goes into a sequence of its
// own with setval (never rolled back either). Runs only on PostgreSQL (label postgres).
#include "dbinspector.h"
#include "demodata.h"
#include "httpclient.h"
#include "serverprocess.h"

#include <QElapsedTimer>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <algorithm>

namespace {

// TransactionRunner's defaults (src/server/storage/transactionrunner.h): a confirm runs once on
// the event loop, where a transient error hands it to a worker thread at once, and the worker
// makes up to 30 attempts, sleeping uniform(0, min(250, 2 * 2^k)) ms before retry k + 1.
constexpr int workerAttempts = 30;
constexpr qint64 backoffBaseMs = 2;
constexpr qint64 backoffCapMs = 250;
// What one attempt costs besides the backoff sleep (rollback, begin, the idempotency record's
// queries): generous, for a loaded 2-core CI machine.
constexpr qint64 slackMs = 200;
constexpr int stampedAttempts = 40;

qint64 ceilingMs(int retry)
{
    return std::min(backoffCapMs, backoffBaseMs << std::min(retry, 20));
}

} // namespace

class TestTransientRetry : public QObject
{
    Q_OBJECT

    std::unique_ptr<ServerProcess> m_server;
    std::unique_ptr<DbInspector> m_db;
    std::unique_ptr<HttpClient> m_agent;
    QStringList m_pending;

    // Unprepared: PostgreSQL cannot PREPARE DDL.
    bool run(const QString &sql)
    {
        QSqlQuery q(m_db->database());
        if (!q.exec(sql)) {
            qWarning().noquote() << "SQL failed:" << q.lastError().text() << '\n' << sql;
            return false;
        }
        return true;
    }

    // From now on the first `failures` updates of booking `id` fail with SQLSTATE `code`.
    bool failUpdatesOf(const QString &id, int failures, const QString &code)
    {
        return run(QStringLiteral("ALTER SEQUENCE retry_attempts RESTART"))
            && run(QStringLiteral(R"(
            CREATE OR REPLACE FUNCTION retry_fail() RETURNS trigger LANGUAGE plpgsql AS $fn$
            DECLARE n bigint;
            BEGIN
                IF NEW.id <> '%1' THEN RETURN NEW; END IF;
                n := nextval('retry_attempts');
                IF n <= %4 THEN
                    PERFORM setval(format('retry_attempt_at_%s', n)::regclass,
                                   (extract(epoch FROM clock_timestamp()) * 1000000)::bigint);
                END IF;
                IF n <= %2 THEN
                    RAISE EXCEPTION 'forced by tst_transientretry (attempt %)', n USING ERRCODE = '%3';
                END IF;
                RETURN NEW;
            END $fn$)")
                       .arg(id)
                       .arg(failures)
                       .arg(code)
                       .arg(stampedAttempts));
    }

    qint64 attempts() const
    {
        return m_db->scalar(QStringLiteral(
            "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM retry_attempts"));
    }

    // When attempt n (1-based) reached the trigger, in µs since the epoch.
    qint64 attemptAtUs(int n) const
    {
        return m_db->scalar(QStringLiteral("SELECT last_value FROM retry_attempt_at_%1").arg(n));
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(TestDatabase::usePostgres(),
            "tst_transientretry runs on PostgreSQL only (SYNCLOOP_TEST_DATABASE=postgres)");
        ServerProcess::Options options;
        options.demoBookings = 20;
        m_server = std::make_unique<ServerProcess>(options);
        QVERIFY(m_server->start());
        m_db = std::make_unique<DbInspector>(m_server->databasePath());
        m_agent = std::make_unique<HttpClient>(m_server->baseUrl());
        QVERIFY(!m_agent->login(DemoData::agent1).isEmpty());
        m_pending = DemoData::bookingIds(*m_agent, QStringLiteral("pending"));
        QVERIFY(m_pending.size() >= 4);

        QVERIFY(run(QStringLiteral("CREATE SEQUENCE retry_attempts")));
        for (int n = 1; n <= stampedAttempts; ++n)
            QVERIFY(run(QStringLiteral("CREATE SEQUENCE retry_attempt_at_%1").arg(n)));
        QVERIFY(failUpdatesOf(QString(), 0, QStringLiteral("40001")));
        QVERIFY(run(QStringLiteral("CREATE TRIGGER retry_fail BEFORE UPDATE ON bookings FOR EACH "
                                   "ROW EXECUTE FUNCTION retry_fail()")));
    }

    void retriedUntilItSucceeds_data()
    {
        QTest::addColumn<QString>("code");
        QTest::newRow("serialization_failure") << QStringLiteral("40001");
        QTest::newRow("deadlock_detected") << QStringLiteral("40P01");
    }

    // 14 failures: the event-loop attempt and 13 on the worker, the last 6 of them past the cap
    // (uncapped, the 13th backoff would be 2 * 2^12 ms, 8 s).
    void retriedUntilItSucceeds()
    {
        QFETCH(QString, code);
        constexpr int failures = 14;
        const QString id = m_pending.takeFirst();
        const qint64 version = m_db->bookingVersion(id);
        const qint64 changes = m_db->changesFor(id);
        const qint64 seq = m_db->changeSeq();
        QVERIFY(failUpdatesOf(id, failures, code));

        QElapsedTimer clock;
        clock.start();
        const QString key = HttpClient::newKey();
        const HttpResult r = m_agent->postJson(
            QStringLiteral("/api/bookings/confirm"), { { QStringLiteral("bookingId"), id } }, key);
        const qint64 elapsed = clock.elapsed();
        QVERIFY2(r.status == 200,
            qPrintable(QString::number(r.status) + u' ' + QString::fromUtf8(r.body)));
        QCOMPARE(r.json()
                     .value(QStringLiteral("booking"))
                     .toObject()
                     .value(QStringLiteral("status"))
                     .toString(),
            QStringLiteral("confirmed"));

        // Exactly one change, after exactly N + 1 attempts.
        QCOMPARE(attempts(), qint64(failures + 1));
        QCOMPARE(m_db->bookingVersion(id), version + 1);
        QCOMPARE(m_db->bookingStatus(id), QStringLiteral("confirmed"));
        QCOMPARE(m_db->changesFor(id), changes + 1);
        QCOMPARE(m_db->changeSeq(), seq + 1);
        QCOMPARE(m_db->keyRecords(key), 1);

        // Gap 1 is the hand-over from the event loop to a worker (no sleep); gap k >= 2 is the
        // worker's retry k - 2: at most its capped ceiling, plus what an attempt costs.
        QList<qint64> gapsMs;
        for (int n = 1; n <= failures; ++n)
            gapsMs << (attemptAtUs(n + 1) - attemptAtUs(n)) / 1000;
        qInfo() << code << "attempts" << attempts() << "in" << elapsed
                << "ms; gaps (ms):" << gapsMs;
        QStringList tooLong;
        qint64 ceilings = 0;
        for (int k = 0; k < gapsMs.size(); ++k) {
            QVERIFY2(gapsMs[k] >= 0, "attempts out of order");
            const qint64 ceiling = k == 0 ? 0 : ceilingMs(k - 1);
            ceilings += ceiling;
            if (gapsMs[k] > ceiling + slackMs)
                tooLong << QStringLiteral("gap %1: %2 ms > %3 + %4")
                               .arg(k + 1)
                               .arg(gapsMs[k])
                               .arg(ceiling)
                               .arg(slackMs);
        }
        QVERIFY2(tooLong.isEmpty(), qPrintable(tooLong.join(u'\n')));
        // Jittered, not a fixed schedule: of the six retries at the cap, not every one slept
        // near the cap (all six above 90 % of it by chance: one in a million).
        const QList<qint64> capped = gapsMs.mid(gapsMs.size() - 6);
        QVERIFY2(*std::min_element(capped.cbegin(), capped.cend()) < backoffCapMs * 9 / 10,
            qPrintable(QString::number(capped.first())));
        QVERIFY2(elapsed <= ceilings + failures * slackMs, qPrintable(QString::number(elapsed)));
    }

    // More failures than the retry limit: 503 problem+json with Retry-After, nothing changed
    // (no change, no idempotency record), after the event-loop attempt and every worker attempt.
    // Once the database behaves, the same key confirms once.
    void beyondTheRetryLimitAnswers503AndChangesNothing()
    {
        const QString id = m_pending.takeFirst();
        const qint64 version = m_db->bookingVersion(id);
        const qint64 changes = m_db->changesFor(id);
        const qint64 seq = m_db->changeSeq();
        QVERIFY(failUpdatesOf(id, 100000, QStringLiteral("40001")));

        const QString key = HttpClient::newKey();
        QElapsedTimer clock;
        clock.start();
        const HttpResult r = m_agent->postJson(
            QStringLiteral("/api/bookings/confirm"), { { QStringLiteral("bookingId"), id } }, key);
        qInfo() << "gave up after" << attempts() << "attempts in" << clock.elapsed() << "ms";
        QCOMPARE(r.status, 503);
        QVERIFY2(r.header("Content-Type").startsWith("application/problem+json"),
            r.header("Content-Type").constData());
        QVERIFY2(r.header("Retry-After").toInt() >= 1, r.header("Retry-After").constData());
        QCOMPARE(r.code(), QStringLiteral("temporarily_unavailable"));
        QCOMPARE(r.json().value(QStringLiteral("status")).toInt(), 503);
        QCOMPARE(attempts(), qint64(1 + workerAttempts));
        QCOMPARE(m_db->bookingVersion(id), version);
        QCOMPARE(m_db->bookingStatus(id), QStringLiteral("pending"));
        QCOMPARE(m_db->changesFor(id), changes);
        QCOMPARE(m_db->changeSeq(), seq);
        QCOMPARE(m_db->keyRecords(key), 0);

        QVERIFY(failUpdatesOf(id, 0, QStringLiteral("40001")));
        const HttpResult retry = m_agent->postJson(
            QStringLiteral("/api/bookings/confirm"), { { QStringLiteral("bookingId"), id } }, key);
        QCOMPARE(retry.status, 200);
        QVERIFY(retry.header("Idempotent-Replayed").isNull());
        QCOMPARE(attempts(), 1);
        QCOMPARE(m_db->bookingVersion(id), version + 1);
        QCOMPARE(m_db->changesFor(id), changes + 1);
        QCOMPARE(m_db->keyRecords(key), 1);
    }
};

QTEST_GUILESS_MAIN(TestTransientRetry)
#include "tst_transientretry.moc"
