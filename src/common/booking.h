#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QString>
#include <optional>

class QDebug;

// A booking as it travels over REST and realtime (snake_case members, as in the table).
struct Booking
{
    enum class Status { Pending, Confirmed, Cancelled };

    QString id;
    QString orgId;
    QString ownerId;
    QString customerName;
    QString service;
    QDateTime startsAt;
    Status status = Status::Pending;
    qint64 version = 0;
    QDateTime updatedAt;

    QJsonObject toJson() const;
    static std::optional<Booking> fromJson(const QJsonObject &json);

    static QString statusName(Status status);
    static std::optional<Status> statusFromName(QStringView name);

    friend bool operator==(const Booking &, const Booking &) = default;
};

QDebug operator<<(QDebug debug, const Booking &booking);
