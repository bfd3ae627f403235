#include "lead.h"

#include "wireformat.h"

#include <QDebug>
#include <array>

namespace {
constexpr std::array<const char *, 5> statusNames { "new", "contacted", "qualified", "won",
    "lost" };
}

QString Lead::statusName(Status status)
{
    return WireFormat::enumName(statusNames, status);
}

std::optional<Lead::Status> Lead::statusFromName(QStringView name)
{
    return WireFormat::enumFromName<Status>(statusNames, name);
}

QJsonObject Lead::toJson() const
{
    return {
        { QStringLiteral("id"), id },
        { QStringLiteral("org_id"), orgId },
        { QStringLiteral("owner_id"), ownerId },
        { QStringLiteral("name"), name },
        { QStringLiteral("phone"), phone },
        { QStringLiteral("email"), email },
        { QStringLiteral("status"), statusName(status) },
        { QStringLiteral("version"), version },
        { QStringLiteral("updated_at"), WireFormat::timestamp(updatedAt) },
    };
}

std::optional<Lead> Lead::fromJson(const QJsonObject &json)
{
    using WireFormat::string;
    const auto parsedStatus = statusFromName(string(json, "status"));
    if (string(json, "id").isEmpty() || !parsedStatus
        || !json.value(QLatin1String("version")).isDouble())
        return std::nullopt;
    Lead l;
    l.id = string(json, "id");
    l.orgId = string(json, "org_id");
    l.ownerId = string(json, "owner_id");
    l.name = string(json, "name");
    l.phone = string(json, "phone");
    l.email = string(json, "email");
    l.status = *parsedStatus;
    l.version = json.value(QLatin1String("version")).toInteger();
    l.updatedAt = WireFormat::parseTimestamp(string(json, "updated_at"));
    return l;
}

QDebug operator<<(QDebug debug, const Lead &lead)
{
    QDebugStateSaver saver(debug);
    debug.nospace() << "Lead(" << lead.id << ", " << Lead::statusName(lead.status) << ", v"
                    << lead.version << ')';
    return debug;
}
