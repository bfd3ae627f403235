#pragma once

class Router;
class TransactionRunner;

// GET /api/changes?since=SEQ&limit=N: the gap fill after a realtime disconnect.
class ChangeRoutes
{
public:
    static void install(Router &router, TransactionRunner &runner);
    static constexpr int defaultLimit = 1000;
};
