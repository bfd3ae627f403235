#pragma once

#include <QSqlError>
#include <QString>
#include <stdexcept>

// Thrown by the storage layer when a statement fails. `transient` errors (SQLite busy/locked,
// PostgreSQL serialization failures and deadlocks) are retried by TransactionRunner.
class StorageError : public std::runtime_error
{
public:
    enum class Kind {
        Permanent,
        Transient, // worth retrying the whole transaction
    };

    StorageError(const QSqlError &error, Kind kind, const QString &context);

    const QSqlError &sqlError() const { return m_error; }
    bool isTransient() const { return m_kind == Kind::Transient; }

private:
    QSqlError m_error;
    Kind m_kind;
};
