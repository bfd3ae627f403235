#include "httpsmsprovider.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>

HttpSmsProvider::HttpSmsProvider(QUrl url, int timeoutMs, QObject *parent)
    : SmsProvider(parent)
    , m_network(this) // parented, so it follows the provider to the outbox thread
    , m_url(std::move(url))
    , m_timeoutMs(timeoutMs)
{
}

void HttpSmsProvider::send(const Message &message)
{
    QNetworkRequest request(m_url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setRawHeader("Idempotency-Key", message.idempotencyKey.toLatin1());
    request.setTransferTimeout(m_timeoutMs);
    const QJsonObject body { { QStringLiteral("to"), message.to },
                             { QStringLiteral("body"), message.body },
                             { QStringLiteral("reference"), message.id } };
    QNetworkReply *reply = m_network.post(request, QJsonDocument(body).toJson(QJsonDocument::Compact));
    connect(reply, &QNetworkReply::finished, this, [this, reply, id = message.id] {
        reply->deleteLater();
        Result result;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray answer = reply->readAll();
        bool ok = false;
        const qint64 retryAfter = reply->rawHeader("Retry-After").toLongLong(&ok);
        if (ok && retryAfter >= 0)
            result.retryAfterMs = retryAfter * 1000;
        if (status >= 200 && status < 300) {
            result.kind = Result::Kind::Accepted;
            const QJsonObject json = QJsonDocument::fromJson(answer).object();
            result.providerMessageId = json.value(QStringLiteral("id")).toString(
                json.value(QStringLiteral("sid")).toString());
        } else if (status >= 400 && status < 500 && status != 408 && status != 429) {
            result.kind = Result::Kind::Rejected;
            result.error = QStringLiteral("provider rejected the message (HTTP %1): %2")
                               .arg(status)
                               .arg(QString::fromUtf8(answer.left(200)));
        } else {
            result.kind = Result::Kind::Transient;
            result.error = status ? QStringLiteral("provider answered HTTP %1").arg(status)
                                  : QStringLiteral("provider unreachable: %1").arg(reply->errorString());
        }
        emit finished(id, result);
    });
}
