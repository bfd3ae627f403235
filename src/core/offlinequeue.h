#pragma once

#include "mutation.h"

#include <QList>
#include <QString>

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

    static QString defaultPath(); // <AppDataLocation>/queue.sqlite
    static constexpr int schemaVersion = 1;

private:
    bool migrate(QString *error);

    QString m_path;
    QString m_connection;
};
