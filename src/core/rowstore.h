#pragma once

#include <QAbstractListModel>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>

// Rows of one table as a list model: a REST snapshot, then deltas from realtime, gap fill or
// re-reads, reconciled by `version` — the higher wins and a row never goes backwards (a
// deleted row stays deleted against older news). Pending mutations overlay their optimistic
// fields on top until they settle. Roles map to the row's JSON members (see roleNames()).
class RowStore : public QAbstractListModel
{
    Q_OBJECT
public:
    enum BaseRole {
        RowRole = Qt::UserRole + 1,
        IdRole,
        VersionRole,
        PendingRole,
        FirstFieldRole = Qt::UserRole + 32
    };

    RowStore(QString table, QList<QByteArray> fields, QObject *parent = nullptr);

    QString table() const { return m_table; }
    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Replaces everything with a snapshot (rows in display order).
    void reset(const QJsonArray &rows);
    // Inserts or updates; false when the store already holds this version or a newer one.
    bool apply(const QJsonObject &row);
    // Removes; `version` is the deleted row's last version (0 when unknown).
    bool remove(const QString &id, qint64 version = 0);

    // -1 when the row is absent.
    qint64 version(const QString &id) const;

    // A row of `table` from realtime, a gap fill or a re-read: this store's own table, or one
    // whose rows it holds with its own (EntityDescriptor::parentTable). False if not taken.
    virtual bool take(const QString &table, const QJsonObject &row);
    // The version held of row `id` of `table`; -1 when absent.
    virtual qint64 versionIn(const QString &table, const QString &id) const;
    QJsonObject row(const QString &id) const;
    int indexOf(const QString &id) const { return m_index.value(id, -1); }
    // The row as the user sees it: with pending optimistic fields.
    QJsonObject displayed(int row) const;
    QString idAt(int row) const;

    void setOverlay(const QString &id, const QString &key, const QJsonObject &patch);
    void clearOverlay(const QString &id, const QString &key);
    bool isPending(const QString &id) const { return m_overlays.contains(id); }

signals:
    // The store now holds `version` of row `id`, or it was deleted: the closed loop listens.
    void versionObserved(const QString &table, const QString &id, qint64 version, bool deleted);

protected:
    void rowChanged(int row);

private:
    const QString m_table;
    const QList<QByteArray> m_fields;
    QList<QJsonObject> m_rows;
    QHash<QString, int> m_index;
    QHash<QString, qint64> m_tombstones; // deleted id -> last version
    QHash<QString, QList<QPair<QString, QJsonObject>>> m_overlays; // id -> (key, patch) in order
};
