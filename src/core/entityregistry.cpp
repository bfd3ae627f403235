#include "entityregistry.h"

namespace {

EntityRegistry makeBuiltIn()
{
    using Column = EntityDescriptor::Column;
    EntityRegistry r;
    r.add(EntityDescriptor { QStringLiteral("bookings"), QStringLiteral("booking"), QStringLiteral("/api/bookings"),
                             QStringLiteral("bookings"), QStringLiteral("/api/bookings/%1"), QString(),
                             { Column { QStringLiteral("id") }, Column { QStringLiteral("status"), 9 },
                               Column { QStringLiteral("starts_at") }, Column { QStringLiteral("service") },
                               Column { QStringLiteral("customer_name") } } });
    r.add(EntityDescriptor { QStringLiteral("leads"), QStringLiteral("lead"), QStringLiteral("/api/leads"),
                             QStringLiteral("leads"), QStringLiteral("/api/leads/%1"), QString(),
                             { Column { QStringLiteral("id") }, Column { QStringLiteral("status"), 9 },
                               Column { QStringLiteral("phone") }, Column { QStringLiteral("name") } } });
    // No list or GET of their own: a lead's GET carries its messages.
    r.add(EntityDescriptor { QStringLiteral("sms_messages"), QStringLiteral("sms"), QString(), QString(),
                             QStringLiteral("/api/leads/%1"), QStringLiteral("leads"), {} });

    r.add(ActionDescriptor { QStringLiteral("bookings"), QStringLiteral("confirm"), QStringLiteral("/api/bookings/confirm"),
                             QStringLiteral("bookingId"), {}, ActionDescriptor::Echo::Row, QString(),
                             [](const QJsonObject &) { return QJsonObject { { QStringLiteral("status"), QStringLiteral("confirmed") } }; } });
    r.add(ActionDescriptor { QStringLiteral("bookings"), QStringLiteral("delete"), QStringLiteral("/api/bookings/delete"),
                             QStringLiteral("bookingId"), {}, ActionDescriptor::Echo::Deletion, QString(),
                             [](const QJsonObject &) { return QJsonObject { { QStringLiteral("deleting"), true } }; } });
    r.add(ActionDescriptor { QStringLiteral("leads"), QStringLiteral("status"), QStringLiteral("/api/leads/status"),
                             QStringLiteral("leadId"), { QStringLiteral("status") }, ActionDescriptor::Echo::Row, QString(),
                             [](const QJsonObject &body) {
                                 return QJsonObject { { QStringLiteral("status"), body.value(QStringLiteral("status")) } };
                             } });
    // Its answer names the new message, not the lead: the echo is the message's row.
    r.add(ActionDescriptor { QStringLiteral("leads"), QStringLiteral("send-sms"), QStringLiteral("/api/leads/send-sms"),
                             QStringLiteral("leadId"), { QStringLiteral("message") }, ActionDescriptor::Echo::Row,
                             QStringLiteral("sms_messages"), [](const QJsonObject &body) {
                                 return QJsonObject { { QStringLiteral("sms_pending"), body.value(QStringLiteral("message")) } };
                             } });
    return r;
}

} // namespace

const EntityRegistry &EntityRegistry::builtIn()
{
    static const EntityRegistry registry = makeBuiltIn();
    return registry;
}

void EntityRegistry::add(EntityDescriptor entity)
{
    m_entities.append(std::move(entity));
}

void EntityRegistry::add(ActionDescriptor action)
{
    m_actions.append(std::move(action));
}

const EntityDescriptor *EntityRegistry::entity(QStringView table) const
{
    for (const EntityDescriptor &e : m_entities) {
        if (e.table == table)
            return &e;
    }
    return nullptr;
}

const ActionDescriptor *EntityRegistry::action(QStringView entity, QStringView name) const
{
    for (const ActionDescriptor &a : m_actions) {
        if (a.entity == entity && a.name == name)
            return &a;
    }
    return nullptr;
}

const ActionDescriptor *EntityRegistry::actionForPath(QStringView path) const
{
    for (const ActionDescriptor &a : m_actions) {
        if (a.path == path)
            return &a;
    }
    return nullptr;
}

QString EntityRegistry::storeTable(const QString &table) const
{
    const EntityDescriptor *e = entity(table);
    return e && !e->parentTable.isEmpty() ? e->parentTable : table;
}
