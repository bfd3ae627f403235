#pragma once

#include "principal.h"

#include <QByteArray>
#include <QString>
#include <optional>

class Clock;

// HS256 access tokens (JWT via libjwt) carrying sub, role, org, email, iat and exp.
// Verification never trusts the header's alg: it requires HS256 and a future exp.
class TokenService
{
public:
    struct Claims
    {
        Principal principal;
        QString email;
        qint64 expiresAt = 0; // seconds since the epoch
    };

    TokenService(QByteArray secret, const Clock *clock, qint64 ttlSeconds = 900);

    QString issue(const Principal &principal, const QString &email) const;
    // nullopt (with *reason) for a tampered, expired, malformed or wrongly signed token.
    std::optional<Claims> verify(const QByteArray &token, QString *reason = nullptr) const;
    qint64 ttlSeconds() const { return m_ttlSeconds; }

    // The secret from a file (at least 32 bytes), or a new random one kept in `fallbackPath`.
    static QByteArray loadOrCreateSecret(
        const QString &secretFile, const QString &fallbackPath, QString *error);

private:
    std::optional<Claims> verifySignedToken(const QByteArray &token, QString *reason) const;

    const QByteArray m_secret;
    const Clock *m_clock;
    const qint64 m_ttlSeconds;
};
