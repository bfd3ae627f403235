#include "refreshtokenstore.h"

#include "sqlquery.h"
#include "transaction.h"

#include <QCryptographicHash>
#include <QRandomGenerator>
#include <QUuid>

namespace {

QString newToken()
{
    QByteArray bytes(32, Qt::Uninitialized);
    QRandomGenerator::system()->generate(bytes.begin(), bytes.end());
    return QString::fromLatin1(
        bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

QString store(Transaction &tx, const QString &userId, const QString &familyId, qint64 ttlMs)
{
    const QString token = newToken();
    tx.query(QStringLiteral("INSERT INTO refresh_tokens (token_hash, user_id, family_id, created_at_ms,"
                            " expires_at_ms, used_at_ms, revoked) VALUES (?, ?, ?, ?, ?, NULL, 0)"))
        .bind(RefreshTokenStore::hash(token))
        .bind(userId)
        .bind(familyId)
        .bind(tx.nowMs())
        .bind(tx.nowMs() + ttlMs)
        .exec();
    return token;
}

} // namespace

QString RefreshTokenStore::hash(const QString &token)
{
    return QString::fromLatin1(
        QCryptographicHash::hash(token.toUtf8(), QCryptographicHash::Sha256).toHex());
}

QString RefreshTokenStore::issue(Transaction &tx, const QString &userId, qint64 ttlMs)
{
    return store(tx, userId, QUuid::createUuid().toString(QUuid::WithoutBraces), ttlMs);
}

RefreshTokenStore::Rotation RefreshTokenStore::rotate(Transaction &tx, const QString &token,
                                                      qint64 ttlMs)
{
    Rotation result;
    SqlQuery q = tx.query(QStringLiteral("SELECT user_id, family_id, expires_at_ms, used_at_ms, revoked"
                                         " FROM refresh_tokens WHERE token_hash = ?"));
    q.bind(hash(token)).exec();
    if (!q.next())
        return result;
    const QString userId = q.text(0);
    const QString familyId = q.text(1);
    const bool used = !q.isNull(3);
    const bool revoked = q.integer(4) != 0;
    if (used || revoked) {
        // A rotated token came back: whoever holds the family may be an attacker. End it.
        tx.query(QStringLiteral("UPDATE refresh_tokens SET revoked = 1 WHERE family_id = ?"))
            .bind(familyId)
            .exec();
        result.outcome = Rotation::Outcome::Reused;
        return result;
    }
    if (q.integer(2) <= tx.nowMs()) {
        result.outcome = Rotation::Outcome::Expired;
        return result;
    }
    tx.query(QStringLiteral("UPDATE refresh_tokens SET used_at_ms = ? WHERE token_hash = ?"))
        .bind(tx.nowMs())
        .bind(hash(token))
        .exec();
    result.outcome = Rotation::Outcome::Rotated;
    result.userId = userId;
    result.token = store(tx, userId, familyId, ttlMs);
    return result;
}
