// The storage layer on a SQLite file in a QTemporaryDir: migrations, durability across
// reopen, busy retries, group-commit batches, the change log and the key stores.
#include "clock.h"
#include "serveroptions.h"
#include "randomsource.h"
#include "storage/changelog.h"
#include "storage/database.h"
#include "storage/idempotencystore.h"
#include "storage/migrator.h"
#include "storage/refreshtokenstore.h"
#include "storage/sqlquery.h"
#include "storage/storageerror.h"
#include "storage/transaction.h"
#include "storage/transactionrunner.h"
#include "storage/userrepository.h"
#include "storage/walcheckpointer.h"

#include <QFileInfo>
#include <QSignalSpy>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QtConcurrent>

namespace {

DatabaseConfig configIn(const QTemporaryDir &dir)
{
    DatabaseConfig config;
    config.sqlitePath = dir.filePath(QStringLiteral("test.sqlite"));
    return config;
}

// A second, independent connection to the same file (as another process would have).
class OtherConnection
{
public:
    explicit OtherConnection(const QString &path) : m_name(QStringLiteral("other-%1").arg(++s_count))
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=0"));
        db.open();
    }
    ~OtherConnection()
    {
        QSqlDatabase::database(m_name).close();
        QSqlDatabase::removeDatabase(m_name);
    }
    bool exec(const QString &sql) { return QSqlQuery(QSqlDatabase::database(m_name)).exec(sql); }
    qint64 scalar(const QString &sql)
    {
        QSqlQuery q(QSqlDatabase::database(m_name));
        return q.exec(sql) && q.next() ? q.value(0).toLongLong() : -1;
    }

private:
    QString m_name;
    static inline int s_count = 0;
};

void seedOrganisation(TransactionRunner &runner)
{
    runner.write([](Transaction &tx) {
        UserRepository::insertOrganisation(tx, QStringLiteral("org-1"), QStringLiteral("Org"));
        UserRepository::insert(tx, { QStringLiteral("user-1"), QStringLiteral("org-1"), QStringLiteral("a@example.com"),
                                     QStringLiteral("hash"), Principal::Role::Agent });
    });
}

ChangeLog::Entry entry(const QString &recordId)
{
    return { QStringLiteral("bookings"), ChangeLog::Type::Update, QStringLiteral("org-1"), QStringLiteral("user-1"),
             recordId, { { QStringLiteral("id"), recordId } }, {} };
}

} // namespace

class TestStorage : public QObject
{
    Q_OBJECT
private slots:
    void migratesAnEmptyDatabaseOnce()
    {
        QTemporaryDir dir;
        {
            Database db(configIn(dir));
            QString error;
            QVERIFY2(db.open(&error), qPrintable(error));
            QCOMPARE(Migrator(db.connection(), db.dialect()).currentVersion(), Migrator::latestVersion());
        }
        {
            Database again(configIn(dir));
            QString error;
            QVERIFY(again.open(&error));
            OtherConnection other(dir.filePath(QStringLiteral("test.sqlite")));
            QCOMPARE(other.scalar(QStringLiteral("SELECT COUNT(*) FROM schema_version")), qint64(Migrator::latestVersion()));
            QSqlQuery mode(QSqlDatabase::database(again.connection().connectionName()));
            QVERIFY(mode.exec(QStringLiteral("PRAGMA journal_mode")) && mode.next());
            QCOMPARE(mode.value(0).toString(), QStringLiteral("wal"));
        }
    }

    void refusesAnUnusablePath()
    {
        DatabaseConfig config;
        config.sqlitePath = QStringLiteral("/proc/no-such-dir/x.sqlite");
        Database db(config);
        QString error;
        QVERIFY(!db.open(&error));
        QVERIFY(!error.isEmpty());
    }

    void committedDataSurvivesReopen()
    {
        QTemporaryDir dir;
        qint64 seq = 0;
        {
            Database db(configIn(dir));
            QString error;
            QVERIFY(db.open(&error));
            TransactionRunner runner(db, SystemClock::instance(), SystemRandomSource::instance(), {});
            seedOrganisation(runner);
            seq = runner.write([](Transaction &tx) { return ChangeLog::append(tx, entry(QStringLiteral("b1"))); });
        }
        Database db(configIn(dir));
        QString error;
        QVERIFY(db.open(&error));
        TransactionRunner runner(db, SystemClock::instance(), SystemRandomSource::instance(), {});
        QCOMPARE(runner.read([](Transaction &tx) { return ChangeLog::head(tx); }), seq);
        QVERIFY(runner.read([](Transaction &tx) { return UserRepository::findByEmail(tx, QStringLiteral("A@example.com ")); }).has_value());
    }

