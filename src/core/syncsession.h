#pragma once

#include "clock.h"
#include "credentialstore.h"
#include "mutationengine.h"
#include "realtimeclient.h"

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QUrl>
#include <memory>

class ApiClient;
class ApiReply;
class BookingStore;
class Connectivity;
class LeadStore;
class MutationHandle;
class OfflineQueue;
class RowStore;

// The client side wired together — what syncloop-desk and syncloopctl both use: the API
// client and session, the offline queue and mutation engine, the realtime client feeding the
// stores, connectivity, and the keychain. Snapshot first, then realtime from the snapshot's
// seq, so nothing is missed between the two.
class SyncSession : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        QUrl server;
        QString queuePath; // empty: OfflineQueue::defaultPath()
        RealtimeClient::Options realtime;
        bool realtimeEnabled = true;
        MutationEngine::Options engine;
        CredentialStore::Backend credentials = CredentialStore::Backend::Keychain;
        int requestTimeoutMs = 15000;
        // The session's time: every wait of the engine (backoff, echo, re-read) and of the
        // realtime client (heartbeat, reconnect) runs on it. A test's ManualClock moves time
        // instead of waiting for it; it must outlive the session.
        const Clock *clock = SystemClock::instance();
    };

    // Whether a signed-in session outlives this run (its refresh token kept by the
    // CredentialStore) or ends with it.
    enum class Persistence { ThisRunOnly, Remembered };
    Q_ENUM(Persistence)

    explicit SyncSession(Options options, QObject *parent = nullptr);
    ~SyncSession() override;

    // Opens the queue and loads what it holds; false + *error if the queue cannot be opened.
    bool open(QString *error);

    ApiReply *signIn(const QString &email, const QString &password, Persistence persistence);
    // Signs in with the refresh token kept for this server and user; signedIn() or
    // signInFailed() follows.
    void resume(const QString &email);
    // Forget: the kept session (its refresh token) goes too, so no later run resumes it.
    enum class KeptSession { Keep, Forget };
    Q_ENUM(KeptSession)
    void signOut(KeptSession kept);
    // The bookings and leads snapshot, then realtime (unless disabled).
    void loadSnapshot();

    MutationHandle *confirmBooking(const QString &bookingId);
    MutationHandle *deleteBooking(const QString &bookingId);
    MutationHandle *setLeadStatus(const QString &leadId, const QString &status);
    MutationHandle *sendSms(const QString &leadId, const QString &message);

    // Where rows of `table` land (its own store, or its parent's); null if none.
    RowStore *store(const QString &table) const;
    // A store for the rows of its table: realtime, snapshots, re-reads, overlays and the closed
    // loop reach it. Bookings and leads are added at construction; another entity's store is
    // added after (its descriptors in Options::engine.entities).
    void addStore(RowStore *store);

    ApiClient *api() const { return m_api; }
    MutationEngine *engine() const { return m_engine; }
    OfflineQueue *queue() const { return m_queue.get(); }
    BookingStore *bookings() const { return m_bookings; }
    LeadStore *leads() const { return m_leads; }
    RealtimeClient *realtime() const { return m_realtime; }
    Connectivity *connectivity() const { return m_connectivity; }
    const Clock *clock() const { return m_options.clock; }
    CredentialStore *credentials() const { return m_credentials; }
    QUrl server() const { return m_options.server; }
    QString email() const { return m_email; }
    Persistence persistence() const { return m_persistence; }
    // When the data was last reloaded because the server's change history no longer reached
    // back to what this client had (410 history_expired); invalid if it never was.
    QDateTime historyReloadedAt() const { return m_historyReloadedAt; }
    // The CredentialStore account of the signed-in user on this server.
    QString account() const { return CredentialStore::account(m_options.server, m_email); }

signals:
    void signedIn();
    void signInFailed(const QString &reason);
    void signedOut(const QString &reason);
    void snapshotLoaded();
    void snapshotFailed(const QString &reason);
    // The change history expired, so the snapshot was reloaded (changes in between were not
    // seen one by one); after snapshotLoaded().
    void historyReloaded(const QDateTime &at);

private:
    void wire();

    Options m_options;
    ApiClient *m_api = nullptr;
    std::unique_ptr<OfflineQueue> m_queue;
    BookingStore *m_bookings = nullptr;
    LeadStore *m_leads = nullptr;
    QHash<QString, RowStore *> m_stores; // by table
    MutationEngine *m_engine = nullptr;
    RealtimeClient *m_realtime = nullptr;
    Connectivity *m_connectivity = nullptr;
    CredentialStore *m_credentials = nullptr;
    QString m_email;
    Persistence m_persistence = Persistence::ThisRunOnly;
    bool m_resuming = false;
    int m_snapshotParts = 0;
    qint64 m_snapshotSeq = 0;
    bool m_reloadingExpiredHistory = false;
    QDateTime m_historyReloadedAt;
};
