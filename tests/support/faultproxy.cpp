#include "faultproxy.h"

#include <QDebug>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

namespace {

constexpr qsizetype maxHead = 64LL * 1024;

// One HTTP/1.1 message head, parsed.
struct Head
{
    QByteArray startLine;
    FaultProxy::Headers headers;
    qsizetype bodyStart = 0; // offset of the first body byte in the buffer

    QByteArray header(const QByteArray &name) const
    {
        for (const auto &[key, value] : headers) {
            if (key.compare(name, Qt::CaseInsensitive) == 0)
                return value;
        }
        return {};
    }
    bool hasToken(const QByteArray &name, const QByteArray &token) const
    {
        for (const QByteArray &part : header(name).split(',')) {
            if (part.trimmed().compare(token, Qt::CaseInsensitive) == 0)
                return true;
        }
        return false;
    }
};

// nullopt: incomplete. A head that is not HTTP gives an empty start line.
std::optional<Head> parseHead(const QByteArray &buffer)
{
    const qsizetype end = buffer.indexOf("\r\n\r\n");
    if (end < 0)
        return buffer.size() > maxHead ? std::optional<Head>(Head {}) : std::nullopt;
    Head head;
    head.bodyStart = end + 4;
    const QList<QByteArray> lines = buffer.left(end).split('\n');
    head.startLine = lines.value(0).trimmed();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon > 0)
            head.headers.append({ line.left(colon).trimmed(), line.mid(colon + 1).trimmed() });
    }
    return head;
}

// The end of a chunked body starting at `pos`: -1 incomplete, -2 malformed.
qsizetype chunkedEnd(const QByteArray &buffer, qsizetype pos)
{
    for (;;) {
        const qsizetype lineEnd = buffer.indexOf("\r\n", pos);
        if (lineEnd < 0)
            return -1;
        bool ok = false;
        const qint64 size
            = buffer.mid(pos, lineEnd - pos).split(';').value(0).trimmed().toLongLong(&ok, 16);
        if (!ok || size < 0)
            return -2;
        pos = lineEnd + 2;
        if (size == 0) {
            for (;;) { // trailers, up to an empty line
                const qsizetype e = buffer.indexOf("\r\n", pos);
                if (e < 0)
                    return -1;
                if (e == pos)
                    return e + 2;
                pos = e + 2;
            }
        }
        if (buffer.size() < pos + size + 2)
            return -1;
        pos += size + 2;
    }
}

// Where the message whose head is `head` ends: -1 incomplete, -2 malformed, -3 until close.
qsizetype messageEnd(const QByteArray &buffer, const Head &head, bool bodyless)
{
    if (bodyless)
        return head.bodyStart;
    if (head.hasToken("Transfer-Encoding", "chunked"))
        return chunkedEnd(buffer, head.bodyStart);
    const QByteArray length = head.header("Content-Length");
    if (length.isNull())
        return -3;
    bool ok = false;
    const qint64 n = length.toLongLong(&ok);
    if (!ok || n < 0)
        return -2;
    return buffer.size() >= head.bodyStart + n ? head.bodyStart + n : -1;
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 425:
        return "Too Early";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return "Fault";
    }
}

bool matches(
    const QString &method, const QString &prefix, const QString &requestMethod, const QString &path)
{
    return (method.isEmpty() || method.compare(requestMethod, Qt::CaseInsensitive) == 0)
        && path.startsWith(prefix);
}

QByteArray headerIn(const FaultProxy::Headers &headers, const QByteArray &name)
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

} // namespace

struct FaultProxy::Connection
{
    int id = 0;
    QTcpSocket *client = nullptr;
    QTcpSocket *upstream = nullptr;
    QByteArray fromClient;
    QByteArray fromUpstream;
    QByteArray toUpstream; // written once the upstream connection is up
    bool tunnel = false;
    int current = -1; // the exchange waiting for its answer
    std::optional<Rule> rule;
    bool headRequest = false;
    bool closeAfter = false; // the request asked for Connection: close
    bool upgradeAsked = false; // the request asked for a WebSocket
};

