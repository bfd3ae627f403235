#pragma once

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QSet>
#include <QStringList>
#include <QTcpServer>
#include <QUrl>

class QTcpSocket;

// A stand-in for the third-party SMS provider: a real HTTP server on 127.0.0.1 that accepts
// JSON POSTs the way syncloopd sends them, deduplicates on Idempotency-Key like a real
// provider, and can fail, hang, reject or be slow on command. It also answers the status
// lookup GET <url>/<percent-encoded key> (200 {"id"} for a key it acted on, 404 otherwise),
// which can fail, hang or be missing on command. It records every send and every lookup,
// separately.
class SmsProviderStandIn : public QObject
{
    Q_OBJECT
public:
    enum class Mode {
        Accept, // 200 {"id"}; a known key answers the first result again, without a second delivery
        Fail, // 503 with Retry-After: 0
        Hang, // reads the request and never answers
        Reject, // 400: the provider refuses the message for good
    };

    enum class LookupMode {
        Answer, // 200 {"id","status"} for a key acted on, 404 for one it does not know
        Fail, // 503 with Retry-After: 0
        Hang, // reads the request and never answers
        Unsupported, // 405: a gateway without the lookup route
    };

    explicit SmsProviderStandIn(QObject *parent = nullptr);
    ~SmsProviderStandIn() override;

    bool start(quint16 port = 0);
    QUrl url() const;
    quint16 port() const { return m_server.serverPort(); }

    void setMode(Mode mode) { m_mode = mode; }
    void setLookupMode(LookupMode mode) { m_lookupMode = mode; }
    // Calls arriving from now on are acted on (and answered) after `ms`; one whose caller has
    // gone by then is still acted on, as by a real provider, only the answer is dropped.
    void setDelayMs(int ms) { m_delayMs = ms; }

    // Send calls (POSTs) received, whatever became of them; lookups are counted apart.
    int calls() const { return m_calls; }
    // Calls acted on so far (every mode but Hang), answered or not.
    int processedCalls() const { return m_processed; }
    // Messages delivered to phones: one per key, however often the key was sent.
    QList<QJsonObject> delivered() const { return m_delivered; }
    // Calls accepted for a key already delivered: a message sent twice (the key saved it).
    int repeatedAccepts() const { return m_repeatedAccepts; }
    int callsFor(const QString &key) const { return m_callsPerKey.value(key); }
    // Send calls for `key` acted on (not left hanging), answered or not.
    int processedFor(const QString &key) const { return m_processedPerKey.value(key); }
    // Keys sent (POST), in no order; keys only looked up are not among them.
    QStringList keysSeen() const { return m_callsPerKey.keys(); }
    int lookups() const { return m_lookups; }
    int lookupsFor(const QString &key) const { return m_lookupsPerKey.value(key); }
    // Requests that were neither a send nor a lookup (answered 404): a fake fails loudly.
    int unexpectedRequests() const { return m_unexpected; }

signals:
    void called(const QString &key);
    // A call was acted on; `answered`: its caller was still connected and got the answer.
    void processed(const QString &key, bool answered);
    void lookedUp(const QString &key);

private:
    void onReadable(QTcpSocket *socket);
    void answerLookup(QTcpSocket *socket, const QString &key);
    static void write(QTcpSocket *socket, const QByteArray &status, const QByteArray &payload,
        const QByteArray &extraHeaders = {});

    QTcpServer m_server;
    Mode m_mode = Mode::Accept;
    LookupMode m_lookupMode = LookupMode::Answer;
    int m_delayMs = 0;
    int m_calls = 0;
    int m_processed = 0;
    int m_repeatedAccepts = 0;
    int m_lookups = 0;
    int m_unexpected = 0;
    QHash<QString, int> m_callsPerKey;
    QHash<QString, int> m_processedPerKey;
    QHash<QString, int> m_lookupsPerKey;
    QHash<QString, QString> m_idForKey;
    QList<QJsonObject> m_delivered;
    QHash<QTcpSocket *, QByteArray> m_buffers;
};
