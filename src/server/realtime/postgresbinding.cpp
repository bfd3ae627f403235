#include "postgresbinding.h"

#include "storage/changelog.h"
#include "wireformat.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QUuid>

namespace {

const QStringList knownTables { QStringLiteral("bookings"), QStringLiteral("leads"),
    QStringLiteral("sms_messages") };

// The types `column` has in the tables `table` names ("*": all); empty when none has it.
QStringList columnTypes(const QString &table, const QString &column)
{
    const QStringList candidates
        = table == QLatin1String("*") ? knownTables : QStringList { table };
    QStringList types;
    for (const QString &t : candidates) {
        for (const QJsonValue &c : ChangeLog::columnsOf(t)) {
            const QJsonObject described = c.toObject();
            const QString type = described.value(QLatin1String("type")).toString();
            if (described.value(QLatin1String("name")).toString() == column
                && !types.contains(type))
                types.append(type);
        }
    }
    return types;
}

const QString nilUuid = QStringLiteral("00000000-0000-0000-0000-000000000000");

// A time filter's value: ISO 8601 date-time or date; without an offset it is UTC, as
// Postgres sessions here use. Invalid when it is neither.
QDateTime filterTime(const QString &value)
{
    QDateTime t = QDateTime::fromString(value, Qt::ISODateWithMs);
    if (!t.isValid())
        t = QDateTime(QDate::fromString(value, Qt::ISODate), QTime(0, 0));
    if (t.isValid() && t.timeSpec() == Qt::LocalTime)
        t.setTimeSpec(Qt::UTC);
    return t;
}

// Whether `value` reads as a literal of `type`. Postgres casts a filter's value to the
// column's type and refuses the subscription when it does not fit; without this check
// `version=neq.abc` would compare as "not comparable" and match every row.
bool fitsType(const QString &value, const QString &type)
{
    bool ok = false;
    if (type == QLatin1String("int8"))
        value.toLongLong(&ok);
    else if (type == QLatin1String("int4"))
        value.toInt(&ok);
    else if (type == QLatin1String("uuid"))
        ok = !QUuid::fromString(value).isNull() || value == nilUuid;
    else if (type == QLatin1String("timestamptz"))
        ok = filterTime(value).isValid();
    else
        ok = true; // text
    return ok;
}

// Records carry uuids in canonical form (lower case, no braces) and times as fixed-width UTC
// ISO text with milliseconds; so must the values they are compared with as text, or
// "09:00:00Z" would not equal "09:00:00.000Z" nor sort with it.
QString canonicalValue(const QString &value, const QStringList &types)
{
    if (types == QStringList { QStringLiteral("uuid") })
        return QUuid::fromString(value).toString(QUuid::WithoutBraces);
    if (types == QStringList { QStringLiteral("timestamptz") })
        return WireFormat::timestamp(filterTime(value));
    return value;
}

// Numbers compare as numbers, everything else as text (the record's JSON type decides).
int compare(const QJsonValue &field, const QString &value, bool *comparable)
{
    *comparable = true;
    if (field.isDouble()) {
        bool ok = false;
        const double v = value.toDouble(&ok);
        if (!ok) {
            *comparable = false;
            return 0;
        }
        const double f = field.toDouble();
        return f < v ? -1 : (f > v ? 1 : 0);
    }
    if (field.isBool())
        return QString::fromLatin1(field.toBool() ? "true" : "false").compare(value);
    if (field.isString())
        return field.toString().compare(value);
    *comparable = false; // null, object, array: no ordering against text
    return 0;
}

} // namespace

const QStringList &PostgresBinding::tables()
{
    return knownTables;
}

int PostgresBinding::tableIndex(const QString &table)
{
    return int(knownTables.indexOf(table));
}

int PostgresBinding::typeIndex(const QString &type)
{
    static const QStringList types { QStringLiteral("INSERT"), QStringLiteral("UPDATE"),
        QStringLiteral("DELETE") };
    return int(types.indexOf(type));
}

