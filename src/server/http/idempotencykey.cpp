#include "idempotencykey.h"

#include "httprequest.h"

namespace {

bool printable(char c)
{
    return c >= 0x20 && c <= 0x7e;
}

} // namespace

std::optional<QString> IdempotencyKey::parseValue(const QByteArray &raw, Error *error)
{
    const QByteArray value = raw.trimmed();
    QByteArray key;
    if (value.startsWith('"')) {
        // sf-string: "..." with \" and \\ as the only escapes (RFC 8941 section 3.3.3).
        qsizetype i = 1;
        bool closed = false;
        for (; i < value.size(); ++i) {
            const char c = value[i];
            if (c == '\\') {
                if (i + 1 >= value.size() || (value[i + 1] != '"' && value[i + 1] != '\\')) {
                    *error = Error::Malformed;
                    return std::nullopt;
                }
                key.append(value[++i]);
            } else if (c == '"') {
                closed = true;
                break;
            } else if (!printable(c)) {
                *error = Error::Malformed;
                return std::nullopt;
            } else {
                key.append(c);
            }
        }
        // Nothing may follow the closing quote (no parameters on this item).
        if (!closed || i != value.size() - 1) {
            *error = Error::Malformed;
            return std::nullopt;
        }
    } else {
        for (const char c : value) {
            if (!printable(c) || c == '"') {
                *error = Error::Malformed;
                return std::nullopt;
            }
        }
        key = value;
    }
    if (key.isEmpty()) {
        *error = Error::Malformed;
        return std::nullopt;
    }
    if (key.size() > maxLength) {
        *error = Error::TooLong;
        return std::nullopt;
    }
    *error = Error::None;
    return QString::fromLatin1(key);
}

std::optional<QString> IdempotencyKey::fromRequest(const HttpRequest &request, Error *error)
{
    const int standard = request.headerCount("idempotency-key");
    const int legacy = request.headerCount("x-idempotency-key");
    if (standard + legacy == 0) {
        *error = Error::Missing;
        return std::nullopt;
    }
    if (standard > 1 || legacy > 1) {
        *error = Error::Conflicting; // the draft: a client MUST NOT send the field twice
        return std::nullopt;
    }
    std::optional<QString> fromStandard, fromLegacy;
    if (standard && !(fromStandard = parseValue(request.header("idempotency-key"), error)))
        return std::nullopt;
    if (legacy && !(fromLegacy = parseValue(request.header("x-idempotency-key"), error)))
        return std::nullopt;
    if (fromStandard && fromLegacy && *fromStandard != *fromLegacy) {
        *error = Error::Conflicting;
        return std::nullopt;
    }
    *error = Error::None;
    return fromStandard ? fromStandard : fromLegacy;
}

QString IdempotencyKey::describe(Error error)
{
    switch (error) {
    case Error::None:
        return {};
    case Error::Missing:
        return QStringLiteral("This request changes state: send an Idempotency-Key header "
                              "(a new UUID per user action, reused on every retry).");
    case Error::Malformed:
        return QStringLiteral(
            "Idempotency-Key must be a quoted string or a bare token of printable "
            "ASCII characters.");
    case Error::TooLong:
        return QStringLiteral("Idempotency-Key must be at most 255 characters.");
    case Error::Conflicting:
        return QStringLiteral("Send exactly one Idempotency-Key (or X-Idempotency-Key) value.");
    }
    return {};
}
