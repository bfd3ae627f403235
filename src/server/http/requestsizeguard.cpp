#include "requestsizeguard.h"

#include "logging.h"
#include "problems.h"

#include <QTcpSocket>
#include <sys/socket.h>

namespace {

constexpr int lingerMs = 5000;

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 411:
        return "Length Required";
    case 413:
        return "Payload Too Large";
    case 431:
        return "Request Header Fields Too Large";
    default:
        return "Bad Request";
    }
}

QByteArray headerValue(const QList<QByteArray> &lines, QByteArrayView name)
{
    for (const QByteArray &line : lines) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0
            && QByteArrayView(line).first(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
            return line.mid(colon + 1).trimmed();
    }
    return {};
}

bool hasHeader(const QList<QByteArray> &lines, QByteArrayView name)
{
    for (const QByteArray &line : lines) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0
            && QByteArrayView(line).first(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

// Whether a comma-separated header (Connection) holds `token`, as the HTTP parser reads it.
bool hasToken(const QByteArray &value, QByteArrayView token)
{
    const QList<QByteArray> parts = value.split(',');
    for (const QByteArray &part : parts) {
        if (part.trimmed().compare(token, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

} // namespace

RequestSizeGuard::RequestSizeGuard(QTcpSocket *socket, Limits limits, Reject reject)
    : QObject(socket)
    , m_socket(socket)
    , m_limits(std::move(limits))
    , m_reject(std::move(reject))
{
    connect(socket, &QTcpSocket::readyRead, this, &RequestSizeGuard::onReadyRead);
    m_linger.setSingleShot(true);
    connect(&m_linger, &QTimer::timeout, socket, &QTcpSocket::abort);
}

void RequestSizeGuard::onReadyRead()
{
    if (m_rejected) {
        m_socket->readAll(); // the rest of a refused body: read and dropped while we linger
        return;
    }
    if (m_standAside)
        return;
    // The HTTP server reads everything on each readyRead, so what is available now is new.
    scan(m_socket->peek(m_socket->bytesAvailable()));
}

void RequestSizeGuard::scan(QByteArrayView data)
{
    while (!data.isEmpty() && !m_rejected && !m_standAside) {
        if (m_bodyLeft > 0) {
            const qint64 skip = std::min<qint64>(m_bodyLeft, data.size());
            m_bodyLeft -= skip;
            data = data.sliced(skip);
            continue;
        }
        if (m_head.isEmpty()) {
            while (!data.isEmpty() && (data.front() == '\r' || data.front() == '\n'))
                data = data.sliced(1); // blank lines between requests are allowed
            if (data.isEmpty())
                return;
        }
        const qsizetype before = m_head.size();
        m_head.append(data.first(std::min<qsizetype>(data.size(), maxHeadBytes + 4 - before)));
        const qsizetype end = m_head.indexOf("\r\n\r\n", std::max<qsizetype>(0, before - 3));
        if (end < 0) {
            if (m_head.size() > maxHeadBytes)
                rejectWith({}, {}, Problems::headersTooLarge(maxHeadBytes));
            return;
        }
        const qsizetype used = end + 4 - before;
        data = data.sliced(used);
        const QByteArray head = m_head.first(end);
        m_head.clear();
        onHead(head);
    }
}

void RequestSizeGuard::onHead(const QByteArray &head)
{
    const QList<QByteArray> lines = head.split('\n');
    const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
    const QByteArray method = requestLine.value(0);
    const QByteArray path = requestLine.value(1).split('?').value(0);
    // Qt's parser takes a request for an upgrade when it has an Upgrade header and the
    // "upgrade" token in Connection; without the token, Upgrade is just a header (RFC 9110).
    if (hasHeader(lines, "upgrade") && hasToken(headerValue(lines, "connection"), "upgrade")) {
        const bool handshake = method == "GET" && !m_limits.webSocketPath.isEmpty()
            && path == m_limits.webSocketPath
            && headerValue(lines, "upgrade").compare("websocket", Qt::CaseInsensitive) == 0
            && !headerValue(lines, "sec-websocket-key").isEmpty()
            && !hasHeader(lines, "transfer-encoding")
            && headerValue(lines, "content-length").toLongLong() == 0;
        if (!handshake) {
            rejectWith(method, path, Problems::upgradeNotSupported(m_limits.webSocketPath));
            return;
        }
        m_standAside = true; // the socket becomes a WebSocket, with limits of its own
        return;
    }
    if (headerValue(lines, "transfer-encoding").toLower().contains("chunked")) {
        rejectWith(method, path, Problems::lengthRequired());
        return;
    }
    bool ok = false;
    const QByteArray lengthText = headerValue(lines, "content-length");
    const qint64 length = lengthText.isEmpty() ? 0 : lengthText.toLongLong(&ok);
    if (!lengthText.isEmpty() && (!ok || length < 0)) {
        m_standAside = true; // malformed framing: the HTTP parser refuses it; we can't follow it
        return;
    }
    if (length > m_limits.maxBodyBytes) {
        rejectWith(method, path, Problems::payloadTooLarge(m_limits.maxBodyBytes));
        return;
    }
    m_bodyLeft = length;
}

void RequestSizeGuard::rejectWith(
    const QByteArray &method, const QByteArray &path, const Problem &problem)
{
    m_rejected = true;
    qCInfo(lcHttp) << "refused from its head:" << problem.status << method << path.left(200);
    // The HTTP server must not see this request (nor answer it): take its reader off, drop
    // what it buffered, and answer ourselves. A pipelined earlier request still unanswered
    // loses its answer; the connection ends here anyway.
    QObject::disconnect(m_socket, &QTcpSocket::readyRead, nullptr, nullptr);
    connect(m_socket, &QTcpSocket::readyRead, this, &RequestSizeGuard::onReadyRead);
    if (m_socket->isTransactionStarted())
        m_socket->rollbackTransaction();
    m_socket->readAll();

    const HttpResponse response = m_reject(method, path, problem);
    QByteArray raw = "HTTP/1.1 " + QByteArray::number(response.status) + ' '
        + reasonPhrase(response.status) + "\r\nContent-Type: " + response.contentType
        + "\r\nContent-Length: " + QByteArray::number(response.body.size())
        + "\r\nConnection: close\r\n";
    for (const auto &[name, value] : response.headers)
        raw += name + ": " + value + "\r\n";
    raw += "\r\n" + response.body;
    m_socket->write(raw);
    // Close our side once the answer is out and read what the client still sends for a
    // while: closing with unread bytes would reset the connection and lose the answer.
    connect(m_socket, &QTcpSocket::bytesWritten, this, [this] {
        if (m_socket->bytesToWrite() == 0)
            shutdownWrites();
    });
    m_socket->flush();
    if (m_socket->bytesToWrite() == 0)
        shutdownWrites();
    m_linger.start(lingerMs);
}

void RequestSizeGuard::shutdownWrites()
{
    if (m_socket->socketDescriptor() >= 0)
        ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
}
