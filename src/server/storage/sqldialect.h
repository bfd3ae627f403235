#pragma once

#include "storageerror.h"

#include <QString>

class QSqlError;

// The few places where SQLite and PostgreSQL differ. Everything else is plain SQL both accept.
class SqlDialect
{
public:
    enum class Kind { Sqlite, Postgres };

    explicit SqlDialect(Kind kind)
        : m_kind(kind)
    { }

    Kind kind() const { return m_kind; }
    QString driverName() const;
    // SQLite must take the write lock up front, or two readers upgrading deadlock into BUSY.
    QString beginWriteStatement() const;
    // A read sees one snapshot from its first statement to its end, so a list's rows and the
    // change seq read beside them agree (PostgreSQL's default, READ COMMITTED, takes a new
    // snapshot per statement: a change committed between the two would be counted in the seq
    // yet missing from the rows, and the client's next gap fill would start past it).
    // SQLite's deferred transaction already reads one WAL snapshot.
    QString beginReadStatement() const;
    // SQLite has one writer; serialising writers inside the process avoids lock churn.
    bool serialisesWriters() const { return m_kind == Kind::Sqlite; }
    bool isTransient(const QSqlError &error) const;
    StorageError::Kind errorKind(const QSqlError &error) const
    {
        return isTransient(error) ? StorageError::Kind::Transient : StorageError::Kind::Permanent;
    }
    // Fills the DDL layout hints: {sequence_key} (a 64-bit key that is SQLite's rowid, so the
    // change log needs no second b-tree) and {clustered} (WITHOUT ROWID on SQLite, so a table
    // keyed by text is one b-tree). Each saves a page write per commit.
    QString expand(QString ddl) const;
    bool isUniqueViolation(const QSqlError &error) const;

private:
    Kind m_kind;
};
