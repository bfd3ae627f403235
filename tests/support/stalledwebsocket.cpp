#include "stalledwebsocket.h"

#include <QRandomGenerator>
#include <QSignalSpy>
#include <QtEndian>

StalledWebSocket::StalledWebSocket(QObject *parent)
    : QObject(parent)
{
    connect(&m_socket, &QTcpSocket::readyRead, this, &StalledWebSocket::onReadyRead);
    connect(&m_heartbeat, &QTimer::timeout, this, [this] { sendText(m_heartbeatText); });
}

bool StalledWebSocket::open(const QUrl &httpBase, const QString &query, int timeoutMs)
{
    QSignalSpy connected(&m_socket, &QTcpSocket::connected);
    m_socket.connectToHost(httpBase.host(), quint16(httpBase.port()));
    if (connected.isEmpty() && !connected.wait(timeoutMs))
        return false;
    const QByteArray key = QByteArray::number(QRandomGenerator::global()->generate64()).toBase64();
    m_socket.write("GET /realtime/v1/websocket?" + query.toUtf8()
        + " HTTP/1.1\r\nHost: " + httpBase.host().toUtf8()
        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: "
          "13\r\nSec-WebSocket-Key: "
        + key + "\r\n\r\n");
    QSignalSpy readable(&m_socket, &QTcpSocket::readyRead);
    QDeadlineTimer deadline(timeoutMs);
    while (!m_answered && !deadline.hasExpired() && isConnected())
        readable.wait(int(std::max<qint64>(1, deadline.remainingTime())));
    return m_upgraded;
}

void StalledWebSocket::sendText(const QByteArray &text)
{
    QByteArray frame;
    frame.append(char(0x81)); // FIN, text
    if (text.size() < 126) {
        frame.append(char(0x80 | text.size()));
    } else if (text.size() <= 0xffff) {
        frame.append(char(0x80 | 126));
        frame.append(char(text.size() >> 8)).append(char(text.size() & 0xff));
    } else {
        frame.append(char(0x80 | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.append(char((quint64(text.size()) >> shift) & 0xff));
    }
    const quint32 mask = QRandomGenerator::global()->generate();
    char maskBytes[4];
    qToBigEndian(mask, maskBytes);
    frame.append(maskBytes, 4);
    for (qsizetype i = 0; i < text.size(); ++i)
        frame.append(char(text[i] ^ maskBytes[i % 4]));
    m_socket.write(frame);
    m_socket.flush();
}

bool StalledWebSocket::waitForBytes(const QByteArray &needle, int timeoutMs)
{
    QSignalSpy readable(&m_socket, &QTcpSocket::readyRead);
    QDeadlineTimer deadline(timeoutMs);
    while (!m_seen.contains(needle) && !deadline.hasExpired() && isConnected())
        readable.wait(int(std::max<qint64>(1, deadline.remainingTime())));
    return m_seen.contains(needle);
}

void StalledWebSocket::startHeartbeat(const QByteArray &text, int intervalMs)
{
    m_heartbeatText = text;
    m_heartbeat.start(intervalMs);
}

void StalledWebSocket::stopReading()
{
    // A one-byte read buffer: Qt stops taking bytes from the kernel, whose buffers then fill,
    // and TCP flow control pushes back on the server. A small receive buffer keeps that quick.
    m_reading = false;
    m_socket.setReadBufferSize(1);
    m_socket.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 16 * 1024);
}

bool StalledWebSocket::resumeReadingUntilClose(int timeoutMs)
{
    m_reading = true;
    m_seen.clear(); // only frames matter from here on; megabytes of them
    m_socket.setReadBufferSize(0);
    onReadyRead();
    QSignalSpy readable(&m_socket, &QTcpSocket::readyRead);
    QDeadlineTimer deadline(timeoutMs);
    while (m_closeCode < 0 && !deadline.hasExpired() && isConnected())
        readable.wait(int(std::max<qint64>(1, std::min<qint64>(200, deadline.remainingTime()))));
    onReadyRead(); // what arrived with the disconnect
    return m_closeCode >= 0;
}

bool StalledWebSocket::waitForDisconnected(int timeoutMs)
{
    if (!isConnected())
        return true;
    QSignalSpy gone(&m_socket, &QTcpSocket::disconnected);
    return gone.wait(timeoutMs) || !gone.isEmpty();
}

void StalledWebSocket::onReadyRead()
{
    if (!m_reading)
        return;
    m_received += m_socket.readAll();
    if (!m_upgraded) {
        const qsizetype end = m_received.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        m_answered = true;
        m_upgraded = m_received.startsWith("HTTP/1.1 101");
        m_received.remove(0, end + 4);
    }
    if (m_seen.size() < (1 << 20))
        m_seen += m_received;
    parseFrames();
}

void StalledWebSocket::parseFrames()
{
    // Server frames are unmasked: 2 header bytes, then 0, 2 or 8 bytes of length.
    qsizetype at = 0;
    for (;;) {
        if (m_received.size() - at < 2)
            break;
        const auto *b = reinterpret_cast<const uchar *>(m_received.constData() + at);
        const int opcode = b[0] & 0x0f;
        quint64 length = b[1] & 0x7f;
        qsizetype header = 2;
        if (length == 126) {
            if (m_received.size() - at < 4)
                break;
            length = qFromBigEndian<quint16>(b + 2);
            header = 4;
        } else if (length == 127) {
            if (m_received.size() - at < 10)
                break;
            length = qFromBigEndian<quint64>(b + 2);
            header = 10;
        }
        if (quint64(m_received.size() - at - header) < length)
            break;
        if (opcode == 0x8 && length >= 2) {
            m_closeCode = qFromBigEndian<quint16>(b + header);
            m_closeReason = m_received.mid(at + header + 2, qsizetype(length) - 2);
        }
        at += header + qsizetype(length);
    }
    m_received.remove(0, at);
}
