#include "syncserver.h"

#include "auth/loginguard.h"
#include "auth/tokenservice.h"
#include "circuitbreaker.h"
#include "clock.h"
#include "http/adminroutes.h"
#include "http/apiservice.h"
#include "http/authroutes.h"
#include "http/bookingroutes.h"
#include "http/changeroutes.h"
#include "http/httplistener.h"
#include "http/idempotencyguard.h"
#include "http/leadroutes.h"
#include "logging.h"
#include "metrics/servermetrics.h"
#include "outbox/httpsmsprovider.h"
#include "outbox/loopbacksmsprovider.h"
#include "outbox/outboxworker.h"
#include "randomsource.h"
#include "realtime/postgresfanout.h"
#include "realtime/realtimehub.h"
#include "secretfile.h"
#include "storage/changelog.h"
#include "storage/database.h"
#include "storage/demoseed.h"
#include "storage/idempotencystore.h"
#include "storage/refreshtokenstore.h"
#include "storage/retentionpurge.h"
#include "storage/storageerror.h"
#include "storage/transaction.h"
#include "storage/transactionrunner.h"
#include "storage/walcheckpointer.h"

#include <QDir>
#include <QFileInfo>
#include <QMessageAuthenticationCode>
#include <algorithm>

SyncServer::SyncServer(ServerOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
{
    const int threads = m_options.workerThreads > 0 ? m_options.workerThreads
                                                    : std::max(2, QThread::idealThreadCount());
    m_pool.setMaxThreadCount(threads);
    // One core stays free for the worker pool, the outbox, the realtime hub and the kernel:
    // on two cores a single loop (whose batches never wait for another loop's) is fastest.
    m_eventLoops = m_options.eventLoops > 0 ? m_options.eventLoops
                                            : std::max(1, QThread::idealThreadCount() - 1);
    m_pool.setExpiryTimeout(-1); // keep threads (and their database connections) alive
}

SyncServer::~SyncServer()
{
    // Every thread closes its own database connections before it ends (Database::
    // closeThreadConnections): left to thread-exit destructors they would run after wait()
    // returned, racing ~QCoreApplication, which tears QtSql's connection table down.
    m_purgeTimer.stop();
    if (m_http)
        m_http->closeWorkers(); // nothing reaches the pool from here on
    // Before anything waits for the pool: QThreadPool::waitForDone() joins its threads.
    Database::closePoolConnections(m_pool);
    m_http.reset(); // stops the event loops
    if (m_outboxThread.isRunning()) {
        m_outboxThread.quit();
        m_outboxThread.wait();
    }
    m_outbox = nullptr; // deleted on its thread (startOutbox)
    m_checkpointer.reset(); // after the last writer: its final checkpoint empties the log
}

QString SyncServer::baseUrl() const
{
    const QString host = m_options.host.protocol() == QAbstractSocket::IPv6Protocol
        ? QLatin1Char('[') + m_options.host.toString() + QLatin1Char(']')
        : m_options.host.toString();
    return QStringLiteral("http://%1:%2").arg(host).arg(m_port);
}

bool SyncServer::start(QString *error)
{
    // The secret files first: one that is refused leaves nothing behind.
    DatabaseConfig databaseConfig = m_options.database;
    if (!databaseConfig.passwordFile.isEmpty()) {
        const auto password = SecretFile::read(
            databaseConfig.passwordFile, QStringLiteral("database password file"), error);
        if (!password)
            return false;
        databaseConfig.password = QString::fromUtf8(password->split('\n').constFirst().trimmed());
        if (databaseConfig.password.isEmpty()) {
            *error = QStringLiteral("database password file %1 is empty")
                         .arg(databaseConfig.passwordFile);
            return false;
        }
    }
    const QByteArray secret = TokenService::loadOrCreateSecret(m_options.jwtSecretFile,
        QDir(m_options.dataDir).filePath(QStringLiteral("jwt-secret")), error);
    if (secret.isEmpty())
        return false;
    if (!QDir().mkpath(m_options.dataDir)) {
        *error = QStringLiteral("cannot create data directory %1").arg(m_options.dataDir);
        return false;
    }
    // One we create is 0700 (main() sets the umask); one that was there is the operator's.
    if (QFileInfo(m_options.dataDir).permissions()
        & (QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup
            | QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther))
        qCWarning(lcServer).noquote() << "data directory" << m_options.dataDir
                                      << "is accessible by group or others; chmod 700 it to keep "
                                         "the database and secrets private";

    const Clock *clock = SystemClock::instance();
    databaseConfig.checkpointInBackground = databaseConfig.kind == SqlDialect::Kind::Sqlite;
    m_database = std::make_unique<Database>(databaseConfig);
    if (!m_database->open(error))
        return false;
    if (databaseConfig.checkpointInBackground) {
        m_checkpointer = std::make_unique<WalCheckpointer>(*m_database);
        m_checkpointer->start();
    }
    m_metrics = std::make_unique<ServerMetrics>();
    m_tokens = std::make_unique<TokenService>(secret, clock, m_options.accessTokenTtlMs / 1000);
    m_runner = new TransactionRunner(*m_database, clock, SystemRandomSource::instance(), {}, this);
    try {
        if (m_options.demo && DemoSeed::seedIfEmpty(*m_runner, m_options.demoBookings))
            qCInfo(lcServer) << "seeded the demo organisation";
    } catch (const StorageError &e) {
        *error
            = QStringLiteral("seeding the demo failed: %1").arg(QString::fromStdString(e.what()));
        return false;
    }

    m_smsBreaker = new CircuitBreaker(QStringLiteral("sms"),
        { .windowSize = 20,
            .minimumCalls = 5,
            .failureRateThreshold = 50.0,
            .openWaitMs = m_options.smsBreakerOpenMs,
            .halfOpenCalls = 2 },
        clock, this);
    m_guard
        = std::make_unique<IdempotencyGuard>(*m_runner, *m_metrics, m_options.idempotencyWindowMs);
    const qint64 windowSeconds = m_options.idempotencyWindowMs / 1000;
    m_api = std::make_unique<ApiService>(*m_tokens, *m_metrics, *m_runner,
        ApiService::Options { .maxBodyBytes = 1024LL * 1024,
            .idempotencyWindowSeconds = windowSeconds,
            .metricsToken = m_options.metricsToken });
    Router &router = m_api->router();
    AuthRoutes::Options authOptions;
    authOptions.refreshReuseIntervalMs = m_options.refreshReuseIntervalMs;
    // Its own key, derived from the signing secret: successors reveal nothing about the JWT key.
    authOptions.refreshSuccessorKey
        = QMessageAuthenticationCode::hash(QByteArrayLiteral("syncloop refresh-token successor v1"),
            secret, QCryptographicHash::Sha256);
    LoginGuard::Options loginLimits;
    loginLimits.attemptsPerAccount = m_options.loginAttemptsPerAccount;
    loginLimits.attemptsPerAddress = m_options.loginAttemptsPerAddress;
    loginLimits.windowMs = m_options.loginAttemptWindowMs;
    // Fewer hashes at once than workers: the other routes on the pool always find a thread.
    loginLimits.concurrentHashes = m_options.passwordHashConcurrency > 0
        ? m_options.passwordHashConcurrency
        : std::max(1, m_pool.maxThreadCount() / 2);
    m_loginGuard = std::make_unique<LoginGuard>(loginLimits, clock);
    authOptions.loginGuard = m_loginGuard.get();
    authOptions.metrics = m_metrics.get();
    AuthRoutes::install(router, *m_runner, *m_tokens, authOptions);
    BookingRoutes::install(router, *m_runner, *m_guard);
    LeadRoutes::install(router, *m_runner, *m_guard, [this] {
        if (m_outbox)
            m_outbox->wake();
    });
    ChangeRoutes::install(router, *m_runner);
    AdminRoutes::install(router,
        { .runner = m_runner,
            .metrics = m_metrics.get(),
            .smsBreaker = m_smsBreaker,
            .idempotencyWindowSeconds = windowSeconds });

    startOutbox();

    HttpFrontend::Handlers handlers;
    handlers.dispose = [api = m_api.get()](HttpRequest r) { return api->dispose(std::move(r)); };
    handlers.workerHandler = [api = m_api.get()](const RoutedRequest &r) { return api->handle(r); };
    handlers.batchHandler = [api = m_api.get()](std::vector<RoutedRequest> r) {
        return api->handleBatch(std::move(r));
    };
    handlers.maxBodyBytes = m_api->maxBodyBytes();
    handlers.webSocketPath = "/realtime/v1/websocket";
    handlers.rejectEarly
        = [api = m_api.get()](const QByteArray &method, const QByteArray &path,
              const Problem &problem) { return api->rejectEarly(method, path, problem); };
    RealtimeOptions realtimeOptions;
    realtimeOptions.apiKey = m_options.realtimeApiKey;
    realtimeOptions.idleTimeoutMs = m_options.realtimeIdleTimeoutMs;
    realtimeOptions.closeGraceMs = m_options.realtimeCloseGraceMs;
    m_realtime = new RealtimeHub(*m_runner,
        { .tokens = m_tokens.get(),
            .metrics = m_metrics.get(),
            .clock = clock,
            .hub = nullptr, // the hub fills in itself
            .options = realtimeOptions },
        this);
    // On PostgreSQL other instances may share the database: their commits and broadcasts
    // reach our subscribers through LISTEN/NOTIFY.
    if (m_database->dialect().kind() == SqlDialect::Kind::Postgres) {
        m_realtime->setFanout(new PostgresFanout(*m_database, *m_runner, {}, this));
        // The outbox hears of messages other instances queued (or leased and then died
        // holding) through the change log too, not only from its minute-long idle poll.
        connect(m_realtime, &RealtimeHub::outboxRowsChanged, this, [this] {
            if (m_outbox)
                m_outbox->wake();
        });
    }
    m_realtime->start();

    m_http = std::make_unique<HttpListener>(handlers, &m_pool);
    const auto setup = [hub = m_realtime](HttpFrontend *frontend) { hub->attach(frontend); };
    if (!m_http->listen(m_options.host, m_options.port, m_eventLoops, setup, error))
        return false;
    m_port = m_http->port();

    // One purge loop for everything with a retention, oldest rows first, in slices.
    m_purge = std::make_unique<RetentionPurge>(*m_runner);
    m_purge->add({ .name = QStringLiteral("expired idempotency records"),
        .retentionMs = m_options.idempotencyWindowMs,
        .purgeSlice = &IdempotencyStore::purgeCreatedBefore,
        .purged
        = [metrics = m_metrics.get()](int rows) { metrics->recordIdempotencyPurged(rows); } });
    m_purge->add({ .name = QStringLiteral("changes past the retention"),
        .retentionMs = m_options.changeRetentionMs,
        .purgeSlice = &ChangeLog::purgeBefore });
    // A day past their expiry (see RefreshTokenStore::purgeExpiredBefore for why that is safe):
    // a client back just after expiry still hears "expired", not "unknown".
    constexpr qint64 refreshTokenGraceMs = 24LL * 3600 * 1000;
    m_purge->add({ .name = QStringLiteral("expired refresh tokens"),
        .retentionMs = refreshTokenGraceMs,
        .purgeSlice = &RefreshTokenStore::purgeExpiredBefore });
    // Purge often enough that nothing lingers much past its retention.
    const qint64 purgeEvery = m_options.purgeIntervalMs > 0
        ? m_options.purgeIntervalMs
        : std::clamp<qint64>(
            std::min(m_options.idempotencyWindowMs, m_options.changeRetentionMs) / 4, 1000, 60000);
    connect(&m_purgeTimer, &QTimer::timeout, this, &SyncServer::purgeExpired);
    m_purgeTimer.start(int(purgeEvery));
    qCInfo(lcServer).noquote() << "database" << m_database->config().describe();
    return true;
}

void SyncServer::startOutbox()
{
    SmsProvider *provider = nullptr;
    if (m_options.smsGateway.isValid())
        provider = new HttpSmsProvider(m_options.smsGateway, int(m_options.smsTimeoutMs));
    else if (m_options.demo)
        provider = new LoopbackSmsProvider(
            QDir(m_options.dataDir).filePath(QStringLiteral("loopback-sms.jsonl")));
    else
        qCWarning(lcServer) << "no --sms-gateway: SMS messages will be marked failed";

    OutboxWorker::Options options;
    options.maxAttempts = m_options.smsMaxAttempts;
    options.retry = { .baseMs = m_options.smsRetryBaseMs,
        .capMs = std::max<qint64>(m_options.smsRetryBaseMs, 60000) };
    options.leaseMs = m_options.smsTimeoutMs + 5000;
    m_outbox = new OutboxWorker(*m_runner, m_smsBreaker, provider, *m_metrics,
        SystemClock::instance(), SystemRandomSource::instance(), options);
    m_outbox->moveToThread(&m_outboxThread);
    // Emitted on the outbox thread as it ends, before wait() returns: the worker goes first, then
    // the thread's connections.
    connect(
        &m_outboxThread, &QThread::finished, &m_outboxThread,
        [outbox = m_outbox] {
            delete outbox;
            Database::closeThreadConnections();
        },
        Qt::DirectConnection);
    m_outboxThread.setObjectName(QStringLiteral("outbox"));
    m_outboxThread.start();
    m_outbox->wake(); // deliver what a previous run left behind
}

void SyncServer::purgeExpired()
{
    const qint64 now = SystemClock::instance()->nowMs();
    m_pool.start([purge = m_purge.get(), now] { purge->run(now); });
}
