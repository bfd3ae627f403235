#pragma once

#include "mutation.h"

#include <QObject>

class MutationEngine;

// What a button binds to: one mutation's state, attempts, next retry time and last error,
// updated by the engine (the only writer). changed() on every update; finished() once the
// mutation reaches a final state (confirmed, failed, needs review, unconfirmed).
class MutationHandle : public QObject
{
    Q_OBJECT
public:
    const Mutation &mutation() const { return m_mutation; }
    QString key() const { return m_mutation.key; }
    Mutation::State state() const { return m_mutation.state; }
    int attempts() const { return m_mutation.attempts; }
    qint64 nextAttemptAtMs() const { return m_mutation.nextAttemptAtMs; }
    QString errorMessage() const { return m_mutation.lastError.userMessage(); }
    // Sending or waiting for its echo: a button is busy (and disabled) now.
    bool isBusy() const
    {
        return m_mutation.state == Mutation::State::Sending || m_mutation.state == Mutation::State::AwaitingEcho
            || m_mutation.state == Mutation::State::Queued;
    }
    bool isFinal() const { return m_mutation.isFinal(); }

    // Where the closed loop looks for the new state: the row the server's answer named.
    QString echoTable() const { return m_echoTable; }
    QString echoId() const { return m_echoId; }
    qint64 echoVersion() const { return m_echoVersion; }
    bool echoIsDeletion() const { return m_echoDeletion; }

signals:
    void changed();
    void finished();

private:
    friend class MutationEngine;
    explicit MutationHandle(Mutation mutation, QObject *parent) : QObject(parent), m_mutation(std::move(mutation)) { }
    void update(const Mutation &mutation);

    Mutation m_mutation;
    QString m_echoTable;
    QString m_echoId;
    qint64 m_echoVersion = 0;
    bool m_echoDeletion = false;
    qint64 m_answeredAtMs = 0;
};
