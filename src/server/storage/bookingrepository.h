#pragma once

#include "booking.h"

#include <QList>
#include <optional>

class Transaction;
struct Principal;

// Bookings as the caller may see them; every write bumps `version` and logs the change.
class BookingRepository
{
public:
    static QList<Booking> visible(Transaction &tx, const Principal &principal);
    static std::optional<Booking> findVisible(
        Transaction &tx, const Principal &principal, const QString &id);
    // Writes `changed` over `current` if nobody else changed it meanwhile (compare-and-set on
    // version), logging an UPDATE. Returns the stored row.
    static Booking update(Transaction &tx, const Booking &current, Booking changed);
    static void remove(Transaction &tx, const Booking &current);
    static void insert(Transaction &tx, const Booking &booking);
};
