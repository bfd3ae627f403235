// syncloop-core benchmarks: what the client side costs. Prints figures; not part of ctest.
//   (a) durable enqueue: OfflineQueue::enqueue latency (one committed INSERT, WAL), p50/p99
//   (b) drain: N queued confirms to a local syncloopd, end to end including the echo
//       (submit of the first to the last handle Confirmed) -> mutations/s
//   (c) realtime changes applied to a BookingStore -> changes/s, peak RSS
//   (t) for comparison, not a floor: the same confirms over a bare QNetworkAccessManager
// Usage: core-bench [a] [b] [c] [t] [--count N] [--bookings N] [--parallel N]
//        (no phase named: a, b and c, in that order)
#include "bookingstore.h"
#include "mutationhandle.h"
#include "offlinequeue.h"
#include "phoenixcodec.h"
#include "realtimeclient.h"
#include "serverprocess.h"
#include "syncsession.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTimer>
#include <QUuid>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <vector>

namespace {

void out(const QString &line)
{
    std::printf("%s\n", qPrintable(line));
    std::fflush(stdout);
}

// kB from /proc/self/status ("VmHWM" = peak resident set, "VmRSS" = now).
qint64 procStatusKb(const char *field)
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith(field))
            return line.mid(qsizetype(qstrlen(field)) + 1)
                .trimmed()
                .split(' ')
                .value(0)
                .toLongLong();
    }
    return -1;
}

QString memory()
{
    return QStringLiteral("VmHWM %1 MiB, VmRSS %2 MiB")
        .arg(double(procStatusKb("VmHWM")) / 1024.0, 0, 'f', 1)
        .arg(double(procStatusKb("VmRSS")) / 1024.0, 0, 'f', 1);
}

double percentile(std::vector<qint64> sorted, double p)
{
    if (sorted.empty())
        return 0;
    std::sort(sorted.begin(), sorted.end());
    const std::size_t i
        = std::min(sorted.size() - 1, std::size_t(std::lround(p * double(sorted.size() - 1))));
    return double(sorted[i]);
}

// Runs the event loop until `done()` or `timeoutMs`; false on timeout.
bool spin(const std::function<bool()> &done, int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    QEventLoop loop;
    QTimer tick;
    tick.setInterval(1);
    QObject::connect(&tick, &QTimer::timeout, &loop, [&] {
        if (done() || clock.elapsed() > timeoutMs)
            loop.quit();
    });
    tick.start();
    if (!done())
        loop.exec();
    return done();
}

Mutation confirmOf(const QString &bookingId, qint64 now)
{
    Mutation m;
    m.key = QUuid::createUuid().toString(QUuid::WithoutBraces);
    m.userId = QStringLiteral("");
    m.path = QStringLiteral("/api/bookings/confirm");
    m.body = { { QStringLiteral("bookingId"), bookingId } };
    m.entityTable = QStringLiteral("bookings");
    m.entityId = bookingId;
    m.optimistic = { { QStringLiteral("status"), QStringLiteral("confirmed") } };
    m.createdAtMs = now;
    m.nextAttemptAtMs = now;
    return m;
}

