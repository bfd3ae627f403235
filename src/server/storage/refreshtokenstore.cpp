#include "refreshtokenstore.h"

#include "sqlquery.h"
#include "transaction.h"

#include <QCryptographicHash>
#include <QMessageAuthenticationCode>
#include <QRandomGenerator>
#include <QUuid>
#include <optional>

namespace {

// How far a reissue follows a family's chain of successors to its live end: each step is a
// rotation inside the reuse interval, so a handful is plenty.
constexpr int maxChainSteps = 8;

QString encode(const QByteArray &bytes)
{
    return QString::fromLatin1(
        bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

QString newToken()
{
    QByteArray bytes(32, Qt::Uninitialized);
    QRandomGenerator::system()->generate(bytes.begin(), bytes.end());
    return encode(bytes);
}

void store(Transaction &tx, const QString &token, const QString &userId, const QString &familyId,
    qint64 ttlMs)
{
    tx.query(QStringLiteral(
                 "INSERT INTO refresh_tokens (token_hash, user_id, family_id, created_at_ms,"
                 " expires_at_ms, used_at_ms, revoked) VALUES (?, ?, ?, ?, ?, NULL, 0)"))
        .bind(RefreshTokenStore::hash(token))
        .bind(userId)
        .bind(familyId)
        .bind(tx.nowMs())
        .bind(tx.nowMs() + ttlMs)
        .exec();
}

struct Row
{
    QString userId;
    QString familyId;
    qint64 expiresAtMs = 0;
    std::optional<qint64> usedAtMs;
    bool revoked = false;
};

std::optional<Row> find(Transaction &tx, const QString &token)
{
    SqlQuery q
        = tx.query(QStringLiteral("SELECT user_id, family_id, expires_at_ms, used_at_ms, revoked"
                                  " FROM refresh_tokens WHERE token_hash = ?"));
    q.bind(RefreshTokenStore::hash(token)).exec();
    if (!q.next())
        return std::nullopt;
    Row row;
    row.userId = q.text(0);
    row.familyId = q.text(1);
    row.expiresAtMs = q.integer(2);
    if (!q.isNull(3))
        row.usedAtMs = q.integer(3);
    row.revoked = q.integer(4) != 0;
    return row;
}

RefreshTokenStore::Rotation revokeFamily(Transaction &tx, const QString &familyId)
{
    // A rotated token came back: whoever holds the family may be an attacker. End it.
    tx.query(QStringLiteral("UPDATE refresh_tokens SET revoked = 1 WHERE family_id = ?"))
        .bind(familyId)
        .exec();
    RefreshTokenStore::Rotation result;
    result.outcome = RefreshTokenStore::Rotation::Outcome::Reused;
    return result;
}

// The live end of the chain after `token` (rotated moments ago), or nullopt when the chain is
// broken (revoked, or not minted under this key).
std::optional<RefreshTokenStore::Rotation> reissue(
    Transaction &tx, const QString &token, const RefreshTokenStore::ReusePolicy &reuse)
{
    using Outcome = RefreshTokenStore::Rotation::Outcome;
    QString current = token;
    for (int step = 0; step < maxChainSteps; ++step) {
        const QString next = RefreshTokenStore::successorOf(current, reuse.successorKey);
        const std::optional<Row> row = find(tx, next);
        if (!row || row->revoked)
            return std::nullopt;
        if (!row->usedAtMs) {
            RefreshTokenStore::Rotation result;
            result.outcome = row->expiresAtMs <= tx.nowMs() ? Outcome::Expired : Outcome::Reissued;
            if (result.outcome == Outcome::Reissued) {
                result.userId = row->userId;
                result.token = next;
            }
            return result;
        }
        current = next;
    }
    return std::nullopt;
}

} // namespace

QString RefreshTokenStore::hash(const QString &token)
{
    return QString::fromLatin1(
        QCryptographicHash::hash(token.toUtf8(), QCryptographicHash::Sha256).toHex());
}

QString RefreshTokenStore::successorOf(const QString &token, const QByteArray &key)
{
    return encode(
        QMessageAuthenticationCode::hash(token.toUtf8(), key, QCryptographicHash::Sha256));
}

QString RefreshTokenStore::issue(Transaction &tx, const QString &userId, qint64 ttlMs)
{
    QString token = newToken();
    store(tx, token, userId, QUuid::createUuid().toString(QUuid::WithoutBraces), ttlMs);
    return token;
}

int RefreshTokenStore::purgeExpiredBefore(Transaction &tx, qint64 cutoffMs, int limit)
{
    SqlQuery q = tx.query(QStringLiteral("DELETE FROM refresh_tokens WHERE token_hash IN"
                                         " (SELECT token_hash FROM refresh_tokens WHERE "
                                         "expires_at_ms < ? ORDER BY expires_at_ms LIMIT ?)"));
    q.bind(cutoffMs).bind(limit).exec();
    return q.rowsAffected();
}

RefreshTokenStore::Rotation RefreshTokenStore::rotate(
    Transaction &tx, const QString &token, qint64 ttlMs)
{
    return rotate(tx, token, ttlMs, ReusePolicy());
}

RefreshTokenStore::Rotation RefreshTokenStore::rotate(
    Transaction &tx, const QString &token, qint64 ttlMs, const ReusePolicy &reuse)
{
    const bool graceful = reuse.intervalMs > 0 && !reuse.successorKey.isEmpty();
    // Twice at most: a concurrent rotation that wins the conditional update below is then
    // seen as a use moments ago.
    for (int attempt = 0; attempt < 2; ++attempt) {
        const std::optional<Row> row = find(tx, token);
        if (!row)
            return {};
        if (row->revoked)
            return revokeFamily(tx, row->familyId);
        if (row->usedAtMs) {
            if (graceful && tx.nowMs() - *row->usedAtMs <= reuse.intervalMs) {
                if (auto again = reissue(tx, token, reuse))
                    return *again;
            }
            return revokeFamily(tx, row->familyId);
        }
        if (row->expiresAtMs <= tx.nowMs()) {
            Rotation result;
            result.outcome = Rotation::Outcome::Expired;
            return result;
        }
        // Conditional: of two refreshes racing with the same token, exactly one marks it used
        // and mints the successor; the other affects no row and goes round again.
        SqlQuery mark = tx.query(
            QStringLiteral("UPDATE refresh_tokens SET used_at_ms = ?"
                           " WHERE token_hash = ? AND used_at_ms IS NULL AND revoked = 0"));
        mark.bind(tx.nowMs()).bind(hash(token)).exec();
        if (mark.rowsAffected() != 1)
            continue;
        Rotation result;
        result.outcome = Rotation::Outcome::Rotated;
        result.userId = row->userId;
        result.token = graceful ? successorOf(token, reuse.successorKey) : newToken();
        store(tx, result.token, row->userId, row->familyId, ttlMs);
        return result;
    }
    return {};
}
