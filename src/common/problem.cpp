#include "problem.h"

#include <QJsonDocument>
#include <QJsonObject>

QString Problem::typeUri(const QString &code)
{
    return QStringLiteral("urn:syncloop:problem:") + code;
}

QByteArray Problem::toJson() const
{
    const QJsonObject body {
        { QStringLiteral("type"), typeUri(code) },
        { QStringLiteral("title"), title },
        { QStringLiteral("status"), status },
        { QStringLiteral("detail"), detail },
        { QStringLiteral("code"), code },
        { QStringLiteral("retryable"), retryable },
    };
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

std::optional<Problem> Problem::fromJson(const QByteArray &body)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    const QJsonObject o = doc.object();
    if (!o.value(QStringLiteral("status")).isDouble()
        || !o.value(QStringLiteral("code")).isString())
        return std::nullopt;
    Problem p;
    p.status = o.value(QStringLiteral("status")).toInt();
    p.code = o.value(QStringLiteral("code")).toString();
    p.title = o.value(QStringLiteral("title")).toString();
    p.detail = o.value(QStringLiteral("detail")).toString();
    p.retryable = o.value(QStringLiteral("retryable")).toBool();
    return p;
}
