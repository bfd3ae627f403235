#include "problems.h"

namespace Problems {

namespace {
enum class Retry { No, Yes }; // the problem's `retryable` member: may the client send it again

Problem make(int status, QString code, QString title, QString detail, Retry retry = Retry::No,
    int retryAfterSeconds = -1)
{
    return { .status = status,
        .code = std::move(code),
        .title = std::move(title),
        .detail = std::move(detail),
        .retryable = retry == Retry::Yes,
        .retryAfterSeconds = retryAfterSeconds };
}
} // namespace

Problem badRequest(const QString &code, const QString &detail)
{
    return make(400, code, QStringLiteral("Bad request"), detail);
}

Problem malformedJson(const QString &detail)
{
    return make(
        400, QStringLiteral("malformed_json"), QStringLiteral("Malformed JSON body"), detail);
}

Problem unauthorized(const QString &detail)
{
    return make(
        401, QStringLiteral("unauthorized"), QStringLiteral("Authentication required"), detail);
}

Problem forbidden(const QString &detail)
{
    return make(403, QStringLiteral("forbidden"), QStringLiteral("Not allowed"), detail);
}

Problem notFound(const QString &detail)
{
    return make(404, QStringLiteral("not_found"), QStringLiteral("Not found"), detail);
}

Problem methodNotAllowed(const QString &detail)
{
    return make(
        405, QStringLiteral("method_not_allowed"), QStringLiteral("Method not allowed"), detail);
}

Problem conflict(const QString &code, const QString &detail)
{
    return make(409, code, QStringLiteral("Conflict with the current state"), detail);
}

Problem historyExpired(qint64 since, qint64 purgedThrough)
{
    return make(410, QStringLiteral("history_expired"), QStringLiteral("Change history expired"),
        QStringLiteral(
            "Changes after seq %1 are no longer kept (the history now starts after seq %2); "
            "reload the data and continue from its seq.")
            .arg(since)
            .arg(purgedThrough));
}

Problem keyInUse()
{
    return make(409, QStringLiteral("idempotency_key_in_use"),
        QStringLiteral("A request with this Idempotency-Key is still being processed"),
        QStringLiteral("Retry with the same key after the Retry-After delay."), Retry::Yes, 1);
}

Problem keyMismatch()
{
    return make(422, QStringLiteral("idempotency_key_reused"),
        QStringLiteral("Idempotency-Key already used for another request"),
        QStringLiteral("This key was used with a different method, route or body; "
                       "use a new key for a new request."));
}

Problem payloadTooLarge(qint64 limit)
{
    return make(413, QStringLiteral("payload_too_large"), QStringLiteral("Request body too large"),
        QStringLiteral("The body must not exceed %1 bytes.").arg(limit));
}

Problem lengthRequired()
{
    return make(411, QStringLiteral("length_required"), QStringLiteral("Content-Length required"),
        QStringLiteral("Send the body with a Content-Length header, not chunked."));
}

Problem upgradeNotSupported(const QByteArray &webSocketPath)
{
    return make(400, QStringLiteral("upgrade_not_supported"),
        QStringLiteral("Protocol upgrade not supported"),
        QStringLiteral(
            "Only a WebSocket handshake (GET with Upgrade: websocket) on %1 upgrades; send other "
            "requests without Connection: upgrade.")
            .arg(QString::fromLatin1(webSocketPath)));
}

Problem headersTooLarge(qint64 limit)
{
    return make(431, QStringLiteral("headers_too_large"),
        QStringLiteral("Request header fields too large"),
        QStringLiteral("The request line and headers must not exceed %1 bytes.").arg(limit));
}

Problem unsupportedMediaType()
{
    return make(415, QStringLiteral("unsupported_media_type"),
        QStringLiteral("Unsupported media type"),
        QStringLiteral("Send the body as application/json."));
}

Problem unavailable(const QString &detail, int retryAfterSeconds)
{
    return make(503, QStringLiteral("temporarily_unavailable"),
        QStringLiteral("Service temporarily unavailable"), detail, Retry::Yes, retryAfterSeconds);
}

Problem tooManyLoginAttempts(int retryAfterSeconds)
{
    return make(429, QStringLiteral("too_many_login_attempts"),
        QStringLiteral("Too many login attempts"),
        QStringLiteral(
            "Too many failed sign-ins for this account or from this address; try again in %1 s.")
            .arg(retryAfterSeconds),
        Retry::Yes, retryAfterSeconds);
}

Problem internal()
{
    return make(500, QStringLiteral("internal_error"), QStringLiteral("Internal server error"),
        QStringLiteral("The request failed on the server; nothing was changed."), Retry::Yes);
}

} // namespace Problems
