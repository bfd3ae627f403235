#pragma once

#include <QJsonObject>
#include <QString>

class EntityRegistry;
struct Mutation;

// Confirming by echo, the closed loop's one rule, read from the entity descriptors: which row a
// mutation's 2xx answer names (table, id, version, or the record gone), whether what a store
// holds shows it, and how the row is read again when its echo is late. No state, no timers:
// the engine asks, waits and settles.
class EchoConfirmer
{
public:
    // Where the closed loop looks for the new state; an empty table: nothing to wait for.
    struct Target
    {
        QString table;
        QString id;
        qint64 version = 0;
        bool deletion = false;

        friend bool operator==(const Target &, const Target &) = default;
    };

    explicit EchoConfirmer(const EntityRegistry *registry)
        : m_registry(registry)
    { }

    Target targetOf(const Mutation &mutation, const QJsonObject &answer) const;
    // Whether a store holding `version` of the target's row (-1: the row is absent) shows the
    // change.
    static bool isSeen(const Target &target, qint64 version);
    // The GET that reads the target's row again; empty when no route can.
    QString rereadPath(const Target &target, const Mutation &mutation) const;
    // The target's row in that GET's answer; empty when it is not there.
    QJsonObject rowIn(const Target &target, const QJsonObject &answer) const;

private:
    const EntityRegistry *m_registry;
};
