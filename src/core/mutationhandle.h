#pragma once

#include "echoconfirmer.h"
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
    Mutation::Phase phase() const { return m_mutation.phase(); }
    // Sending or waiting for its echo: a button is busy (and disabled) now.
    bool isBusy() const { return m_mutation.isBusy(); }
    bool isFinal() const { return m_mutation.isFinal(); }
    // The described action it is (ActionDescriptor::name, found by its route); empty if none.
    QString action() const { return m_action; }

    // Where the closed loop looks for the new state: the row the server's answer named.
    const EchoConfirmer::Target &echo() const { return m_echo; }
    QString echoTable() const { return m_echo.table; }
    QString echoId() const { return m_echo.id; }
    qint64 echoVersion() const { return m_echo.version; }
    bool echoIsDeletion() const { return m_echo.deletion; }

signals:
    void changed();
    void finished();

private:
    friend class MutationEngine;
    explicit MutationHandle(Mutation mutation, QObject *parent)
        : QObject(parent)
        , m_mutation(std::move(mutation))
    { }
    void update(const Mutation &mutation);

    Mutation m_mutation;
    QString m_action;
    EchoConfirmer::Target m_echo;
    qint64 m_answeredAtMs = 0;
};
