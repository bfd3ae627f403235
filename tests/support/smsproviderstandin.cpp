#include "smsproviderstandin.h"

#include <QJsonDocument>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

SmsProviderStandIn::SmsProviderStandIn(QObject *parent) : QObject(parent)
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
        const QJsonObject body = QJsonDocument::fromJson(buffer.mid(end + 4, length)).object();
        buffer.remove(0, end + 4 + length);
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
                payload = QJsonDocument(QJsonObject { { QStringLiteral("id"), m_idForKey.value(k) } }).toJson(QJsonDocument::Compact);
            }
            ++m_processed;
            const bool callerWaiting = socket && socket->state() == QAbstractSocket::ConnectedState;
            if (callerWaiting)
                socket->write("HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\nContent-Length: "
                              + QByteArray::number(payload.size()) + "\r\n" + extra + "\r\n" + payload);
            emit processed(QString::fromLatin1(key), callerWaiting);
        };
        if (m_delayMs > 0)
            QTimer::singleShot(m_delayMs, this, reply);
        else
            reply();
    }
}
