#include "offlinequeue.h"

#include "logging.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QUuid>

namespace {

const char *const columns
    = "id, key, user_id, method, path, body, entity_table, entity_id, optimistic, created_at_ms,"
      " attempts, next_attempt_at_ms, state, error_kind, error_status, error_code, error_message,"
      " retry_after_ms, result_version";

QString compact(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

Mutation fromRow(const QSqlQuery &q)
{
    Mutation m;
    m.id = q.value(0).toLongLong();
    m.key = q.value(1).toString();
    m.userId = q.value(2).toString();
    m.method = q.value(3).toString();
    m.path = q.value(4).toString();
    m.body = QJsonDocument::fromJson(q.value(5).toString().toUtf8()).object();
    m.entityTable = q.value(6).toString();
    m.entityId = q.value(7).toString();
    m.optimistic = QJsonDocument::fromJson(q.value(8).toString().toUtf8()).object();
    m.createdAtMs = q.value(9).toLongLong();
    m.attempts = q.value(10).toInt();
    m.nextAttemptAtMs = q.value(11).toLongLong();
    m.state = Mutation::stateFromName(q.value(12).toString()).value_or(Mutation::State::Queued);
    const QString kind = q.value(13).toString();
    for (int k = 0; k <= int(ApiError::Kind::Unauthorized); ++k) {
        if (ApiError::kindName(ApiError::Kind(k)) == kind)
            m.lastError.kind = ApiError::Kind(k);
    }
    m.lastError.httpStatus = q.value(14).toInt();
    m.lastError.code = q.value(15).toString();
    m.lastError.message = q.value(16).toString();
    m.lastError.retryAfterMs = q.value(17).toLongLong();
    m.resultVersion = q.value(18).toLongLong();
    return m;
}

// Qt binds a null QString as SQL NULL; the columns are NOT NULL text.
QString text(const QString &s)
{
    return s.isNull() ? QStringLiteral("") : s;
}

void bindAll(QSqlQuery &q, const Mutation &m)
{
    q.addBindValue(text(m.key));
    q.addBindValue(text(m.userId));
    q.addBindValue(text(m.method));
    q.addBindValue(text(m.path));
    q.addBindValue(compact(m.body));
    q.addBindValue(text(m.entityTable));
    q.addBindValue(text(m.entityId));
    q.addBindValue(compact(m.optimistic));
    q.addBindValue(m.createdAtMs);
    q.addBindValue(m.attempts);
    q.addBindValue(m.nextAttemptAtMs);
    q.addBindValue(Mutation::stateName(m.state));
    q.addBindValue(ApiError::kindName(m.lastError.kind));
    q.addBindValue(m.lastError.httpStatus);
    q.addBindValue(text(m.lastError.code));
    q.addBindValue(text(m.lastError.message));
    q.addBindValue(m.lastError.retryAfterMs);
    q.addBindValue(m.resultVersion);
}

} // namespace

OfflineQueue::OfflineQueue(QString path)
    : m_path(std::move(path))
    , m_connection(
          QStringLiteral("offline-queue-") + QUuid::createUuid().toString(QUuid::WithoutBraces))
{ }

OfflineQueue::~OfflineQueue()
{
    if (QSqlDatabase::contains(m_connection)) {
        QSqlDatabase::database(m_connection, false).close();
        QSqlDatabase::removeDatabase(m_connection);
    }
}

QString OfflineQueue::defaultPath()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
        .filePath(QStringLiteral("queue.sqlite"));
}

bool OfflineQueue::open(QString *error)
{
    if (!QDir().mkpath(QFileInfo(m_path).absolutePath())) {
        *error = QStringLiteral("cannot create %1").arg(QFileInfo(m_path).absolutePath());
        return false;
    }
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
    db.setDatabaseName(m_path);
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    if (!db.open()) {
        *error = db.lastError().text();
        return false;
    }
    // Migrate (or refuse a newer schema) first: a queue we may not use is left exactly as it was.
    if (!migrate(error))
        return false;
    QSqlQuery q(db);
    // WAL with synchronous=NORMAL: a commit survives the application crashing or being killed
    // at any point (only a power cut may lose the last commits) and costs no fsync.
    if (!q.exec(QStringLiteral("PRAGMA journal_mode=WAL"))
        || !q.exec(QStringLiteral("PRAGMA synchronous=NORMAL"))) {
        *error = q.lastError().text();
        return false;
    }
    return true;
}

