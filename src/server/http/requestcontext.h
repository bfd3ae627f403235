#pragma once

#include "auth/principal.h"
#include "httprequest.h"
#include "problem.h"
#include "storage/transactionrunner.h"

#include <QHash>
#include <QJsonObject>
#include <QString>
#include <optional>

// Everything a handler knows about the request it answers, filled in by ApiService.
class RequestContext
{
public:
    explicit RequestContext(const HttpRequest &request)
        : m_request(request)
    { }

    const HttpRequest &request() const { return m_request; }
    const Principal &principal() const { return m_principal; }
    QString param(const QString &name) const { return m_params.value(name); }
    QString routePattern() const { return m_routePattern; }
    // The decoded path ("/api/bookings/confirm"), part of the idempotency fingerprint.
    QString path() const { return m_path; }
    // The body parsed as a JSON object; only for routes that take a body.
    const QJsonObject &body() const { return m_body; }
    // The canonical form of the body (sorted keys, compact): the fingerprint's input.
    const QByteArray &canonicalBody() const { return m_canonicalBody; }
    const QString &idempotencyKey() const { return m_idempotencyKey; }
    // How this request's units of work run: ApiService chooses by thread (event loop: one
    // attempt or the loop's group commit; worker: retries with backoff). Handlers pass it on.
    const TransactionRunner::Context &transactions() const { return m_transactions; }

    // Field readers that answer 400 with a precise message; nullopt + *problem on failure.
    std::optional<QString> requireUuid(const char *field, Problem *problem) const;
    std::optional<QString> requireString(const char *field, int maxLength, Problem *problem) const;

private:
    friend class ApiService;

    const HttpRequest &m_request;
    Principal m_principal;
    QHash<QString, QString> m_params;
    QString m_routePattern;
    QString m_path;
    QJsonObject m_body;
    QByteArray m_canonicalBody;
    QString m_idempotencyKey;
    TransactionRunner::Context m_transactions;
};
