#pragma once

#include <QtGlobal>

class CircuitBreaker;
class Router;
class ServerMetrics;
class TransactionRunner;

// GET /api/admin/sync-health (admin JSON), GET /metrics (Prometheus text), GET /healthz.
class AdminRoutes
{
public:
    struct Sources
    {
        TransactionRunner *runner = nullptr;
        ServerMetrics *metrics = nullptr;
        const CircuitBreaker *smsBreaker = nullptr;
        qint64 idempotencyWindowSeconds = 86400;
    };

    static void install(Router &router, Sources sources);
};
