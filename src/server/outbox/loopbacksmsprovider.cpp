#include "loopbacksmsprovider.h"

#include "logging.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

LoopbackSmsProvider::LoopbackSmsProvider(const QString &path, QObject *parent)
    : SmsProvider(parent)
    , m_file(path)
{
    if (m_file.open(QIODevice::ReadOnly)) {
        while (!m_file.atEnd()) {
            const QJsonObject line = QJsonDocument::fromJson(m_file.readLine()).object();
            m_seenKeys.insert(line.value(QStringLiteral("idempotency_key")).toString());
        }
        m_file.close();
    }
    if (!m_file.open(QIODevice::Append | QIODevice::Text))
        qCWarning(lcOutbox) << "loopback SMS provider cannot write" << path << m_file.errorString();
}

void LoopbackSmsProvider::send(const Message &message)
{
    if (!m_seenKeys.contains(message.idempotencyKey)) {
        m_seenKeys.insert(message.idempotencyKey);
        const QJsonObject line { { QStringLiteral("received_at"),
                                     QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs) },
            { QStringLiteral("to"), message.to }, { QStringLiteral("body"), message.body },
            { QStringLiteral("reference"), message.id },
            { QStringLiteral("idempotency_key"), message.idempotencyKey } };
        m_file.write(QJsonDocument(line).toJson(QJsonDocument::Compact) + '\n');
        m_file.flush();
        qCInfo(lcOutbox).noquote()
            << "loopback SMS to" << message.to << ":" << message.body.left(60);
    }
    // Answer asynchronously, like a network provider would.
    QTimer::singleShot(0, this, [this, id = message.id] {
        Result result;
        result.kind = Result::Kind::Accepted;
        result.providerMessageId = QStringLiteral("loopback-") + id;
        emit finished(id, result);
    });
}

void LoopbackSmsProvider::lookup(const Message &message)
{
    QTimer::singleShot(
        0, this, [this, id = message.id, known = m_seenKeys.contains(message.idempotencyKey)] {
            Lookup result;
            result.kind = known ? Lookup::Kind::Known : Lookup::Kind::Unknown;
            if (known)
                result.providerMessageId = QStringLiteral("loopback-") + id;
            emit lookedUp(id, result);
        });
}
