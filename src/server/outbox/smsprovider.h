#pragma once

#include <QObject>
#include <QString>

// Something that delivers one SMS per call. Implementations finish every send() with exactly
// one `finished` signal and every lookup() with exactly one `lookedUp` signal, each carrying the
// message's `id`.
class SmsProvider : public QObject
{
    Q_OBJECT
public:
    struct Message
    {
        QString id; // our sms_messages id, sent as "reference"
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
        // Transient only: no answer came (a timeout, a connection lost mid-call), so the
        // provider may have acted on the call. The next attempt asks before sending again.
        bool outcomeUnknown = false;
    };

    // What the provider knows of a message's Idempotency-Key.
    struct Lookup
    {
        enum class Kind {
            Known, // it accepted a message under this key: sending again would bill twice
            Unknown, // it never acted on this key: send (with the same key)
            Unsupported, // it cannot answer the question at all
            Failed, // no answer now: ask again later, never send blind
        };
        Kind kind = Kind::Failed;
        QString providerMessageId;
        QString error;
        qint64 retryAfterMs = -1;
    };

    using QObject::QObject;
    virtual void send(const Message &message) = 0;
    virtual void lookup(const Message &message) = 0;

signals:
    void finished(const QString &id, const SmsProvider::Result &result);
    void lookedUp(const QString &id, const SmsProvider::Lookup &lookup);
};