QByteArray FaultProxy::Exchange::requestHeader(const QByteArray &name) const
{
    return headerIn(requestHeaders, name);
}

QByteArray FaultProxy::Exchange::responseHeader(const QByteArray &name) const
{
    return headerIn(responseHeaders, name);
}

QString FaultProxy::Exchange::idempotencyKey() const
{
    QByteArray key = requestHeader("Idempotency-Key");
    if (key.isNull())
        key = requestHeader("X-Idempotency-Key");
    if (key.size() >= 2 && key.startsWith('"') && key.endsWith('"'))
        key = key.mid(1, key.size() - 2);
    return QString::fromLatin1(key);
}

FaultProxy::FaultProxy(QObject *parent)
    : QObject(parent)
{
    m_clock.start();
    connect(&m_server, &QTcpServer::newConnection, this, &FaultProxy::onNewConnection);
}

FaultProxy::~FaultProxy()
{
    while (!m_connections.empty())
        closeConnection(m_connections.begin()->first);
}

bool FaultProxy::listen(const QUrl &upstream, quint16 port)
{
    m_upstream = upstream;
    if (!m_server.listen(QHostAddress::LocalHost, port)) {
        qWarning() << "FaultProxy cannot listen:" << m_server.errorString();
        return false;
    }
    return true;
}

QUrl FaultProxy::url() const
{
    QUrl u;
    u.setScheme(QStringLiteral("http"));
    u.setHost(QStringLiteral("127.0.0.1"));
    u.setPort(m_server.serverPort());
    return u;
}

void FaultProxy::passAll()
{
    m_rules.clear();
    m_refuseConnections = false;
    m_refuseRealtime = false;
}

void FaultProxy::dropResponses(const QString &pathPrefix, int count, const QString &method)
{
    Rule r;
    r.kind = Rule::Kind::Drop;
    r.prefix = pathPrefix;
    r.method = method;
    r.remaining = count;
    m_rules.append(r);
}

void FaultProxy::answer(const QString &pathPrefix, int count, int status, int retryAfterSeconds,
    const QString &code, const QString &method)
{
    Rule r;
    r.kind = Rule::Kind::Answer;
    r.prefix = pathPrefix;
    r.method = method;
    r.remaining = count;
    r.status = status;
    r.retryAfterSeconds = retryAfterSeconds;
    r.code = code;
    m_rules.append(r);
}

void FaultProxy::delayResponses(
    const QString &pathPrefix, int count, int delayMs, const QString &method)
{
    Rule r;
    r.kind = Rule::Kind::Delay;
    r.prefix = pathPrefix;
    r.method = method;
    r.remaining = count;
    r.delayMs = delayMs;
    m_rules.append(r);
}

void FaultProxy::closeAll()
{
    while (!m_connections.empty())
        closeConnection(m_connections.begin()->first);
}

int FaultProxy::requestCount(const QString &pathPrefix, const QString &method) const
{
    return int(exchanges(pathPrefix, method).size());
}

QList<FaultProxy::Exchange> FaultProxy::exchanges(
    const QString &pathPrefix, const QString &method) const
{
    QList<Exchange> out;
    for (const Exchange &e : m_exchanges) {
        if (matches(method, pathPrefix, e.method, e.path))
            out.append(e);
    }
    return out;
}

int FaultProxy::liveTunnels() const
{
    int n = 0;
    for (const auto &[id, c] : m_connections)
        n += c->tunnel ? 1 : 0;
    return n;
}

std::optional<FaultProxy::Rule> FaultProxy::take(const QString &method, const QString &path)
{
    for (Rule &r : m_rules) {
        if (r.remaining == 0 || !matches(r.method, r.prefix, method, path))
            continue;
        if (r.remaining > 0)
            --r.remaining;
        return r;
    }
    return std::nullopt;
}

FaultProxy::Connection *FaultProxy::find(int id)
{
    const auto it = m_connections.find(id);
    return it == m_connections.end() ? nullptr : it->second.get();
}

