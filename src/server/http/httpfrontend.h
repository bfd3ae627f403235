#pragma once

#include "httpresponse.h"

#include <QAbstractHttpServer>
#include <QPointer>

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>

struct HttpRequest;
class QHttpServerResponder;
class QThreadPool;

// The HTTP/1.1 listener. Each request is copied into an HttpRequest and handled on a worker
// thread, so a slow database never stalls the event loop; responses are written back on the
// event-loop thread strictly in request order per connection (Qt 6.4 dispatches pipelined
// requests without waiting for the previous answer). WebSocket upgrades on `webSocketPath`
// are left to QAbstractHttpServer (newWebSocketConnection).
class HttpFrontend : public QAbstractHttpServer
{
    Q_OBJECT
public:
    using Handler = std::function<HttpResponse(const HttpRequest &)>;

    HttpFrontend(Handler handler, QThreadPool *pool, QObject *parent = nullptr);
    ~HttpFrontend() override;

    void setWebSocketPath(const QByteArray &path) { m_webSocketPath = path; }
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

    Handler m_handler;
    QThreadPool *m_pool;
    QByteArray m_webSocketPath;
    std::unordered_map<QTcpSocket *, Connection> m_connections;
    quint64 m_nextId = 1;
};
