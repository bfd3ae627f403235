#include "testjwt.h"

#include <QJsonDocument>
#include <QMessageAuthenticationCode>

namespace TestJwt {

QByteArray base64Url(const QByteArray &bytes)
{
    return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QJsonObject hs256Header()
{
    return { { QStringLiteral("alg"), QStringLiteral("HS256") },
        { QStringLiteral("typ"), QStringLiteral("JWT") } };
}

QByteArray mint(const QJsonObject &header, const QJsonObject &claims, const QByteArray &secret,
    QCryptographicHash::Algorithm algorithm)
{
    const QByteArray signingInput = base64Url(QJsonDocument(header).toJson(QJsonDocument::Compact))
        + '.' + base64Url(QJsonDocument(claims).toJson(QJsonDocument::Compact));
    return signingInput + '.'
        + base64Url(QMessageAuthenticationCode::hash(signingInput, secret, algorithm));
}

} // namespace TestJwt
