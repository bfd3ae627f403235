#include "versionconflict.h"

VersionConflict::VersionConflict(const QString &table)
    : StorageError(QSqlError(QStringLiteral("row changed concurrently"), QString(),
                       QSqlError::TransactionError),
        Kind::Transient, table)
{ }
