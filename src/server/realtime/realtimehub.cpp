#include "realtimehub.h"

#include "http/httpfrontend.h"
#include "logging.h"
#include "postgresbinding.h"
#include "postgresfanout.h"
#include "realtimeloop.h"
#include "storage/changelog.h"
#include "storage/storageerror.h"
#include "storage/transaction.h"
#include "storage/transactionrunner.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QTimer>
#include <limits>

namespace {
constexpr int publishBatch = 2000;
}

RealtimeHub::RealtimeHub(
    TransactionRunner &runner, RealtimeConnection::Services services, QObject *parent)
    : QObject(parent)
    , m_runner(runner)
    , m_services(std::move(services))
{
    m_services.hub = this;
    connect(&runner, &TransactionRunner::changesCommitted, this, &RealtimeHub::onChangesCommitted,
        Qt::QueuedConnection);
    // SIGTERM/SIGINT quit the application; aboutToQuit is emitted before exec() returns, so
    // before main() destroys the server and with it the HTTP loop threads (~SyncServer ->
    // ~HttpListener): the loops still run and can tell their clients to rejoin.
    if (QCoreApplication *app = QCoreApplication::instance())
        connect(app, &QCoreApplication::aboutToQuit, this, &RealtimeHub::onAboutToQuit);
}

RealtimeHub::~RealtimeHub() = default;

void RealtimeHub::onAboutToQuit()
{
    // Not under m_mutex: a loop may be waiting for it (relayBroadcast) while we wait for the
    // loop. The loops outlive this call: they stop only when the server object is destroyed.
    QList<RealtimeLoop *> loops;
    {
        QMutexLocker lock(&m_mutex);
        loops = m_loops;
    }
    for (RealtimeLoop *loop : std::as_const(loops))
        QMetaObject::invokeMethod(loop, &RealtimeLoop::shutdown, Qt::BlockingQueuedConnection);
}

void RealtimeHub::start()
{
    m_published = m_runner.read([](Transaction &tx) { return ChangeLog::head(tx); });
    if (!m_fanout)
        return;
    connect(m_fanout, &PostgresFanout::changesAnnounced, this, &RealtimeHub::onChangesCommitted);
    connect(m_fanout, &PostgresFanout::resynchronise, this,
        [this] { onChangesCommitted(std::numeric_limits<qint64>::max()); });
    connect(m_fanout, &PostgresFanout::broadcastReceived, this, &RealtimeHub::deliverLocally);
    m_fanout->start();
}

void RealtimeHub::attach(HttpFrontend *frontend)
{
    new RealtimeLoop(frontend, &m_services); // owned by the frontend, on its thread
}

void RealtimeHub::registerLoop(RealtimeLoop *loop)
{
    QMutexLocker lock(&m_mutex);
    m_loops.append(loop);
}

void RealtimeHub::unregisterLoop(RealtimeLoop *loop)
{
    QMutexLocker lock(&m_mutex);
    m_loops.removeAll(loop);
}

QString RealtimeHub::relayBroadcast(const SharedBroadcast &broadcast)
{
    if (m_fanout) {
        const qsizetype size = PostgresFanout::encodedSize(*broadcast);
        if (size > PostgresFanout::maxBroadcastBytes)
            return QStringLiteral(
                "broadcast too large: %1 bytes encoded, at most %2 (broadcasts reach the other "
                "instances through PostgreSQL NOTIFY); nothing was sent")
                .arg(size)
                .arg(PostgresFanout::maxBroadcastBytes);
    }
    deliverLocally(broadcast);
    if (m_fanout && !m_fanout->publish(*broadcast))
        return QStringLiteral(
            "the database is busy: the broadcast reached only the subscribers on this instance");
    return {};
}

void RealtimeHub::deliverLocally(const SharedBroadcast &broadcast)
{
    // Posting under the mutex: a loop unregisters (under it) before it is destroyed, and Qt
    // drops events posted to an object that is then deleted.
    QMutexLocker lock(&m_mutex);
    for (RealtimeLoop *loop : std::as_const(m_loops))
        QMetaObject::invokeMethod(
            loop, [loop, broadcast] { loop->deliverBroadcast(broadcast); }, Qt::QueuedConnection);
}

void RealtimeHub::onChangesCommitted(qint64 lastSeq)
{
    if (lastSeq <= m_published || m_publishQueued)
        return;
    // Commits come in bursts: read them in one go on the next turn of the loop.
    m_publishQueued = true;
    QTimer::singleShot(0, this, &RealtimeHub::publish);
}

void RealtimeHub::publish()
{
    m_publishQueued = false;
    try {
        for (;;) {
            const QList<ChangeLog::Row> rows = m_runner.read([this](Transaction &tx) {
                return ChangeLog::allSince(tx, m_published, publishBatch);
            });
            if (rows.isEmpty())
                return;
            auto batch = std::make_shared<std::vector<ChangeEvent>>();
            batch->reserve(std::size_t(rows.size()));
            bool sms = false;
            for (const ChangeLog::Row &row : rows) {
                sms = sms || row.table == QLatin1String("sms_messages");
                ChangeEvent e;
                e.seq = row.seq;
                e.orgId = row.orgId;
                e.ownerId = row.ownerId;
                e.table = row.table;
                e.type = row.data.value(QLatin1String("type")).toString();
                e.tableIndex = PostgresBinding::tableIndex(e.table);
                e.typeIndex = PostgresBinding::typeIndex(e.type);
                e.record = row.data.value(QLatin1String("record")).toObject();
                e.oldRecord = row.data.value(QLatin1String("old_record")).toObject();
                e.dataJson = QJsonDocument(row.data).toJson(QJsonDocument::Compact);
                batch->push_back(std::move(e));
            }
            m_published = rows.last().seq;
            if (sms)
                emit outboxRowsChanged();
            ChangeBatch shared = std::move(batch);
            {
                QMutexLocker lock(&m_mutex);
                for (RealtimeLoop *loop : std::as_const(m_loops))
                    QMetaObject::invokeMethod(
                        loop, [loop, shared] { loop->deliverChanges(shared); },
                        Qt::QueuedConnection);
            }
            if (rows.size() < publishBatch)
                return;
        }
    } catch (const StorageError &e) {
        qCWarning(lcRealtime) << "reading the change log failed, retrying:" << e.what();
        m_publishQueued = true;
        QTimer::singleShot(200, this, &RealtimeHub::publish);
    }
}
