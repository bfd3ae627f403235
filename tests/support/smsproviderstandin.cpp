#include "smsproviderstandin.h"

#include <QJsonDocument>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

SmsProviderStandIn::SmsProviderStandIn(QObject *parent)
    : QObject(parent)
{
    connect(&m_server, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *socket = m_server.nextPendingConnection()) {
            connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadable(socket); });
            connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
                m_buffers.remove(socket);
                socket->deleteLater();
            });
        }
    });
}

SmsProviderStandIn::~SmsProviderStandIn()
{
    // Connections still open belong to m_server, which outlives the members their handlers
    // use: cut them loose first.
    m_server.close();
    for (QTcpSocket *socket : m_server.findChildren<QTcpSocket *>()) {
        socket->disconnect(this);
        socket->abort();
    }
}

bool SmsProviderStandIn::start(quint16 port)
{
    return m_server.listen(QHostAddress::LocalHost, port);
}

QUrl SmsProviderStandIn::url() const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1/v1/messages").arg(m_server.serverPort()));
}

void SmsProviderStandIn::write(QTcpSocket *socket, const QByteArray &status,
    const QByteArray &payload, const QByteArray &extraHeaders)
{
    socket->write("HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\nContent-Length: "
        + QByteArray::number(payload.size()) + "\r\n" + extraHeaders + "\r\n" + payload);
}

void SmsProviderStandIn::answerLookup(QTcpSocket *socket, const QString &key)
{
    ++m_lookups;
    ++m_lookupsPerKey[key];
    emit lookedUp(key);
    switch (m_lookupMode) {
    case LookupMode::Hang:
        return;
    case LookupMode::Fail:
        write(socket, "503 Service Unavailable", R"({"error":"temporarily unavailable"})",
            "Retry-After: 0\r\n");
        return;
    case LookupMode::Unsupported:
        write(socket, "405 Method Not Allowed", R"({"error":"method not allowed"})",
            "Allow: POST\r\n");
        return;
    case LookupMode::Answer:
        break;
    }
    if (!m_idForKey.contains(key)) {
        write(socket, "404 Not Found", R"({"error":"no message with this key"})");
        return;
    }
    write(socket, "200 OK",
        QJsonDocument(QJsonObject { { QStringLiteral("id"), m_idForKey.value(key) },
                          { QStringLiteral("status"), QStringLiteral("accepted") } })
            .toJson(QJsonDocument::Compact));
}

void SmsProviderStandIn::onReadable(QTcpSocket *socket)
{
    QByteArray &buffer = m_buffers[socket];
    buffer += socket->readAll();
    for (;;) {
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        QByteArray key;
        qsizetype length = 0;
        const QList<QByteArray> lines = buffer.left(end).split('\n');
        for (const QByteArray &line : lines) {
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0)
                continue;
            const QByteArray name = line.left(colon).trimmed().toLower();
            if (name == "content-length")
                length = line.mid(colon + 1).trimmed().toLongLong();
            else if (name == "idempotency-key")
                key = line.mid(colon + 1).trimmed();
        }
        if (buffer.size() < end + 4 + length)
            return;
        const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
        const QByteArray method = requestLine.value(0);
        const QByteArray path = requestLine.value(1);
        const QByteArray sendPath = url().path().toLatin1() + '/';
        const QJsonObject body = QJsonDocument::fromJson(buffer.mid(end + 4, length)).object();
        buffer.remove(0, end + 4 + length);
        if (method == "GET" && path.startsWith(sendPath)) {
            answerLookup(socket, QUrl::fromPercentEncoding(path.mid(sendPath.size())));
            continue;
        }
        if (method != "POST") {
            ++m_unexpected;
            write(socket, "404 Not Found", R"({"error":"no such route"})");
            continue;
        }
        ++m_calls;
        ++m_callsPerKey[QString::fromLatin1(key)];
        emit called(QString::fromLatin1(key));
        const Mode mode = m_mode;
        if (mode == Mode::Hang)
            continue;
        // A real provider acts on what it received whether or not the caller is still there
        // to read the answer: a slow call that the caller gave up on is still delivered (or
        // recognised by its key). Only the answer needs the caller.
        auto reply = [this, socket = QPointer<QTcpSocket>(socket), key, body, mode] {
            QByteArray status = "200 OK";
            QByteArray payload;
            QByteArray extra;
            if (mode == Mode::Fail) {
                status = "503 Service Unavailable";
                payload = R"({"error":"temporarily unavailable"})";
                extra = "Retry-After: 0\r\n";
            } else if (mode == Mode::Reject) {
                status = "400 Bad Request";
                payload = R"({"error":"invalid destination"})";
            } else {
                const QString k = QString::fromLatin1(key);
                if (!m_idForKey.contains(k)) {
                    m_idForKey.insert(k, QStringLiteral("sm-%1").arg(m_idForKey.size() + 1));
                    m_delivered.append(body);
                } else {
                    ++m_repeatedAccepts;
                }
                payload
                    = QJsonDocument(QJsonObject { { QStringLiteral("id"), m_idForKey.value(k) } })
                          .toJson(QJsonDocument::Compact);
            }
            ++m_processed;
            ++m_processedPerKey[QString::fromLatin1(key)];
            const bool callerWaiting = socket && socket->state() == QAbstractSocket::ConnectedState;
            if (callerWaiting)
                write(socket, status, payload, extra);
            emit processed(QString::fromLatin1(key), callerWaiting);
        };
        if (m_delayMs > 0)
            QTimer::singleShot(m_delayMs, this, reply);
        else
            reply();
    }
}
