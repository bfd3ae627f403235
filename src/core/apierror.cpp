#include "apierror.h"

#include "problem.h"

#include <QCoreApplication>

bool ApiError::isRetryable() const
{
    switch (kind) {
    case Kind::Offline:
    case Kind::Timeout:
    case Kind::RateLimited:
    case Kind::Transient:
        return true;
    case Kind::None:
    case Kind::Conflict:
    case Kind::Rejected:
    case Kind::Unauthorized:
        return false;
    }
    return false;
}

QString ApiError::kindName(Kind kind)
{
    switch (kind) {
    case Kind::None:
        return QStringLiteral("none");
    case Kind::Offline:
        return QStringLiteral("offline");
    case Kind::Timeout:
        return QStringLiteral("timeout");
    case Kind::RateLimited:
        return QStringLiteral("rate_limited");
    case Kind::Transient:
        return QStringLiteral("transient");
    case Kind::Conflict:
        return QStringLiteral("conflict");
    case Kind::Rejected:
        return QStringLiteral("rejected");
    case Kind::Unauthorized:
        return QStringLiteral("unauthorized");
    }
    return {};
}

QString ApiError::userMessage() const
{
    switch (kind) {
    case Kind::None:
        return {};
    case Kind::Offline:
        return QCoreApplication::translate("ApiError", "The server cannot be reached.");
    case Kind::Timeout:
        return QCoreApplication::translate("ApiError", "The server did not answer in time.");
    case Kind::Unauthorized:
        return QCoreApplication::translate("ApiError", "Signed out: please sign in again.");
    default:
        return message.isEmpty()
            ? QCoreApplication::translate("ApiError", "The request failed (HTTP %1).")
                  .arg(httpStatus)
            : message;
    }
}

namespace {

qint64 parseRetryAfter(const QByteArray &header)
{
    bool ok = false;
    const qint64 seconds = header.trimmed().toLongLong(&ok);
    return ok && seconds >= 0 ? seconds * 1000 : -1;
}

} // namespace

ApiError ApiError::classify(QNetworkReply::NetworkError network, int httpStatus,
    const QByteArray &body, const QByteArray &retryAfterHeader, const QString &networkMessage)
{
    ApiError e;
    e.httpStatus = httpStatus;
    e.retryAfterMs = parseRetryAfter(retryAfterHeader);
    if (httpStatus >= 200 && httpStatus < 300)
        return e; // kind None
    if (httpStatus == 0) {
        // No HTTP answer: the transport failed.
        switch (network) {
        case QNetworkReply::TimeoutError:
        case QNetworkReply::OperationCanceledError: // setTransferTimeout aborts this way
            e.kind = Kind::Timeout;
            break;
        default:
            e.kind = Kind::Offline;
            break;
        }
        e.message = networkMessage;
        return e;
    }
    const auto problem = Problem::fromJson(body);
    if (problem) {
        e.code = problem->code;
        e.message = problem->detail.isEmpty() ? problem->title : problem->detail;
    }
    if (httpStatus == 401) {
        e.kind = Kind::Unauthorized;
    } else if (httpStatus == 429) {
        e.kind = Kind::RateLimited;
    } else if (httpStatus == 409) {
        e.kind
            = e.code == QLatin1String("idempotency_key_in_use") ? Kind::Transient : Kind::Conflict;
    } else if (httpStatus == 422) {
        e.kind = Kind::Conflict;
    } else if (httpStatus == 408 || httpStatus == 425 || httpStatus >= 500) {
        e.kind = Kind::Transient;
    } else {
        e.kind = Kind::Rejected;
    }
    return e;
}

QDebug operator<<(QDebug debug, const ApiError &error)
{
    QDebugStateSaver saver(debug);
    debug.nospace() << "ApiError(" << ApiError::kindName(error.kind) << ", " << error.httpStatus
                    << ", " << error.code << ')';
    return debug;
}
