#pragma once

#include "auth/principal.h"
#include "sqlquery.h"
#include "transaction.h"

#include <QList>
#include <optional>

// The two reads every table of rows shares: the rows the principal may see, and one of them by
// id. `select` is "SELECT <columns> FROM <table> "; `fromRow` reads one result row.
namespace VisibleRows {

template<typename Row>
QList<Row> all(Transaction &tx, const Principal &principal, const QString &select,
    const QString &orderBy, Row (*fromRow)(const SqlQuery &))
{
    SqlQuery q = tx.query(select + QStringLiteral("WHERE ") + principal.visibilitySql()
        + QStringLiteral(" ORDER BY ") + orderBy);
    for (const QVariant &v : principal.visibilityBinds())
        q.bind(v);
    q.exec();
    QList<Row> out;
    while (q.next())
        out.append(fromRow(q));
    return out;
}

template<typename Row>
std::optional<Row> byId(Transaction &tx, const Principal &principal, const QString &select,
    const QString &id, Row (*fromRow)(const SqlQuery &))
{
    SqlQuery q = tx.query(select + QStringLiteral("WHERE id = ? AND ") + principal.visibilitySql());
    q.bind(id);
    for (const QVariant &v : principal.visibilityBinds())
        q.bind(v);
    q.exec();
    if (!q.next())
        return std::nullopt;
    return fromRow(q);
}

} // namespace VisibleRows
