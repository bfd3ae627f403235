#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QTcpSocket>
#include <deque>
#include <utility>

// One keep-alive HTTP/1.1 connection driven by hand: requests go out one at a time, each as
// soon as the previous answer is complete (or all at once, pipelined). For tests that must
// control connections exactly (N concurrent connections, raw malformed bytes).
class RawHttpConnection : public QObject
{
    Q_OBJECT
public:
    struct Response
    {
        int status = 0;
        QList<std::pair<QByteArray, QByteArray>> headers;
        QByteArray body;
        QByteArray header(const QByteArray &name) const;
    };

    RawHttpConnection(const QString &host, quint16 port, QObject *parent = nullptr);

    bool connectToServer(int timeoutMs = 5000);
    // Queues a request; sent when the previous one has been answered.
    void enqueue(QByteArray rawRequest);
    // Writes bytes right away, whatever is outstanding (pipelining, garbage).
    void sendNow(const QByteArray &raw);

    const QList<Response> &responses() const { return m_responses; }
    int pending() const { return int(m_queue.size()) + (m_waiting ? 1 : 0); }
    bool isClosed() const { return m_socket.state() != QAbstractSocket::ConnectedState; }

    static QByteArray request(const QByteArray &method, const QByteArray &path,
        const QByteArray &body, const QList<std::pair<QByteArray, QByteArray>> &headers);

signals:
    void responseReceived();

private:
    void onReadyRead();
    bool parseOne();
    void sendNext();

    QString m_host;
    quint16 m_port;
    QTcpSocket m_socket;
    QByteArray m_buffer;
    std::deque<QByteArray> m_queue;
    bool m_waiting = false;
    QList<Response> m_responses;
};
