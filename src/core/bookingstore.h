#pragma once

#include "rowstore.h"

// The bookings the signed-in user may see.
class BookingStore : public RowStore
{
    Q_OBJECT
public:
    enum Role {
        CustomerNameRole = FirstFieldRole,
        ServiceRole,
        StartsAtRole,
        StatusRole,
        UpdatedAtRole,
        OwnerIdRole
    };

    explicit BookingStore(QObject *parent = nullptr);
};