    void failedWorkRollsBackEverything()
    {
        QTemporaryDir dir;
        Database db(configIn(dir));
        QString error;
        QVERIFY(db.open(&error));
        TransactionRunner runner(db, SystemClock::instance(), SystemRandomSource::instance(), {});
        seedOrganisation(runner);
        QSignalSpy committed(&runner, &TransactionRunner::changesCommitted);
        bool hookRan = false;
        try {
            runner.write([&](Transaction &tx) {
                ChangeLog::append(tx, entry(QStringLiteral("b1")));
                tx.afterCommit([&] { hookRan = true; });
                // A duplicate primary key: a real, non-transient failure.
                UserRepository::insertOrganisation(tx, QStringLiteral("org-1"), QStringLiteral("again"));
            });
            QFAIL("the duplicate key must throw");
        } catch (const StorageError &e) {
            QVERIFY(!e.isTransient());
        }
        QCOMPARE(runner.read([](Transaction &tx) { return ChangeLog::head(tx); }), qint64(0));
        QVERIFY(!hookRan);
        QCOMPARE(committed.size(), 0);
    }

    void busyDatabaseIsRetriedWithBackoff()
    {
        QTemporaryDir dir;
        Database db(configIn(dir));
        QString error;
        QVERIFY(db.open(&error));
        SeededRandomSource random(11);
        TransactionRunner runner(db, SystemClock::instance(), &random, { { 1, 20 }, 500 });
        seedOrganisation(runner);

        OtherConnection other(configIn(dir).sqlitePath);
        QVERIFY(other.exec(QStringLiteral("BEGIN IMMEDIATE")));
        QFuture<qint64> write = QtConcurrent::run([&] {
            return runner.write([](Transaction &tx) { return ChangeLog::append(tx, entry(QStringLiteral("b1"))); });
        });
        QTRY_VERIFY_WITH_TIMEOUT(runner.transientRetries() >= 2, 5000);
        QVERIFY(!write.isFinished());
        QVERIFY(other.exec(QStringLiteral("COMMIT")));
        write.waitForFinished();
        QCOMPARE(write.result(), qint64(1));
    }

    void busyBeyondTheBudgetPropagatesAsTransient()
    {
        QTemporaryDir dir;
        Database db(configIn(dir));
        QString error;
        QVERIFY(db.open(&error));
        SeededRandomSource random(5);
        TransactionRunner runner(db, SystemClock::instance(), &random, { { 1, 2 }, 4 });
        seedOrganisation(runner);
        OtherConnection other(configIn(dir).sqlitePath);
        QVERIFY(other.exec(QStringLiteral("BEGIN IMMEDIATE")));
        bool transient = false;
        try {
            runner.write([](Transaction &tx) { ChangeLog::append(tx, entry(QStringLiteral("b1"))); });
        } catch (const StorageError &e) {
            transient = e.isTransient();
        }
        QVERIFY(transient);
        QCOMPARE(runner.transientRetries(), quint64(3));
        QVERIFY(other.exec(QStringLiteral("ROLLBACK")));
    }

    void singleAttemptScopeDoesNotRetry()
    {
        QTemporaryDir dir;
        Database db(configIn(dir));
        QString error;
        QVERIFY(db.open(&error));
        TransactionRunner runner(db, SystemClock::instance(), SystemRandomSource::instance(), {});
        seedOrganisation(runner);
        OtherConnection other(configIn(dir).sqlitePath);
        QVERIFY(other.exec(QStringLiteral("BEGIN IMMEDIATE")));
        TransactionRunner::SingleAttemptScope scope;
        QVERIFY_THROWS_EXCEPTION(StorageError, runner.write([](Transaction &tx) { ChangeLog::append(tx, entry(QStringLiteral("x"))); }));
        QCOMPARE(runner.transientRetries(), quint64(0));
        QVERIFY(other.exec(QStringLiteral("ROLLBACK")));
    }

