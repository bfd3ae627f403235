#include "uuidtext.h"

#include <QUuid>

namespace UuidText {

bool isValid(const QString &text)
{
    // QUuid also accepts braces; ids must be the plain 36-character form.
    return text.size() == 36 && !QUuid::fromString(text).isNull();
}

QString normalised(const QString &text)
{
    return text.toLower();
}

} // namespace UuidText
