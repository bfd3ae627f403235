#pragma once

#include <QByteArray>
#include <QDebug>
#include <QNetworkReply>
#include <QString>

// A failed request, classified so that callers decide by kind, not by status codes:
//  Offline      no connection to the server           retry
//  Timeout      no answer in time                       retry
//  RateLimited  429 (Retry-After)                       retry after the server's delay
//  Transient    5xx, 408, 425, 409 key in use           retry
//  Conflict     409 state conflict, 422 key reused      final: the server's message
//  Rejected     any other 4xx                           final: the server's message
//  Unauthorized 401 after a token refresh               final until signed in again
struct ApiError
{
    enum class Kind {
        None,
        Offline,
        Timeout,
        RateLimited,
        Transient,
        Conflict,
        Rejected,
        Unauthorized
    };

    Kind kind = Kind::None;
    int httpStatus = 0;
    QString code; // the problem's `code`, e.g. "booking_cancelled"
    QString message; // for people: the server's detail or title, or the network error
    qint64 retryAfterMs = -1;

    bool isError() const { return kind != Kind::None; }
    bool isRetryable() const;
    // The one text to show a user.
    QString userMessage() const;

    static ApiError classify(QNetworkReply::NetworkError network, int httpStatus,
        const QByteArray &body, const QByteArray &retryAfterHeader,
        const QString &networkMessage = {});
    static QString kindName(Kind kind);

    friend bool operator==(const ApiError &, const ApiError &) = default;
};

QDebug operator<<(QDebug debug, const ApiError &error);
