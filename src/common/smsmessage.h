#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QString>
#include <optional>

class QDebug;

// An outgoing SMS to a lead; its status moves queued -> sending -> sent | failed.
struct SmsMessage
{
    enum class Status { Queued, Sending, Sent, Failed };

    QString id;
    QString orgId;
    QString ownerId;
    QString leadId;
    QString toPhone;
    QString body;
    Status status = Status::Queued;
    int attempts = 0;
    QString lastError;
    QString providerMessageId;
    qint64 version = 0;
    QDateTime createdAt;
    QDateTime updatedAt;

    QJsonObject toJson() const;
    static std::optional<SmsMessage> fromJson(const QJsonObject &json);

    static QString statusName(Status status);
    static std::optional<Status> statusFromName(QStringView name);

    friend bool operator==(const SmsMessage &, const SmsMessage &) = default;
};

QDebug operator<<(QDebug debug, const SmsMessage &sms);
