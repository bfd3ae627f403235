#pragma once

#include "mutation.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>
#include <optional>

// The durable queue of mutations owed to the server: SQLite (WAL) in the app data directory.
// A mutation is written here before its first byte is sent and leaves only once the server
// has answered it with a 2xx (or the user discards it). Schema changes are migrations keyed on
// PRAGMA user_version, one transaction each. Single-threaded: the engine's thread owns it.
class OfflineQueue
{
public:
    explicit OfflineQueue(QString path);
    ~OfflineQueue();
    Q_DISABLE_COPY_MOVE(OfflineQueue)

    bool open(QString *error);
    QString path() const { return m_path; }

    // Inserts and assigns `mutation.id`. False (logged) only if the disk refuses.
    bool enqueue(Mutation &mutation);
    bool update(const Mutation &mutation);
    bool remove(const QString &key);
    QList<Mutation> all() const; // in the order of intent
    std::optional<Mutation> find(const QString &key) const;
    int count() const;

    // Stamped on a mutation enqueued with no user: syncloopctl queueing while the server is
    // down, for a user it knows from an earlier sign-in (the API has no user until the server
    // answers). Empty (the default): the mutation keeps what it has.
    void setFallbackUserId(const QString &userId) { m_fallbackUserId = userId; }

    // Gives mutations that have no user (queued before that was refused: see migration 2) to
    // `userId`, as new intents queued at `nowMs`; they keep their keys, which no server has
    // seen (a mutation is stamped with its user before its first send). Returns how many.
    int adopt(const QStringList &keys, const QString &userId, qint64 nowMs);

    // The idempotency window a server advertised (Idempotency-Window), kept so that a client
    // started again knows it before its first send: a key replayed past the server's window
    // would run again (an SMS sent twice). nullopt: never seen for this server.
    std::optional<qint64> idempotencyWindowSeconds(const QUrl &server) const;
    bool setIdempotencyWindowSeconds(const QUrl &server, qint64 seconds, qint64 nowMs);
    // One spelling per server: no user info, query or fragment, no trailing slash.
    static QString serverKey(const QUrl &server);

    static QString defaultPath(); // <AppDataLocation>/queue.sqlite
    static constexpr int schemaVersion = 3;
    // Why a mutation with no user needs review (error code; the message says it in words).
    static constexpr const char *noUserCode = "no_user";

private:
    bool migrate(QString *error);

    QString m_path;
    QString m_connection;
    QString m_fallbackUserId;
};