// (a) ----------------------------------------------------------------------------------------
bool benchEnqueue(int count)
{
    out(QStringLiteral("(a) durable enqueue: %1 x OfflineQueue::enqueue (autocommit INSERT, WAL)")
            .arg(count));
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("queue.sqlite"));
    std::vector<Mutation> mutations;
    mutations.reserve(std::size_t(count));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (int i = 0; i < count; ++i)
        mutations.push_back(confirmOf(QUuid::createUuid().toString(QUuid::WithoutBraces), now));

    std::vector<qint64> ns;
    ns.reserve(std::size_t(count));
    QElapsedTimer total;
    {
        OfflineQueue queue(path);
        QString error;
        if (!queue.open(&error)) {
            out(QStringLiteral("    cannot open the queue: ") + error);
            return false;
        }
        total.start();
        for (Mutation &m : mutations) {
            QElapsedTimer t;
            t.start();
            if (!queue.enqueue(m)) {
                out(QStringLiteral("    enqueue failed"));
                return false;
            }
            ns.push_back(t.nsecsElapsed());
        }
    }
    const double seconds = double(total.nsecsElapsed()) / 1e9;
    // Durable: a fresh connection (as after a crash) sees every row, and the journal is WAL.
    OfflineQueue reopened(path);
    QString error;
    reopened.open(&error);
    const int rows = reopened.count();
    QString journal;
    {
        QSqlDatabase db
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("bench-inspect"));
        db.setDatabaseName(path);
        db.open();
        QSqlQuery q(db);
        if (q.exec(QStringLiteral("PRAGMA journal_mode")) && q.next())
            journal = q.value(0).toString();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("bench-inspect"));
    const double p50 = percentile(ns, 0.50) / 1e6, p99 = percentile(ns, 0.99) / 1e6;
    const double max = double(*std::max_element(ns.begin(), ns.end())) / 1e6;
    out(QStringLiteral("    p50 %1 ms   p99 %2 ms   max %3 ms   mean %4 ms   (%5 inserts/s; %6 "
                       "rows after reopen; journal_mode=%7)")
            .arg(p50, 0, 'f', 3)
            .arg(p99, 0, 'f', 3)
            .arg(max, 0, 'f', 3)
            .arg(seconds * 1000.0 / count, 0, 'f', 3)
            .arg(double(count) / seconds, 0, 'f', 0)
            .arg(rows)
            .arg(journal));
    const bool ok = p99 <= 2.0 && rows == count;
    out(QStringLiteral("    floor p99 <= 2 ms: %1")
            .arg(ok ? QStringLiteral("met") : QStringLiteral("NOT MET")));

    // For comparison (not the floor): the whole click path, MutationEngine::submit() through a
    // session that is not signed in (nothing is sent): enqueue, handle, optimistic overlay.
    {
        QTemporaryDir sessionDir;
        SyncSession::Options so;
        so.server = QUrl(QStringLiteral("http://127.0.0.1:9"));
        so.queuePath = sessionDir.filePath(QStringLiteral("queue.sqlite"));
        so.credentials = CredentialStore::Backend::MemoryOnly;
        SyncSession session(so);
        QString sessionError;
        session.open(&sessionError);
        std::vector<qint64> submitNs;
        submitNs.reserve(std::size_t(count));
        for (int i = 0; i < count; ++i) {
            const QString id = QUuid::createUuid().toString(QUuid::WithoutBraces);
            QElapsedTimer t;
            t.start();
            session.confirmBooking(id);
            submitNs.push_back(t.nsecsElapsed());
        }
        const std::vector<qint64> first(submitNs.begin(), submitNs.begin() + std::min(count, 1000));
        const std::vector<qint64> last(submitNs.end() - std::min(count, 1000), submitNs.end());
        out(QStringLiteral("    submit() path: p50 %1 ms   p99 %2 ms; p50 of the first 1000 %3 ms, "
                           "of the last 1000 %4 ms")
                .arg(percentile(submitNs, 0.50) / 1e6, 0, 'f', 3)
                .arg(percentile(submitNs, 0.99) / 1e6, 0, 'f', 3)
                .arg(percentile(first, 0.50) / 1e6, 0, 'f', 3)
                .arg(percentile(last, 0.50) / 1e6, 0, 'f', 3));
    }
    out(QStringLiteral("    memory: ") + memory());
    return ok;
}

