#include "smsmessage.h"

#include "wireformat.h"

#include <QDebug>
#include <array>

namespace {
constexpr std::array<const char *, 4> statusNames { "queued", "sending", "sent", "failed" };
}

QString SmsMessage::statusName(Status status)
{
    return WireFormat::enumName(statusNames, status);
}

std::optional<SmsMessage::Status> SmsMessage::statusFromName(QStringView name)
{
    return WireFormat::enumFromName<Status>(statusNames, name);
}

QJsonObject SmsMessage::toJson() const
{
    return {
        { QStringLiteral("id"), id },
        { QStringLiteral("org_id"), orgId },
        { QStringLiteral("owner_id"), ownerId },
        { QStringLiteral("lead_id"), leadId },
        { QStringLiteral("to_phone"), toPhone },
        { QStringLiteral("body"), body },
        { QStringLiteral("status"), statusName(status) },
        { QStringLiteral("attempts"), attempts },
        { QStringLiteral("last_error"), lastError.isNull() ? QJsonValue() : QJsonValue(lastError) },
        { QStringLiteral("provider_message_id"),
            providerMessageId.isNull() ? QJsonValue() : QJsonValue(providerMessageId) },
        { QStringLiteral("version"), version },
        { QStringLiteral("created_at"), WireFormat::timestamp(createdAt) },
        { QStringLiteral("updated_at"), WireFormat::timestamp(updatedAt) },
    };
}

std::optional<SmsMessage> SmsMessage::fromJson(const QJsonObject &json)
{
    using WireFormat::string;
    const auto parsedStatus = statusFromName(string(json, "status"));
    if (string(json, "id").isEmpty() || !parsedStatus)
        return std::nullopt;
    SmsMessage s;
    s.id = string(json, "id");
    s.orgId = string(json, "org_id");
    s.ownerId = string(json, "owner_id");
    s.leadId = string(json, "lead_id");
    s.toPhone = string(json, "to_phone");
    s.body = string(json, "body");
    s.status = *parsedStatus;
    s.attempts = json.value(QLatin1String("attempts")).toInt();
    s.lastError = string(json, "last_error");
    s.providerMessageId = string(json, "provider_message_id");
    s.version = json.value(QLatin1String("version")).toInteger();
    s.createdAt = WireFormat::parseTimestamp(string(json, "created_at"));
    s.updatedAt = WireFormat::parseTimestamp(string(json, "updated_at"));
    return s;
}

QDebug operator<<(QDebug debug, const SmsMessage &sms)
{
    QDebugStateSaver saver(debug);
    debug.nospace() << "SmsMessage(" << sms.id << ", " << SmsMessage::statusName(sms.status)
                    << ", v" << sms.version << ')';
    return debug;
}
