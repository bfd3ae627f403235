#include "tokenservice.h"

#include "clock.h"
#include "secretfile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QRandomGenerator>
#include <cerrno>
#include <cstdlib>
#include <jwt.h>
#include <memory>

namespace {

struct JwtDeleter
{
    void operator()(jwt_t *jwt) const { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtDeleter>;

QString grant(jwt_t *jwt, const char *name)
{
    const char *value = jwt_get_grant(jwt, name);
    return value ? QString::fromUtf8(value) : QString();
}

} // namespace

TokenService::TokenService(QByteArray secret, const Clock *clock, qint64 ttlSeconds)
    : m_secret(std::move(secret))
    , m_clock(clock)
    , m_ttlSeconds(ttlSeconds)
{ }

QString TokenService::issue(const Principal &principal, const QString &email) const
{
    jwt_t *raw = nullptr;
    if (jwt_new(&raw) != 0)
        return {};
    JwtPtr jwt(raw);
    const qint64 now = m_clock->nowMs() / 1000;
    jwt_add_grant(jwt.get(), "sub", principal.userId.toUtf8().constData());
    jwt_add_grant(jwt.get(), "role", Principal::roleName(principal.role).toUtf8().constData());
    jwt_add_grant(jwt.get(), "org", principal.orgId.toUtf8().constData());
    jwt_add_grant(jwt.get(), "email", email.toUtf8().constData());
    jwt_add_grant_int(jwt.get(), "iat", long(now));
    jwt_add_grant_int(jwt.get(), "exp", long(now + m_ttlSeconds));
    jwt_set_alg(jwt.get(), JWT_ALG_HS256,
        reinterpret_cast<const unsigned char *>(m_secret.constData()), int(m_secret.size()));
    char *encoded = jwt_encode_str(jwt.get());
    if (!encoded)
        return {};
    QString token = QString::fromLatin1(encoded);
    std::free(encoded); // libjwt 1.10 allocates with malloc and has no jwt_free_str
    return token;
}

std::optional<TokenService::Claims> TokenService::verify(
    const QByteArray &token, QString *reason) const
{
    auto fail = [reason](const char *why) -> std::optional<Claims> {
        if (reason)
            *reason = QString::fromLatin1(why);
        return std::nullopt;
    };
    if (token.isEmpty() || token.size() > 8192)
        return fail("malformed token");
    // A client sends the same token for its whole lifetime (minutes): remember what a
    // signature check proved, per thread and per service, and re-check only the expiry.
    struct Cache
    {
        const TokenService *owner = nullptr;
        QHash<QByteArray, Claims> verified;
    };
    thread_local Cache cache;
    if (cache.owner != this) {
        cache.owner = this;
        cache.verified.clear();
    }
    const auto known = cache.verified.constFind(token);
    if (known != cache.verified.cend()) {
        if (known->expiresAt <= m_clock->nowMs() / 1000)
            return fail("token expired");
        return *known;
    }
    auto claims = verifySignedToken(token, reason);
    if (claims) {
        if (cache.verified.size() >= 4096)
            cache.verified.clear();
        cache.verified.insert(token, *claims);
    }
    return claims;
}

std::optional<TokenService::Claims> TokenService::verifySignedToken(
    const QByteArray &token, QString *reason) const
{
    auto fail = [reason](const char *why) -> std::optional<Claims> {
        if (reason)
            *reason = QString::fromLatin1(why);
        return std::nullopt;
    };
    jwt_t *raw = nullptr;
    // With a key given, libjwt rejects a bad signature and an unsigned ("alg": "none") token.
    if (jwt_decode(&raw, token.constData(),
            reinterpret_cast<const unsigned char *>(m_secret.constData()), int(m_secret.size()))
        != 0)
        return fail("invalid signature or malformed token");
    JwtPtr jwt(raw);
    if (jwt_get_alg(jwt.get()) != JWT_ALG_HS256)
        return fail("unexpected algorithm");
    errno = 0;
    const long exp = jwt_get_grant_int(jwt.get(), "exp");
    if (errno != 0)
        return fail("token has no expiry");
    if (qint64(exp) <= m_clock->nowMs() / 1000)
        return fail("token expired");
    Claims claims;
    claims.principal.userId = grant(jwt.get(), "sub");
    claims.principal.orgId = grant(jwt.get(), "org");
    const QString role = grant(jwt.get(), "role");
    if (claims.principal.userId.isEmpty() || claims.principal.orgId.isEmpty()
        || (role != QLatin1String("admin") && role != QLatin1String("agent")))
        return fail("token lacks required claims");
    claims.principal.role
        = role == QLatin1String("admin") ? Principal::Role::Admin : Principal::Role::Agent;
    claims.email = grant(jwt.get(), "email");
    claims.expiresAt = exp;
    return claims;
}

QByteArray TokenService::loadOrCreateSecret(
    const QString &secretFile, const QString &fallbackPath, QString *error)
{
    const QString path = secretFile.isEmpty() ? fallbackPath : secretFile;
    const QString what = QStringLiteral("JWT secret file");
    if (QFile::exists(path)) {
        const std::optional<QByteArray> secret = SecretFile::read(path, what, error);
        if (!secret)
            return {};
        if (secret->size() < 32) {
            *error = QStringLiteral("JWT secret in %1 is shorter than 32 bytes").arg(path);
            return {};
        }
        return *secret;
    }
    if (!secretFile.isEmpty()) {
        *error = QStringLiteral("JWT secret file %1 does not exist").arg(path);
        return {};
    }
    QByteArray random(48, Qt::Uninitialized);
    QRandomGenerator::system()->generate(random.begin(), random.end());
    QByteArray secret
        = random.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    QDir().mkpath(QFileInfo(path).absolutePath());
    if (!SecretFile::create(path, secret, what, error))
        return {};
    return secret;
}