    void batchCommitsUnitsTogetherAndIsolatesAFailure()
    {
        QTemporaryDir dir;
        Database db(configIn(dir));
        QString error;
        QVERIFY(db.open(&error));
        TransactionRunner runner(db, SystemClock::instance(), SystemRandomSource::instance(), {});
        seedOrganisation(runner);
        QSignalSpy committed(&runner, &TransactionRunner::changesCommitted);
        QStringList hooks;
        OtherConnection observer(configIn(dir).sqlitePath);
        {
            TransactionRunner::Batch batch(runner);
            runner.write([&](Transaction &tx) {
                ChangeLog::append(tx, entry(QStringLiteral("first")));
                tx.afterCommit([&] { hooks << QStringLiteral("first"); });
            });
            QVERIFY_THROWS_EXCEPTION(StorageError, runner.write([&](Transaction &tx) {
                ChangeLog::append(tx, entry(QStringLiteral("second")));
                tx.afterCommit([&] { hooks << QStringLiteral("second"); });
                UserRepository::insertOrganisation(tx, QStringLiteral("org-1"), QStringLiteral("duplicate"));
            }));
            runner.write([&](Transaction &tx) {
                ChangeLog::append(tx, entry(QStringLiteral("third")));
                tx.afterCommit([&] { hooks << QStringLiteral("third"); });
            });
            // Nothing is visible, and no hook has run, before the batch commits.
            QCOMPARE(observer.scalar(QStringLiteral("SELECT COUNT(*) FROM change_log")), qint64(0));
            QVERIFY(hooks.isEmpty());
            batch.commit();
        }
        QCOMPARE(hooks, (QStringList { QStringLiteral("first"), QStringLiteral("third") }));
        QCOMPARE(observer.scalar(QStringLiteral("SELECT COUNT(*) FROM change_log")), qint64(2));
        QCOMPARE(observer.scalar(QStringLiteral("SELECT COUNT(*) FROM change_log WHERE record_id = 'second'")), qint64(0));
        QCOMPARE(committed.size(), 1);
        // The failed unit took seq 2 and gave it back with its savepoint: the log stays gapless.
        QCOMPARE(committed.first().first().toLongLong(), qint64(2));
    }

    void batchWithoutCommitLeavesNothing()
    {
        QTemporaryDir dir;
        Database db(configIn(dir));
        QString error;
        QVERIFY(db.open(&error));
        TransactionRunner runner(db, SystemClock::instance(), SystemRandomSource::instance(), {});
        seedOrganisation(runner);
        bool hookRan = false;
        {
            TransactionRunner::Batch batch(runner);
            runner.write([&](Transaction &tx) {
                ChangeLog::append(tx, entry(QStringLiteral("lost")));
                tx.afterCommit([&] { hookRan = true; });
            });
        }
        QVERIFY(!hookRan);
        QCOMPARE(runner.read([](Transaction &tx) { return ChangeLog::head(tx); }), qint64(0));
    }

    void changeSequenceFollowsCommitOrder()
    {
        QTemporaryDir dir;
        Database db(configIn(dir));
        QString error;
        QVERIFY(db.open(&error));
        TransactionRunner runner(db, SystemClock::instance(), SystemRandomSource::instance(), {});
        seedOrganisation(runner);
        QList<QFuture<void>> writers;
        for (int t = 0; t < 4; ++t) {
            writers.append(QtConcurrent::run([&runner, t] {
                for (int i = 0; i < 50; ++i)
                    runner.write([&](Transaction &tx) { ChangeLog::append(tx, entry(QStringLiteral("w%1-%2").arg(t).arg(i))); });
            }));
        }
        for (auto &w : writers)
            w.waitForFinished();
        const auto rows = runner.read([](Transaction &tx) { return ChangeLog::allSince(tx, 0, 1000); });
        QCOMPARE(rows.size(), 200);
        for (int i = 0; i < rows.size(); ++i)
            QCOMPARE(rows[i].seq, qint64(i + 1)); // gapless and ordered
        QCOMPARE(rows.first().data.value(QStringLiteral("type")).toString(), QStringLiteral("UPDATE"));
        QCOMPARE(rows.first().data.value(QStringLiteral("schema")).toString(), QStringLiteral("public"));
    }

