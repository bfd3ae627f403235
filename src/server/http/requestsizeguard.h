#pragma once

#include "httpresponse.h"

#include <QByteArray>
#include <QObject>
#include <QTimer>
#include <functional>

class QTcpSocket;

// Watches one HTTP connection's bytes ahead of QAbstractHttpServer, which buffers a whole
// request body before anyone can look at it: a head that announces a body over the limit, a
// chunked body (its size unknown until the end) or a head over 64 KiB is answered at once
// from the head alone (413 / 411 / 431) and the connection is wound down, so a client cannot
// make the server hold a body of any size. Stands aside only for a WebSocket handshake on the
// realtime path (the socket then has limits of its own); any other request that asks for a
// protocol upgrade is refused from its head, since Qt 6.4 would either turn it into a
// WebSocket whatever its path or drop it without an answer.
class RequestSizeGuard : public QObject
{
    Q_OBJECT
public:
    using Reject = std::function<HttpResponse(
        const QByteArray &method, const QByteArray &path, const Problem &)>;

    static constexpr qsizetype maxHeadBytes = 64LL * 1024;

    struct Limits
    {
        qint64 maxBodyBytes = 1024LL * 1024;
        QByteArray webSocketPath; // the one path that may upgrade; empty: none
    };

    // Connects to `socket` first: must run before the HTTP server connects its own reader.
    RequestSizeGuard(QTcpSocket *socket, Limits limits, Reject reject);

private:
    void onReadyRead();
    // Follows request boundaries through `data` (bytes the HTTP server has not read yet).
    void scan(QByteArrayView data);
    // One complete head: the body it announces, or a rejection.
    void onHead(const QByteArray &head);
    void rejectWith(const QByteArray &method, const QByteArray &path, const Problem &problem);
    void shutdownWrites();

    QTcpSocket *m_socket;
    const Limits m_limits;
    Reject m_reject;
    QByteArray m_head; // the head being collected
    qint64 m_bodyLeft = 0; // body bytes of the current request still to pass by
    bool m_standAside = false;
    bool m_rejected = false;
    QTimer m_linger;
};
