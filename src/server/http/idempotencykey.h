#pragma once

#include <QByteArray>
#include <QString>
#include <optional>

struct HttpRequest;

// Reads the key from `Idempotency-Key` (IETF draft: a structured-field string, quoted) or
// `X-Idempotency-Key`; a bare token is accepted too. 1-255 printable ASCII characters.
class IdempotencyKey
{
public:
    enum class Error { None, Missing, Malformed, TooLong, Conflicting };

    static std::optional<QString> fromRequest(const HttpRequest &request, Error *error);
    static std::optional<QString> parseValue(const QByteArray &value, Error *error);
    static QString describe(Error error);

    static constexpr int maxLength = 255;
};
