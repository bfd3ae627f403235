#include "bookingstore.h"

BookingStore::BookingStore(QObject *parent)
    : RowStore(QStringLiteral("bookings"),
        { "customer_name", "service", "starts_at", "status", "updated_at", "owner_id" }, parent)
{ }
