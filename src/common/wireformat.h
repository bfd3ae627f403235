#pragma once

// Small helpers shared by the wire types: timestamps and enum <-> name tables.
#include <QDateTime>
#include <QJsonObject>
#include <QString>
#include <array>
#include <optional>

namespace WireFormat {

// ISO 8601 in UTC with milliseconds, e.g. "2026-11-25T15:16:53.123Z": sorts as text.
QString timestamp(const QDateTime &time);
QDateTime parseTimestamp(const QString &text);

QString string(const QJsonObject &o, const char *key);

template<typename Enum, std::size_t N>
QString enumName(const std::array<const char *, N> &names, Enum value)
{
    const auto index = std::size_t(value);
    return index < N ? QString::fromLatin1(names[index]) : QString();
}

template<typename Enum, std::size_t N>
std::optional<Enum> enumFromName(const std::array<const char *, N> &names, QStringView name)
{
    for (std::size_t i = 0; i < N; ++i) {
        if (name == QLatin1String(names[i]))
            return Enum(i);
    }
    return std::nullopt;
}

} // namespace WireFormat
