#pragma once

#include "httprequest.h"
#include "httpresponse.h"

#include <QAbstractHttpServer>
#include <QPointer>

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include <QHttpServerResponder>
class QThreadPool;

// One event loop's HTTP/1.1 server. A request is first offered to the inline handler on this
// thread (short transactions answer at once, without a thread hop); what it declines goes to
// the worker pool. Mutations are collected while the loop reads what has arrived and run as
// one batch (group commit) before the loop waits again: one commit, one WAL append, one lock
// round trip for all of them. Responses are written strictly in request order per connection (Qt 6.4
// dispatches pipelined requests without waiting for the previous answer). WebSocket upgrades
// on `webSocketPath` are left to QAbstractHttpServer (newWebSocketConnection); RequestSizeGuard
// refuses every other upgrade before it gets here.
class HttpFrontend : public QAbstractHttpServer
{
    Q_OBJECT
public:
    struct Handlers
    {
        std::function<std::optional<HttpResponse>(const HttpRequest &)> inlineHandler;
        std::function<HttpResponse(const HttpRequest &)> workerHandler;
        std::function<bool(const HttpRequest &)> isBatchable;
        std::function<std::vector<std::optional<HttpResponse>>(const std::vector<HttpRequest> &)> batchHandler;
        // Requests refused from their head, before the body is read (RequestSizeGuard).
        qint64 maxBodyBytes = 1024LL * 1024;
        // The one path whose WebSocket handshakes become sockets (newWebSocketConnection).
        QByteArray webSocketPath;
        std::function<HttpResponse(const QByteArray &method, const QByteArray &path, const Problem &)> rejectEarly;
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
    struct Pending
    {
        quint64 id = 0;
        std::unique_ptr<QHttpServerResponder> responder;
        std::optional<HttpResponse> response;
        bool head = false;
        bool close = false;
    };
    struct Connection
    {
        QPointer<QTcpSocket> socket;
        std::deque<Pending> queue;
    };

    void complete(QTcpSocket *socket, quint64 id, HttpResponse response);
    void flush(Connection &connection);
    static void write(QHttpServerResponder &responder, const HttpResponse &response, bool head, bool close);

    void enqueue(QTcpSocket *socket, Pending pending);
    void toWorker(QTcpSocket *socket, quint64 id, HttpRequest request);
    void flushBatch();

    struct Batched
    {
        QTcpSocket *socket = nullptr;
        quint64 id = 0;
        HttpRequest request;
    };

    Handlers m_handlers;
    QThreadPool *m_pool;
    QByteArray m_webSocketPath;
    std::unordered_map<QTcpSocket *, Connection> m_connections;
    quint64 m_nextId = 1;
    std::vector<Batched> m_batch;
};
