#pragma once

#include <QByteArray>
#include <QString>

class Transaction;

// Opaque refresh tokens, stored only as SHA-256 hashes. Each use rotates the token within its
// family; presenting a token that was already rotated revokes the whole family (theft signal),
// unless it comes back within the reuse interval (a lost reply, or two clients sharing one
// keychain entry): then it gets the family's live successor again instead.
class RefreshTokenStore
{
public:
    struct Rotation
    {
        // Reissued: the token was rotated moments ago; `token` is the successor minted then.
        enum class Outcome { Rotated, Reissued, Unknown, Expired, Reused };
        Outcome outcome = Outcome::Unknown;
        QString userId;
        QString token; // the successor when Rotated or Reissued
    };

    struct ReusePolicy
    {
        qint64 intervalMs = 0; // 0: any second use is a reuse
        // Successors are an HMAC of their predecessor under this key, so the same successor can
        // be handed out again without ever storing a token in clear. Required when intervalMs > 0.
        QByteArray successorKey;
    };

    static QString issue(Transaction &tx, const QString &userId, qint64 ttlMs);
    static Rotation rotate(
        Transaction &tx, const QString &token, qint64 ttlMs, const ReusePolicy &reuse);
    static Rotation rotate(Transaction &tx, const QString &token, qint64 ttlMs); // no grace

    // Retention: deletes at most `limit` tokens that expired before the cutoff, soonest expired
    // first, whatever their state (unused, used or revoked); how many it deleted.
    // Why that is enough for reuse detection: a used token's row matters while presenting it
    // could mean a thief holds it, and a token past its own expiry is refused as such anyway
    // (it can mint nothing); the family's live end and every token used within the reuse
    // interval are younger still, so live families keep all they need. Give the cutoff a grace
    // before now so that a client coming back just after expiry hears "expired", not "unknown".
    static int purgeExpiredBefore(Transaction &tx, qint64 cutoffMs, int limit);

    static QString hash(const QString &token);
    static QString successorOf(const QString &token, const QByteArray &key);
};