    void idempotencyRecordsRoundTripAndPurge()
    {
        QTemporaryDir dir;
        Database db(configIn(dir));
        QString error;
        QVERIFY(db.open(&error));
        ManualClock clock;
        TransactionRunner runner(db, &clock, SystemRandomSource::instance(), {});
        const IdempotencyStore::Record record { QStringLiteral("fp"), QStringLiteral("POST"), QStringLiteral("/api/x"), 201,
                                                "application/json", "{\"a\":\"\xc3\xa9\"}", clock.nowMs() };
        runner.write([&](Transaction &tx) { IdempotencyStore::insert(tx, QStringLiteral("u1"), QStringLiteral("k"), record); });
        const auto found = runner.read([](Transaction &tx) { return IdempotencyStore::find(tx, QStringLiteral("u1"), QStringLiteral("k")); });
        QVERIFY(found.has_value());
        QCOMPARE(found->body, record.body); // byte for byte, UTF-8 included
        QCOMPARE(found->status, 201);
        QVERIFY(!runner.read([](Transaction &tx) { return IdempotencyStore::find(tx, QStringLiteral("u2"), QStringLiteral("k")); }).has_value());
        const int purged = runner.write([&](Transaction &tx) { return IdempotencyStore::purgeCreatedBefore(tx, clock.nowMs() + 1, 100); });
        QCOMPARE(purged, 1);
        QCOMPARE(runner.read([](Transaction &tx) { return IdempotencyStore::count(tx); }), qint64(0));
    }

    void purgeGoesOldestFirstInSlices()
    {
        QTemporaryDir dir;
        Database db(configIn(dir));
        QString error;
        QVERIFY(db.open(&error));
        ManualClock clock;
        TransactionRunner runner(db, &clock, SystemRandomSource::instance(), {});
        const qint64 t0 = clock.nowMs();
        // 12 records a second apart, then the cutoff after the 10th: 10 expired, 2 kept.
        for (int i = 0; i < 12; ++i) {
            const IdempotencyStore::Record record { QStringLiteral("fp"), QStringLiteral("POST"), QStringLiteral("/api/x"), 200,
                                                    "application/json", "{}", t0 + 1000 * i };
            runner.write([&](Transaction &tx) { IdempotencyStore::insert(tx, QStringLiteral("u"), QString::number(i), record); });
        }
        const qint64 cutoff = t0 + 9500;
        auto purge = [&] { return runner.write([&](Transaction &tx) { return IdempotencyStore::purgeCreatedBefore(tx, cutoff, 4); }); };
        QCOMPARE(purge(), 4);
        // Oldest first: keys 0..3 went, 4 is still there.
        QVERIFY(!runner.read([](Transaction &tx) { return IdempotencyStore::find(tx, QStringLiteral("u"), QStringLiteral("3")); }).has_value());
        QVERIFY(runner.read([](Transaction &tx) { return IdempotencyStore::find(tx, QStringLiteral("u"), QStringLiteral("4")); }).has_value());
        QCOMPARE(purge(), 4);
        QCOMPARE(purge(), 2);
        QCOMPARE(purge(), 0);
        QCOMPARE(runner.read([](Transaction &tx) { return IdempotencyStore::count(tx); }), qint64(2));
    }

    void checkpointsRunOnTheirOwnThreadNotInCommits()
    {
        QTemporaryDir dir;
        DatabaseConfig config = configIn(dir);
        config.checkpointInBackground = true;
        Database db(config);
        QString error;
        QVERIFY(db.open(&error));
        TransactionRunner runner(db, SystemClock::instance(), SystemRandomSource::instance(), {});
        seedOrganisation(runner);
        const auto size = [](const QString &path) { return QFileInfo(path).size(); };
        const QString wal = config.sqlitePath + QStringLiteral("-wal");
        const qint64 before = size(config.sqlitePath);
        // About 8 MB in 2,000 commits: far past SQLite's own checkpoint threshold (1,000 pages).
        const QString note(4000, QLatin1Char('x'));
        for (int i = 0; i < 2000; ++i) {
            runner.write([&](Transaction &tx) {
                ChangeLog::Entry e = entry(QStringLiteral("b%1").arg(i));
                e.record.insert(QStringLiteral("note"), note);
                return ChangeLog::append(tx, e);
            });
        }
        // No commit copied anything back into the database file: it is all in the log.
        QCOMPARE(size(config.sqlitePath), before);
        QVERIFY2(size(wal) > 8'000'000, qPrintable(QString::number(size(wal))));

        WalCheckpointer checkpointer(db, 10);
        checkpointer.start();
        QTRY_VERIFY_WITH_TIMEOUT(size(config.sqlitePath) > before + 8'000'000, 10000);
        checkpointer.stop(); // the last checkpoint empties the log
        QCOMPARE(size(wal), qint64(0));
        QCOMPARE(runner.read([](Transaction &tx) { return ChangeLog::head(tx); }), qint64(2000));
    }

