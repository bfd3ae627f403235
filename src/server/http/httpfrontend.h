#pragma once

#include "disposition.h"
#include "httprequest.h"
#include "httpresponse.h"
#include "routedrequest.h"

#include <QAbstractHttpServer>
#include <QHttpServerResponder>
#include <QPointer>
#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>
class QThreadPool;

// One event loop's HTTP/1.1 server. Each request is first disposed of on this thread (short
// transactions answer at once, without a thread hop); what needs a worker goes to the pool.
// Mutations are collected while the loop reads what has arrived and run as one batch (group commit)
// before the loop waits again: one commit, one WAL append, one lock round trip for all of them.
// Responses are written strictly in request order per connection (Qt 6.4 dispatches pipelined
// requests without waiting for the previous answer). WebSocket upgrades on `webSocketPath` are left
// to QAbstractHttpServer (newWebSocketConnection); RequestSizeGuard refuses every other upgrade
// before it gets here.
class HttpFrontend : public QAbstractHttpServer
{
    Q_OBJECT
public:
    struct Handlers
    {
        // On this thread, for each request: answer now, batch, or hand to a worker.
        std::function<Disposition(HttpRequest)> dispose;
        std::function<HttpResponse(const RoutedRequest &)> workerHandler;
        // The batch collected during one loop iteration: each an Answer or a Worker.
        std::function<std::vector<Disposition>(std::vector<RoutedRequest>)> batchHandler;
        // Requests refused from their head, before the body is read (RequestSizeGuard).
        qint64 maxBodyBytes = 1024LL * 1024;
        // The one path whose WebSocket handshakes become sockets (newWebSocketConnection).
        QByteArray webSocketPath;
        std::function<HttpResponse(
            const QByteArray &method, const QByteArray &path, const Problem &)>
            rejectEarly;
        // Cleared at shutdown, before the pool drains: from then on nothing new goes to a
        // worker (their answers post back into this object, which must still exist).
        std::shared_ptr<std::atomic<bool>> workersOpen;
    };

    HttpFrontend(Handlers handlers, QThreadPool *pool, QObject *parent = nullptr);

    int pendingResponses() const;

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    enum class Body { Send, Omit }; // Omit: the answer to a HEAD request
    enum class AfterWrite { KeepOpen, Close }; // Close: the client asked for Connection: close

    struct Pending
    {
        quint64 id = 0;
        std::unique_ptr<QHttpServerResponder> responder;
        std::optional<HttpResponse> response;
        Body body = Body::Send;
        AfterWrite after = AfterWrite::KeepOpen;
    };
    struct Connection
    {
        QPointer<QTcpSocket> socket;
        std::deque<Pending> queue;
    };

    void complete(QTcpSocket *socket, quint64 id, HttpResponse response);
    void flush(Connection &connection);
    static void write(
        QHttpServerResponder &responder, const HttpResponse &response, Body body, AfterWrite after);

    void enqueue(QTcpSocket *socket, Pending pending);
    void toWorker(QTcpSocket *socket, quint64 id, RoutedRequest routed);
    void flushBatch();

    struct Batched
    {
        QTcpSocket *socket = nullptr;
        quint64 id = 0;
        RoutedRequest routed;
    };

    Handlers m_handlers;
    QThreadPool *m_pool;
    QByteArray m_webSocketPath;
    std::unordered_map<QTcpSocket *, Connection> m_connections;
    quint64 m_nextId = 1;
    std::vector<Batched> m_batch;
};
