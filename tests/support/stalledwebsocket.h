#pragma once

#include <QByteArray>
#include <QObject>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>

// A WebSocket client written by hand over QTcpSocket that can stop reading while it keeps
// talking: what a subscriber on a congested link looks like to the server. After
// stopReading() the kernel buffers fill and the server's writes back up; heartbeats still go
// out so the idle timeout does not end the socket first. resumeReading() takes in everything
// and finds the server's close frame.
class StalledWebSocket : public QObject
{
    Q_OBJECT
public:
    explicit StalledWebSocket(QObject *parent = nullptr);

    // Upgrades GET /realtime/v1/websocket?query on base's host and port; false if no 101 in time.
    bool open(const QUrl &httpBase, const QString &query, int timeoutMs = 5000);
    // One masked text frame, as a client must send.
    void sendText(const QByteArray &text);
    // Reads until the bytes received so far contain `needle` (e.g. a join reply's ref).
    bool waitForBytes(const QByteArray &needle, int timeoutMs = 5000);
    // Sends this text every intervalMs from now on, read or not.
    void startHeartbeat(const QByteArray &text, int intervalMs);

    void stopReading();
    // Reads everything until a close frame arrives; false if none within timeoutMs.
    bool resumeReadingUntilClose(int timeoutMs = 10000);
    int closeCode() const { return m_closeCode; }
    QByteArray closeReason() const { return m_closeReason; }

    bool isConnected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    bool waitForDisconnected(int timeoutMs);

private:
    void onReadyRead();
    void parseFrames();

    QTcpSocket m_socket;
    QTimer m_heartbeat;
    QByteArray m_heartbeatText;
    QByteArray m_received; // frames after the HTTP answer, not yet parsed
    QByteArray m_seen; // everything since the upgrade, for waitForBytes
    bool m_answered = false; // the HTTP answer to the upgrade is in
    bool m_upgraded = false;
    bool m_reading = true;
    int m_closeCode = -1;
    QByteArray m_closeReason;
};
