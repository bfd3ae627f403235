#pragma once

#include <QByteArray>
#include <QStringList>
#include <optional>

// Splits a raw (percent-encoded) request path into decoded segments, refusing what no route
// of ours can mean: bad or NUL escapes, encoded slashes, dot segments, control characters and
// invalid UTF-8. A refused path gets 400 `invalid_path` before any route is consulted.
class RequestPath
{
public:
    static std::optional<QStringList> segments(const QByteArray &rawPath, QString *why);
};