    // --durability reaches every connection as the pragma in force (2 = FULL, 1 = NORMAL), on
    // the opening thread and on any other.
    void durabilityIsThePragmaInForce_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("synchronous");
        QTest::newRow("default: full") << QStringList() << 2;
        QTest::newRow("full") << QStringList { QStringLiteral("--durability"), QStringLiteral("full") } << 2;
        QTest::newRow("relaxed") << QStringList { QStringLiteral("--durability"), QStringLiteral("relaxed") } << 1;
        QTest::newRow("deprecated alias") << QStringList { QStringLiteral("--sqlite-synchronous-full") } << 2;
    }
    void durabilityIsThePragmaInForce()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, synchronous);
        QTemporaryDir dir;
        const ServerOptionsParseResult parsed = ServerOptions::parse(
            QStringList { QStringLiteral("syncloopd"), QStringLiteral("--data-dir"), dir.path() } + arguments);
        QVERIFY2(parsed.options, qPrintable(parsed.message));
        Database db(parsed.options->database);
        QString error;
        QVERIFY2(db.open(&error), qPrintable(error));
        const auto pragma = [&db] {
            SqlQuery q(db.connection(), db.dialect(), QStringLiteral("PRAGMA synchronous"));
            q.exec();
            return q.next() ? int(q.integer(0)) : -1;
        };
        QCOMPARE(pragma(), synchronous);
        QCOMPARE(QtConcurrent::run([&pragma] {
                     const int value = pragma();
                     Database::closeThreadConnections();
                     return value;
                 }).result(),
                 synchronous);
    }

    void refreshTokensRotateAndReuseRevokesTheFamily()
    {
        QTemporaryDir dir;
        Database db(configIn(dir));
        QString error;
        QVERIFY(db.open(&error));
        TransactionRunner runner(db, SystemClock::instance(), SystemRandomSource::instance(), {});
        seedOrganisation(runner);
        using Outcome = RefreshTokenStore::Rotation::Outcome;
        const QString first = runner.write([](Transaction &tx) { return RefreshTokenStore::issue(tx, QStringLiteral("user-1"), 60000); });
        const auto second = runner.write([&](Transaction &tx) { return RefreshTokenStore::rotate(tx, first, 60000); });
        QCOMPARE(second.outcome, Outcome::Rotated);
        QCOMPARE(second.userId, QStringLiteral("user-1"));
        QVERIFY(second.token != first);
        // The stored value is a hash, never the token.
        OtherConnection other(configIn(dir).sqlitePath);
        QCOMPARE(other.scalar(QStringLiteral("SELECT COUNT(*) FROM refresh_tokens WHERE token_hash = '%1'").arg(second.token)), qint64(0));

        QCOMPARE(runner.write([&](Transaction &tx) { return RefreshTokenStore::rotate(tx, first, 60000); }).outcome, Outcome::Reused);
        QCOMPARE(runner.write([&](Transaction &tx) { return RefreshTokenStore::rotate(tx, second.token, 60000); }).outcome, Outcome::Reused);
        QCOMPARE(runner.write([](Transaction &tx) { return RefreshTokenStore::rotate(tx, QStringLiteral("nope"), 60000); }).outcome, Outcome::Unknown);
        const QString expired = runner.write([](Transaction &tx) { return RefreshTokenStore::issue(tx, QStringLiteral("user-1"), -1); });
        QCOMPARE(runner.write([&](Transaction &tx) { return RefreshTokenStore::rotate(tx, expired, 60000); }).outcome, Outcome::Expired);
    }
};

QTEST_GUILESS_MAIN(TestStorage)
#include "tst_storage.moc"
