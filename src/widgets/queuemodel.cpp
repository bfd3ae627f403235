#include "queuemodel.h"

#include "mutationengine.h"
#include "mutationhandle.h"
#include "offlinequeue.h"

#include <QBrush>
#include <QDateTime>
#include <QLocale>

namespace {
bool listed(const Mutation &m)
{
    return m.state != Mutation::State::Confirmed && m.state != Mutation::State::AwaitingEcho;
}

// Keyed on the code, not on the stored English message, so that it is translated.
bool withoutUser(const Mutation &m)
{
    return m.state == Mutation::State::NeedsReview
        && m.lastError.code == QLatin1String(OfflineQueue::noUserCode);
}
} // namespace

QueueModel::QueueModel(MutationEngine *engine, QObject *parent)
    : QAbstractTableModel(parent)
{
    for (MutationHandle *h : engine->handles())
        add(h);
    connect(engine, &MutationEngine::handleAdded, this, &QueueModel::add);
    connect(engine, &MutationEngine::handleRemoved, this, &QueueModel::removeKey);
}

int QueueModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int QueueModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString QueueModel::keyAt(int row) const
{
    return row >= 0 && row < m_rows.size() && m_rows[row] ? m_rows[row]->key() : QString();
}

int QueueModel::rowOf(const MutationHandle *handle) const
{
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows[i] == handle)
            return i;
    }
    return -1;
}

void QueueModel::add(MutationHandle *handle)
{
    connect(handle, &MutationHandle::changed, this, [this, handle] { changed(handle); });
    if (!listed(handle->mutation()))
        return;
    const int row = int(m_rows.size());
    beginInsertRows({}, row, row);
    m_rows.append(handle);
    endInsertRows();
}

void QueueModel::changed(MutationHandle *handle)
{
    const int row = rowOf(handle);
    const bool shown = listed(handle->mutation());
    if (row >= 0 && !shown) {
        beginRemoveRows({}, row, row);
        m_rows.removeAt(row);
        endRemoveRows();
    } else if (row < 0 && shown) {
        beginInsertRows({}, int(m_rows.size()), int(m_rows.size()));
        m_rows.append(handle);
        endInsertRows();
    } else if (row >= 0) {
        emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
    }
}

void QueueModel::removeKey(const QString &key)
{
    for (int i = 0; i < m_rows.size(); ++i) {
        if (!m_rows[i] || m_rows[i]->key() == key) {
            beginRemoveRows({}, i, i);
            m_rows.removeAt(i);
            endRemoveRows();
            return;
        }
    }
}

QVariant QueueModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Endpoint:
        return tr("Endpoint");
    case Entity:
        return tr("Entity");
    case Created:
        return tr("Created");
    case Attempts:
        return tr("Attempts");
    case NextRetry:
        return tr("Next retry");
    case LastError:
        return tr("Last error");
    case State:
        return tr("State");
    default:
        return {};
    }
}

QVariant QueueModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size() || !m_rows[index.row()])
        return {};
    const Mutation &m = m_rows[index.row()]->mutation();
    const bool attention = m.state == Mutation::State::NeedsReview
        || m.state == Mutation::State::Failed || m.state == Mutation::State::Unconfirmed;
    if (role == KeyRole)
        return m.key;
    if (role == NeedsAttentionRole)
        return attention;
    if (role == NeedsReviewRole)
        return m.state == Mutation::State::NeedsReview;
    if (role == WithoutUserRole)
        return withoutUser(m);
    if (role == Qt::BackgroundRole && attention)
        return QBrush(m.state == Mutation::State::NeedsReview ? QColor(255, 213, 79, 110)
                                                              : QColor(229, 57, 53, 70));
    const QLocale locale;
    if (role == SortRole) {
        switch (index.column()) {
        case Created:
            return m.createdAtMs;
        case Attempts:
            return m.attempts;
        case NextRetry:
            return m.nextAttemptAtMs;
        default:
            break;
        }
    }
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole && role != SortRole)
        return {};
    switch (index.column()) {
    case Endpoint:
        return QStringLiteral("%1 %2").arg(m.method, m.path);
    case Entity:
        return m.entity();
    case Created:
        return locale.toString(QDateTime::fromMSecsSinceEpoch(m.createdAtMs), QLocale::ShortFormat);
    case Attempts:
        return m.attempts;
    case NextRetry:
        return m.state == Mutation::State::Waiting ? locale.toString(
                   QDateTime::fromMSecsSinceEpoch(m.nextAttemptAtMs).time(), QLocale::LongFormat)
                                                   : QString();
    case LastError:
        if (withoutUser(m))
            return tr("Queued without a signed-in user, so never sent. Adopt it to send it as you, "
                      "or discard it.");
        // The engine puts nothing else in review; its last error (often "offline") is not why.
        if (m.state == Mutation::State::NeedsReview)
            return tr("Older than the server's idempotency window, so not sent again on its own. "
                      "Check it, then "
                      "Retry selected sends it as a new change, or discard it.");
        return m.lastError.isError() ? m.lastError.userMessage() : QString();
    case State:
        if (withoutUser(m))
            return tr("Needs review — queued without a signed-in user");
        return Mutation::stateName(m.state).replace(QLatin1Char('_'), QLatin1Char(' '));
    default:
        return {};
    }
}
