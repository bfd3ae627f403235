#pragma once

#include "storageerror.h"

// A compare-and-set update found a newer version than it read: another transaction won the
// race. Transient by nature: the runner re-runs the unit of work, which re-reads the row.
class VersionConflict : public StorageError
{
public:
    explicit VersionConflict(const QString &table);
};
