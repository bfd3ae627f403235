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
    static Rotation rotate(Transaction &tx, const QString &token, qint64 ttlMs, const ReusePolicy &reuse);
    static Rotation rotate(Transaction &tx, const QString &token, qint64 ttlMs); // no grace

    static QString hash(const QString &token);
    static QString successorOf(const QString &token, const QByteArray &key);
};
