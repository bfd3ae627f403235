#pragma once

#include <QByteArray>
#include <QtGlobal>

class LoginGuard;
class Router;
class ServerMetrics;
class TokenService;
class TransactionRunner;

// POST /api/auth/login and POST /api/auth/refresh.
class AuthRoutes
{
public:
    struct Options
    {
        qint64 refreshTokenTtlMs = 30LL * 24 * 3600 * 1000;
        // A rotated refresh token presented again within this interval gets the same successor
        // (a lost reply, or the app and syncloopctl sharing one keychain entry); later, the
        // whole family is revoked. 0: no grace.
        qint64 refreshReuseIntervalMs = 10000;
        QByteArray refreshSuccessorKey; // HMAC key for successors; derived from the server secret
        LoginGuard *loginGuard = nullptr; // failed-attempt limits and hashing slots; required
        ServerMetrics *metrics = nullptr; // required
    };

    static void install(Router &router, TransactionRunner &runner, const TokenService &tokens,
        const Options &options);
};
