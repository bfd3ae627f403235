#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <functional>

// One action on one entity, described once: the route it is posted to and the body it sends,
// what the UI shows at once, and how the closed loop recognises its effect (its echo). Every
// member has an initialiser, so a descriptor (designated initialisers) names only what it uses.
struct ActionDescriptor
{
    // How the effect is seen back: the row the answer names, at that version or newer; or the
    // record gone (the answer names its table and the row's last version).
    enum class Echo { Row, Deletion };

    QString entity {}; // the table of the record acted on: "bookings"
    QString name {}; // "confirm"; also syncloopctl's verb: `bookings confirm ID`
    QString path {}; // "/api/bookings/confirm"
    QString idMember {}; // the body member naming the record: "bookingId"
    QStringList params {}; // further body members, in syncloopctl's argument order: { "status" }
    Echo echo = Echo::Row;
    QString echoTable {}; // the table of the row the answer names, when not the entity's own
    // The fields shown over the record until the mutation settles, from the body it sends.
    std::function<QJsonObject(const QJsonObject &body)> optimistic {};
    // syncloopctl's usage: the arguments after ID ("STATUS") and what it does.
    QString synopsis {};
    QString help {};

    QString resultTable() const { return echoTable.isEmpty() ? entity : echoTable; }
    // The body for record `id`; `values` fill `params` in order.
    QJsonObject body(const QString &id, const QStringList &values) const;
};