// (b) ----------------------------------------------------------------------------------------
// The queue is filled first (as by a day offline: waiting rows, no user yet), the session signs
// in, loads the snapshot and goes live; the clock starts at retryAll() and stops when the last
// handle is Confirmed (its echo seen, or a re-read).
bool benchDrain(int count, int bookings, int parallel)
{
    out(QStringLiteral("(b) drain: %1 queued confirms, retryAll() -> last Confirmed; SyncSession "
                       "as admin, realtime on, syncloopd --demo --demo-bookings %2%3")
            .arg(count)
            .arg(bookings)
            .arg(parallel > 0 ? QStringLiteral(", maxParallel %1").arg(parallel) : QString()));
    ServerProcess::Options options;
    options.demoBookings = bookings;
    ServerProcess server(options);
    if (!server.start(120000)) {
        out(QStringLiteral("    syncloopd did not start"));
        return false;
    }
    QTemporaryDir dir;
    const QString queuePath = dir.filePath(QStringLiteral("queue.sqlite"));
    SyncSession::Options so;
    so.server = server.baseUrl();
    so.queuePath = queuePath;
    so.credentials = CredentialStore::Backend::MemoryOnly;
    if (parallel > 0)
        so.engine.maxParallel = parallel;

    // The ids: pending bookings as the admin sees them, read with a first session.
    QStringList ids;
    {
        SyncSession::Options readerOptions = so;
        readerOptions.realtimeEnabled = false;
        SyncSession reader(readerOptions);
        QString error;
        bool signedIn = false, loaded = false;
        QObject::connect(&reader, &SyncSession::signedIn, [&] { signedIn = true; });
        QObject::connect(&reader, &SyncSession::snapshotLoaded, [&] { loaded = true; });
        if (!reader.open(&error))
            return false;
        reader.signIn(QStringLiteral("admin@example.com"), QStringLiteral("syncloop-demo"),
            SyncSession::Persistence::ThisRunOnly);
        if (!spin([&] { return signedIn; }, 30000))
            return false;
        reader.loadSnapshot();
        if (!spin([&] { return loaded; }, 60000))
            return false;
        BookingStore *store = reader.bookings();
        for (int i = 0; i < store->rowCount() && ids.size() < count; ++i) {
            const QJsonObject row = store->row(store->idAt(i));
            if (row.value(QStringLiteral("status")).toString() == QLatin1String("pending"))
                ids.append(row.value(QStringLiteral("id")).toString());
        }
    }
    if (ids.size() < count) {
        out(QStringLiteral("    only %1 pending bookings: use --bookings %2")
                .arg(ids.size())
                .arg(count * 2));
        return false;
    }
    {
        OfflineQueue queue(queuePath);
        QString error;
        if (!queue.open(&error))
            return false;
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        for (const QString &id : std::as_const(ids)) {
            Mutation m = confirmOf(id, now);
            m.state = Mutation::State::Waiting;
            m.nextAttemptAtMs = now + 3600LL * 1000; // not before retryAll()
            queue.enqueue(m);
        }
    }

    SyncSession session(so);
    QString error;
    if (!session.open(&error)) {
        out(QStringLiteral("    cannot open the queue: ") + error);
        return false;
    }
    bool signedIn = false, loaded = false;
    QObject::connect(&session, &SyncSession::signedIn, [&] { signedIn = true; });
    QObject::connect(&session, &SyncSession::snapshotLoaded, [&] { loaded = true; });
    session.signIn(QStringLiteral("admin@example.com"), QStringLiteral("syncloop-demo"),
        SyncSession::Persistence::ThisRunOnly);
    if (!spin([&] { return signedIn; }, 30000)) {
        out(QStringLiteral("    sign-in failed"));
        return false;
    }
    QElapsedTimer snapshot;
    snapshot.start();
    session.loadSnapshot();
    if (!spin([&] { return loaded && session.realtime()->isLive(); }, 60000)) {
        out(QStringLiteral("    no snapshot / realtime"));
        return false;
    }
    out(QStringLiteral("    snapshot of %1 bookings + realtime live in %2 ms; %3 mutations queued")
            .arg(session.bookings()->rowCount())
            .arg(snapshot.elapsed())
            .arg(session.engine()->pendingCount()));

    int confirmed = 0, other = 0, echoes = 0, rereads = 0;
    QObject::connect(session.realtime(), &RealtimeClient::bookingChanged, [&] { ++echoes; });
    QObject::connect(session.engine(), &MutationEngine::rowFetched, [&] { ++rereads; });
    QElapsedTimer clock;
    qint64 firstConfirmedMs = -1;
    for (MutationHandle *h : session.engine()->handles()) {
        QObject::connect(h, &MutationHandle::finished, h, [&, h] {
            if (h->state() == Mutation::State::Confirmed) {
                if (firstConfirmedMs < 0)
                    firstConfirmedMs = clock.elapsed();
                ++confirmed;
            } else {
                ++other;
            }
        });
    }
    clock.start();
    session.engine()->retryAll();
    const bool finished = spin([&] { return confirmed + other >= count; }, 600000);
    const qint64 totalMs = clock.elapsed();
    const double rate = double(confirmed) * 1000.0 / double(std::max<qint64>(1, totalMs));
    out(QStringLiteral("    %1 confirmed, %2 other, in %3 ms -> %4 mutations/s end to end%5")
            .arg(confirmed)
            .arg(other)
            .arg(totalMs)
            .arg(rate, 0, 'f', 0)
            .arg(finished ? QString() : QStringLiteral(" (TIMED OUT)")));
    out(QStringLiteral("    first confirmed at %1 ms; %2 realtime booking changes, %3 re-reads; %4 "
                       "left in the queue")
            .arg(firstConfirmedMs)
            .arg(echoes)
            .arg(rereads)
            .arg(session.queue()->count()));
    const bool ok = finished && other == 0 && rate >= 1000.0;
    out(QStringLiteral("    floor >= 1000 mutations/s: %1")
            .arg(ok ? QStringLiteral("met") : QStringLiteral("NOT MET")));
    out(QStringLiteral("    memory: ") + memory());
    return ok;
}