bool OfflineQueue::migrate(QString *error)
{
    QSqlDatabase db = QSqlDatabase::database(m_connection);
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next()) {
        *error = q.lastError().text();
        return false;
    }
    int version = q.value(0).toInt();
    if (version > schemaVersion) {
        *error = QStringLiteral("the queue %1 was written by a newer syncloop (schema %2)")
                     .arg(m_path)
                     .arg(version);
        return false;
    }
    const QStringList v1 {
        QStringLiteral("CREATE TABLE mutations ("
                       " id INTEGER PRIMARY KEY AUTOINCREMENT,"
                       " key TEXT NOT NULL UNIQUE,"
                       " user_id TEXT NOT NULL,"
                       " method TEXT NOT NULL,"
                       " path TEXT NOT NULL,"
                       " body TEXT NOT NULL,"
                       " entity_table TEXT NOT NULL,"
                       " entity_id TEXT NOT NULL,"
                       " optimistic TEXT NOT NULL,"
                       " created_at_ms INTEGER NOT NULL,"
                       " attempts INTEGER NOT NULL,"
                       " next_attempt_at_ms INTEGER NOT NULL,"
                       " state TEXT NOT NULL,"
                       " error_kind TEXT NOT NULL,"
                       " error_status INTEGER NOT NULL,"
                       " error_code TEXT NOT NULL,"
                       " error_message TEXT NOT NULL,"
                       " retry_after_ms INTEGER NOT NULL,"
                       " result_version INTEGER NOT NULL)"),
        QStringLiteral("CREATE INDEX mutations_by_user ON mutations (user_id, id)"),
    };
    // Rows queued with no user (syncloopctl without a session) were sent by whoever signed in
    // next, or never. Nobody chose them: they wait for the user to adopt or discard them.
    const QStringList v2 {
        QStringLiteral("UPDATE mutations SET state = 'needs_review', error_kind = 'rejected',"
                       " error_status = 0, error_code = '%1', retry_after_ms = -1,"
                       " error_message = 'Queued without a signed-in user, so never sent."
                       " Adopt it to send it as you, or discard it.'"
                       " WHERE user_id = ''")
            .arg(QLatin1String(noUserCode)),
    };
    // The window each server advertised: a restarted client must not judge queued mutations
    // by the 24 h default before the server has answered anything.
    const QStringList v3 {
        QStringLiteral("CREATE TABLE server_windows ("
                       " server TEXT PRIMARY KEY,"
                       " window_seconds INTEGER NOT NULL,"
                       " seen_at_ms INTEGER NOT NULL)"),
    };
    const QList<QStringList> migrations { v1, v2, v3 };
    for (; version < schemaVersion; ++version) {
        if (!db.transaction()) {
            *error = db.lastError().text();
            return false;
        }
        for (const QString &statement : migrations.at(version)) {
            if (!q.exec(statement)) {
                *error = q.lastError().text();
                db.rollback();
                return false;
            }
        }
        if (!q.exec(QStringLiteral("PRAGMA user_version = %1").arg(version + 1)) || !db.commit()) {
            *error = q.lastError().text();
            db.rollback();
            return false;
        }
    }
    return true;
}

bool OfflineQueue::enqueue(Mutation &m)
{
    if (m.userId.isEmpty() && !m_fallbackUserId.isEmpty())
        m.userId = m_fallbackUserId;
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(QStringLiteral(
        "INSERT INTO mutations (key, user_id, method, path, body, entity_table, entity_id,"
        " optimistic, created_at_ms, attempts, next_attempt_at_ms, state, error_kind, error_status,"
        " error_code, error_message, retry_after_ms, result_version)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    bindAll(q, m);
    if (!q.exec()) {
        qCCritical(lcQueue) << "cannot persist a mutation:" << q.lastError().text();
        return false;
    }
    m.id = q.lastInsertId().toLongLong();
    return true;
}

bool OfflineQueue::update(const Mutation &m)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(QStringLiteral(
        "UPDATE mutations SET key = ?, user_id = ?, method = ?, path = ?, body = ?, entity_table = "
        "?,"
        " entity_id = ?, optimistic = ?, created_at_ms = ?, attempts = ?, next_attempt_at_ms = ?,"
        " state = ?, error_kind = ?, error_status = ?, error_code = ?, error_message = ?,"
        " retry_after_ms = ?, result_version = ? WHERE id = ?"));
    bindAll(q, m);
    q.addBindValue(m.id);
    if (!q.exec()) {
        qCCritical(lcQueue) << "cannot update a queued mutation:" << q.lastError().text();
        return false;
    }
    return true;
}

bool OfflineQueue::remove(const QString &key)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(QStringLiteral("DELETE FROM mutations WHERE key = ?"));
    q.addBindValue(key);
    if (!q.exec()) {
        qCCritical(lcQueue) << "cannot remove a queued mutation:" << q.lastError().text();
        return false;
    }
    return true;
}

