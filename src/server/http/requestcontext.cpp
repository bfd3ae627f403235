#include "requestcontext.h"

#include "problems.h"
#include "uuidtext.h"

std::optional<QString> RequestContext::requireString(
    const char *field, int maxLength, Problem *problem) const
{
    const QString name = QLatin1String(field);
    const QJsonValue value = m_body.value(name);
    if (value.isUndefined() || value.isNull()) {
        *problem = Problems::badRequest(
            QStringLiteral("missing_field"), QStringLiteral("Field \"%1\" is required.").arg(name));
        return std::nullopt;
    }
    if (!value.isString()) {
        *problem = Problems::badRequest(QStringLiteral("invalid_field_type"),
            QStringLiteral("Field \"%1\" must be a string.").arg(name));
        return std::nullopt;
    }
    const QString text = value.toString();
    if (text.size() > maxLength) {
        *problem = Problems::badRequest(QStringLiteral("field_too_long"),
            QStringLiteral("Field \"%1\" must be at most %2 characters.").arg(name).arg(maxLength));
        return std::nullopt;
    }
    return text;
}

std::optional<QString> RequestContext::requireUuid(const char *field, Problem *problem) const
{
    const auto text = requireString(field, 64, problem);
    if (!text)
        return std::nullopt;
    if (!UuidText::isValid(*text)) {
        *problem = Problems::badRequest(QStringLiteral("invalid_id"),
            QStringLiteral("Field \"%1\" must be a UUID.").arg(QLatin1String(field)));
        return std::nullopt;
    }
    return UuidText::normalised(*text);
}
