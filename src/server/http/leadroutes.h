#pragma once

#include <functional>

class IdempotencyGuard;
class Router;
class TransactionRunner;

// GET /api/leads, GET /api/leads/{id}, POST /api/leads/status, POST /api/leads/send-sms.
class LeadRoutes
{
public:
    // `smsQueued` runs after the commit of every send-sms that wrote an outbox row.
    static void install(Router &router, TransactionRunner &runner, IdempotencyGuard &guard,
        std::function<void()> smsQueued);

    static constexpr int maxSmsLength = 1600; // ten concatenated segments
};
