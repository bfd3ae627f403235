#pragma once

#include <QByteArray>
#include <QCryptographicHash>
#include <QJsonObject>

// JWTs made by hand for tests that own the server's secret (ServerProcess::Options::jwtSecret):
// base64url(header).base64url(claims).base64url(HMAC(header.claims)).
namespace TestJwt {

QByteArray base64Url(const QByteArray &bytes);
QJsonObject hs256Header();
QByteArray mint(const QJsonObject &header, const QJsonObject &claims, const QByteArray &secret,
    QCryptographicHash::Algorithm algorithm = QCryptographicHash::Sha256);
inline QByteArray mint(const QJsonObject &claims, const QByteArray &secret)
{
    return mint(hs256Header(), claims, secret);
}

} // namespace TestJwt