// (t) ----------------------------------------------------------------------------------------
// The ceiling under (b): the same confirms with a bare QNetworkAccessManager (no queue, no
// engine, no echo), `inFlight` at a time, against a fresh server of the same size.
bool benchTransport(int count, int bookings, int inFlight)
{
    out(QStringLiteral("(t) transport ceiling: %1 confirms, bare QNetworkAccessManager, %2 in "
                       "flight, fresh syncloopd --demo-bookings %3")
            .arg(count)
            .arg(inFlight)
            .arg(bookings));
    ServerProcess::Options options;
    options.demoBookings = bookings;
    ServerProcess server(options);
    if (!server.start(120000)) {
        out(QStringLiteral("    syncloopd did not start"));
        return false;
    }
    QNetworkAccessManager network;
    network.setAutoDeleteReplies(true);
    auto request = [&](const QString &path) {
        QNetworkRequest r(server.baseUrl().resolved(QUrl(path)));
        r.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        return r;
    };
    QByteArray token;
    QStringList ids;
    {
        bool done = false;
        QNetworkReply *login = network.post(request(QStringLiteral("/api/auth/login")),
            R"({"email":"admin@example.com","password":"syncloop-demo"})");
        QObject::connect(login, &QNetworkReply::finished, [&] {
            token = QJsonDocument::fromJson(login->readAll())
                        .object()
                        .value(QStringLiteral("access_token"))
                        .toString()
                        .toLatin1();
            done = true;
        });
        spin([&] { return done; }, 30000);
        done = false;
        QNetworkRequest list = request(QStringLiteral("/api/bookings"));
        list.setRawHeader("Authorization", "Bearer " + token);
        QNetworkReply *reply = network.get(list);
        QObject::connect(reply, &QNetworkReply::finished, [&] {
            for (const QJsonValue &v : QJsonDocument::fromJson(reply->readAll())
                                           .object()
                                           .value(QStringLiteral("bookings"))
                                           .toArray()) {
                if (v.toObject().value(QStringLiteral("status")).toString()
                        == QLatin1String("pending")
                    && ids.size() < count)
                    ids.append(v.toObject().value(QStringLiteral("id")).toString());
            }
            done = true;
        });
        spin([&] { return done; }, 60000);
    }
    if (ids.size() < count) {
        out(QStringLiteral("    only %1 pending bookings").arg(ids.size()));
        return false;
    }
    int next = 0, ok = 0, failed = 0;
    std::function<void()> sendNext = [&] {
        if (next >= ids.size())
            return;
        QNetworkRequest r = request(QStringLiteral("/api/bookings/confirm"));
        r.setRawHeader("Authorization", "Bearer " + token);
        r.setRawHeader("Idempotency-Key", QUuid::createUuid().toByteArray(QUuid::WithoutBraces));
        const QByteArray body = "{\"bookingId\":\"" + ids[next++].toLatin1() + "\"}";
        QNetworkReply *reply = network.post(r, body);
        QObject::connect(reply, &QNetworkReply::finished, [&, reply] {
            (reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200 ? ok
                                                                                       : failed)
                += 1;
            sendNext();
        });
    };
    QElapsedTimer clock;
    clock.start();
    for (int i = 0; i < inFlight; ++i)
        sendNext();
    spin([&] { return ok + failed >= count; }, 600000);
    const qint64 ms = clock.elapsed();
    out(QStringLiteral("    %1 x 200, %2 other, in %3 ms -> %4 requests/s")
            .arg(ok)
            .arg(failed)
            .arg(ms)
            .arg(double(ok) * 1000.0 / double(std::max<qint64>(1, ms)), 0, 'f', 0));
    return failed == 0;
}

