#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <optional>

// One entry of a join's config.postgres_changes: which table, which events, and an optional
// single-condition filter `column=op.value` (op: eq, neq, lt, lte, gt, gte, in). Filters are
// evaluated in memory against the change's record, never turned into SQL.
class PostgresBinding
{
public:
    enum class Operator { Eq, Neq, Lt, Lte, Gt, Gte, In };

    // nullopt + *error ("UnknownTable: ...", "InvalidFilter: ...") for what we cannot serve,
    // including a filter value that is no literal of its column's type.
    static std::optional<PostgresBinding> parse(const QJsonObject &entry, QString *error);

    // The entry as the client sent it, plus our numeric id: the join reply echoes this.
    QJsonObject echo() const;
    int id() const { return m_id; }
    QString table() const { return m_table; }

    // Whether a change (table and type as indices, see below) with this record passes.
    bool matches(int tableIndex, int typeIndex, const QJsonObject &record,
        const QJsonObject &oldRecord) const;

    static const QStringList &tables();
    static int tableIndex(const QString &table); // -1 when unknown
    static int typeIndex(const QString &type); // INSERT 0, UPDATE 1, DELETE 2, else -1

private:
    bool filterPasses(const QJsonObject &row) const;

    QJsonObject m_original;
    QString m_event; // upper-cased; "*" for all
    QString m_table;
    int m_tableIndex = -1; // -1: all tables
    int m_typeIndex = -1; // -1: all events
    bool m_hasFilter = false;
    QString m_column;
    Operator m_operator = Operator::Eq;
    QStringList m_values;
    int m_id = 0;
};
