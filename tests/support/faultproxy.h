#pragma once

#include "clock.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QString>
#include <QTcpServer>
#include <QUrl>
#include <map>
#include <memory>
#include <optional>
#include <utility>

class QTcpSocket;

// A real TCP proxy between a client and syncloopd that speaks just enough HTTP/1.1 to fail on
// command at the level of whole requests: it frames requests and responses (Content-Length,
// chunked, or until close), keeps each client connection alive on its own upstream connection,
// and pipes WebSocket upgrades through raw after the 101. It survives the server being killed
// and restarted: an upstream connection that dies takes its client connection with it, and the
// next client connection dials the server again.
//
// Faults are rules matched in the order they were added against each request's method and
// path (a prefix of the request target); each applies to the next `count` matching requests
// (FaultProxy::always: every one):
//  - dropResponses: forward the request, read the server's full answer, then close the client
//    connection without sending it: the server committed, the client never heard;
//  - answer: answer with a problem+json of our own (e.g. 429 / 503 with Retry-After) without
//    forwarding anything;
//  - delayResponses: hold the server's answer back for a while before passing it on.
// Switches: refuse every connection (accept and close at once), refuse realtime upgrades.
// Every request is logged (Exchange) with what the proxy did and when, so tests can count
// attempts, compare keys and measure the gaps between retries.
class FaultProxy : public QObject
{
    Q_OBJECT
public:
    static constexpr int always = -1;

    enum class Action {
        Forwarded, // the server's answer went back to the client
        ResponseDropped, // the server answered; the client never got it
        Answered, // answered by the proxy; the server never saw it
        Upgraded, // a WebSocket: piped through raw after the 101
        UpgradeRefused, // a WebSocket upgrade, closed at once
        Failed, // the server could not be reached, or died before answering
    };
    Q_ENUM(Action)

    using Headers = QList<std::pair<QByteArray, QByteArray>>;

    struct Exchange
    {
        int connection = 0; // which client connection (1, 2, ...)
        QString method;
        QString path; // the request target as sent, query included
        Headers requestHeaders;
        QByteArray requestBody;
        Action action = Action::Forwarded;
        int status = 0; // the server's (or the proxy's) status; 0: none
        Headers responseHeaders;
        QByteArray responseBody;
        // Milliseconds on the proxy's clock (elapsedMs()); -1 when it never happened.
        qint64 receivedAtMs = -1; // the request was complete at the proxy
        qint64 answeredAtMs = -1; // the response was complete at the proxy
        qint64 deliveredAtMs = -1; // the response was handed to the client socket

        QByteArray requestHeader(const QByteArray &name) const;
        QByteArray responseHeader(const QByteArray &name) const;
        QString idempotencyKey() const;
        bool isReplayed() const { return responseHeader("Idempotent-Replayed") == "true"; }
    };

    explicit FaultProxy(QObject *parent = nullptr);
    ~FaultProxy() override;

    // Listens on 127.0.0.1 (port 0: any free port) in front of `upstream` (http://HOST:PORT).
    bool listen(const QUrl &upstream, quint16 port = 0);
    QUrl url() const;
    quint16 port() const { return m_server.serverPort(); }
    // Where new upstream connections go (a server restarted on another port).
    void setUpstream(const QUrl &upstream) { m_upstream = upstream; }

    // Every rule and switch off; the log is kept.
    void passAll();
    void dropResponses(const QString &pathPrefix, int count, const QString &method = {});
    // `retryAfterSeconds` < 0: no Retry-After header. The body is a problem+json with `code`.
    void answer(const QString &pathPrefix, int count, int status, int retryAfterSeconds,
        const QString &code, const QString &method = {});
    void delayResponses(
        const QString &pathPrefix, int count, int delayMs, const QString &method = {});
    void setRefuseConnections(bool refuse) { m_refuseConnections = refuse; }
    void setRefuseRealtime(bool refuse) { m_refuseRealtime = refuse; }
    // Closes every open connection now (as a network blip would).
    void closeAll();

    // Requests seen (complete, whatever happened to them) whose path starts with the prefix.
    int requestCount(const QString &pathPrefix = {}, const QString &method = {}) const;
    QList<Exchange> exchanges(const QString &pathPrefix = {}, const QString &method = {}) const;
    void clearLog() { m_exchanges.clear(); }
    int refusedConnections() const { return m_refused; }
    int openConnections() const { return int(m_connections.size()); }
    int liveTunnels() const;
    // Since the proxy started, or on `clock` once set (the client's, when a test moves its
    // time: then the exchanges' times are comparable with the client's waits).
    qint64 elapsedMs() const { return m_timeSource ? m_timeSource->nowMs() : m_clock.elapsed(); }
    void setClock(const Clock *clock) { m_timeSource = clock; }

signals:
    void requestReceived(const QString &method, const QString &path);
    // A request's exchange is over (answered, dropped or failed); `index` into exchanges().
    void exchangeFinished(int index);

private:
    struct Rule
    {
        enum class Kind { Drop, Answer, Delay } kind = Kind::Drop;
        QString prefix;
        QString method;
        int remaining = 0;
        int status = 0;
        int retryAfterSeconds = -1;
        QString code;
        int delayMs = 0;
    };
    struct Connection;

    void onNewConnection();
    void onClientReadyRead(int id);
    void onUpstreamReadyRead(int id);
    void onUpstreamConnected(int id);
    void onUpstreamGone(int id);
    void processClient(int id);
    void processUpstream(int id);
    void forward(Connection &c, const QByteArray &bytes);
    void deliver(int id, const QByteArray &bytes, bool closeAfter);
    void fail(int id);
    void closeConnection(int id);
    std::optional<Rule> take(const QString &method, const QString &path);
    Connection *find(int id);

    QTcpServer m_server;
    QUrl m_upstream;
    QElapsedTimer m_clock;
    const Clock *m_timeSource = nullptr;
    QList<Rule> m_rules;
    QList<Exchange> m_exchanges;
    std::map<int, std::unique_ptr<Connection>> m_connections;
    int m_nextId = 1;
    int m_refused = 0;
    bool m_refuseConnections = false;
    bool m_refuseRealtime = false;
};

QDebug operator<<(QDebug debug, const FaultProxy::Exchange &exchange);