void FaultProxy::onNewConnection()
{
    while (QTcpSocket *socket = m_server.nextPendingConnection()) {
        if (m_refuseConnections) {
            ++m_refused;
            connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
            socket->close();
            if (socket->state() == QAbstractSocket::UnconnectedState)
                socket->deleteLater();
            continue;
        }
        const int id = m_nextId++;
        auto c = std::make_unique<Connection>();
        c->id = id;
        c->client = socket;
        connect(socket, &QTcpSocket::readyRead, this, [this, id] { onClientReadyRead(id); });
        connect(socket, &QAbstractSocket::disconnected, this, [this, id] { closeConnection(id); });
        m_connections.emplace(id, std::move(c));
        if (socket->bytesAvailable() > 0)
            onClientReadyRead(id);
    }
}

void FaultProxy::onClientReadyRead(int id)
{
    Connection *c = find(id);
    if (!c)
        return;
    const QByteArray bytes = c->client->readAll();
    if (c->tunnel) {
        forward(*c, bytes);
        return;
    }
    c->fromClient += bytes;
    processClient(id);
}

void FaultProxy::processClient(int id)
{
    for (;;) {
        Connection *c = find(id);
        if (!c || c->tunnel || c->current >= 0)
            return; // one request at a time per connection; the rest waits in fromClient
        const auto head = parseHead(c->fromClient);
        if (!head)
            return;
        const QList<QByteArray> parts = head->startLine.split(' ');
        if (parts.size() < 3) {
            qWarning() << "FaultProxy: not an HTTP request on connection" << id
                       << head->startLine.left(80);
            closeConnection(id);
            return;
        }
        const qsizetype end = messageEnd(c->fromClient, *head, false);
        if (end == -1)
            return;
        if (end < -1 && end != -3) {
            closeConnection(id);
            return;
        }
        const qsizetype length
            = end == -3 ? head->bodyStart : end; // a request without a length has no body
        const QByteArray raw = c->fromClient.left(length);
        c->fromClient.remove(0, length);

        Exchange e;
        e.connection = id;
        e.method = QString::fromLatin1(parts[0]);
        e.path = QString::fromLatin1(parts[1]);
        e.requestHeaders = head->headers;
        e.requestBody = raw.mid(head->bodyStart);
        e.receivedAtMs = elapsedMs();
        const int index = int(m_exchanges.size());
        m_exchanges.append(e);
        emit requestReceived(e.method, e.path);

        c = find(id); // a slot may have closed everything
        if (!c)
            return;
        c->headRequest = e.method == QLatin1String("HEAD");
        c->closeAfter = head->hasToken("Connection", "close");
        c->upgradeAsked = head->hasToken("Connection", "upgrade")
            && head->header("Upgrade").compare("websocket", Qt::CaseInsensitive) == 0;
        if (c->upgradeAsked && m_refuseRealtime) {
            m_exchanges[index].action = Action::UpgradeRefused;
            emit exchangeFinished(index);
            closeConnection(id);
            return;
        }
        const std::optional<Rule> rule = take(e.method, e.path);
        if (rule && rule->kind == Rule::Kind::Answer) {
            const QJsonObject problem { { QStringLiteral("type"), QStringLiteral("about:blank") },
                { QStringLiteral("title"), QString::fromLatin1(reasonPhrase(rule->status)) },
                { QStringLiteral("status"), rule->status },
                { QStringLiteral("detail"), QStringLiteral("Injected by FaultProxy.") },
                { QStringLiteral("code"), rule->code },
                { QStringLiteral("retryable"), rule->status == 429 || rule->status >= 500 } };
            const QByteArray body = QJsonDocument(problem).toJson(QJsonDocument::Compact);
            Exchange &x = m_exchanges[index];
            x.action = Action::Answered;
            x.status = rule->status;
            x.responseHeaders = { { "Content-Type", "application/problem+json" },
                { "Content-Length", QByteArray::number(body.size()) } };
            if (rule->retryAfterSeconds >= 0)
                x.responseHeaders.append(
                    { "Retry-After", QByteArray::number(rule->retryAfterSeconds) });
            x.responseBody = body;
            x.answeredAtMs = x.deliveredAtMs = elapsedMs();
            QByteArray response = "HTTP/1.1 " + QByteArray::number(rule->status) + ' '
                + reasonPhrase(rule->status) + "\r\n";
            for (const auto &[name, value] : std::as_const(x.responseHeaders))
                response += name + ": " + value + "\r\n";
            response += "\r\n" + body;
            c->client->write(response);
            emit exchangeFinished(index);
            if (c->closeAfter) {
                closeConnection(id);
                return;
            }
            continue;
        }
        c->current = index;
        c->rule = rule;
        forward(*c, raw);
    }
}

