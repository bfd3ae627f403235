#pragma once

#include "httpresponse.h"

#include <QMutex>
#include <QSet>
#include <QString>
#include <functional>

class RequestContext;
class ServerMetrics;
class Transaction;
class TransactionRunner;

// Executes a mutation at most once per (user, Idempotency-Key):
// - a key still executing in this process answers 409 `idempotency_key_in_use` + Retry-After;
// - a stored record with another fingerprint answers 422;
// - a stored record with the same fingerprint is replayed byte for byte (Idempotent-Replayed);
// - otherwise the work runs, and its response is stored in the same transaction, so a
//   rollback leaves no record and a retry re-executes. 5xx answers are never stored.
class IdempotencyGuard
{
public:
    using Work = std::function<HttpResponse(Transaction &)>;

    IdempotencyGuard(TransactionRunner &runner, ServerMetrics &metrics, qint64 windowMs);

    HttpResponse execute(const RequestContext &ctx, const Work &work);
    qint64 windowMs() const { return m_windowMs; }

    static QString fingerprint(
        const QByteArray &method, const QString &path, const QByteArray &canonicalBody);

private:
    bool claim(const QString &slot);
    void release(const QString &slot);

    TransactionRunner &m_runner;
    ServerMetrics &m_metrics;
    const qint64 m_windowMs;
    QMutex m_mutex;
    QSet<QString> m_inFlight;
};
