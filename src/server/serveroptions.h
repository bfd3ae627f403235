#pragma once

#include "storage/databaseconfig.h"

#include <QHostAddress>
#include <QStringList>
#include <QUrl>
#include <optional>

struct ServerOptionsParseResult;

// syncloopd's command line (DESIGN.md "Server command line", plus the SMS delivery knobs).
struct ServerOptions
{
    QHostAddress host = QHostAddress::LocalHost;
    quint16 port = 8080;
    QString dataDir;
    DatabaseConfig database;
    bool demo = false;
    int demoBookings = 60;
    QString jwtSecretFile;
    QByteArray metricsToken; // from --metrics-token-file: a bearer for scrapers; never logged
    QString realtimeApiKey;
    qint64 realtimeIdleTimeoutMs = 60000;
    qint64 realtimeCloseGraceMs = 10000; // a peer that does not take our close is cut after this
    qint64 idempotencyWindowMs = 24LL * 3600 * 1000;
    qint64 accessTokenTtlMs = 15LL * 60 * 1000;
    qint64 refreshReuseIntervalMs = 10000; // a rotated refresh token's grace (0: none)
    qint64 changeRetentionMs
        = 30LL * 24 * 3600 * 1000; // change_log rows older than this are purged
    qint64 purgeIntervalMs
        = 0; // 0: from the shortest retention (hidden --purge-interval, for tests)
    int loginAttemptsPerAccount = 10; // failed logins per account within the window
    int loginAttemptsPerAddress = 100; // failed logins per source address within the window
    qint64 loginAttemptWindowMs = 15LL * 60 * 1000;
    int passwordHashConcurrency = 0; // 0 = half the worker threads, at least 1
    QUrl smsGateway;
    qint64 smsTimeoutMs = 10000;
    int smsMaxAttempts = 8;
    qint64 smsRetryBaseMs = 1000;
    qint64 smsBreakerOpenMs = 30000;
    int workerThreads = 0; // 0 = one per core, at least 2
    int eventLoops = 0; // 0 = one per core but one, at least 1

    static ServerOptionsParseResult parse(const QStringList &arguments);
};

struct ServerOptionsParseResult
{
    std::optional<ServerOptions> options;
    int exitCode = 0; // when options is empty: 0 after --help/--version, 2 on bad usage
    QString message; // what to print (stdout for help/version, stderr for errors)
};
