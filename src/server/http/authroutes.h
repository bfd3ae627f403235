#pragma once

#include <QtGlobal>

class Router;
class TokenService;
class TransactionRunner;

// POST /api/auth/login and POST /api/auth/refresh.
class AuthRoutes
{
public:
    static void install(Router &router, TransactionRunner &runner, const TokenService &tokens);
    static constexpr qint64 refreshTokenTtlMs = 30LL * 24 * 3600 * 1000;
};
