#pragma once

#include <QString>

// Ids on the wire are UUIDs in the canonical 8-4-4-4-12 form (lower case when we write them).
namespace UuidText {
bool isValid(const QString &text);
QString normalised(const QString &text);
} // namespace UuidText
