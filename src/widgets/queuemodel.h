#pragma once

#include <QAbstractTableModel>
#include <QList>
#include <QPointer>

class MutationEngine;
class MutationHandle;

// The offline queue as a table — endpoint, entity, created, attempts, next retry, last error,
// state — kept live from the engine's signals (no polling). Settled successes leave it. A
// mutation queued without a user says so in words of the user's language (keyed on its code).
class QueueModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Endpoint, Entity, Created, Attempts, NextRetry, LastError, State, ColumnCount };
    // NeedsReviewRole: the mutation waits for the user's decision (past the window, or queued
    // without a user). WithoutUserRole: queued without a signed-in user (OfflineQueue::noUserCode),
    // so it can be adopted.
    enum Role {
        KeyRole = Qt::UserRole + 1,
        NeedsAttentionRole,
        SortRole,
        NeedsReviewRole,
        WithoutUserRole
    };

    explicit QueueModel(MutationEngine *engine, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    QString keyAt(int row) const;

private:
    void add(MutationHandle *handle);
    void removeKey(const QString &key);
    void changed(MutationHandle *handle);
    int rowOf(const MutationHandle *handle) const;

    QList<QPointer<MutationHandle>> m_rows;
};
