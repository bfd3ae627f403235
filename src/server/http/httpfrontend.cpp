#include "httpfrontend.h"

#include "httprequest.h"
#include "logging.h"
#include "problems.h"

#include <QAbstractEventDispatcher>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QPointer>
#include <QTcpSocket>
#include <QThreadPool>

namespace {

HttpRequest copyRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    HttpRequest copy;
    switch (request.method()) {
    case QHttpServerRequest::Method::Get:
        copy.method = "GET";
        break;
    case QHttpServerRequest::Method::Put:
        copy.method = "PUT";
        break;
    case QHttpServerRequest::Method::Delete:
        copy.method = "DELETE";
        break;
    case QHttpServerRequest::Method::Post:
        copy.method = "POST";
        break;
    case QHttpServerRequest::Method::Head:
        copy.method = "HEAD";
        break;
    case QHttpServerRequest::Method::Options:
        copy.method = "OPTIONS";
        break;
    case QHttpServerRequest::Method::Patch:
        copy.method = "PATCH";
        break;
    case QHttpServerRequest::Method::Connect:
        copy.method = "CONNECT";
        break;
    case QHttpServerRequest::Method::Trace:
        copy.method = "TRACE";
        break;
    default:
        copy.method = "UNKNOWN";
        break;
    }
    copy.rawPath = request.url().path(QUrl::FullyEncoded).toUtf8();
    copy.query = request.query();
    const auto headers = request.headers();
    copy.headers.reserve(headers.size());
    for (const auto &header : headers)
        copy.headers.append({ header.first.toLower(), header.second });
    copy.body = request.body();
    copy.peer = socket->peerAddress();
    return copy;
}

bool isWebSocketUpgrade(const HttpRequest &request)
{
    return request.header("upgrade").compare("websocket", Qt::CaseInsensitive) == 0
        && request.header("connection").toLower().contains("upgrade");
}

} // namespace

HttpFrontend::HttpFrontend(Handlers handlers, QThreadPool *pool, QObject *parent)
    : QAbstractHttpServer(parent)
    , m_handlers(std::move(handlers))
    , m_pool(pool)
    , m_webSocketPath(m_handlers.webSocketPath)
{
    // Emitted once per loop iteration, after everything that was ready has been read.
    connect(QAbstractEventDispatcher::instance(thread()), &QAbstractEventDispatcher::aboutToBlock,
        this, &HttpFrontend::flushBatch);
}

int HttpFrontend::pendingResponses() const
{
    int n = 0;
    for (const auto &[socket, connection] : m_connections)
        n += int(connection.queue.size());
    return n;
}

bool HttpFrontend::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    HttpRequest copy = copyRequest(request, socket);
    const bool webSocketPath = !m_webSocketPath.isEmpty() && copy.rawPath == m_webSocketPath;
    if (isWebSocketUpgrade(copy)) {
        // Write nothing: QAbstractHttpServer hands the socket to its QWebSocketServer if we
        // return true. Elsewhere (RequestSizeGuard refuses those from the head already), or
        // behind answers still owed on this connection (they would land in the WebSocket's
        // stream), false makes it answer through missingHandler and close.
        const auto it = m_connections.find(socket);
        const bool answersOwed = it != m_connections.end() && !it->second.queue.empty();
        return webSocketPath && !answersOwed;
    }

    const quint64 id = m_nextId++;
    Pending pending;
    pending.id = id;
    pending.responder = std::make_unique<QHttpServerResponder>(makeResponder(request, socket));
    pending.body = copy.method == "HEAD" ? Body::Omit : Body::Send;
    pending.after = copy.header("connection").toLower().contains("close") ? AfterWrite::Close
                                                                          : AfterWrite::KeepOpen;
    if (webSocketPath) {
        pending.response = HttpResponse::problem({ .status = 426,
            .code = QStringLiteral("upgrade_required"),
            .title = QStringLiteral("Upgrade required"),
            .detail = QStringLiteral(
                "This is the realtime WebSocket endpoint: connect with a WebSocket client.") });
        pending.response->withHeader("Upgrade", "websocket");
        enqueue(socket, std::move(pending));
        return true;
    }
    Disposition disposition = m_handlers.dispose(std::move(copy));
    switch (disposition.kind()) {
    case Disposition::Kind::Answer:
        pending.response = std::move(disposition.response());
        enqueue(socket, std::move(pending));
        break;
    case Disposition::Kind::Batch:
        enqueue(socket, std::move(pending));
        m_batch.push_back({ socket, id, std::move(disposition.routed()) });
        break;
    case Disposition::Kind::Worker:
        enqueue(socket, std::move(pending));
        toWorker(socket, id, std::move(disposition.routed()));
        break;
    }
    return true;
}

