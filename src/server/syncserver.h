#pragma once

#include "serveroptions.h"

#include <QObject>
#include <QThread>
#include <QThreadPool>
#include <QTimer>
#include <memory>

class ApiService;
class CircuitBreaker;
class Database;
class HttpListener;
class IdempotencyGuard;
class LoginGuard;
class OutboxWorker;
class RealtimeHub;
class RetentionPurge;
class ServerMetrics;
class TokenService;
class TransactionRunner;
class WalCheckpointer;

// Wires the server together: storage, auth, REST, idempotency, SMS outbox, metrics.
class SyncServer : public QObject
{
    Q_OBJECT
public:
    explicit SyncServer(ServerOptions options, QObject *parent = nullptr);
    ~SyncServer() override;

    // Opens and migrates the database, seeds the demo, starts listening. False + *error on failure.
    bool start(QString *error);
    quint16 port() const { return m_port; }
    QString baseUrl() const;

private:
    void purgeExpired();
    void startOutbox();

    ServerOptions m_options;
    std::unique_ptr<Database> m_database;
    std::unique_ptr<WalCheckpointer> m_checkpointer;
    std::unique_ptr<ServerMetrics> m_metrics;
    std::unique_ptr<TokenService> m_tokens;
    std::unique_ptr<LoginGuard> m_loginGuard;
    TransactionRunner *m_runner = nullptr;
    std::unique_ptr<IdempotencyGuard> m_guard;
    std::unique_ptr<ApiService> m_api;
    CircuitBreaker *m_smsBreaker = nullptr;
    RealtimeHub *m_realtime = nullptr;
    QThreadPool m_pool;
    std::unique_ptr<HttpListener> m_http;
    QThread m_outboxThread;
    OutboxWorker *m_outbox = nullptr;
    std::unique_ptr<RetentionPurge> m_purge;
    QTimer m_purgeTimer;
    quint16 m_port = 0;
    int m_eventLoops = 2;
};
