#include "postgresfanout.h"

#include "logging.h"
#include "randomsource.h"
#include "storage/changelog.h"
#include "storage/database.h"
#include "storage/sqlquery.h"
#include "storage/storageerror.h"
#include "storage/transaction.h"
#include "storage/transactionrunner.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

PostgresFanout::PostgresFanout(
    Database &database, TransactionRunner &runner, Options options, QObject *parent)
    : QObject(parent)
    , m_database(database)
    , m_runner(runner)
    , m_options(options)
    , m_backoff(options.reconnect)
    , m_instanceId(QUuid::createUuid().toString(QUuid::WithoutBraces))
    , m_connectionName(QStringLiteral("syncloop-listener-") + m_instanceId)
{
    m_health.setInterval(int(m_options.healthCheckMs));
    connect(&m_health, &QTimer::timeout, this, &PostgresFanout::checkHealth);
    m_reconnect.setSingleShot(true);
    connect(&m_reconnect, &QTimer::timeout, this, &PostgresFanout::connectListener);
}

PostgresFanout::~PostgresFanout()
{
    if (QSqlDatabase::contains(m_connectionName))
        Database::closeDedicated(m_connectionName);
}

void PostgresFanout::start()
{
    connectListener();
    m_health.start();
}

void PostgresFanout::connectListener()
{
    try {
        QSqlDatabase db
            = m_database.openDedicated(m_connectionName, QStringLiteral("syncloopd listener"));
        QSqlDriver *driver = db.driver();
        if (!driver->subscribeToNotification(QLatin1String(ChangeLog::channel))
            || !driver->subscribeToNotification(QLatin1String(broadcastChannel)))
            throw StorageError(
                driver->lastError(), StorageError::Kind::Transient, QStringLiteral("LISTEN"));
        connect(driver, &QSqlDriver::notification, this, &PostgresFanout::onNotification);
    } catch (const StorageError &e) {
        if (QSqlDatabase::contains(m_connectionName))
            Database::closeDedicated(m_connectionName);
        const qint64 delay = m_backoff.delayMs(m_failures++, *SystemRandomSource::instance());
        qCWarning(lcRealtime) << "realtime listener cannot connect, retrying in" << delay
                              << "ms:" << e.what();
        m_reconnect.start(int(delay));
        return;
    }
    if (m_failures > 0)
        qCInfo(lcRealtime) << "realtime listener connected again";
    m_failures = 0;
    m_listening = true;
    // Listening from here on; whatever committed before (or while we were away) is in the log.
    emit resynchronise();
}

void PostgresFanout::dropListener(const QString &why)
{
    qCWarning(lcRealtime).noquote() << "realtime listener lost its connection:" << why;
    m_listening = false;
    Database::closeDedicated(m_connectionName);
    m_reconnect.start(int(m_backoff.delayMs(m_failures++, *SystemRandomSource::instance())));
}

void PostgresFanout::checkHealth()
{
    if (!m_listening)
        return;
    // QPSQL does not report a connection closed under a LISTEN; a round trip does.
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    QSqlQuery ping(db);
    if (!db.isOpen() || !ping.exec(QStringLiteral("SELECT 1")))
        dropListener(ping.lastError().text());
}

void PostgresFanout::onNotification(
    const QString &name, QSqlDriver::NotificationSource, const QVariant &payload)
{
    if (name == QLatin1String(ChangeLog::channel)) {
        bool ok = false;
        const qint64 seq = payload.toString().toLongLong(&ok);
        emit changesAnnounced(ok ? seq : std::numeric_limits<qint64>::max());
        return;
    }
    if (name != QLatin1String(broadcastChannel))
        return;
    const QJsonObject o = QJsonDocument::fromJson(payload.toString().toUtf8()).object();
    if (o.value(QLatin1String("i")).toString() == m_instanceId)
        return; // ours: our own sockets had it at once
    auto b = std::make_shared<BroadcastEvent>();
    b->orgId = o.value(QLatin1String("o")).toString();
    b->topic = o.value(QLatin1String("t")).toString();
    b->event = o.value(QLatin1String("e")).toString();
    b->json = o.value(QLatin1String("j")).toBool(true);
    const QByteArray p = o.value(QLatin1String("p")).toString().toUtf8();
    b->payload = b->json ? p : QByteArray::fromBase64(p);
    b->meta = o.value(QLatin1String("m")).toString().toUtf8();
    b->binaryOrigin = o.value(QLatin1String("b")).toBool();
    b->senderConnection = 0; // no socket of this instance sent it
    if (b->orgId.isEmpty() || b->topic.isEmpty()) {
        qCWarning(lcRealtime) << "ignoring a malformed broadcast notification";
        return;
    }
    emit broadcastReceived(std::move(b));
}

QByteArray PostgresFanout::encode(const BroadcastEvent &b, const QString &origin)
{
    const QJsonObject o {
        { QStringLiteral("i"), origin },
        { QStringLiteral("o"), b.orgId },
        { QStringLiteral("t"), b.topic },
        { QStringLiteral("e"), b.event },
        { QStringLiteral("j"), b.json },
        { QStringLiteral("p"), QString::fromUtf8(b.json ? b.payload : b.payload.toBase64()) },
        { QStringLiteral("m"), QString::fromUtf8(b.meta) },
        { QStringLiteral("b"), b.binaryOrigin },
    };
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

qsizetype PostgresFanout::encodedSize(const BroadcastEvent &broadcast)
{
    return encode(broadcast, QUuid().toString(QUuid::WithoutBraces)).size();
}

bool PostgresFanout::publish(const BroadcastEvent &broadcast)
{
    const QString payload = QString::fromUtf8(encode(broadcast, m_instanceId));
    try {
        // Called on an event-loop thread: one attempt, never a sleep there.
        m_runner.read({ .attempts = TransactionRunner::Attempts::Single }, [&](Transaction &tx) {
            tx.query(QStringLiteral("SELECT pg_notify(?, ?)"))
                .bind(QLatin1String(broadcastChannel))
                .bind(payload)
                .exec();
        });
        return true;
    } catch (const StorageError &e) {
        qCWarning(lcRealtime) << "a broadcast did not reach the other instances:" << e.what();
        return false;
    }
}
