#include "rowstore.h"

namespace {
QString idOf(const QJsonObject &row)
{
    return row.value(QLatin1String("id")).toString();
}
qint64 versionOf(const QJsonObject &row)
{
    return row.value(QLatin1String("version")).toInteger();
}
} // namespace

RowStore::RowStore(QString table, QList<QByteArray> fields, QObject *parent)
    : QAbstractListModel(parent)
    , m_table(std::move(table))
    , m_fields(std::move(fields))
{ }

int RowStore::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QHash<int, QByteArray> RowStore::roleNames() const
{
    QHash<int, QByteArray> roles { { RowRole, "row" }, { IdRole, "id" }, { VersionRole, "version" },
        { PendingRole, "pending" } };
    for (qsizetype i = 0; i < m_fields.size(); ++i)
        roles.insert(FirstFieldRole + int(i), m_fields[i]);
    return roles;
}

QJsonObject RowStore::displayed(int row) const
{
    if (row < 0 || row >= m_rows.size())
        return {};
    QJsonObject shown = m_rows[row];
    const auto overlays = m_overlays.constFind(idOf(shown));
    if (overlays != m_overlays.cend()) {
        for (const auto &[key, patch] : *overlays) {
            for (auto it = patch.begin(); it != patch.end(); ++it)
                shown.insert(it.key(), it.value());
        }
    }
    return shown;
}

QString RowStore::idAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? idOf(m_rows[row]) : QString();
}

QVariant RowStore::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const QJsonObject &raw = m_rows[index.row()];
    switch (role) {
    case IdRole:
        return idOf(raw);
    case VersionRole:
        return versionOf(raw);
    case PendingRole:
        return m_overlays.contains(idOf(raw));
    case RowRole:
        return displayed(index.row());
    case Qt::DisplayRole:
        return idOf(raw);
    default:
        break;
    }
    const int field = role - FirstFieldRole;
    if (field >= 0 && field < m_fields.size())
        return displayed(index.row()).value(QLatin1String(m_fields[field])).toVariant();
    return {};
}

void RowStore::reset(const QJsonArray &rows)
{
    beginResetModel();
    m_rows.clear();
    m_index.clear();
    m_tombstones.clear();
    m_rows.reserve(rows.size());
    for (const QJsonValue &v : rows) {
        const QJsonObject row = v.toObject();
        m_index.insert(idOf(row), int(m_rows.size()));
        m_rows.append(row);
    }
    endResetModel();
    for (const QJsonObject &row : std::as_const(m_rows))
        emit versionObserved(m_table, idOf(row), versionOf(row), false);
}

bool RowStore::apply(const QJsonObject &row)
{
    const QString id = idOf(row);
    const qint64 version = versionOf(row);
    if (id.isEmpty())
        return false;
    if (m_tombstones.value(id, -1) >= version)
        return false; // news of a row that is already gone
    const auto it = m_index.constFind(id);
    if (it == m_index.cend()) {
        const int at = int(m_rows.size());
        beginInsertRows({}, at, at);
        m_index.insert(id, at);
        m_rows.append(row);
        endInsertRows();
    } else {
        if (versionOf(m_rows[*it]) >= version)
            return false; // never backwards, and nothing new
        m_rows[*it] = row;
        rowChanged(*it);
    }
    emit versionObserved(m_table, id, version, false);
    return true;
}

bool RowStore::remove(const QString &id, qint64 version)
{
    const auto it = m_index.constFind(id);
    // Version unknown (e.g. a re-read answered 404): the row's own is the last one known to
    // precede the delete, so news up to it must not bring the row back.
    const qint64 last = version > 0 || it == m_index.cend() ? version : versionOf(m_rows[*it]);
    m_tombstones.insert(id, std::max(last, m_tombstones.value(id, 0)));
    if (it == m_index.cend())
        return false;
    const int at = *it;
    if (version > 0 && versionOf(m_rows[at]) > version)
        return false; // the row came back after that deletion
    beginRemoveRows({}, at, at);
    m_rows.removeAt(at);
    m_index.remove(id);
    for (int &row : m_index) {
        if (row > at)
            --row;
    }
    endRemoveRows();
    m_overlays.remove(id);
    emit versionObserved(m_table, id, version, true);
    return true;
}

qint64 RowStore::version(const QString &id) const
{
    const auto it = m_index.constFind(id);
    return it == m_index.cend() ? -1 : versionOf(m_rows[*it]);
}

bool RowStore::take(const QString &table, const QJsonObject &row)
{
    return table == m_table && apply(row);
}

qint64 RowStore::versionIn(const QString &table, const QString &id) const
{
    return table == m_table ? version(id) : -1;
}

QJsonObject RowStore::row(const QString &id) const
{
    const auto it = m_index.constFind(id);
    return it == m_index.cend() ? QJsonObject() : m_rows[*it];
}

void RowStore::setOverlay(const QString &id, const QString &key, const QJsonObject &patch)
{
    auto &list = m_overlays[id];
    list.erase(
        std::remove_if(list.begin(), list.end(), [&](const auto &p) { return p.first == key; }),
        list.end());
    list.append({ key, patch });
    if (const int at = indexOf(id); at >= 0)
        rowChanged(at);
}

void RowStore::clearOverlay(const QString &id, const QString &key)
{
    auto it = m_overlays.find(id);
    if (it == m_overlays.end())
        return;
    it->erase(std::remove_if(it->begin(), it->end(), [&](const auto &p) { return p.first == key; }),
        it->end());
    if (it->isEmpty())
        m_overlays.erase(it);
    if (const int at = indexOf(id); at >= 0)
        rowChanged(at);
}

void RowStore::rowChanged(int row)
{
    const QModelIndex i = index(row);
    emit dataChanged(i, i);
}
