#include "booking.h"

#include "wireformat.h"

#include <QDebug>
#include <array>

namespace {
constexpr std::array<const char *, 3> statusNames { "pending", "confirmed", "cancelled" };
}

QString Booking::statusName(Status status)
{
    return WireFormat::enumName(statusNames, status);
}

std::optional<Booking::Status> Booking::statusFromName(QStringView name)
{
    return WireFormat::enumFromName<Status>(statusNames, name);
}

QJsonObject Booking::toJson() const
{
    return {
        { QStringLiteral("id"), id },
        { QStringLiteral("org_id"), orgId },
        { QStringLiteral("owner_id"), ownerId },
        { QStringLiteral("customer_name"), customerName },
        { QStringLiteral("service"), service },
        { QStringLiteral("starts_at"), WireFormat::timestamp(startsAt) },
        { QStringLiteral("status"), statusName(status) },
        { QStringLiteral("version"), version },
        { QStringLiteral("updated_at"), WireFormat::timestamp(updatedAt) },
    };
}

std::optional<Booking> Booking::fromJson(const QJsonObject &json)
{
    using WireFormat::string;
    const auto parsedStatus = statusFromName(string(json, "status"));
    if (string(json, "id").isEmpty() || !parsedStatus
        || !json.value(QLatin1String("version")).isDouble())
        return std::nullopt;
    Booking b;
    b.id = string(json, "id");
    b.orgId = string(json, "org_id");
    b.ownerId = string(json, "owner_id");
    b.customerName = string(json, "customer_name");
    b.service = string(json, "service");
    b.startsAt = WireFormat::parseTimestamp(string(json, "starts_at"));
    b.status = *parsedStatus;
    b.version = json.value(QLatin1String("version")).toInteger();
    b.updatedAt = WireFormat::parseTimestamp(string(json, "updated_at"));
    return b;
}

QDebug operator<<(QDebug debug, const Booking &booking)
{
    QDebugStateSaver saver(debug);
    debug.nospace() << "Booking(" << booking.id << ", " << Booking::statusName(booking.status)
                    << ", v" << booking.version << ')';
    return debug;
}
