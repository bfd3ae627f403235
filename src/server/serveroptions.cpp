#include "serveroptions.h"

#include "duration.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QStandardPaths>

namespace {

ServerOptionsParseResult usageError(const QString &message)
{
    return { std::nullopt, 2,
        QStringLiteral("syncloopd: %1\nRun 'syncloopd --help' for the options.").arg(message) };
}

std::optional<qint64> durationOption(
    const QCommandLineParser &parser, const QString &name, qint64 fallback, QString *error)
{
    if (!parser.isSet(name))
        return fallback;
    const auto ms = Duration::parseMs(parser.value(name));
    if (!ms || *ms <= 0) {
        *error = QStringLiteral("--%1: \"%2\" is not a duration (e.g. 24h, 30m, 90s, 500ms)")
                     .arg(name, parser.value(name));
        return std::nullopt;
    }
    return ms;
}

std::optional<int> intOption(const QCommandLineParser &parser, const QString &name, int fallback,
    int min, int max, QString *error)
{
    if (!parser.isSet(name))
        return fallback;
    bool ok = false;
    const int value = parser.value(name).toInt(&ok);
    if (!ok || value < min || value > max) {
        *error = QStringLiteral("--%1 must be a whole number from %2 to %3")
                     .arg(name)
                     .arg(min)
                     .arg(max);
        return std::nullopt;
    }
    return value;
}

} // namespace

