#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QString>
#include <optional>

class QDebug;

// A sales lead as it travels over REST and realtime.
struct Lead
{
    enum class Status { New, Contacted, Qualified, Won, Lost };

    QString id;
    QString orgId;
    QString ownerId;
    QString name;
    QString phone;
    QString email;
    Status status = Status::New;
    qint64 version = 0;
    QDateTime updatedAt;

    QJsonObject toJson() const;
    static std::optional<Lead> fromJson(const QJsonObject &json);

    static QString statusName(Status status);
    static std::optional<Status> statusFromName(QStringView name);

    friend bool operator==(const Lead &, const Lead &) = default;
};

QDebug operator<<(QDebug debug, const Lead &lead);