void FaultProxy::forward(Connection &c, const QByteArray &bytes)
{
    if (!c.upstream) {
        const int id = c.id;
        c.upstream = new QTcpSocket(this);
        connect(
            c.upstream, &QAbstractSocket::connected, this, [this, id] { onUpstreamConnected(id); });
        connect(c.upstream, &QTcpSocket::readyRead, this, [this, id] { onUpstreamReadyRead(id); });
        connect(
            c.upstream, &QAbstractSocket::disconnected, this, [this, id] { onUpstreamGone(id); });
        connect(c.upstream, &QAbstractSocket::errorOccurred, this,
            [this, id](QAbstractSocket::SocketError error) {
                Connection *conn = find(id);
                if (!conn || !conn->upstream)
                    return;
                // Refused or unreachable while connecting: nobody will ever answer on this
                // connection.
                if (conn->upstream->state() != QAbstractSocket::ConnectedState
                    || error != QAbstractSocket::RemoteHostClosedError)
                    onUpstreamGone(id);
            });
        c.toUpstream += bytes;
        c.upstream->connectToHost(m_upstream.host(), quint16(m_upstream.port()));
        return;
    }
    if (c.upstream->state() == QAbstractSocket::ConnectedState)
        c.upstream->write(bytes);
    else
        c.toUpstream += bytes;
}

void FaultProxy::onUpstreamConnected(int id)
{
    Connection *c = find(id);
    if (!c || c->toUpstream.isEmpty())
        return;
    c->upstream->write(c->toUpstream);
    c->toUpstream.clear();
}

void FaultProxy::onUpstreamReadyRead(int id)
{
    Connection *c = find(id);
    if (!c)
        return;
    const QByteArray bytes = c->upstream->readAll();
    if (c->tunnel) {
        c->client->write(bytes);
        return;
    }
    c->fromUpstream += bytes;
    processUpstream(id);
}

void FaultProxy::processUpstream(int id)
{
    Connection *c = find(id);
    if (!c || c->current < 0)
        return;
    const auto head = parseHead(c->fromUpstream);
    if (!head)
        return;
    const QList<QByteArray> parts = head->startLine.split(' ');
    const int status = parts.value(1).toInt();
    if (parts.size() < 2 || status < 100) {
        fail(id);
        return;
    }
    if (status >= 100 && status < 200 && status != 101) {
        // 100 Continue and friends: pass on, keep waiting for the final answer.
        c->client->write(c->fromUpstream.left(head->bodyStart));
        c->fromUpstream.remove(0, head->bodyStart);
        processUpstream(id);
        return;
    }
    const bool bodyless = status == 101 || status == 204 || status == 304 || c->headRequest;
    const qsizetype end = messageEnd(c->fromUpstream, *head, bodyless);
    if (end == -1 || end == -3)
        return; // incomplete, or delimited by the server closing (onUpstreamGone finishes it)
    if (end < 0) {
        fail(id);
        return;
    }
    const QByteArray raw = c->fromUpstream.left(end);
    c->fromUpstream.remove(0, end);
    const int index = c->current;
    Exchange &x = m_exchanges[index];
    x.status = status;
    x.responseHeaders = head->headers;
    x.responseBody = raw.mid(head->bodyStart);
    x.answeredAtMs = elapsedMs();

    if (status == 101 && c->upgradeAsked) {
        x.action = Action::Upgraded;
        x.deliveredAtMs = x.answeredAtMs;
        c->tunnel = true;
        c->current = -1;
        c->client->write(raw);
        if (!c->fromUpstream.isEmpty())
            c->client->write(std::exchange(c->fromUpstream, {}));
        if (!c->fromClient.isEmpty())
            forward(*c, std::exchange(c->fromClient, {}));
        emit exchangeFinished(index);
        return;
    }
    const bool closeAfter = c->closeAfter || head->hasToken("Connection", "close");
    if (c->rule && c->rule->kind == Rule::Kind::Drop) {
        x.action = Action::ResponseDropped;
        emit exchangeFinished(index);
        closeConnection(id);
        return;
    }
    if (c->rule && c->rule->kind == Rule::Kind::Delay) {
        const int delay = c->rule->delayMs;
        c->rule.reset();
        QTimer::singleShot(
            delay, this, [this, id, raw, closeAfter] { deliver(id, raw, closeAfter); });
        return;
    }
    deliver(id, raw, closeAfter);
}

