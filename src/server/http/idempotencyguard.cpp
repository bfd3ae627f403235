#include "idempotencyguard.h"

#include "logging.h"
#include "metrics/servermetrics.h"
#include "problems.h"
#include "requestcontext.h"
#include "storage/database.h"
#include "storage/idempotencystore.h"
#include "storage/storageerror.h"
#include "storage/transaction.h"
#include "storage/transactionrunner.h"

#include <QCryptographicHash>

namespace {

enum class Outcome { Executed, Replayed, Mismatch };

// The key's row was inserted by another transaction (another instance on the same PostgreSQL)
// after this one looked for it: that request holds the key; this one rolls back.
struct KeyTakenElsewhere
{
};

// Releases the in-flight slot however execute() leaves (return or exception).
class SlotRelease
{
public:
    explicit SlotRelease(std::function<void()> release)
        : m_release(std::move(release))
    { }
    ~SlotRelease() { m_release(); }
    Q_DISABLE_COPY_MOVE(SlotRelease)

private:
    std::function<void()> m_release;
};

} // namespace

IdempotencyGuard::IdempotencyGuard(
    TransactionRunner &runner, ServerMetrics &metrics, qint64 windowMs)
    : m_runner(runner)
    , m_metrics(metrics)
    , m_windowMs(windowMs)
{ }

QString IdempotencyGuard::fingerprint(
    const QByteArray &method, const QString &path, const QByteArray &canonicalBody)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(method);
    hash.addData("\n");
    hash.addData(path.toUtf8());
    hash.addData("\n");
    hash.addData(canonicalBody);
    return QString::fromLatin1(hash.result().toHex());
}

bool IdempotencyGuard::claim(const QString &slot)
{
    QMutexLocker lock(&m_mutex);
    if (m_inFlight.contains(slot))
        return false;
    m_inFlight.insert(slot);
    return true;
}

void IdempotencyGuard::release(const QString &slot)
{
    QMutexLocker lock(&m_mutex);
    m_inFlight.remove(slot);
}

HttpResponse IdempotencyGuard::execute(const RequestContext &ctx, const Work &work)
{
    const QString userId = ctx.principal().userId;
    const QString key = ctx.idempotencyKey();
    const QString slot = userId + QLatin1Char('\n') + key;
    if (!claim(slot)) {
        m_metrics.recordIdempotencyConflict();
        return HttpResponse::problem(Problems::keyInUse());
    }
    SlotRelease releaseOnExit([this, slot] { release(slot); });

    const QByteArray method = ctx.request().method;
    const QString fp = fingerprint(method, ctx.path(), ctx.canonicalBody());
    Outcome outcome = Outcome::Executed;
    bool stored = false;
    const SqlDialect &dialect = m_runner.database().dialect();
    HttpResponse response;
    try {
        response = m_runner.write(ctx.transactions(), [&](Transaction &tx) -> HttpResponse {
            outcome = Outcome::Executed;
            stored = false;
            auto record = IdempotencyStore::find(tx, userId, key);
            if (record && record->createdAtMs < tx.nowMs() - m_windowMs) {
                // Outside the advertised window the key is forgotten, purged or not.
                IdempotencyStore::remove(tx, userId, key);
                record.reset();
            }
            if (record) {
                if (record->fingerprint != fp) {
                    outcome = Outcome::Mismatch;
                    return HttpResponse::problem(Problems::keyMismatch());
                }
                outcome = Outcome::Replayed;
                HttpResponse replay;
                replay.status = record->status;
                replay.contentType = record->contentType;
                replay.body = record->body;
                replay.withHeader("Idempotent-Replayed", "true");
                return replay;
            }
            HttpResponse fresh = work(tx);
            if (fresh.status < 500) {
                try {
                    IdempotencyStore::insert(tx, userId, key,
                        { fp, QString::fromLatin1(method), ctx.path(), fresh.status,
                            fresh.contentType, fresh.body, tx.nowMs() });
                } catch (const StorageError &e) {
                    if (dialect.isUniqueViolation(e.sqlError()))
                        throw KeyTakenElsewhere {};
                    throw;
                }
                stored = true;
            }
            return fresh;
        });
    } catch (const KeyTakenElsewhere &) {
        // Rolled back; a retry replays the other request's answer once that one committed.
        m_metrics.recordIdempotencyConflict();
        return HttpResponse::problem(Problems::keyInUse());
    }
    switch (outcome) {
    case Outcome::Replayed:
        m_metrics.recordIdempotencyReplay();
        break;
    case Outcome::Mismatch:
        m_metrics.recordIdempotencyMismatch();
        break;
    case Outcome::Executed:
        if (stored)
            m_metrics.recordIdempotencyStored();
        break;
    }
    return response;
}
