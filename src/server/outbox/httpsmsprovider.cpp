#include "httpsmsprovider.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>

namespace {

qint64 retryAfterMs(QNetworkReply *reply)
{
    bool ok = false;
    const qint64 seconds = reply->rawHeader("Retry-After").toLongLong(&ok);
    return ok && seconds >= 0 ? seconds * 1000 : -1;
}

QString providerMessageId(const QByteArray &answer)
{
    const QJsonObject json = QJsonDocument::fromJson(answer).object();
    return json.value(QStringLiteral("id")).toString(json.value(QStringLiteral("sid")).toString());
}

// A refused connection or an unknown host never reached the provider; anything else that
// ends without an answer (timeout, connection lost) may have.
bool mayHaveReachedProvider(QNetworkReply::NetworkError error)
{
    return error != QNetworkReply::ConnectionRefusedError
        && error != QNetworkReply::HostNotFoundError;
}

} // namespace

HttpSmsProvider::HttpSmsProvider(QUrl url, int timeoutMs, QObject *parent)
    : SmsProvider(parent)
    , m_network(this) // parented, so it follows the provider to the outbox thread
    , m_url(std::move(url))
    , m_timeoutMs(timeoutMs)
{ }

void HttpSmsProvider::send(const Message &message)
{
    QNetworkRequest request(m_url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setRawHeader("Idempotency-Key", message.idempotencyKey.toLatin1());
    request.setTransferTimeout(m_timeoutMs);
    const QJsonObject body { { QStringLiteral("to"), message.to },
        { QStringLiteral("body"), message.body }, { QStringLiteral("reference"), message.id } };
    QNetworkReply *reply
        = m_network.post(request, QJsonDocument(body).toJson(QJsonDocument::Compact));
    connect(reply, &QNetworkReply::finished, this, [this, reply, id = message.id] {
        reply->deleteLater();
        Result result;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray answer = reply->readAll();
        result.retryAfterMs = retryAfterMs(reply);
        if (status >= 200 && status < 300) {
            result.kind = Result::Kind::Accepted;
            result.providerMessageId = providerMessageId(answer);
        } else if (status >= 400 && status < 500 && status != 408 && status != 429) {
            result.kind = Result::Kind::Rejected;
            result.error = QStringLiteral("provider rejected the message (HTTP %1): %2")
                               .arg(status)
                               .arg(QString::fromUtf8(answer.left(200)));
        } else {
            result.kind = Result::Kind::Transient;
            result.error = status
                ? QStringLiteral("provider answered HTTP %1").arg(status)
                : QStringLiteral("provider unreachable: %1").arg(reply->errorString());
            result.outcomeUnknown = status == 0 && mayHaveReachedProvider(reply->error());
        }
        emit finished(id, result);
    });
}

void HttpSmsProvider::lookup(const Message &message)
{
    QUrl url = m_url;
    url.setPath(m_url.path(QUrl::FullyEncoded) + QLatin1Char('/')
            + QString::fromLatin1(QUrl::toPercentEncoding(message.idempotencyKey)),
        QUrl::TolerantMode);
    QNetworkRequest request(url);
    request.setTransferTimeout(m_timeoutMs);
    QNetworkReply *reply = m_network.get(request);
    connect(reply, &QNetworkReply::finished, this, [this, reply, id = message.id] {
        reply->deleteLater();
        Lookup result;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray answer = reply->readAll();
        result.retryAfterMs = retryAfterMs(reply);
        if (status >= 200 && status < 300) {
            result.kind = Lookup::Kind::Known;
            result.providerMessageId = providerMessageId(answer);
        } else if (status == 404) {
            result.kind = Lookup::Kind::Unknown;
        } else if (status == 405 || status == 501) {
            result.kind = Lookup::Kind::Unsupported;
            result.error = QStringLiteral("status lookup not supported (HTTP %1)").arg(status);
        } else {
            result.kind = Lookup::Kind::Failed;
            result.error = status
                ? QStringLiteral("status lookup answered HTTP %1").arg(status)
                : QStringLiteral("status lookup failed: %1").arg(reply->errorString());
        }
        emit lookedUp(id, result);
    });
}