QList<Mutation> OfflineQueue::all() const
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.setForwardOnly(true);
    QList<Mutation> out;
    if (!q.exec(QStringLiteral("SELECT %1 FROM mutations ORDER BY id").arg(QLatin1String(columns))))
        qCCritical(lcQueue) << "cannot read the queue:" << q.lastError().text();
    while (q.next())
        out.append(fromRow(q));
    return out;
}

std::optional<Mutation> OfflineQueue::find(const QString &key) const
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(QStringLiteral("SELECT %1 FROM mutations WHERE key = ?").arg(QLatin1String(columns)));
    q.addBindValue(key);
    if (!q.exec() || !q.next())
        return std::nullopt;
    return fromRow(q);
}

int OfflineQueue::count() const
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    return q.exec(QStringLiteral("SELECT COUNT(*) FROM mutations")) && q.next() ? q.value(0).toInt()
                                                                                : 0;
}

int OfflineQueue::adopt(const QStringList &keys, const QString &userId, qint64 nowMs)
{
    if (userId.isEmpty())
        return 0;
    QSqlDatabase db = QSqlDatabase::database(m_connection);
    if (!db.transaction()) {
        qCCritical(lcQueue) << "cannot adopt queued mutations:" << db.lastError().text();
        return 0;
    }
    // A fresh intent: the idempotency window starts now, nothing has been tried.
    QSqlQuery q(db);
    q.prepare(QStringLiteral(
        "UPDATE mutations SET user_id = ?, state = ?, attempts = 0, created_at_ms = ?,"
        " next_attempt_at_ms = ?, error_kind = ?, error_status = 0, error_code = '',"
        " error_message = '', retry_after_ms = -1 WHERE key = ? AND user_id = ''"));
    int adopted = 0;
    for (const QString &key : keys) {
        q.addBindValue(userId);
        q.addBindValue(Mutation::stateName(Mutation::State::Queued));
        q.addBindValue(nowMs);
        q.addBindValue(nowMs);
        q.addBindValue(ApiError::kindName(ApiError::Kind::None));
        q.addBindValue(key);
        if (!q.exec()) {
            qCCritical(lcQueue) << "cannot adopt a queued mutation:" << q.lastError().text();
            db.rollback();
            return 0;
        }
        adopted += q.numRowsAffected();
    }
    if (!db.commit()) {
        qCCritical(lcQueue) << "cannot adopt queued mutations:" << db.lastError().text();
        db.rollback();
        return 0;
    }
    return adopted;
}

QString OfflineQueue::serverKey(const QUrl &server)
{
    // As CredentialStore::account(): StripTrailingSlash keeps a lone "/", so drop the root path.
    QUrl base = server.adjusted(
        QUrl::RemoveUserInfo | QUrl::RemoveQuery | QUrl::RemoveFragment | QUrl::StripTrailingSlash);
    if (base.path() == QLatin1String("/"))
        base.setPath(QString());
    return base.toString();
}

std::optional<qint64> OfflineQueue::idempotencyWindowSeconds(const QUrl &server) const
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(QStringLiteral("SELECT window_seconds FROM server_windows WHERE server = ?"));
    q.addBindValue(serverKey(server));
    if (!q.exec()) {
        qCCritical(lcQueue) << "cannot read the idempotency window:" << q.lastError().text();
        return std::nullopt;
    }
    if (!q.next() || q.value(0).toLongLong() <= 0)
        return std::nullopt;
    return q.value(0).toLongLong();
}

bool OfflineQueue::setIdempotencyWindowSeconds(const QUrl &server, qint64 seconds, qint64 nowMs)
{
    if (seconds <= 0)
        return false;
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(QStringLiteral(
        "INSERT INTO server_windows (server, window_seconds, seen_at_ms) VALUES (?, ?, ?)"
        " ON CONFLICT (server) DO UPDATE SET window_seconds = excluded.window_seconds,"
        " seen_at_ms = excluded.seen_at_ms"));
    q.addBindValue(serverKey(server));
    q.addBindValue(seconds);
    q.addBindValue(nowMs);
    if (!q.exec()) {
        qCCritical(lcQueue) << "cannot keep the idempotency window:" << q.lastError().text();
        return false;
    }
    return true;
}
