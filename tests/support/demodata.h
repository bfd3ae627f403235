#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

class HttpClient;

// Reading the demo organisation through the API, as a logged-in client sees it.
namespace DemoData {

inline const QString agent1 = QStringLiteral("agent1@example.com");
inline const QString agent2 = QStringLiteral("agent2@example.com");
inline const QString admin = QStringLiteral("admin@example.com");

QList<QJsonObject> bookings(HttpClient &client);
QList<QJsonObject> leads(HttpClient &client);
// Ids of the visible bookings in `status`, in list order.
QStringList bookingIds(HttpClient &client, const QString &status);
QJsonObject booking(HttpClient &client, const QString &id);

} // namespace DemoData
