#include "rawhttpconnection.h"

QByteArray RawHttpConnection::Response::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

RawHttpConnection::RawHttpConnection(const QString &host, quint16 port, QObject *parent)
    : QObject(parent)
    , m_host(host)
    , m_port(port)
{
    connect(&m_socket, &QTcpSocket::readyRead, this, &RawHttpConnection::onReadyRead);
}

bool RawHttpConnection::connectToServer(int timeoutMs)
{
    m_socket.connectToHost(m_host, m_port);
    return m_socket.waitForConnected(timeoutMs);
}

QByteArray RawHttpConnection::request(const QByteArray &method, const QByteArray &path,
    const QByteArray &body, const QList<std::pair<QByteArray, QByteArray>> &headers)
{
    QByteArray out = method + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    for (const auto &[name, value] : headers)
        out += name + ": " + value + "\r\n";
    if (!body.isEmpty() || method == "POST")
        out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    return out + "\r\n" + body;
}

void RawHttpConnection::enqueue(QByteArray rawRequest)
{
    m_queue.push_back(std::move(rawRequest));
    if (!m_waiting)
        sendNext();
}

void RawHttpConnection::sendNow(const QByteArray &raw)
{
    m_socket.write(raw);
}

void RawHttpConnection::sendNext()
{
    if (m_queue.empty()) {
        m_waiting = false;
        return;
    }
    m_waiting = true;
    m_socket.write(m_queue.front());
    m_queue.pop_front();
}

void RawHttpConnection::onReadyRead()
{
    m_buffer += m_socket.readAll();
    while (parseOne()) {
        emit responseReceived();
        sendNext();
    }
}

bool RawHttpConnection::parseOne()
{
    const qsizetype end = m_buffer.indexOf("\r\n\r\n");
    if (end < 0)
        return false;
    const QList<QByteArray> lines = m_buffer.left(end).split('\n');
    Response r;
    const QList<QByteArray> statusLine = lines.first().trimmed().split(' ');
    r.status = statusLine.size() > 1 ? statusLine[1].toInt() : 0;
    qsizetype length = 0;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const qsizetype colon = lines[i].indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray name = lines[i].left(colon).trimmed();
        const QByteArray value = lines[i].mid(colon + 1).trimmed();
        r.headers.append({ name, value });
        if (name.compare("content-length", Qt::CaseInsensitive) == 0)
            length = value.toLongLong();
    }
    if (m_buffer.size() < end + 4 + length)
        return false;
    r.body = m_buffer.mid(end + 4, length);
    m_buffer.remove(0, end + 4 + length);
    m_responses.append(r);
    return true;
}