void FaultProxy::deliver(int id, const QByteArray &bytes, bool closeAfter)
{
    Connection *c = find(id);
    if (!c || c->current < 0)
        return;
    const int index = c->current;
    c->current = -1;
    c->rule.reset();
    c->client->write(bytes);
    m_exchanges[index].action = Action::Forwarded;
    m_exchanges[index].deliveredAtMs = elapsedMs();
    emit exchangeFinished(index);
    c = find(id);
    if (!c)
        return;
    if (closeAfter) {
        closeConnection(id);
        return;
    }
    if (!c->fromUpstream.isEmpty())
        processUpstream(id);
    processClient(id);
}

void FaultProxy::onUpstreamGone(int id)
{
    Connection *c = find(id);
    if (!c)
        return;
    if (c->tunnel) {
        c->client->write(c->upstream->readAll());
        closeConnection(id);
        return;
    }
    if (c->current >= 0)
        c->fromUpstream += c->upstream->readAll(); // what came before the close is still readable
    // A response delimited by the close is complete now.
    if (c->current >= 0 && !c->fromUpstream.isEmpty()) {
        const auto head = parseHead(c->fromUpstream);
        if (head && !head->startLine.isEmpty()
            && messageEnd(c->fromUpstream, *head, c->headRequest) == -3) {
            Exchange &x = m_exchanges[c->current];
            x.status = head->startLine.split(' ').value(1).toInt();
            x.responseHeaders = head->headers;
            x.responseBody = c->fromUpstream.mid(head->bodyStart);
            x.answeredAtMs = elapsedMs();
            const QByteArray raw = std::exchange(c->fromUpstream, {});
            if (c->rule && c->rule->kind == Rule::Kind::Drop) {
                x.action = Action::ResponseDropped;
                emit exchangeFinished(c->current);
                closeConnection(id);
                return;
            }
            deliver(id, raw, true);
            return;
        }
    }
    fail(id);
}

void FaultProxy::fail(int id)
{
    Connection *c = find(id);
    if (!c)
        return;
    if (c->current >= 0) {
        const int index = c->current;
        c->current = -1;
        m_exchanges[index].action = Action::Failed;
        emit exchangeFinished(index);
    }
    // The server is gone (or spoke nonsense): the client's connection goes too, as it would
    // without a proxy, and its next connection dials the server again.
    closeConnection(id);
}

void FaultProxy::closeConnection(int id)
{
    const auto it = m_connections.find(id);
    if (it == m_connections.end())
        return;
    std::unique_ptr<Connection> c = std::move(it->second);
    m_connections.erase(it);
    for (QTcpSocket *socket : { c->client, c->upstream }) {
        if (!socket)
            continue;
        socket->disconnect(this);
        // Graceful: whatever was already written (a response, the tail of a tunnel) still goes.
        connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QAbstractSocket::errorOccurred, socket, &QObject::deleteLater);
        socket->disconnectFromHost();
        if (socket->state() == QAbstractSocket::UnconnectedState)
            socket->deleteLater();
    }
}

QDebug operator<<(QDebug debug, const FaultProxy::Exchange &e)
{
    QDebugStateSaver saver(debug);
    debug.nospace() << "Exchange(#" << e.connection << ' ' << e.method << ' ' << e.path << " -> "
                    << e.status << ' ' << e.action << (e.isReplayed() ? " replayed" : "") << " @"
                    << e.receivedAtMs << "ms)";
    return debug;
}
