#pragma once

#include <QObject>
#include <QString>

// Something that delivers one SMS per call. Implementations finish every call with exactly one
// `finished` signal carrying the same `id`.
class SmsProvider : public QObject
{
    Q_OBJECT
public:
    struct Message
    {
        QString id;             // our sms_messages id, sent as "reference"
        QString to;
        QString body;
        QString idempotencyKey; // forwarded as the provider's Idempotency-Key
    };

    struct Result
    {
        enum class Kind { Accepted, Rejected, Transient };
        Kind kind = Kind::Transient;
        QString providerMessageId;
        QString error;
        qint64 retryAfterMs = -1;
    };

    using QObject::QObject;
    virtual void send(const Message &message) = 0;

signals:
    void finished(const QString &id, const SmsProvider::Result &result);
};