void HttpFrontend::flushBatch()
{
    if (m_batch.empty())
        return;
    std::vector<Batched> batch;
    batch.swap(m_batch);
    std::vector<RoutedRequest> requests;
    requests.reserve(batch.size());
    for (Batched &b : batch)
        requests.push_back(std::move(b.routed));
    std::vector<Disposition> answers = m_handlers.batchHandler(std::move(requests));
    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (answers[i].kind() == Disposition::Kind::Answer)
            complete(batch[i].socket, batch[i].id, std::move(answers[i].response()));
        else
            toWorker(batch[i].socket, batch[i].id, std::move(answers[i].routed()));
    }
}

void HttpFrontend::toWorker(QTcpSocket *socket, quint64 id, RoutedRequest routed)
{
    if (!m_handlers.workersOpen->load()) {
        complete(socket, id, HttpResponse::text(503, "shutting down\n"));
        return;
    }
    // Answers come back queued to this thread; the server drains the pool before it stops
    // the event loops, so `this` outlives every job.
    m_pool->start(
        [this, socket, id, handler = m_handlers.workerHandler, routed = std::move(routed)]() {
            HttpResponse response = handler(routed);
            QMetaObject::invokeMethod(
                this,
                [this, socket, id, response = std::move(response)]() mutable {
                    complete(socket, id, std::move(response));
                },
                Qt::QueuedConnection);
        });
}

void HttpFrontend::enqueue(QTcpSocket *socket, Pending pending)
{
    auto it = m_connections.find(socket);
    if (it == m_connections.end()) {
        it = m_connections.emplace(socket, Connection { socket, {} }).first;
        // Forgotten when the socket dies, through a child of it rather than the socket's own
        // destroyed(): QAbstractHttpServer disconnects every signal of a socket it hands to
        // its WebSocket server, and an entry left behind under a freed address would swallow
        // every answer of the next connection allocated there.
        auto *lifetime = new QObject(socket);
        connect(
            lifetime, &QObject::destroyed, this, [this, socket] { m_connections.erase(socket); });
    }
    it->second.queue.push_back(std::move(pending));
    flush(it->second);
}

void HttpFrontend::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    // Reached only for a WebSocket handshake handleRequest declined (Qt closes the connection).
    QHttpServerResponder responder = makeResponder(request, socket);
    write(responder,
        HttpResponse::problem(Problems::badRequest(QStringLiteral("upgrade_not_supported"),
            QStringLiteral(
                "A WebSocket handshake must go to %1, on a connection that owes no answers.")
                .arg(QString::fromLatin1(m_webSocketPath)))),
        Body::Send, AfterWrite::Close);
}

void HttpFrontend::complete(QTcpSocket *socket, quint64 id, HttpResponse response)
{
    auto it = m_connections.find(socket);
    if (it == m_connections.end())
        return; // the client went away; nothing to write to
    for (Pending &p : it->second.queue) {
        if (p.id == id) {
            p.response = std::move(response);
            flush(it->second);
            return;
        }
    }
}

void HttpFrontend::flush(Connection &connection)
{
    while (!connection.queue.empty() && connection.queue.front().response) {
        Pending p = std::move(connection.queue.front());
        connection.queue.pop_front();
        // Qt 6.4 crashes writing to a socket that is gone: check before every write.
        if (!connection.socket || connection.socket->state() != QAbstractSocket::ConnectedState)
            continue;
        write(*p.responder, *p.response, p.body, p.after);
        if (p.after == AfterWrite::Close) {
            connection.socket->disconnectFromHost();
            connection.queue.clear();
            return;
        }
    }
}

void HttpFrontend::write(
    QHttpServerResponder &responder, const HttpResponse &response, Body body, AfterWrite after)
{
    responder.writeStatusLine(static_cast<QHttpServerResponder::StatusCode>(response.status));
    responder.writeHeader("Content-Type", response.contentType);
    responder.writeHeader("Content-Length", QByteArray::number(response.body.size()));
    for (const auto &[name, value] : response.headers)
        responder.writeHeader(name, value);
    if (after == AfterWrite::Close)
        responder.writeHeader("Connection", "close");
    responder.writeBody(body == Body::Omit ? QByteArray() : response.body);
}