// (c) ----------------------------------------------------------------------------------------
QJsonObject bookingRow(int i, qint64 version, const QString &status)
{
    return { { QStringLiteral("id"),
                 QStringLiteral("00000000-0000-4000-8000-%1").arg(i, 12, 10, QLatin1Char('0')) },
        { QStringLiteral("version"), version }, { QStringLiteral("status"), status },
        { QStringLiteral("customer_name"), QStringLiteral("Customer %1").arg(i) },
        { QStringLiteral("service"), QStringLiteral("Haircut") },
        { QStringLiteral("starts_at"), QStringLiteral("2026-12-01T10:00:00Z") },
        { QStringLiteral("updated_at"), QStringLiteral("2026-11-25T10:00:00.000Z") },
        { QStringLiteral("owner_id"), QStringLiteral("11111111-1111-4111-8111-111111111111") },
        { QStringLiteral("org_id"), QStringLiteral("22222222-2222-4222-8222-222222222222") } };
}

bool benchApply(int count)
{
    constexpr int snapshotRows = 20000;
    constexpr int inserts = 100;
    out(QStringLiteral(
        "(c) apply: %1 realtime changes (%2 updates + %3 inserts) to a BookingStore of %4 rows")
            .arg(count + inserts)
            .arg(count)
            .arg(inserts)
            .arg(snapshotRows));
    QJsonArray snapshot;
    for (int i = 0; i < snapshotRows; ++i)
        snapshot.append(bookingRow(i, 1, QStringLiteral("pending")));
    std::vector<QJsonObject> changes;
    changes.reserve(std::size_t(count) + std::size_t(inserts));
    for (int i = 0; i < count; ++i) {
        changes.push_back(
            bookingRow(i % snapshotRows, 2 + i / snapshotRows, QStringLiteral("confirmed")));
        if (i % (count / inserts) == 0 && int(changes.size()) < count + inserts)
            changes.push_back(bookingRow(snapshotRows + i, 1, QStringLiteral("pending")));
    }
    bool ok = true;
    auto run = [&](const QString &label, BookingStore *store) {
        store->reset(snapshot);
        int applied = 0;
        QElapsedTimer clock;
        clock.start();
        for (const QJsonObject &change : changes)
            applied += store->apply(change) ? 1 : 0;
        const qint64 ns = clock.nsecsElapsed();
        const double rate = double(changes.size()) * 1e9 / double(ns);
        out(QStringLiteral("    %1: %2 applied in %3 ms -> %4 changes/s (%5 rows now)")
                .arg(label)
                .arg(applied)
                .arg(double(ns) / 1e6, 0, 'f', 1)
                .arg(rate, 0, 'f', 0)
                .arg(store->rowCount()));
        ok = ok && applied == int(changes.size()) && rate >= 20000.0;
    };
    {
        BookingStore store;
        run(QStringLiteral("bare store"), &store);
    }
    {
        // From the wire: each change as the server frames it (vsn 2.0.0 text), decoded as
        // RealtimeClient does (QWebSocket hands over a QString) and applied.
        std::vector<QString> frames;
        frames.reserve(changes.size());
        qint64 seq = 1000;
        for (const QJsonObject &record : changes) {
            const QJsonObject data { { QStringLiteral("schema"), QStringLiteral("public") },
                { QStringLiteral("table"), QStringLiteral("bookings") },
                { QStringLiteral("commit_timestamp"), QStringLiteral("2026-11-25T10:00:00.000Z") },
                { QStringLiteral("type"), QStringLiteral("UPDATE") },
                { QStringLiteral("columns"), QJsonArray() }, { QStringLiteral("record"), record },
                { QStringLiteral("old_record"),
                    QJsonObject { { QStringLiteral("id"), record.value(QStringLiteral("id")) } } },
                { QStringLiteral("errors"), QJsonValue::Null }, { QStringLiteral("seq"), ++seq } };
            const PhoenixMessage m { QJsonValue::Null, QJsonValue::Null,
                QStringLiteral("realtime:syncloop"), QStringLiteral("postgres_changes"),
                QJsonObject { { QStringLiteral("ids"), QJsonArray { 1 } },
                    { QStringLiteral("data"), data } } };
            frames.push_back(
                QString::fromUtf8(PhoenixCodec::encode(m, PhoenixCodec::Serializer::V2)));
        }
        BookingStore store;
        store.reset(snapshot);
        int applied = 0;
        QElapsedTimer clock;
        clock.start();
        for (const QString &frame : frames) {
            QString error;
            const auto message
                = PhoenixCodec::decode(frame.toUtf8(), PhoenixCodec::Serializer::V2, &error);
            if (!message)
                continue;
            const QJsonObject data
                = message->payload.toObject().value(QStringLiteral("data")).toObject();
            applied += store.apply(data.value(QStringLiteral("record")).toObject()) ? 1 : 0;
        }
        const qint64 ns = clock.nsecsElapsed();
        const double rate = double(frames.size()) * 1e9 / double(ns);
        out(QStringLiteral(
            "    decoded from vsn 2.0.0 frames, then applied: %1 applied in %2 ms -> %3 changes/s")
                .arg(applied)
                .arg(double(ns) / 1e6, 0, 'f', 1)
                .arg(rate, 0, 'f', 0));
        ok = ok && applied == int(frames.size()) && rate >= 20000.0;
    }
    {
        // As in the app: the store of a session, the engine observing every version.
        QTemporaryDir dir;
        SyncSession::Options so;
        so.server = QUrl(QStringLiteral("http://127.0.0.1:9"));
        so.queuePath = dir.filePath(QStringLiteral("queue.sqlite"));
        so.credentials = CredentialStore::Backend::MemoryOnly;
        SyncSession session(so);
        QString error;
        session.open(&error);
        run(QStringLiteral("session's store (engine observing)"), session.bookings());
    }
    out(QStringLiteral("    floor >= 20000 changes/s: %1")
            .arg(ok ? QStringLiteral("met") : QStringLiteral("NOT MET")));
    out(QStringLiteral("    memory: ") + memory());
    return ok;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("core-bench"));
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("syncloop-core benchmarks (see the header of core-bench.cpp)."));
    parser.addHelpOption();
    const QCommandLineOption countOption(QStringLiteral("count"),
        QStringLiteral("Operations per phase (default 10000)."), QStringLiteral("n"),
        QStringLiteral("10000"));
    const QCommandLineOption bookingsOption(QStringLiteral("bookings"),
        QStringLiteral("--demo-bookings of the server for (b) (default 20000)."),
        QStringLiteral("n"), QStringLiteral("20000"));
    const QCommandLineOption parallelOption(QStringLiteral("parallel"),
        QStringLiteral("MutationEngine::Options::maxParallel for (b) (default: the engine's)."),
        QStringLiteral("n"), QStringLiteral("0"));
    parser.addOptions({ countOption, bookingsOption, parallelOption });
    parser.addPositionalArgument(
        QStringLiteral("phase"), QStringLiteral("a, b, c and/or t (default: a b c)."));
    parser.process(app);
    QStringList phases = parser.positionalArguments();
    if (phases.isEmpty())
        phases = { QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c") };
    const int count = parser.value(countOption).toInt();

    out(QStringLiteral("core-bench: %1, Qt %2")
            .arg(QSysInfo::prettyProductName(), QString::fromLatin1(qVersion())));
    bool ok = true;
    if (phases.contains(QLatin1String("a")))
        ok = benchEnqueue(count) && ok;
    if (phases.contains(QLatin1String("b")))
        ok = benchDrain(
                 count, parser.value(bookingsOption).toInt(), parser.value(parallelOption).toInt())
            && ok;
    if (phases.contains(QLatin1String("c")))
        ok = benchApply(count) && ok;
    if (phases.contains(QLatin1String("t"))) // not a floor: what (b) could reach at most here
        benchTransport(count, parser.value(bookingsOption).toInt(),
            std::max(1,
                parser.value(parallelOption).toInt() > 0 ? parser.value(parallelOption).toInt()
                                                         : 6));
    if (phases.contains(QLatin1String("a")) || phases.contains(QLatin1String("b"))
        || phases.contains(QLatin1String("c")))
        out(QStringLiteral("every floor met: %1")
                .arg(ok ? QStringLiteral("yes") : QStringLiteral("no")));
    return 0; // figures, not a verdict
}
