#include "syncsession.h"

#include "apiclient.h"
#include "apireply.h"
#include "bookingstore.h"
#include "connectivity.h"
#include "leadstore.h"
#include "logging.h"
#include "mutationhandle.h"
#include "offlinequeue.h"
#include "randomsource.h"

#include <QJsonArray>
#include <utility>

namespace {

QJsonArray allChanges(const EntityRegistry &entities)
{
    QJsonArray bindings;
    for (const EntityDescriptor &entity : entities.entities())
        bindings.append(QJsonObject { { QStringLiteral("event"), QStringLiteral("*") },
            { QStringLiteral("schema"), QStringLiteral("public") },
            { QStringLiteral("table"), entity.table } });
    return bindings;
}

} // namespace

SyncSession::SyncSession(Options options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
{
    const Clock *clock = m_options.clock;
    RandomSource *random = SystemRandomSource::instance();
    m_api = new ApiClient(m_options.server, this);
    m_api->setTimeoutMs(m_options.requestTimeoutMs);
    m_queue = std::make_unique<OfflineQueue>(
        m_options.queuePath.isEmpty() ? OfflineQueue::defaultPath() : m_options.queuePath);
    m_bookings = new BookingStore(this);
    m_leads = new LeadStore(this);
    m_connectivity = new Connectivity(this);
    m_credentials = new CredentialStore(m_options.credentials, this);
    auto versionOf = [this](const QString &table, const QString &id) -> qint64 {
        const RowStore *holder = store(table);
        return holder ? holder->versionIn(table, id) : -1;
    };
    m_engine = new MutationEngine(
        m_queue.get(), m_api, m_connectivity, versionOf, clock, random, m_options.engine, this);
    m_realtime = new RealtimeClient(m_api, m_options.realtime, clock, random, this);
    m_realtime->addChannel(QStringLiteral("realtime:syncloop"), allChanges(m_engine->entities()));
    wire();
}

SyncSession::~SyncSession() = default;

bool SyncSession::open(QString *error)
{
    if (!m_queue->open(error))
        return false;
    m_engine->start();
    return true;
}

RowStore *SyncSession::store(const QString &table) const
{
    return m_stores.value(m_engine->entities().storeTable(table));
}

void SyncSession::addStore(RowStore *store)
{
    m_stores.insert(store->table(), store);
    // The closed loop: what the stores hold answers the engine's questions.
    connect(store, &RowStore::versionObserved, m_engine, &MutationEngine::observe);
}

void SyncSession::wire()
{
    addStore(m_bookings);
    addStore(m_leads);
    // Realtime (and gap fill) into the stores. Only a store's own rows are ever deleted.
    connect(m_realtime, &RealtimeClient::changed, this,
        [this](const QString &table, const QString &type, const QJsonObject &record,
            const QJsonObject &old) {
            RowStore *holder = store(table);
            if (!holder)
                return;
            if (type != QLatin1String("DELETE"))
                holder->take(table, record);
            else if (holder->table() == table)
                holder->remove(old.value(QLatin1String("id")).toString(),
                    old.value(QLatin1String("version")).toInteger() + 1);
        });
    connect(m_realtime, &RealtimeClient::gapFillUnavailable, this,
        [this](RealtimeClient::GapFillGap gap) {
            if (gap == RealtimeClient::GapFillGap::HistoryExpired)
                m_reloadingExpiredHistory = true;
            loadSnapshot();
        });
    connect(m_realtime, &RealtimeClient::stateChanged, this, [this](RealtimeClient::State state) {
        if (state == RealtimeClient::State::Live)
            m_connectivity->reportRealtimeLive();
    });

    connect(m_engine, &MutationEngine::optimisticApplied, this,
        [this](
            const QString &table, const QString &id, const QString &key, const QJsonObject &patch) {
            if (RowStore *holder = store(table))
                holder->setOverlay(id, key, patch);
        });
    connect(m_engine, &MutationEngine::optimisticCleared, this,
        [this](const QString &table, const QString &id, const QString &key, bool) {
            if (RowStore *holder = store(table))
                holder->clearOverlay(id, key);
        });
    connect(m_engine, &MutationEngine::rowFetched, this,
        [this](const QString &table, const QJsonObject &row) {
            if (RowStore *holder = store(table))
                holder->take(table, row);
        });
    connect(
        m_engine, &MutationEngine::rowGone, this, [this](const QString &table, const QString &id) {
            if (RowStore *holder = m_stores.value(table))
                holder->remove(id);
        });

    // Reachability: the server's answers decide (the engine reports its own, and drains when
    // Connectivity turns online).
    connect(m_api, &ApiClient::serverReachable, m_connectivity, &Connectivity::reportServer);

    // The session: tokens into the keychain when asked to remember; a lost session stops realtime.
    connect(m_api, &ApiClient::refreshTokenChanged, this, [this](const QString &token) {
        if (m_persistence == Persistence::Remembered && !m_email.isEmpty())
            m_credentials->save(account(), token);
    });
    connect(m_api, &ApiClient::signedOut, this, [this](const QString &reason) {
        m_realtime->close();
        emit signedOut(reason);
    });
    // A resume: the kept refresh token signs in.
    connect(m_credentials, &CredentialStore::loaded, this,
        [this](const QString &loadedFor, const QString &token) {
            if (loadedFor != account() || !std::exchange(m_resuming, false))
                return;
            if (token.isEmpty()) {
                emit signInFailed(
                    tr("No saved session for %1: sign in with your password.").arg(m_email));
                return;
            }
            ApiReply *reply = m_api->resume(token);
            connect(reply, &ApiReply::finished, this, [this, reply] {
                if (reply->isSuccess()) {
                    emit signedIn();
                } else {
                    if (reply->error().kind == ApiError::Kind::Unauthorized)
                        m_credentials->remove(account());
                    emit signInFailed(reply->error().userMessage());
                }
            });
        });
    // A kept session is shared (the desktop app and syncloopctl use one keychain entry): read
    // what is kept before every refresh, so a token the other program rotated is never
    // presented again, which would sign both out.
    m_api->setRefreshTokenSource([this](const std::function<void(const QString &)> &done) {
        if (m_persistence != Persistence::Remembered || m_email.isEmpty()) {
            done(QString());
            return;
        }
        const QString wanted = account();
        auto connection = std::make_shared<QMetaObject::Connection>();
        *connection = connect(m_credentials, &CredentialStore::loaded, this,
            [connection, wanted, done](const QString &loadedFor, const QString &token) {
                if (loadedFor != wanted)
                    return;
                QObject::disconnect(*connection);
                done(token);
            });
        m_credentials->load(wanted);
    });
}

ApiReply *SyncSession::signIn(
    const QString &email, const QString &password, Persistence persistence)
{
    m_email = email.trimmed().toLower();
    m_persistence = persistence;
    ApiReply *reply = m_api->login(m_email, password);
    connect(reply, &ApiReply::finished, this, [this, reply] {
        if (reply->isSuccess())
            emit signedIn();
        else
            emit signInFailed(reply->error().kind == ApiError::Kind::Unauthorized
                    ? tr("Wrong email or password.")
                    : reply->error().userMessage());
    });
    return reply;
}

void SyncSession::resume(const QString &email)
{
    m_email = email.trimmed().toLower();
    m_persistence = Persistence::Remembered;
    m_resuming = true;
    m_credentials->load(account());
}

void SyncSession::signOut(KeptSession kept)
{
    if (kept == KeptSession::Forget && !m_email.isEmpty())
        m_credentials->remove(account());
    // Nothing is kept from here on: a save still in flight (a token rotated just before) must
    // not bring the session back as remembered.
    m_persistence = Persistence::ThisRunOnly;
    m_realtime->close();
    m_api->signOut();
}

void SyncSession::loadSnapshot()
{
    // One list per entity that has one; the smallest seq of them is where realtime's gap fill
    // starts (a change seen twice is harmless: versions never go backwards).
    QList<std::pair<const EntityDescriptor *, RowStore *>> parts;
    for (const EntityDescriptor &entity : m_engine->entities().entities()) {
        if (RowStore *holder = m_stores.value(entity.table); holder && !entity.listPath.isEmpty())
            parts.append({ &entity, holder });
    }
    m_snapshotParts = int(parts.size());
    m_snapshotSeq = std::numeric_limits<qint64>::max();
    auto part = [this](const QString &path, RowStore *store, const QString &member) {
        ApiReply *reply = m_api->get(path);
        connect(reply, &ApiReply::finished, this, [this, reply, store, member] {
            if (!reply->isSuccess()) {
                if (std::exchange(m_reloadingExpiredHistory, false))
                    m_realtime->snapshotReloadFailed();
                emit snapshotFailed(reply->error().userMessage());
                return;
            }
            const QJsonObject answer = reply->json();
            store->reset(answer.value(member).toArray());
            m_snapshotSeq
                = std::min(m_snapshotSeq, answer.value(QStringLiteral("seq")).toInteger());
            if (--m_snapshotParts > 0)
                return;
            m_realtime->setLastSeq(m_snapshotSeq);
            emit snapshotLoaded();
            if (std::exchange(m_reloadingExpiredHistory, false)) {
                m_historyReloadedAt = QDateTime::fromMSecsSinceEpoch(m_options.clock->nowMs());
                qCInfo(lcSync) << "change history expired on the server; the data was reloaded";
                emit historyReloaded(m_historyReloadedAt);
            }
            if (m_options.realtimeEnabled)
                m_realtime->open();
        });
    };
    for (const auto &[entity, holder] : std::as_const(parts))
        part(entity->listPath, holder, entity->listMember);
}

MutationHandle *SyncSession::confirmBooking(const QString &bookingId)
{
    return m_engine->submitAction(QStringLiteral("bookings"), QStringLiteral("confirm"), bookingId);
}

MutationHandle *SyncSession::deleteBooking(const QString &bookingId)
{
    return m_engine->submitAction(QStringLiteral("bookings"), QStringLiteral("delete"), bookingId);
}

MutationHandle *SyncSession::setLeadStatus(const QString &leadId, const QString &status)
{
    return m_engine->submitAction(
        QStringLiteral("leads"), QStringLiteral("status"), leadId, { status });
}

MutationHandle *SyncSession::sendSms(const QString &leadId, const QString &message)
{
    return m_engine->submitAction(
        QStringLiteral("leads"), QStringLiteral("send-sms"), leadId, { message });
}
