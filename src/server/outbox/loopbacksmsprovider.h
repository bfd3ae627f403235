#pragma once

#include "smsprovider.h"

#include <QFile>
#include <QSet>

// The demo's provider when no --sms-gateway is given: it accepts every message once per
// Idempotency-Key and appends it as a JSON line to a file (loopback-sms.jsonl in the data
// directory), like a phone that records what it received.
class LoopbackSmsProvider : public SmsProvider
{
    Q_OBJECT
public:
    explicit LoopbackSmsProvider(const QString &path, QObject *parent = nullptr);
    void send(const Message &message) override;
    void lookup(const Message &message) override;

private:
    QFile m_file;
    QSet<QString> m_seenKeys;
};