ServerOptionsParseResult ServerOptions::parse(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "syncloop sync server: REST API with idempotency keys, transactional storage, SMS outbox "
        "and realtime change feed."));
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption version = parser.addVersionOption();
    parser.addOptions({
        { QStringLiteral("listen"),
            QStringLiteral("Address and port to listen on (default 127.0.0.1:8080)."),
            QStringLiteral("host:port") },
        { QStringLiteral("port"), QStringLiteral("Port on 127.0.0.1; 0 picks a free one."),
            QStringLiteral("port") },
        { QStringLiteral("data-dir"),
            QStringLiteral("Directory for the database and secrets (default: the platform's app "
                           "data location)."),
            QStringLiteral("dir") },
        { QStringLiteral("database"),
            QStringLiteral("sqlite:PATH (default: syncloop.sqlite in the data directory) or "
                           "postgres://USER@HOST[:PORT]/DB (no password in the URL)."),
            QStringLiteral("url") },
        { QStringLiteral("database-password-file"),
            QStringLiteral("PostgreSQL: file whose first line is the password (mode 0600; without "
                           "it libpq reads PGPASSFILE or ~/.pgpass)."),
            QStringLiteral("file") },
        { QStringLiteral("durability"),
            QStringLiteral(
                "full (default): every commit is fsynced before its answer leaves. "
                "relaxed: no fsync per commit (SQLite synchronous=NORMAL, PostgreSQL "
                "synchronous_commit=off): "
                "faster, and safe if syncloopd crashes, but a power cut or OS crash (with "
                "PostgreSQL, also a database crash) can erase writes "
                "already answered 200/202, with their idempotency key records, so a client that "
                "deleted its queue entry loses the change."),
            QStringLiteral("full|relaxed") },
        { QStringLiteral("sqlite-synchronous-full"),
            QStringLiteral("Deprecated: full durability is the default (--durability full).") },
        { QStringLiteral("demo"),
            QStringLiteral(
                "Seed an empty database with a demo organisation, users, bookings and leads.") },
        { QStringLiteral("demo-bookings"), QStringLiteral("Number of demo bookings (default 60)."),
            QStringLiteral("n") },
        { QStringLiteral("metrics-token-file"),
            QStringLiteral("File holding a bearer token that may read /metrics (besides an admin's "
                           "access token), for scrapers."),
            QStringLiteral("file") },
        { QStringLiteral("jwt-secret-file"),
            QStringLiteral("File holding the HS256 signing secret (>= 32 bytes; default: generated "
                           "in the data directory)."),
            QStringLiteral("file") },
        { QStringLiteral("realtime-apikey"),
            QStringLiteral("Public API key realtime clients must present (default with --demo: "
                           "demo-anon-key)."),
            QStringLiteral("key") },
        { QStringLiteral("realtime-idle-timeout"),
            QStringLiteral("Drop realtime sockets silent this long (default 60s)."),
            QStringLiteral("duration") },
        { QStringLiteral("realtime-close-grace"),
            QStringLiteral("Cut a realtime socket whose client has not taken our close frame after "
                           "this long (default 10s)."),
            QStringLiteral("duration") },
        { QStringLiteral("idempotency-window"),
            QStringLiteral("How long idempotency keys are kept (default 24h)."),
            QStringLiteral("duration") },
        { QStringLiteral("access-token-ttl"),
            QStringLiteral("How long an access token lasts (default 15m, at least 2s); clients "
                           "refresh at about 80 %."),
            QStringLiteral("duration") },
        { QStringLiteral("refresh-reuse-interval"),
            QStringLiteral(
                "A rotated refresh token presented again within this interval gets the same "
                "successor (a lost reply, two clients sharing one session); later, its whole "
                "session family is signed out. 0 turns the grace off (default 10s)."),
            QStringLiteral("duration") },
        { QStringLiteral("change-retention"),
            QStringLiteral(
                "How long the change history behind GET /api/changes is kept (default 30d, at "
                "least 1s). "
                "A client that was away longer reloads its data instead of catching up."),
            QStringLiteral("duration") },
        { QStringLiteral("login-attempts-per-account"),
            QStringLiteral("Failed logins allowed per account within --login-attempt-window; more "
                           "are answered 429 with Retry-After, without hashing (default 10)."),
            QStringLiteral("n") },
        { QStringLiteral("login-attempts-per-address"),
            QStringLiteral(
                "Failed logins allowed per source address (IPv6: per /64) within the window "
                "(default 100; behind a reverse proxy every client shares the proxy's address)."),
            QStringLiteral("n") },
        { QStringLiteral("login-attempt-window"),
            QStringLiteral("The sliding window of the login limits (default 15m)."),
            QStringLiteral("duration") },
        { QStringLiteral("password-hash-concurrency"),
            QStringLiteral("Password hashes (Argon2id, 64 MiB each) computed at once; logins "
                           "beyond it get 503 with Retry-After, so they cannot take every worker "
                           "thread (default: half the worker threads, at least 1)."),
            QStringLiteral("n") },
        { QStringLiteral("sms-gateway"),
            QStringLiteral("HTTP endpoint of the SMS provider (JSON POST; see README)."),
            QStringLiteral("url") },
        { QStringLiteral("sms-timeout"),
            QStringLiteral("Timeout of one call to the SMS provider (default 10s)."),
            QStringLiteral("duration") },
        { QStringLiteral("sms-max-attempts"),
            QStringLiteral("Attempts before an SMS is marked failed (default 8)."),
            QStringLiteral("n") },
        { QStringLiteral("sms-retry-base"),
            QStringLiteral("Base delay of the SMS retry backoff (default 1s)."),
            QStringLiteral("duration") },
        { QStringLiteral("sms-breaker-open"),
            QStringLiteral("How long the SMS circuit breaker stays open (default 30s)."),
            QStringLiteral("duration") },
        { QStringLiteral("worker-threads"),
            QStringLiteral("Request worker threads (default: one per core, at least 2)."),
            QStringLiteral("n") },
        { QStringLiteral("event-loops"),
            QStringLiteral("HTTP/WebSocket event-loop threads sharing the port (default: one per "
                           "core but one, at least 1)."),
            QStringLiteral("n") },
    });
    // How often expired keys, changes and refresh tokens are purged: an operational knob for
    // tests with tiny retentions, so not in --help.
    QCommandLineOption purgeInterval(QStringLiteral("purge-interval"),
        QStringLiteral(
            "How often to purge (default: a quarter of the shortest retention, 1s to 60s)."),
        QStringLiteral("duration"));
    purgeInterval.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(purgeInterval);
    if (!parser.parse(arguments))
        return usageError(parser.errorText());
    if (parser.isSet(help))
        return { std::nullopt, 0, parser.helpText() };
    if (parser.isSet(version))
        return { std::nullopt, 0,
            QStringLiteral("syncloopd %1").arg(QStringLiteral(SYNCLOOP_VERSION)) };
    if (!parser.positionalArguments().isEmpty())
        return usageError(
            QStringLiteral("unexpected argument \"%1\"").arg(parser.positionalArguments().first()));

    ServerOptions o;
    QString error;
    if (parser.isSet(QStringLiteral("listen")) && parser.isSet(QStringLiteral("port")))
        return usageError(QStringLiteral("use either --listen or --port, not both"));
    if (parser.isSet(QStringLiteral("listen"))) {
        const QString value = parser.value(QStringLiteral("listen"));
        const qsizetype colon = value.lastIndexOf(QLatin1Char(':'));
        bool ok = false;
        const uint port = colon > 0 ? value.mid(colon + 1).toUInt(&ok) : 0;
        QString host = colon > 0 ? value.left(colon) : QString();
        if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
            host = host.mid(1, host.size() - 2);
        const QHostAddress address(host);
        if (!ok || port > 65535 || address.isNull())
            return usageError(QStringLiteral(
                "--listen: \"%1\" is not HOST:PORT with a numeric address, e.g. 127.0.0.1:8080")
                                  .arg(value));
        o.host = address;
        o.port = quint16(port);
    }
    if (parser.isSet(QStringLiteral("port"))) {
        bool ok = false;
        const uint port = parser.value(QStringLiteral("port")).toUInt(&ok);
        if (!ok || port > 65535)
            return usageError(QStringLiteral("--port must be a number from 0 to 65535"));
        o.port = quint16(port);
    }
    o.dataDir = parser.isSet(QStringLiteral("data-dir"))
        ? parser.value(QStringLiteral("data-dir"))
        : QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    if (o.dataDir.isEmpty())
        return usageError(QStringLiteral("no data directory: pass --data-dir DIR"));
    const auto database
        = DatabaseConfig::parse(parser.value(QStringLiteral("database")), o.dataDir, &error);
    if (!database)
        return usageError(error);
    o.database = *database;
    if (parser.isSet(QStringLiteral("database-password-file"))) {
        if (o.database.kind != SqlDialect::Kind::Postgres)
            return usageError(
                QStringLiteral("--database-password-file is for a postgres:// --database"));
        o.database.passwordFile = parser.value(QStringLiteral("database-password-file"));
        if (o.database.passwordFile.isEmpty())
            return usageError(QStringLiteral("--database-password-file needs a file name"));
    }
    if (parser.isSet(QStringLiteral("durability"))) {
        const QString durability = parser.value(QStringLiteral("durability"));
        if (durability == QLatin1String("full"))
            o.database.durability = DatabaseConfig::Durability::Full;
        else if (durability == QLatin1String("relaxed"))
            o.database.durability = DatabaseConfig::Durability::Relaxed;
        else
            return usageError(
                QStringLiteral("--durability: \"%1\" is neither full nor relaxed").arg(durability));
    }
    if (parser.isSet(QStringLiteral("sqlite-synchronous-full"))
        && o.database.durability != DatabaseConfig::Durability::Full)
        return usageError(QStringLiteral(
            "--sqlite-synchronous-full (deprecated) contradicts --durability relaxed"));
    o.demo = parser.isSet(QStringLiteral("demo"));
    const auto bookings
        = intOption(parser, QStringLiteral("demo-bookings"), 60, 2, 1'000'000, &error);
    const auto attempts = intOption(parser, QStringLiteral("sms-max-attempts"), 8, 1, 100, &error);
    const auto threads = intOption(parser, QStringLiteral("worker-threads"), 0, 1, 256, &error);
    const auto loops = intOption(parser, QStringLiteral("event-loops"), 0, 1, 64, &error);
    const auto window = durationOption(
        parser, QStringLiteral("idempotency-window"), o.idempotencyWindowMs, &error);
    const auto smsTimeout
        = durationOption(parser, QStringLiteral("sms-timeout"), o.smsTimeoutMs, &error);
    const auto retryBase
        = durationOption(parser, QStringLiteral("sms-retry-base"), o.smsRetryBaseMs, &error);
    const auto breakerOpen
        = durationOption(parser, QStringLiteral("sms-breaker-open"), o.smsBreakerOpenMs, &error);
    const auto idle = durationOption(
        parser, QStringLiteral("realtime-idle-timeout"), o.realtimeIdleTimeoutMs, &error);
    const auto closeGrace = durationOption(
        parser, QStringLiteral("realtime-close-grace"), o.realtimeCloseGraceMs, &error);
    const auto accessTtl
        = durationOption(parser, QStringLiteral("access-token-ttl"), o.accessTokenTtlMs, &error);
    const auto perAccount = intOption(parser, QStringLiteral("login-attempts-per-account"),
        o.loginAttemptsPerAccount, 1, 1'000'000, &error);
    const auto perAddress = intOption(parser, QStringLiteral("login-attempts-per-address"),
        o.loginAttemptsPerAddress, 1, 1'000'000, &error);
    const auto loginWindow = durationOption(
        parser, QStringLiteral("login-attempt-window"), o.loginAttemptWindowMs, &error);
    const auto hashes
        = intOption(parser, QStringLiteral("password-hash-concurrency"), 0, 1, 256, &error);
    if (!bookings || !attempts || !threads || !loops || !window || !smsTimeout || !retryBase
        || !breakerOpen || !idle || !closeGrace || !accessTtl || !perAccount || !perAddress
        || !loginWindow || !hashes)
        return usageError(error);
    // JWT expiry is in whole seconds; below 2 s a client could not refresh before it ends.
    if (*accessTtl < 2000)
        return usageError(QStringLiteral("--access-token-ttl must be at least 2s"));
    o.accessTokenTtlMs = *accessTtl;
    o.loginAttemptsPerAccount = *perAccount;
    o.loginAttemptsPerAddress = *perAddress;
    o.loginAttemptWindowMs = *loginWindow;
    o.passwordHashConcurrency = *hashes;
    if (parser.isSet(QStringLiteral("refresh-reuse-interval"))) {
        const QString value = parser.value(QStringLiteral("refresh-reuse-interval"));
        const auto reuse
            = value == QLatin1String("0") ? std::optional<qint64>(0) : Duration::parseMs(value);
        if (!reuse || *reuse < 0 || *reuse > 300000)
            return usageError(QStringLiteral(
                "--refresh-reuse-interval: \"%1\" is not a duration from 0 to 5m (e.g. 10s, 500ms)")
                                  .arg(value));
        o.refreshReuseIntervalMs = *reuse;
    }
    if (*window < 1000)
        return usageError(QStringLiteral("--idempotency-window must be at least 1s"));
    const auto retention
        = durationOption(parser, QStringLiteral("change-retention"), o.changeRetentionMs, &error);
    const auto purgeEvery
        = durationOption(parser, QStringLiteral("purge-interval"), o.purgeIntervalMs, &error);
    if (!retention || !purgeEvery)
        return usageError(error);
    // Tests use seconds; in production anything under days only makes clients reload more often.
    if (*retention < 1000)
        return usageError(QStringLiteral("--change-retention must be at least 1s"));
    if (parser.isSet(QStringLiteral("purge-interval"))
        && (*purgeEvery < 100 || *purgeEvery > 3600000))
        return usageError(QStringLiteral("--purge-interval must be from 100ms to 1h"));
    o.changeRetentionMs = *retention;
    o.purgeIntervalMs = *purgeEvery;
    o.demoBookings = *bookings;
    o.smsMaxAttempts = *attempts;
    o.workerThreads = *threads;
    o.eventLoops = *loops;
    o.idempotencyWindowMs = *window;
    o.smsTimeoutMs = *smsTimeout;
    o.smsRetryBaseMs = *retryBase;
    o.smsBreakerOpenMs = *breakerOpen;
    o.realtimeIdleTimeoutMs = *idle;
    o.realtimeCloseGraceMs = *closeGrace;
    o.jwtSecretFile = parser.value(QStringLiteral("jwt-secret-file"));
    if (parser.isSet(QStringLiteral("metrics-token-file"))) {
        QFile file(parser.value(QStringLiteral("metrics-token-file")));
        if (!file.open(QIODevice::ReadOnly))
            return usageError(QStringLiteral("--metrics-token-file: cannot read %1: %2")
                                  .arg(file.fileName(), file.errorString()));
        o.metricsToken = file.read(4096).trimmed();
        if (o.metricsToken.size() < 16)
            return usageError(
                QStringLiteral("--metrics-token-file: the token must be at least 16 characters"));
    }
    o.realtimeApiKey = parser.value(QStringLiteral("realtime-apikey"));
    if (o.realtimeApiKey.isEmpty() && o.demo)
        o.realtimeApiKey = QStringLiteral("demo-anon-key");
    if (parser.isSet(QStringLiteral("sms-gateway"))) {
        o.smsGateway = QUrl(parser.value(QStringLiteral("sms-gateway")), QUrl::StrictMode);
        if (!o.smsGateway.isValid()
            || (o.smsGateway.scheme() != QLatin1String("http")
                && o.smsGateway.scheme() != QLatin1String("https"))
            || o.smsGateway.host().isEmpty())
            return usageError(QStringLiteral("--sms-gateway must be an http:// or https:// URL"));
    }
    return { o, 0, {} };
}
