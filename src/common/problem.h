#pragma once

#include <QByteArray>
#include <QString>
#include <optional>

// An RFC 9457 problem details body, extended with our `code` and `retryable` members.
// The server writes it for every error; the client classifies errors by it.
struct Problem
{
    int status = 500;
    QString code; // snake_case, stable: clients branch on it
    QString title;
    QString detail;
    bool retryable = false;
    int retryAfterSeconds = -1; // sent as the Retry-After header, not in the body; -1 = none

    QByteArray toJson() const;
    static std::optional<Problem> fromJson(const QByteArray &body);

    static QString typeUri(const QString &code);
    static constexpr const char *contentType = "application/problem+json";

    friend bool operator==(const Problem &, const Problem &) = default;
};
