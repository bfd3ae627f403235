#pragma once

#include <QString>
#include <optional>

// "24h", "30m", "90s", "250ms", "2d" or a bare number of seconds, to milliseconds.
namespace Duration {
std::optional<qint64> parseMs(const QString &text);
}
