// The offline queue on a SQLite file in a QTemporaryDir: order of intent, every field through
// the disk and back, durability across reopening, the PRAGMA user_version migrations and the
// refusal to touch a queue written by a newer syncloop.
#include "offlinequeue.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

namespace {

// A mutation with every field set to something other than its default.
Mutation sample(const QString &key, Mutation::State state = Mutation::State::Waiting)
{
    Mutation m;
    m.key = key;
    m.userId = QStringLiteral("user-7");
    m.method = QStringLiteral("POST");
    m.path = QStringLiteral("/api/leads/send-sms");
    m.body = QJsonObject { { QStringLiteral("leadId"), QStringLiteral("lead-42") },
        { QStringLiteral("message"), QStringLiteral("Grüße, \"quoted\" \u2713\nline two") },
        { QStringLiteral("nested"),
            QJsonObject { { QStringLiteral("n"), 3 },
                { QStringLiteral("list"), QJsonArray { 1, true, QJsonValue::Null } } } } };
    m.entityTable = QStringLiteral("leads");
    m.entityId = QStringLiteral("lead-42");
    m.optimistic = QJsonObject { { QStringLiteral("last_sms_status"), QStringLiteral("queued") } };
    m.createdAtMs = 1'700'000'123'456;
    m.attempts = 5;
    m.nextAttemptAtMs = 1'700'000'987'654;
    m.state = state;
    m.lastError.kind = ApiError::Kind::RateLimited;
    m.lastError.httpStatus = 429;
    m.lastError.code = QStringLiteral("rate_limited");
    m.lastError.message = QStringLiteral("Slow down, O'Brien; 100% sure");
    m.lastError.retryAfterMs = 7000;
    m.resultVersion = 12;
    return m;
}

Mutation confirmOf(const QString &bookingId)
{
    Mutation m;
    m.key = QUuid::createUuid().toString(QUuid::WithoutBraces);
    m.userId = QStringLiteral("user-1");
    m.path = QStringLiteral("/api/bookings/confirm");
    m.body = QJsonObject { { QStringLiteral("bookingId"), bookingId } };
    m.entityTable = QStringLiteral("bookings");
    m.entityId = bookingId;
    m.optimistic = QJsonObject { { QStringLiteral("status"), QStringLiteral("confirmed") } };
    m.createdAtMs = 1'700'000'000'000;
    return m;
}

QList<QString> keysOf(const QList<Mutation> &list)
{
    QList<QString> keys;
    for (const Mutation &m : list)
        keys << m.key;
    return keys;
}

// A plain connection to a queue file, as another program (or a newer syncloop) would have.
class RawDb
{
public:
    explicit RawDb(const QString &path)
        : m_name(QStringLiteral("raw-%1").arg(++s_count))
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        db.setDatabaseName(path);
        m_ok = db.open();
    }
    ~RawDb()
    {
        QSqlDatabase::database(m_name, false).close();
        QSqlDatabase::removeDatabase(m_name);
    }
    bool isOpen() const { return m_ok; }
    bool exec(const QString &sql)
    {
        QSqlQuery q(QSqlDatabase::database(m_name));
        if (!q.exec(sql))
            qWarning().noquote() << sql << "->" << q.lastError().text();
        return q.isActive();
    }
    QVariant scalar(const QString &sql)
    {
        QSqlQuery q(QSqlDatabase::database(m_name));
        return q.exec(sql) && q.next() ? q.value(0) : QVariant();
    }
    QStringList column(const QString &sql)
    {
        QSqlQuery q(QSqlDatabase::database(m_name));
        QStringList out;
        if (q.exec(sql)) {
            while (q.next())
                out << q.value(0).toString();
        }
        return out;
    }

private:
    QString m_name;
    bool m_ok = false;
    static inline int s_count = 0;
};

QByteArray sha256Of(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256).toHex();
}

} // namespace

class TestOfflineQueue : public QObject
{
    Q_OBJECT
private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString path() const { return m_dir->filePath(QStringLiteral("queue.sqlite")); }

