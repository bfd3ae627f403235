#pragma once

class IdempotencyGuard;
class Router;
class TransactionRunner;

// GET /api/bookings, GET /api/bookings/{id}, POST /api/bookings/confirm, POST /api/bookings/delete.
class BookingRoutes
{
public:
    static void install(Router &router, TransactionRunner &runner, IdempotencyGuard &guard);
};
