#include "duration.h"

#include <QRegularExpression>

namespace Duration {

std::optional<qint64> parseMs(const QString &text)
{
    static const QRegularExpression pattern(
        QStringLiteral("^\\s*(\\d{1,9})\\s*(ms|s|m|h|d)?\\s*$"));
    const auto match = pattern.match(text);
    if (!match.hasMatch())
        return std::nullopt;
    const qint64 value = match.captured(1).toLongLong();
    const QString unit = match.captured(2);
    if (unit == QLatin1String("ms"))
        return value;
    if (unit.isEmpty() || unit == QLatin1String("s"))
        return value * 1000;
    if (unit == QLatin1String("m"))
        return value * 60 * 1000;
    if (unit == QLatin1String("h"))
        return value * 3600 * 1000;
    return value * 24 * 3600 * 1000;
}

} // namespace Duration
