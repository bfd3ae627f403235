#pragma once

#include <QString>

class TransactionRunner;

// The demo organisation: agents agent1@ and agent2@example.com (each owning half of the rows),
// admin@example.com, all with password "syncloop-demo"; bookings and leads. Seeds only an
// empty database, so a restart with --demo keeps every change.
class DemoSeed
{
public:
    static constexpr const char *password = "syncloop-demo";
    static constexpr int leadCount = 24;

    // Returns false when the database already held data (nothing was written).
    static bool seedIfEmpty(TransactionRunner &runner, int bookings);
};
