#pragma once

#include "phoenixcodec.h"

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QTimer>
#include <QUrl>
#include <QWebSocket>
#include <functional>

// A bare Supabase Realtime client for tests: a QWebSocket and the shared codec, every frame it
// receives kept in order, so tests can assert exactly what the server sent.
class RealtimeTestClient : public QObject
{
    Q_OBJECT
public:
    RealtimeTestClient(
        const QUrl &httpBase, PhoenixCodec::Serializer serializer, QObject *parent = nullptr);
    // Drops the connection (no close frame): Qt 6.4's ~QWebSocket would send one itself and
    // leak its reason string, which fails the sanitize preset's leak check.
    ~RealtimeTestClient() override { m_socket.abort(); }

    // Opens ws://HOST:PORT/realtime/v1/websocket?apikey=...&vsn=...; false if not open in time.
    bool open(const QString &apiKey = QStringLiteral("demo-anon-key"), int timeoutMs = 5000);
    // Opens with a hand-made query string (for refused connections).
    bool openWithQuery(const QString &query, int timeoutMs = 5000);
    void close() { m_socket.close(); }

    // Sends phx_join and waits for its reply; returns the reply payload ({} on timeout).
    QJsonObject join(const QString &topic, const QJsonArray &postgresChanges,
        const QString &accessToken, const QJsonObject &broadcast = {});
    QString send(const QString &topic, const QString &event, const QJsonValue &payload,
        const QString &joinRef = {});
    QJsonObject waitForReply(const QString &ref, int timeoutMs = 5000);
    // Sends a heartbeat every `intervalMs`, as real clients do (the server drops silent sockets).
    void startHeartbeat(int intervalMs);
    void sendRawText(const QString &text) { m_socket.sendTextMessage(text); }
    void sendRawBinary(const QByteArray &data) { m_socket.sendBinaryMessage(data); }

    // Everything received, decoded; binary frames appear with event "broadcast" and `binary`.
    struct Frame
    {
        PhoenixMessage message;
        bool binary = false;
        BinaryBroadcast broadcast;
    };
    const QList<Frame> &frames() const { return m_frames; }
    QList<QJsonObject> changes(const QString &topic = {}) const; // postgres_changes payloads
    QList<QJsonObject> systemMessages(const QString &topic = {}) const;
    // Waits until `count` postgres_changes have arrived (on `topic` if given).
    bool waitForChanges(int count, int timeoutMs = 5000, const QString &topic = {});
    bool waitForClose(int timeoutMs = 5000);
    // Reads until `done()` holds (checked after every frame); false if not within timeoutMs.
    bool waitUntil(const std::function<bool()> &done, int timeoutMs = 5000);

    bool isOpen() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    int closeCode() const { return m_closeCode; }
    QString closeReason() const { return m_closeReason; }
    QString joinRefOf(const QString &topic) const { return m_joinRefs.value(topic); }

private:
    QUrl m_base;
    PhoenixCodec::Serializer m_serializer;
    QWebSocket m_socket;
    QTimer m_heartbeat;
    QList<Frame> m_frames;
    QHash<QString, QString> m_joinRefs;
    int m_nextRef = 1;
    int m_closeCode = -1;
    QString m_closeReason;
};