std::optional<PostgresBinding> PostgresBinding::parse(const QJsonObject &entry, QString *error)
{
    PostgresBinding b;
    b.m_original = entry;
    const QJsonValue event = entry.value(QLatin1String("event"));
    const QJsonValue schema = entry.value(QLatin1String("schema"));
    const QJsonValue table = entry.value(QLatin1String("table"));
    const QJsonValue filter = entry.value(QLatin1String("filter"));
    if (!event.isString() || (!schema.isUndefined() && !schema.isString())
        || (!table.isUndefined() && !table.isString())
        || (!filter.isUndefined() && !filter.isNull() && !filter.isString())) {
        *error = QStringLiteral(
            "InvalidBinding: event must be a string; schema, table and filter strings");
        return std::nullopt;
    }
    b.m_event = event.toString().toUpper();
    if (b.m_event != QLatin1String("*") && b.m_event != QLatin1String("INSERT")
        && b.m_event != QLatin1String("UPDATE") && b.m_event != QLatin1String("DELETE")) {
        *error = QStringLiteral("InvalidBinding: event must be *, INSERT, UPDATE or DELETE");
        return std::nullopt;
    }
    const QString schemaName = schema.toString(QStringLiteral("public"));
    if (schemaName != QLatin1String("public") && schemaName != QLatin1String("*")) {
        *error = QStringLiteral("UnknownSchema: only the public schema exists");
        return std::nullopt;
    }
    b.m_table = table.toString(QStringLiteral("*"));
    if (b.m_table != QLatin1String("*") && !knownTables.contains(b.m_table)) {
        *error = QStringLiteral("UnknownTable: %1 (available: %2)")
                     .arg(b.m_table.left(64), knownTables.join(QStringLiteral(", ")));
        return std::nullopt;
    }
    const QString filterText = filter.toString();
    if (!filterText.trimmed().isEmpty()) {
        const qsizetype equals = filterText.indexOf(QLatin1Char('='));
        const qsizetype dot = equals < 0 ? -1 : filterText.indexOf(QLatin1Char('.'), equals);
        if (equals <= 0 || dot < 0) {
            *error = QStringLiteral("InvalidFilter: expected column=operator.value");
            return std::nullopt;
        }
        b.m_column = filterText.left(equals).trimmed();
        const QString op = filterText.mid(equals + 1, dot - equals - 1);
        const QString value = filterText.mid(dot + 1);
        static const QStringList operators { QStringLiteral("eq"), QStringLiteral("neq"),
            QStringLiteral("lt"), QStringLiteral("lte"), QStringLiteral("gt"),
            QStringLiteral("gte"), QStringLiteral("in") };
        const qsizetype opIndex = operators.indexOf(op);
        if (opIndex < 0) {
            *error = QStringLiteral("InvalidFilter: unknown operator \"%1\"").arg(op.left(16));
            return std::nullopt;
        }
        const QStringList types = columnTypes(b.m_table, b.m_column);
        if (types.isEmpty()) {
            *error
                = QStringLiteral("InvalidFilter: unknown column \"%1\"").arg(b.m_column.left(64));
            return std::nullopt;
        }
        b.m_operator = static_cast<Operator>(opIndex);
        QStringList values;
        if (b.m_operator == Operator::In) {
            if (!value.startsWith(QLatin1Char('(')) || !value.endsWith(QLatin1Char(')'))
                || value.size() < 2) {
                *error = QStringLiteral("InvalidFilter: in expects in.(a,b,c)");
                return std::nullopt;
            }
            for (const QString &v : value.mid(1, value.size() - 2).split(QLatin1Char(',')))
                values.append(v.trimmed().remove(QLatin1Char('"')));
            if (values.size() > 100) {
                *error = QStringLiteral("InvalidFilter: at most 100 values in in.(...)");
                return std::nullopt;
            }
        } else {
            values = { value };
        }
        for (const QString &v : std::as_const(values)) {
            for (const QString &type : types) {
                if (!fitsType(v, type)) {
                    *error = QStringLiteral("InvalidFilter: \"%1\" is not a valid %2 for column %3")
                                 .arg(v.left(64), type, b.m_column.left(64));
                    return std::nullopt;
                }
            }
            b.m_values.append(canonicalValue(v, types));
        }
        b.m_hasFilter = true;
    }
    b.m_tableIndex = tableIndex(b.m_table);
    b.m_typeIndex = typeIndex(b.m_event);
    // A stable id per distinct binding, as Supabase does: identical bindings share it.
    const QByteArray canonical = QJsonDocument(entry).toJson(QJsonDocument::Compact);
    const QByteArray digest = QCryptographicHash::hash(canonical, QCryptographicHash::Sha256);
    quint32 bits = 0;
    for (int i = 0; i < 4; ++i)
        bits = (bits << 8) | static_cast<quint8>(digest.at(i));
    b.m_id = static_cast<int>(bits & 0x3fffffff);
    return b;
}

QJsonObject PostgresBinding::echo() const
{
    QJsonObject out = m_original;
    out.insert(QStringLiteral("id"), m_id);
    return out;
}

bool PostgresBinding::matches(
    int tableIndex, int typeIndex, const QJsonObject &record, const QJsonObject &oldRecord) const
{
    if (m_tableIndex >= 0 && tableIndex != m_tableIndex)
        return false;
    if (m_typeIndex >= 0 && typeIndex != m_typeIndex)
        return false;
    if (!m_hasFilter)
        return true;
    return filterPasses(typeIndex == 2 ? oldRecord : record); // DELETE: the row as it was
}

bool PostgresBinding::filterPasses(const QJsonObject &row) const
{
    const QJsonValue field = row.value(m_column);
    if (field.isUndefined())
        return false;
    bool comparable = false;
    if (m_operator == Operator::In) {
        for (const QString &v : m_values) {
            if (compare(field, v, &comparable) == 0 && comparable)
                return true;
        }
        return false;
    }
    const int c = compare(field, m_values.first(), &comparable);
    if (!comparable)
        return m_operator == Operator::Neq;
    switch (m_operator) {
    case Operator::Eq:
        return c == 0;
    case Operator::Neq:
        return c != 0;
    case Operator::Lt:
        return c < 0;
    case Operator::Lte:
        return c <= 0;
    case Operator::Gt:
        return c > 0;
    case Operator::Gte:
        return c >= 0;
    case Operator::In:
        break;
    }
    return false;
}
