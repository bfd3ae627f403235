#pragma once

#include <QString>

class Transaction;

// Opaque refresh tokens, stored only as SHA-256 hashes. Each use rotates the token within its
// family; presenting a token that was already rotated revokes the whole family (theft signal).
class RefreshTokenStore
{
public:
    struct Rotation
    {
        enum class Outcome { Rotated, Unknown, Expired, Reused };
        Outcome outcome = Outcome::Unknown;
        QString userId;
        QString token; // the new token when Rotated
    };

    static QString issue(Transaction &tx, const QString &userId, qint64 ttlMs);
    static Rotation rotate(Transaction &tx, const QString &token, qint64 ttlMs);

    static QString hash(const QString &token);
};
