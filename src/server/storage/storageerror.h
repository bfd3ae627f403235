#pragma once

#include <QSqlError>
#include <QString>

#include <stdexcept>

// Thrown by the storage layer when a statement fails. `transient` errors (SQLite busy/locked,
// PostgreSQL serialization failures and deadlocks) are retried by TransactionRunner.
class StorageError : public std::runtime_error
{
public:
    StorageError(const QSqlError &error, bool transient, const QString &context);

    const QSqlError &sqlError() const { return m_error; }
    bool isTransient() const { return m_transient; }

private:
    QSqlError m_error;
    bool m_transient;
};