    std::unique_ptr<OfflineQueue> openQueue()
    {
        auto queue = std::make_unique<OfflineQueue>(path());
        QString error;
        if (!queue->open(&error)) {
            qWarning().noquote() << "cannot open the queue:" << error;
            return nullptr;
        }
        return queue;
    }

private slots:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }
    void cleanup() { m_dir.reset(); }

    void enqueueAssignsIncreasingIdsAndKeepsOrder()
    {
        auto queue = openQueue();
        QVERIFY(queue);
        QCOMPARE(queue->count(), 0);
        QVERIFY(queue->all().isEmpty());

        QList<Mutation> sent;
        for (const QString &booking : { QStringLiteral("b-3"), QStringLiteral("b-1"),
                 QStringLiteral("b-2"), QStringLiteral("b-1") }) {
            Mutation m = confirmOf(booking);
            QCOMPARE(m.id, qint64(0));
            QVERIFY(queue->enqueue(m));
            QVERIFY(m.id > 0);
            if (!sent.isEmpty())
                QVERIFY2(m.id > sent.last().id, "ids follow the order of intent");
            sent << m;
        }
        QCOMPARE(queue->count(), 4);
        // In the order of intent, not by entity or key.
        const QList<Mutation> all = queue->all();
        QCOMPARE(keysOf(all), keysOf(sent));
        QCOMPARE(all, sent);

        // An id is never handed out twice, not even after the newest row left.
        QVERIFY(queue->remove(sent.last().key));
        Mutation later = confirmOf(QStringLiteral("b-9"));
        QVERIFY(queue->enqueue(later));
        QVERIFY(later.id > sent.last().id);
        QCOMPARE(queue->all().last(), later);
    }

    void everyFieldRoundTrips_data()
    {
        QTest::addColumn<Mutation::State>("state");
        for (auto state :
            { Mutation::State::Queued, Mutation::State::Sending, Mutation::State::AwaitingEcho,
                Mutation::State::Confirmed, Mutation::State::Waiting, Mutation::State::Failed,
                Mutation::State::NeedsReview, Mutation::State::Unconfirmed }) {
            QTest::newRow(qPrintable(Mutation::stateName(state))) << state;
        }
    }
    void everyFieldRoundTrips()
    {
        QFETCH(Mutation::State, state);
        QVERIFY(!Mutation::stateName(state).isEmpty());
        QVERIFY(Mutation::stateFromName(Mutation::stateName(state)) == state);

        const QString key = QStringLiteral("key-%1").arg(Mutation::stateName(state));
        Mutation written = sample(key, state);
        {
            auto queue = openQueue();
            QVERIFY(queue);
            QVERIFY(queue->enqueue(written));
            const auto read = queue->find(key);
            QVERIFY(read);
            QCOMPARE(*read, written);
        }
        // And from the disk, through a new queue object.
        auto reopened = openQueue();
        QVERIFY(reopened);
        const auto read = reopened->find(key);
        QVERIFY(read);
        QCOMPARE(read->id, written.id);
        QCOMPARE(read->key, key);
        QCOMPARE(read->userId, written.userId);
        QCOMPARE(read->method, written.method);
        QCOMPARE(read->path, written.path);
        QCOMPARE(read->body, written.body);
        QCOMPARE(read->entityTable, written.entityTable);
        QCOMPARE(read->entityId, written.entityId);
        QCOMPARE(read->optimistic, written.optimistic);
        QCOMPARE(read->createdAtMs, written.createdAtMs);
        QCOMPARE(read->attempts, written.attempts);
        QCOMPARE(read->nextAttemptAtMs, written.nextAttemptAtMs);
        QCOMPARE(read->state, state);
        QCOMPARE(int(read->lastError.kind), int(written.lastError.kind));
        QCOMPARE(read->lastError.httpStatus, written.lastError.httpStatus);
        QCOMPARE(read->lastError.code, written.lastError.code);
        QCOMPARE(read->lastError.message, written.lastError.message);
        QCOMPARE(read->lastError.retryAfterMs, written.lastError.retryAfterMs);
        QCOMPARE(read->resultVersion, written.resultVersion);
        QCOMPARE(*read, written);
    }

    void everyErrorKindRoundTrips_data()
    {
        QTest::addColumn<ApiError::Kind>("kind");
        for (auto kind : { ApiError::Kind::None, ApiError::Kind::Offline, ApiError::Kind::Timeout,
                 ApiError::Kind::RateLimited, ApiError::Kind::Transient, ApiError::Kind::Conflict,
                 ApiError::Kind::Rejected, ApiError::Kind::Unauthorized }) {
            QTest::newRow(qPrintable(ApiError::kindName(kind))) << kind;
        }
    }
    void everyErrorKindRoundTrips()
    {
        QFETCH(ApiError::Kind, kind);
        Mutation m = sample(QStringLiteral("kind"));
        m.lastError.kind = kind;
        {
            auto queue = openQueue();
            QVERIFY(queue);
            QVERIFY(queue->enqueue(m));
        }
        auto queue = openQueue();
        QVERIFY(queue);
        const auto read = queue->find(QStringLiteral("kind"));
        QVERIFY(read);
        QCOMPARE(int(read->lastError.kind), int(kind));
        QCOMPARE(*read, m);
    }

    void defaultsRoundTrip()
    {
        // A fresh mutation: null strings, empty objects, no error, no Retry-After (-1).
        Mutation m;
        m.key = QStringLiteral("bare");
        auto queue = openQueue();
        QVERIFY(queue);
        QVERIFY(queue->enqueue(m));
        const auto read = queue->find(QStringLiteral("bare"));
        QVERIFY(read);
        QCOMPARE(*read, m);
        QCOMPARE(read->lastError.retryAfterMs, qint64(-1));
        QCOMPARE(int(read->lastError.kind), int(ApiError::Kind::None));
        QVERIFY(read->body.isEmpty());
    }

    void updateRewritesEveryField()
    {
        auto queue = openQueue();
        QVERIFY(queue);
        Mutation m = confirmOf(QStringLiteral("b-1"));
        QVERIFY(queue->enqueue(m));
        Mutation changed = sample(m.key, Mutation::State::Failed);
        changed.id = m.id;
        QVERIFY(queue->update(changed));
        QCOMPARE(queue->count(), 1);
        queue.reset();
        queue = openQueue();
        QVERIFY(queue);
        QCOMPARE(queue->all(), QList<Mutation> { changed });
    }

    void survivesClosingAndReopening()
    {
        QList<Mutation> written;
        {
            auto queue = openQueue();
            QVERIFY(queue);
            for (int i = 0; i < 5; ++i) {
                Mutation m = i % 2 ? sample(QStringLiteral("k%1").arg(i))
                                   : confirmOf(QStringLiteral("b-%1").arg(i));
                QVERIFY(queue->enqueue(m));
                written << m;
            }
            QVERIFY(queue->remove(written.takeAt(1).key));
            written[2].attempts = 3;
            written[2].state = Mutation::State::Waiting;
            QVERIFY(queue->update(written[2]));
        }
        // The file is WAL-journalled: the reopened queue must see every commit.
        QVERIFY(QFile::exists(path()));
        auto queue = openQueue();
        QVERIFY(queue);
        QCOMPARE(queue->count(), 4);
        QCOMPARE(queue->all(), written);
        // And it keeps working where the old one stopped.
        Mutation next = confirmOf(QStringLiteral("b-next"));
        QVERIFY(queue->enqueue(next));
        QVERIFY(next.id > written.last().id);

        // Two queue objects on one file at once (e.g. the CLI while the desktop runs) agree.
        auto other = openQueue();
        QVERIFY(other);
        QCOMPARE(other->all(), queue->all());
    }

    void usesWalJournal()
    {
        auto queue = openQueue();
        QVERIFY(queue);
        RawDb raw(path());
        QVERIFY(raw.isOpen());
        QCOMPARE(
            raw.scalar(QStringLiteral("PRAGMA journal_mode")).toString(), QStringLiteral("wal"));
    }

    void migratesAnEmptyFile()
    {
        // An existing, empty SQLite file (user_version 0), as well as no file at all.
        {
            RawDb raw(path());
            QVERIFY(raw.isOpen());
            QCOMPARE(raw.scalar(QStringLiteral("PRAGMA user_version")).toInt(), 0);
        }
        auto queue = openQueue();
        QVERIFY(queue);
        {
            RawDb raw(path());
            QCOMPARE(raw.scalar(QStringLiteral("PRAGMA user_version")).toInt(),
                OfflineQueue::schemaVersion);
            QVERIFY(
                raw.column(QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table'"))
                    .contains(QStringLiteral("mutations")));
        }
        Mutation m = confirmOf(QStringLiteral("b-1"));
        QVERIFY(queue->enqueue(m));
        queue.reset();
        // Opening a current file again migrates nothing and loses nothing.
        queue = openQueue();
        QVERIFY(queue);
        QCOMPARE(queue->all(), QList<Mutation> { m });
        RawDb raw(path());
        QCOMPARE(
            raw.scalar(QStringLiteral("PRAGMA user_version")).toInt(), OfflineQueue::schemaVersion);
    }

    void migratesWhenTheDirectoryDoesNotExistYet()
    {
        const QString nested = m_dir->filePath(QStringLiteral("a/b/queue.sqlite"));
        OfflineQueue queue(nested);
        QString error;
        QVERIFY2(queue.open(&error), qPrintable(error));
        QVERIFY(QFile::exists(nested));
        Mutation m = confirmOf(QStringLiteral("b-1"));
        QVERIFY(queue.enqueue(m));
        QCOMPARE(queue.count(), 1);
    }

    void refusesAQueueFromANewerVersion()
    {
        const int newer = OfflineQueue::schemaVersion + 1;
        {
            // What a newer syncloop might have left: another shape, a row that must survive.
            RawDb raw(path());
            QVERIFY(raw.isOpen());
            QVERIFY(raw.exec(QStringLiteral("CREATE TABLE mutations (id INTEGER PRIMARY KEY, key "
                                            "TEXT, payload BLOB, priority INTEGER)")));
            QVERIFY(raw.exec(
                QStringLiteral("CREATE TABLE drafts (id INTEGER PRIMARY KEY, text TEXT)")));
            QVERIFY(raw.exec(
                QStringLiteral("INSERT INTO mutations VALUES (1, 'future-key', x'00ff', 9)")));
            QVERIFY(raw.exec(QStringLiteral("PRAGMA user_version = %1").arg(newer)));
        }
        const QByteArray before = sha256Of(path());
        QVERIFY(!before.isEmpty());
        const QStringList filesBefore = QDir(m_dir->path()).entryList(QDir::Files);

        {
            OfflineQueue queue(path());
            QString error;
            QVERIFY(!queue.open(&error));
            // Clear: says why and which version it found.
            QVERIFY2(error.contains(QLatin1String("newer")), qPrintable(error));
            QVERIFY2(error.contains(QString::number(newer)), qPrintable(error));
        }

        // Untouched: same bytes, same version, same schema and rows, no leftovers.
        QCOMPARE(QDir(m_dir->path()).entryList(QDir::Files), filesBefore);
        RawDb raw(path());
        QCOMPARE(raw.scalar(QStringLiteral("PRAGMA user_version")).toInt(), newer);
        QCOMPARE(raw.column(QStringLiteral("SELECT name FROM sqlite_master ORDER BY name")),
            (QStringList { QStringLiteral("drafts"), QStringLiteral("mutations") }));
        QCOMPARE(raw.column(QStringLiteral("SELECT key || '/' || priority FROM mutations")),
            QStringList { QStringLiteral("future-key/9") });
        QCOMPARE(
            raw.scalar(QStringLiteral("PRAGMA journal_mode")).toString(), QStringLiteral("delete"));
        QCOMPARE(sha256Of(path()), before);
    }

    // What a server advertised as its idempotency window is kept per server, across reopening,
    // and one server's window is never another's.
    void keepsTheIdempotencyWindowPerServer()
    {
        const QUrl a(QStringLiteral("http://127.0.0.1:8080"));
        const QUrl b(QStringLiteral("https://sync.example.com/api"));
        {
            auto queue = openQueue();
            QVERIFY(queue);
            QVERIFY(!queue->idempotencyWindowSeconds(a));
            QVERIFY(queue->setIdempotencyWindowSeconds(a, 3600, 1'700'000'000'000));
            QVERIFY(queue->setIdempotencyWindowSeconds(b, 600, 1'700'000'000'000));
            QCOMPARE(queue->idempotencyWindowSeconds(a).value_or(0), qint64(3600));
            // A later answer replaces it.
            QVERIFY(queue->setIdempotencyWindowSeconds(a, 7200, 1'700'000'100'000));
            QCOMPARE(queue->idempotencyWindowSeconds(a).value_or(0), qint64(7200));
        }
        auto queue = openQueue();
        QVERIFY(queue);
        QCOMPARE(queue->idempotencyWindowSeconds(a).value_or(0), qint64(7200));
        QCOMPARE(queue->idempotencyWindowSeconds(b).value_or(0), qint64(600));
        // One server, however its URL is spelled.
        QCOMPARE(queue->idempotencyWindowSeconds(QUrl(QStringLiteral("http://127.0.0.1:8080/")))
                     .value_or(0),
            qint64(7200));
        QCOMPARE(queue
                     ->idempotencyWindowSeconds(
                         QUrl(QStringLiteral("https://u:p@sync.example.com/api/?x=1#f")))
                     .value_or(0),
            qint64(600));
        // Another port or path is another server.
        QVERIFY(!queue->idempotencyWindowSeconds(QUrl(QStringLiteral("http://127.0.0.1:8081"))));
        QVERIFY(!queue->idempotencyWindowSeconds(QUrl(QStringLiteral("https://sync.example.com"))));

        // Nonsense is refused and changes nothing.
        QVERIFY(!queue->setIdempotencyWindowSeconds(a, 0, 1'700'000'200'000));
        QVERIFY(!queue->setIdempotencyWindowSeconds(a, -5, 1'700'000'200'000));
        QCOMPARE(queue->idempotencyWindowSeconds(a).value_or(0), qint64(7200));
        RawDb raw(path());
        QCOMPARE(raw.scalar(QStringLiteral("SELECT COUNT(*) FROM server_windows")).toInt(), 2);
        QCOMPARE(
            raw
                .scalar(QStringLiteral(
                    "SELECT seen_at_ms FROM server_windows WHERE server = 'http://127.0.0.1:8080'"))
                .toLongLong(),
            qint64(1'700'000'100'000));
    }

    // A queue at schema 2 (before the window was kept) migrates to 3: its rows are untouched,
    // no window is known yet (the API default stands until the server answers), and one can
    // be kept from then on.
    void migratesFromVersion2()
    {
        Mutation kept = confirmOf(QStringLiteral("b-v2"));
        Mutation review = confirmOf(QStringLiteral("b-v2-review"));
        review.state = Mutation::State::NeedsReview;
        review.lastError.kind = ApiError::Kind::Rejected;
        review.lastError.code = QString::fromLatin1(OfflineQueue::noUserCode);
        review.lastError.message = QStringLiteral("Queued without a signed-in user");
        review.userId = QString();
        {
            RawDb raw(path());
            QVERIFY(raw.isOpen());
            QVERIFY(raw.exec(QStringLiteral(
                "CREATE TABLE mutations (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL "
                "UNIQUE,"
                " user_id TEXT NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL, body TEXT NOT "
                "NULL,"
                " entity_table TEXT NOT NULL, entity_id TEXT NOT NULL, optimistic TEXT NOT NULL,"
                " created_at_ms INTEGER NOT NULL, attempts INTEGER NOT NULL,"
                " next_attempt_at_ms INTEGER NOT NULL, state TEXT NOT NULL, error_kind TEXT NOT "
                "NULL,"
                " error_status INTEGER NOT NULL, error_code TEXT NOT NULL, error_message TEXT NOT "
                "NULL,"
                " retry_after_ms INTEGER NOT NULL, result_version INTEGER NOT NULL)")));
            QVERIFY(raw.exec(
                QStringLiteral("CREATE INDEX mutations_by_user ON mutations (user_id, id)")));
            for (Mutation *m : { &kept, &review }) {
                QVERIFY(raw.exec(
                    QStringLiteral("INSERT INTO mutations (key, user_id, method, path, body, "
                                   "entity_table, entity_id, optimistic,"
                                   " created_at_ms, attempts, next_attempt_at_ms, state, "
                                   "error_kind, error_status, error_code,"
                                   " error_message, retry_after_ms, result_version) VALUES ('%1', "
                                   "'%2', 'POST', '%3', '%4', '%5',"
                                   " '%6', '%7', %8, 0, 0, '%9', '%10', 0, '%11', '%12', -1, 0)")
                        .arg(m->key, m->userId, m->path,
                            QString::fromUtf8(
                                QJsonDocument(m->body).toJson(QJsonDocument::Compact)),
                            m->entityTable, m->entityId,
                            QString::fromUtf8(
                                QJsonDocument(m->optimistic).toJson(QJsonDocument::Compact)))
                        .arg(m->createdAtMs)
                        .arg(Mutation::stateName(m->state), ApiError::kindName(m->lastError.kind),
                            m->lastError.code, m->lastError.message)));
                m->id = raw.scalar(QStringLiteral("SELECT last_insert_rowid()")).toLongLong();
            }
            QVERIFY(raw.exec(QStringLiteral("PRAGMA user_version = 2")));
        }
        {
            auto queue = openQueue();
            QVERIFY(queue);
            QCOMPARE(queue->all(), (QList<Mutation> { kept, review }));
            QVERIFY(
                !queue->idempotencyWindowSeconds(QUrl(QStringLiteral("http://127.0.0.1:8080"))));
            QVERIFY(queue->setIdempotencyWindowSeconds(
                QUrl(QStringLiteral("http://127.0.0.1:8080")), 3600, 1));
        }
        RawDb raw(path());
        QCOMPARE(raw.scalar(QStringLiteral("PRAGMA user_version")).toInt(), 3);
        QCOMPARE(OfflineQueue::schemaVersion, 3);
        QCOMPARE(
            raw.scalar(QStringLiteral("SELECT window_seconds FROM server_windows")).toLongLong(),
            qint64(3600));
        // Migration 2 is not run again: the row that needed review still does, the other is as it
        // was.
        QCOMPARE(raw.column(QStringLiteral("SELECT state FROM mutations ORDER BY id")),
            (QStringList { QStringLiteral("queued"), QStringLiteral("needs_review") }));
    }

    void removeFindAndCount()
    {
        auto queue = openQueue();
        QVERIFY(queue);
        QVERIFY(!queue->find(QStringLiteral("absent")));
        Mutation a = confirmOf(QStringLiteral("b-a"));
        Mutation b = confirmOf(QStringLiteral("b-b"));
        Mutation c = confirmOf(QStringLiteral("b-c"));
        QVERIFY(queue->enqueue(a));
        QVERIFY(queue->enqueue(b));
        QVERIFY(queue->enqueue(c));
        QCOMPARE(queue->count(), 3);
        QCOMPARE(queue->find(b.key).value_or(Mutation()), b);

        QVERIFY(queue->remove(b.key));
        QCOMPARE(queue->count(), 2);
        QVERIFY(!queue->find(b.key));
        QCOMPARE(queue->all(), (QList<Mutation> { a, c }));
        // Removing what is not there changes nothing.
        QVERIFY(queue->remove(b.key));
        QVERIFY(queue->remove(QStringLiteral("never-queued")));
        QCOMPARE(queue->count(), 2);

        // A key is minted once: a second row with the same key is refused, the first kept.
        Mutation duplicate = confirmOf(QStringLiteral("b-other"));
        duplicate.key = a.key;
        QTest::ignoreMessage(
            QtCriticalMsg, QRegularExpression(QStringLiteral("cannot persist a mutation")));
        QVERIFY(!queue->enqueue(duplicate));
        QCOMPARE(queue->count(), 2);
        QCOMPARE(queue->find(a.key).value_or(Mutation()), a);

        QVERIFY(queue->remove(a.key));
        QVERIFY(queue->remove(c.key));
        QCOMPARE(queue->count(), 0);
        QVERIFY(queue->all().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestOfflineQueue)
#include "tst_offlinequeue.moc"
