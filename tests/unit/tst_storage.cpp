// The storage layer on a SQLite file in a QTemporaryDir: migrations, durability across
// reopen, busy retries, group-commit batches, the change log and the key stores.
#include "clock.h"
#include "randomsource.h"
#include "serveroptions.h"
#include "storage/changelog.h"
#include "storage/database.h"
#include "storage/idempotencystore.h"
#include "storage/migrator.h"
#include "storage/refreshtokenstore.h"
#include "storage/retentionpurge.h"
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
    explicit OtherConnection(const QString &path)
        : m_name(QStringLiteral("other-%1").arg(++s_count))
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
        UserRepository::insert(tx,
            { QStringLiteral("user-1"), QStringLiteral("org-1"), QStringLiteral("a@example.com"),
                QStringLiteral("hash"), Principal::Role::Agent });
    });
}

ChangeLog::Entry entry(const QString &recordId)
{
    return { QStringLiteral("bookings"), ChangeLog::Type::Update, QStringLiteral("org-1"),
        QStringLiteral("user-1"), recordId, { { QStringLiteral("id"), recordId } }, {} };
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
            QCOMPARE(Migrator(db.connection(), db.dialect()).currentVersion(),
                Migrator::latestVersion());
        }
        {
            Database again(configIn(dir));
            QString error;
            QVERIFY(again.open(&error));
            OtherConnection other(dir.filePath(QStringLiteral("test.sqlite")));
            QCOMPARE(other.scalar(QStringLiteral("SELECT COUNT(*) FROM schema_version")),
                qint64(Migrator::latestVersion()));
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
            TransactionRunner runner(
                db, SystemClock::instance(), SystemRandomSource::instance(), {});
            seedOrganisation(runner);
            seq = runner.write(
                [](Transaction &tx) { return ChangeLog::append(tx, entry(QStringLiteral("b1"))); });
        }
        Database db(configIn(dir));
        QString error;
        QVERIFY(db.open(&error));
        TransactionRunner runner(db, SystemClock::instance(), SystemRandomSource::instance(), {});
        QCOMPARE(runner.read([](Transaction &tx) { return ChangeLog::head(tx); }), seq);
        QVERIFY(runner
                    .read([](Transaction &tx) {
                        return UserRepository::findByEmail(tx, QStringLiteral("A@example.com "));
                    })
                    .has_value());
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
                UserRepository::insertOrganisation(
                    tx, QStringLiteral("org-1"), QStringLiteral("again"));
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
        TransactionRunner runner(db, SystemClock::instance(), &random,
            { .backoff = { .baseMs = 1, .capMs = 20 }, .maxAttempts = 500 });
        seedOrganisation(runner);

        OtherConnection other(configIn(dir).sqlitePath);
        QVERIFY(other.exec(QStringLiteral("BEGIN IMMEDIATE")));
        QFuture<qint64> write = QtConcurrent::run([&] {
            return runner.write(
                [](Transaction &tx) { return ChangeLog::append(tx, entry(QStringLiteral("b1"))); });
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
        TransactionRunner runner(db, SystemClock::instance(), &random,
            { .backoff = { .baseMs = 1, .capMs = 2 }, .maxAttempts = 4 });
        seedOrganisation(runner);
        OtherConnection other(configIn(dir).sqlitePath);
        QVERIFY(other.exec(QStringLiteral("BEGIN IMMEDIATE")));
        bool transient = false;
        try {
            runner.write(
                [](Transaction &tx) { ChangeLog::append(tx, entry(QStringLiteral("b1"))); });
        } catch (const StorageError &e) {
            transient = e.isTransient();
        }
        QVERIFY(transient);
        QCOMPARE(runner.transientRetries(), quint64(3));
        QVERIFY(other.exec(QStringLiteral("ROLLBACK")));
    }

    void singleAttemptDoesNotRetry()
    {
        QTemporaryDir dir;
        Database db(configIn(dir));
        QString error;
        QVERIFY(db.open(&error));
        TransactionRunner runner(db, SystemClock::instance(), SystemRandomSource::instance(), {});
        seedOrganisation(runner);
        OtherConnection other(configIn(dir).sqlitePath);
        QVERIFY(other.exec(QStringLiteral("BEGIN IMMEDIATE")));
        const TransactionRunner::Context once { .attempts = TransactionRunner::Attempts::Single };
        QVERIFY_THROWS_EXCEPTION(StorageError, runner.write(once, [](Transaction &tx) {
            ChangeLog::append(tx, entry(QStringLiteral("x")));
        }));
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
            runner.write(batch.context(), [&](Transaction &tx) {
                ChangeLog::append(tx, entry(QStringLiteral("first")));
                tx.afterCommit([&] { hooks << QStringLiteral("first"); });
            });
            QVERIFY_THROWS_EXCEPTION(
                StorageError, runner.write(batch.context(), [&](Transaction &tx) {
                    ChangeLog::append(tx, entry(QStringLiteral("second")));
                    tx.afterCommit([&] { hooks << QStringLiteral("second"); });
                    UserRepository::insertOrganisation(
                        tx, QStringLiteral("org-1"), QStringLiteral("duplicate"));
                }));
            runner.write(batch.context(), [&](Transaction &tx) {
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
        QCOMPARE(observer.scalar(
                     QStringLiteral("SELECT COUNT(*) FROM change_log WHERE record_id = 'second'")),
            qint64(0));
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
            runner.write(batch.context(), [&](Transaction &tx) {
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
                    runner.write([&](Transaction &tx) {
                        ChangeLog::append(tx, entry(QStringLiteral("w%1-%2").arg(t).arg(i)));
                    });
            }));
        }
        for (auto &w : writers)
            w.waitForFinished();
        const auto rows
            = runner.read([](Transaction &tx) { return ChangeLog::allSince(tx, 0, 1000); });
        QCOMPARE(rows.size(), 200);
        for (int i = 0; i < rows.size(); ++i)
            QCOMPARE(rows[i].seq, qint64(i + 1)); // gapless and ordered
        QCOMPARE(
            rows.first().data.value(QStringLiteral("type")).toString(), QStringLiteral("UPDATE"));
        QCOMPARE(
            rows.first().data.value(QStringLiteral("schema")).toString(), QStringLiteral("public"));
    }

    void idempotencyRecordsRoundTripAndPurge()
    {
        QTemporaryDir dir;
        Database db(configIn(dir));
        QString error;
        QVERIFY(db.open(&error));
        ManualClock clock;
        TransactionRunner runner(db, &clock, SystemRandomSource::instance(), {});
        const IdempotencyStore::Record record { QStringLiteral("fp"), QStringLiteral("POST"),
            QStringLiteral("/api/x"), 201, "application/json", "{\"a\":\"\xc3\xa9\"}",
            clock.nowMs() };
        runner.write([&](Transaction &tx) {
            IdempotencyStore::insert(tx, QStringLiteral("u1"), QStringLiteral("k"), record);
        });
        const auto found = runner.read([](Transaction &tx) {
            return IdempotencyStore::find(tx, QStringLiteral("u1"), QStringLiteral("k"));
        });
        QVERIFY(found.has_value());
        QCOMPARE(found->body, record.body); // byte for byte, UTF-8 included
        QCOMPARE(found->status, 201);
        QVERIFY(!runner
                     .read([](Transaction &tx) {
                         return IdempotencyStore::find(
                             tx, QStringLiteral("u2"), QStringLiteral("k"));
                     })
                     .has_value());
        const int purged = runner.write([&](Transaction &tx) {
            return IdempotencyStore::purgeCreatedBefore(tx, clock.nowMs() + 1, 100);
        });
        QCOMPARE(purged, 1);
        QCOMPARE(
            runner.read([](Transaction &tx) { return IdempotencyStore::count(tx); }), qint64(0));
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
            const IdempotencyStore::Record record { QStringLiteral("fp"), QStringLiteral("POST"),
                QStringLiteral("/api/x"), 200, "application/json", "{}", t0 + 1000LL * i };
            runner.write([&](Transaction &tx) {
                IdempotencyStore::insert(tx, QStringLiteral("u"), QString::number(i), record);
            });
        }
        const qint64 cutoff = t0 + 9500;
        auto purge = [&] {
            return runner.write([&](Transaction &tx) {
                return IdempotencyStore::purgeCreatedBefore(tx, cutoff, 4);
            });
        };
        QCOMPARE(purge(), 4);
        // Oldest first: keys 0..3 went, 4 is still there.
        QVERIFY(!runner
                     .read([](Transaction &tx) {
                         return IdempotencyStore::find(
                             tx, QStringLiteral("u"), QStringLiteral("3"));
                     })
                     .has_value());
        QVERIFY(runner
                    .read([](Transaction &tx) {
                        return IdempotencyStore::find(tx, QStringLiteral("u"), QStringLiteral("4"));
                    })
                    .has_value());
        QCOMPARE(purge(), 4);
        QCOMPARE(purge(), 2);
        QCOMPARE(purge(), 0);
        QCOMPARE(
            runner.read([](Transaction &tx) { return IdempotencyStore::count(tx); }), qint64(2));
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
        QTest::newRow("full") << QStringList { QStringLiteral("--durability"),
            QStringLiteral("full") }
                              << 2;
        QTest::newRow("relaxed") << QStringList { QStringLiteral("--durability"),
            QStringLiteral("relaxed") }
                                 << 1;
        QTest::newRow("deprecated alias")
            << QStringList { QStringLiteral("--sqlite-synchronous-full") } << 2;
    }
    void durabilityIsThePragmaInForce()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, synchronous);
        QTemporaryDir dir;
        const ServerOptionsParseResult parsed = ServerOptions::parse(
            QStringList { QStringLiteral("syncloopd"), QStringLiteral("--data-dir"), dir.path() }
            + arguments);
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
        const QString first = runner.write([](Transaction &tx) {
            return RefreshTokenStore::issue(tx, QStringLiteral("user-1"), 60000);
        });
        const auto second = runner.write(
            [&](Transaction &tx) { return RefreshTokenStore::rotate(tx, first, 60000); });
        QCOMPARE(second.outcome, Outcome::Rotated);
        QCOMPARE(second.userId, QStringLiteral("user-1"));
        QVERIFY(second.token != first);
        // The stored value is a hash, never the token.
        OtherConnection other(configIn(dir).sqlitePath);
        QCOMPARE(other.scalar(
                     QStringLiteral("SELECT COUNT(*) FROM refresh_tokens WHERE token_hash = '%1'")
                         .arg(second.token)),
            qint64(0));

        QCOMPARE(
            runner
                .write([&](Transaction &tx) { return RefreshTokenStore::rotate(tx, first, 60000); })
                .outcome,
            Outcome::Reused);
        QCOMPARE(runner
                     .write([&](Transaction &tx) {
                         return RefreshTokenStore::rotate(tx, second.token, 60000);
                     })
                     .outcome,
            Outcome::Reused);
        QCOMPARE(runner
                     .write([](Transaction &tx) {
                         return RefreshTokenStore::rotate(tx, QStringLiteral("nope"), 60000);
                     })
                     .outcome,
            Outcome::Unknown);
        const QString expired = runner.write([](Transaction &tx) {
            return RefreshTokenStore::issue(tx, QStringLiteral("user-1"), -1);
        });
        QCOMPARE(runner
                     .write([&](Transaction &tx) {
                         return RefreshTokenStore::rotate(tx, expired, 60000);
                     })
                     .outcome,
            Outcome::Expired);
    }

    // Retention (--change-retention): the log loses a prefix, oldest first, a slice at a time,
    // and says where the history now starts.
    void changeLogPurgeCutsTheOldestPrefixInSlices()
    {
        QTemporaryDir dir;
        Database db(configIn(dir));
        QString error;
        QVERIFY(db.open(&error));
        ManualClock clock;
        TransactionRunner runner(db, &clock, SystemRandomSource::instance(), {});
        seedOrganisation(runner);
        const qint64 t0 = clock.nowMs();
        // 12 changes a second apart; the cutoff after the 10th: 10 expired, 2 kept.
        for (int i = 0; i < 12; ++i) {
            clock.set(t0 + 1000LL * i);
            runner.write([&](Transaction &tx) {
                ChangeLog::append(tx, entry(QStringLiteral("b%1").arg(i)));
            });
        }
        const auto purgedThrough = [&] {
            return runner.read([](Transaction &tx) { return ChangeLog::purgedThrough(tx); });
        };
        QCOMPARE(purgedThrough(), qint64(0)); // nothing purged yet: every since is served
        const qint64 cutoff = t0 + 9500;
        auto purge = [&] {
            return runner.write(
                [&](Transaction &tx) { return ChangeLog::purgeBefore(tx, cutoff, 4); });
        };
        QCOMPARE(purge(), 4);
        QCOMPARE(purgedThrough(), qint64(4)); // oldest first: seqs 1..4 went, 5 is the oldest kept
        QCOMPARE(runner.read([](Transaction &tx) { return ChangeLog::allSince(tx, 0, 100); })
                     .first()
                     .seq,
            qint64(5));
        QCOMPARE(purge(), 4);
        QCOMPARE(purge(), 2);
        QCOMPARE(purge(), 0);
        QCOMPARE(purgedThrough(), qint64(10));
        const auto kept
            = runner.read([](Transaction &tx) { return ChangeLog::allSince(tx, 0, 100); });
        QCOMPARE(kept.size(), 2);
        QCOMPARE(kept.first().seq, qint64(11));
        QCOMPARE(runner.read([](Transaction &tx) { return ChangeLog::head(tx); }), qint64(12));
    }

    // Commit timestamps are only nearly monotonic in seq (a clock stepping back): the purge
    // stops at the first young change, so what is kept is always everything after one seq.
    void changeLogPurgeNeverLeavesAHole()
    {
        QTemporaryDir dir;
        Database db(configIn(dir));
        QString error;
        QVERIFY(db.open(&error));
        ManualClock clock;
        TransactionRunner runner(db, &clock, SystemRandomSource::instance(), {});
        seedOrganisation(runner);
        const qint64 t0 = clock.nowMs();
        for (const qint64 offset : { 0, 1000, 9000, 2000, 3000 }) { // seq 3 is young, 4 and 5 old
            clock.set(t0 + offset);
            runner.write([&](Transaction &tx) {
                ChangeLog::append(tx, entry(QStringLiteral("b%1").arg(offset)));
            });
        }
        QCOMPARE(runner.write(
                     [&](Transaction &tx) { return ChangeLog::purgeBefore(tx, t0 + 5000, 100); }),
            2);
        QCOMPARE(
            runner.read([](Transaction &tx) { return ChangeLog::purgedThrough(tx); }), qint64(2));
        const auto kept
            = runner.read([](Transaction &tx) { return ChangeLog::allSince(tx, 0, 100); });
        QCOMPARE(kept.size(), 3);
        QCOMPARE(kept.first().seq, qint64(3));
    }

    // A log the purge emptied: the history starts at the head, not at 0, so a client that is
    // up to date is not told its history expired, and one behind it is.
    void emptiedChangeLogStartsAtTheHead()
    {
        QTemporaryDir dir;
        Database db(configIn(dir));
        QString error;
        QVERIFY(db.open(&error));
        ManualClock clock;
        TransactionRunner runner(db, &clock, SystemRandomSource::instance(), {});
        seedOrganisation(runner);
        for (int i = 0; i < 3; ++i)
            runner.write([&](Transaction &tx) {
                ChangeLog::append(tx, entry(QStringLiteral("b%1").arg(i)));
            });
        QCOMPARE(runner.write([&](Transaction &tx) {
            return ChangeLog::purgeBefore(tx, clock.nowMs() + 1, 100);
        }),
            3);
        QCOMPARE(
            runner.read([](Transaction &tx) { return ChangeLog::allSince(tx, 0, 100); }).size(), 0);
        QCOMPARE(
            runner.read([](Transaction &tx) { return ChangeLog::purgedThrough(tx); }), qint64(3));
        // The next change continues the sequence and moves nothing back.
        QCOMPARE(runner.write([&](Transaction &tx) {
            return ChangeLog::append(tx, entry(QStringLiteral("b4")));
        }),
            qint64(4));
        QCOMPARE(
            runner.read([](Transaction &tx) { return ChangeLog::purgedThrough(tx); }), qint64(3));
    }

    // Refresh tokens go once they expired (before the cutoff), soonest expired first, whatever
    // their state; a live family keeps its live end and every used token not yet expired, so
    // presenting one of those still revokes the family.
    void refreshTokenPurgeKeepsWhatReuseDetectionNeeds()
    {
        QTemporaryDir dir;
        Database db(configIn(dir));
        QString error;
        QVERIFY(db.open(&error));
        ManualClock clock;
        TransactionRunner runner(db, &clock, SystemRandomSource::instance(), {});
        seedOrganisation(runner);
        using Outcome = RefreshTokenStore::Rotation::Outcome;
        const QString user = QStringLiteral("user-1");
        const qint64 t0 = clock.nowMs();
        // A dead family: one token, never used, expired at t0 + 5 s.
        const QString dead = runner.write(
            [&](Transaction &tx) { return RefreshTokenStore::issue(tx, user, 5000); });
        // A live family rotated twice: a1 (expires t0 + 10 s) -> a2 (t0 + 11 s) -> a3 (t0 + 12 s).
        const QString a1 = runner.write(
            [&](Transaction &tx) { return RefreshTokenStore::issue(tx, user, 10000); });
        clock.set(t0 + 1000);
        const QString a2
            = runner
                  .write([&](Transaction &tx) { return RefreshTokenStore::rotate(tx, a1, 10000); })
                  .token;
        clock.set(t0 + 2000);
        const QString a3
            = runner
                  .write([&](Transaction &tx) { return RefreshTokenStore::rotate(tx, a2, 10000); })
                  .token;
        QVERIFY(!a3.isEmpty());
        // A revoked family: b1 used, b2 revoked with it when b1 came back; both expire at t0 + 11 s
        // / 12 s.
        clock.set(t0 + 1000);
        const QString b1 = runner.write(
            [&](Transaction &tx) { return RefreshTokenStore::issue(tx, user, 10000); });
        clock.set(t0 + 2000);
        const QString b2
            = runner
                  .write([&](Transaction &tx) { return RefreshTokenStore::rotate(tx, b1, 10000); })
                  .token;
        QCOMPARE(
            runner.write([&](Transaction &tx) { return RefreshTokenStore::rotate(tx, b1, 10000); })
                .outcome,
            Outcome::Reused);

        OtherConnection other(configIn(dir).sqlitePath);
        const auto rows
            = [&] { return other.scalar(QStringLiteral("SELECT COUNT(*) FROM refresh_tokens")); };
        QCOMPARE(rows(), qint64(6));
        clock.set(t0 + 10500);
        const qint64 cutoff = clock.nowMs(); // no grace here: the server adds a day
        auto purge = [&](int limit) {
            return runner.write([&](Transaction &tx) {
                return RefreshTokenStore::purgeExpiredBefore(tx, cutoff, limit);
            });
        };
        QCOMPARE(purge(1), 1);
        // Soonest expired first: the dead family's token went, a1 is still there.
        QCOMPARE(
            runner
                .write([&](Transaction &tx) { return RefreshTokenStore::rotate(tx, dead, 10000); })
                .outcome,
            Outcome::Unknown);
        QCOMPARE(rows(), qint64(5));
        QCOMPARE(purge(1), 1); // a1: used, and past its own expiry
        QCOMPARE(purge(1), 0); // nothing else expired before the cutoff
        QCOMPARE(rows(), qint64(4));
        QCOMPARE(
            runner.write([&](Transaction &tx) { return RefreshTokenStore::rotate(tx, a1, 10000); })
                .outcome,
            Outcome::Unknown);
        // The revoked family is still known as such until its tokens expire.
        QCOMPARE(
            runner.write([&](Transaction &tx) { return RefreshTokenStore::rotate(tx, b2, 10000); })
                .outcome,
            Outcome::Reused);
        // a2 (used, not expired) still gives reuse away: the live family is revoked.
        QCOMPARE(
            runner.write([&](Transaction &tx) { return RefreshTokenStore::rotate(tx, a2, 10000); })
                .outcome,
            Outcome::Reused);
        QCOMPARE(
            runner.write([&](Transaction &tx) { return RefreshTokenStore::rotate(tx, a3, 10000); })
                .outcome,
            Outcome::Reused);
        // Once everything expired, everything goes.
        clock.set(t0 + 60000);
        QCOMPARE(runner.write([&](Transaction &tx) {
            return RefreshTokenStore::purgeExpiredBefore(tx, clock.nowMs(), 100);
        }),
            4);
        QCOMPARE(rows(), qint64(0));
    }

    // One purge loop for every table with a retention: each table in slices, every slice its
    // own committed transaction (another connection sees the rows go slice by slice).
    void retentionPurgeRunsEveryTableInCommittedSlices()
    {
        QTemporaryDir dir;
        Database db(configIn(dir));
        QString error;
        QVERIFY(db.open(&error));
        ManualClock clock;
        TransactionRunner runner(db, &clock, SystemRandomSource::instance(), {});
        seedOrganisation(runner);
        const qint64 t0 = clock.nowMs();
        for (int i = 0; i < 8;
             ++i) { // 7 changes and keys at t0 .. t0 + 6 s, one of each at t0 + 60 s
            clock.set(i < 7 ? t0 + 1000LL * i : t0 + 60000);
            runner.write([&](Transaction &tx) {
                ChangeLog::append(tx, entry(QStringLiteral("b%1").arg(i)));
                IdempotencyStore::insert(tx, QStringLiteral("user-1"), QString::number(i),
                    { QStringLiteral("fp"), QStringLiteral("POST"), QStringLiteral("/api/x"), 200,
                        "application/json", "{}", tx.nowMs() });
            });
        }
        const QString expired = runner.write([](Transaction &tx) {
            return RefreshTokenStore::issue(tx, QStringLiteral("user-1"), 1);
        });
        const QString live = runner.write([](Transaction &tx) {
            return RefreshTokenStore::issue(tx, QStringLiteral("user-1"), 3600000);
        });

        OtherConnection other(configIn(dir).sqlitePath);
        const auto count = [&](const char *table) {
            return other.scalar(
                QStringLiteral("SELECT COUNT(*) FROM %1").arg(QLatin1String(table)));
        };
        RetentionPurge purge(runner, 3);
        QList<qint64> changesSeen; // the log's size after each committed slice, seen from outside
        QList<int> keySlices;
        purge.add({ QStringLiteral("keys"), 30000, &IdempotencyStore::purgeCreatedBefore,
            [&](int rows) { keySlices.append(rows); } });
        purge.add({ QStringLiteral("changes"), 30000, &ChangeLog::purgeBefore,
            [&](int) { changesSeen.append(count("change_log")); } });
        purge.add({ QStringLiteral("tokens"), 0, &RefreshTokenStore::purgeExpiredBefore, {} });
        clock.set(t0 + 61000);
        const std::vector<int> counts = purge.run(clock.nowMs());
        QCOMPARE(counts, (std::vector<int> { 7, 7, 1 }));
        QCOMPARE(keySlices, (QList<int> { 3, 3, 1 }));
        QCOMPARE(changesSeen, (QList<qint64> { 5, 2, 1 }));
        QCOMPARE(count("idempotency_keys"), qint64(1));
        QCOMPARE(count("change_log"), qint64(1));
        QCOMPARE(
            runner.read([](Transaction &tx) { return ChangeLog::purgedThrough(tx); }), qint64(7));
        QCOMPARE(runner
                     .write([&](Transaction &tx) {
                         return RefreshTokenStore::rotate(tx, expired, 60000);
                     })
                     .outcome,
            RefreshTokenStore::Rotation::Outcome::Unknown);
        QCOMPARE(
            runner
                .write([&](Transaction &tx) { return RefreshTokenStore::rotate(tx, live, 60000); })
                .outcome,
            RefreshTokenStore::Rotation::Outcome::Rotated);
        // A second pass finds nothing more.
        QCOMPARE(purge.run(clock.nowMs()), (std::vector<int> { 0, 0, 0 }));
    }
};

QTEST_GUILESS_MAIN(TestStorage)
#include "tst_storage.moc"
