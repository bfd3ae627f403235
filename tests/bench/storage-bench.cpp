// storage-bench: what the database alone can commit on this machine, to set the HTTP figures
// of idempotency-bench.sh (run (a)) against. Not a test: it prints figures.
//
//   build/tests/bench/storage-bench [--seconds 5] [--bookings 150000] [--batch 32] [--full]
//
// Opens a fresh SQLite database the way syncloopd does (WAL, synchronous=NORMAL or FULL with
// --full, checkpoints on their own thread), seeds the demo data, then runs, each for --seconds:
//   plain         one UPDATE per transaction: SQLite's bare commit rate here
//   confirm       a confirm's storage work per transaction, through syncloopd's own code: key
//                 lookup, booking read, update + change-log row, key record with the response
//   confirm-batch the same, --batch confirms per transaction, each in a SAVEPOINT (group commit)
#include "auth/principal.h"
#include "clock.h"
#include "randomsource.h"
#include "storage/bookingrepository.h"
#include "storage/database.h"
#include "storage/demoseed.h"
#include "storage/idempotencystore.h"
#include "storage/sqlquery.h"
#include "storage/transaction.h"
#include "storage/transactionrunner.h"
#include "storage/walcheckpointer.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QUuid>
#include <cstdio>
#include <cstdlib>

namespace {

struct Figures
{
    qint64 operations = 0;
    double seconds = 0;
};

void print(const char *name, const Figures &f, const char *unit)
{
    std::printf("%-14s %10.0f %s/s  %8.1f us per %s  (%lld in %.2f s)\n", name,
        double(f.operations) / f.seconds, unit, 1e6 * f.seconds / double(f.operations), unit,
        static_cast<long long>(f.operations), f.seconds);
    std::fflush(stdout);
}

// One confirm's storage work, as the confirm route and the idempotency guard do it.
void confirmOne(Transaction &tx, const Principal &admin, const QString &bookingId)
{
    const QString key = QUuid::createUuid().toString(QUuid::WithoutBraces);
    if (IdempotencyStore::find(tx, admin.userId, key))
        return;
    const auto current = BookingRepository::findVisible(tx, admin, bookingId);
    if (!current)
        qFatal("booking %s vanished", qPrintable(bookingId));
    Booking changed = *current;
    changed.status = Booking::Status::Confirmed;
    const Booking stored = BookingRepository::update(tx, *current, changed);
    const QByteArray body = QJsonDocument(
        QJsonObject { { QStringLiteral("booking"),
            stored.toJson() } }).toJson(QJsonDocument::Compact);
    IdempotencyStore::insert(tx, admin.userId, key,
        { QStringLiteral("fingerprint"), QStringLiteral("POST"),
            QStringLiteral("/api/bookings/confirm"), 200, "application/json", body,
            QDateTime::currentMSecsSinceEpoch() });
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({ QStringLiteral("seconds"), QStringLiteral("Per run (default 5)."),
        QStringLiteral("n"), QStringLiteral("5") });
    parser.addOption(
        { QStringLiteral("bookings"), QStringLiteral("Demo bookings to seed (default 150000)."),
            QStringLiteral("n"), QStringLiteral("150000") });
    parser.addOption({ QStringLiteral("batch"),
        QStringLiteral("Confirms per transaction in confirm-batch (default 32)."),
        QStringLiteral("n"), QStringLiteral("32") });
    parser.addOption({ QStringLiteral("full"),
        QStringLiteral("PRAGMA synchronous=FULL (an fsync per commit).") });
    parser.process(app);
    const qint64 runMs = 1000 * parser.value(QStringLiteral("seconds")).toLongLong();
    const int batchSize = std::max(1, parser.value(QStringLiteral("batch")).toInt());

    QTemporaryDir dir;
    DatabaseConfig config;
    config.sqlitePath = dir.filePath(QStringLiteral("bench.sqlite"));
    config.durability = parser.isSet(QStringLiteral("full")) ? DatabaseConfig::Durability::Full
                                                             : DatabaseConfig::Durability::Relaxed;
    config.checkpointInBackground = true;
    Database database(config);
    QString error;
    if (!database.open(&error)) {
        std::fprintf(stderr, "storage-bench: %s\n", qPrintable(error));
        return 1;
    }
    TransactionRunner runner(database, SystemClock::instance(), SystemRandomSource::instance(), {});
    DemoSeed::seedIfEmpty(runner, parser.value(QStringLiteral("bookings")).toInt());
    WalCheckpointer checkpointer(database);
    checkpointer.start();

    Principal admin;
    admin.role = Principal::Role::Admin;
    QStringList pending;
    runner.read([&](Transaction &tx) {
        SqlQuery q = tx.query(QStringLiteral("SELECT id, org_id FROM users WHERE role = 'admin'"));
        q.exec();
        if (q.next()) {
            admin.userId = q.text(0);
            admin.orgId = q.text(1);
        }
        SqlQuery b = tx.query(QStringLiteral("SELECT id FROM bookings WHERE status = 'pending'"));
        b.exec();
        while (b.next())
            pending << b.text(0);
    });
    std::printf("SQLite WAL, synchronous=%s, checkpoints on their own thread; %lld pending "
                "bookings; %lld s per run\n",
        config.durability == DatabaseConfig::Durability::Full ? "FULL" : "NORMAL",
        static_cast<long long>(pending.size()), static_cast<long long>(runMs / 1000));

    qsizetype next = 0;
    auto nextBooking = [&]() -> const QString & {
        if (next >= pending.size())
            qFatal("out of pending bookings: seed more with --bookings");
        return pending[next++];
    };
    auto run = [&](const std::function<qint64()> &step) {
        Figures f;
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < runMs)
            f.operations += step();
        f.seconds = double(clock.nsecsElapsed()) / 1e9;
        return f;
    };

    print("plain", run([&] {
        const QString &id = pending[qsizetype(std::rand()) % pending.size()];
        runner.write([&](Transaction &tx) {
            // A real change (an unchanged value would let SQLite skip the write).
            tx.query(QStringLiteral("UPDATE bookings SET version = version + 1 WHERE id = ?"))
                .bind(id)
                .exec();
        });
        return qint64(1);
    }),
        "commit");
    print("confirm", run([&] {
        runner.write([&](Transaction &tx) { confirmOne(tx, admin, nextBooking()); });
        return qint64(1);
    }),
        "confirm");
    print("confirm-batch", run([&] {
        TransactionRunner::Batch batch(runner);
        for (int i = 0; i < batchSize; ++i)
            runner.write(
                batch.context(), [&](Transaction &tx) { confirmOne(tx, admin, nextBooking()); });
        batch.commit();
        return qint64(batchSize);
    }),
        "confirm");
    checkpointer.stop();
    return 0;
}
