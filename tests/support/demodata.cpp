#include "demodata.h"

#include "httpclient.h"

#include <QJsonArray>

namespace DemoData {

namespace {
QList<QJsonObject> rows(HttpClient &client, const QString &path, const QString &member)
{
    QList<QJsonObject> out;
    const HttpResult r = client.get(path);
    for (const QJsonValue &v : r.json().value(member).toArray())
        out.append(v.toObject());
    return out;
}
} // namespace

QList<QJsonObject> bookings(HttpClient &client)
{
    return rows(client, QStringLiteral("/api/bookings"), QStringLiteral("bookings"));
}

QList<QJsonObject> leads(HttpClient &client)
{
    return rows(client, QStringLiteral("/api/leads"), QStringLiteral("leads"));
}

QStringList bookingIds(HttpClient &client, const QString &status)
{
    QStringList ids;
    for (const QJsonObject &b : bookings(client)) {
        if (b.value(QStringLiteral("status")).toString() == status)
            ids.append(b.value(QStringLiteral("id")).toString());
    }
    return ids;
}

QJsonObject booking(HttpClient &client, const QString &id)
{
    return client.get(QStringLiteral("/api/bookings/") + id)
        .json()
        .value(QStringLiteral("booking"))
        .toObject();
}

} // namespace DemoData
