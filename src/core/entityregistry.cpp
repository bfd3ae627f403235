#include "entityregistry.h"

namespace {

EntityRegistry makeBuiltIn()
{
    using Column = EntityDescriptor::Column;
    EntityRegistry r;
    r.add(EntityDescriptor { .table = QStringLiteral("bookings"),
        .member = QStringLiteral("booking"),
        .listPath = QStringLiteral("/api/bookings"),
        .listMember = QStringLiteral("bookings"),
        .rowPath = QStringLiteral("/api/bookings/%1"),
        .columns = { Column { QStringLiteral("id") }, Column { QStringLiteral("status"), 9 },
            Column { QStringLiteral("starts_at") }, Column { QStringLiteral("service") },
            Column { QStringLiteral("customer_name") } },
        .listHelp = QStringLiteral("the bookings you may see") });
    r.add(EntityDescriptor { .table = QStringLiteral("leads"),
        .member = QStringLiteral("lead"),
        .listPath = QStringLiteral("/api/leads"),
        .listMember = QStringLiteral("leads"),
        .rowPath = QStringLiteral("/api/leads/%1"),
        .columns = { Column { QStringLiteral("id") }, Column { QStringLiteral("status"), 9 },
            Column { QStringLiteral("phone") }, Column { QStringLiteral("name") } },
        .listHelp = QStringLiteral("the leads you may see") });
    // No list or GET of their own: a lead's GET carries its messages.
    r.add(EntityDescriptor { .table = QStringLiteral("sms_messages"),
        .member = QStringLiteral("sms"),
        .rowPath = QStringLiteral("/api/leads/%1"),
        .parentTable = QStringLiteral("leads") });

    r.add(ActionDescriptor { .entity = QStringLiteral("bookings"),
        .name = QStringLiteral("confirm"),
        .path = QStringLiteral("/api/bookings/confirm"),
        .idMember = QStringLiteral("bookingId"),
        .optimistic =
            [](const QJsonObject &) {
                return QJsonObject { { QStringLiteral("status"), QStringLiteral("confirmed") } };
            },
        .help = QStringLiteral("confirm a booking") });
    r.add(ActionDescriptor { .entity = QStringLiteral("bookings"),
        .name = QStringLiteral("delete"),
        .path = QStringLiteral("/api/bookings/delete"),
        .idMember = QStringLiteral("bookingId"),
        .echo = ActionDescriptor::Echo::Deletion,
        .optimistic =
            [](const QJsonObject &) {
                return QJsonObject { { QStringLiteral("deleting"), true } };
            },
        .help = QStringLiteral("delete a booking") });
    r.add(ActionDescriptor { .entity = QStringLiteral("leads"),
        .name = QStringLiteral("status"),
        .path = QStringLiteral("/api/leads/status"),
        .idMember = QStringLiteral("leadId"),
        .params = { QStringLiteral("status") },
        .optimistic =
            [](const QJsonObject &body) {
                return QJsonObject { { QStringLiteral("status"),
                    body.value(QStringLiteral("status")) } };
            },
        .synopsis = QStringLiteral("STATUS"),
        .help = QStringLiteral("set a lead's status (new, contacted, qualified, won, lost)") });
    // Its answer names the new message, not the lead: the echo is the message's row.
    r.add(ActionDescriptor { .entity = QStringLiteral("leads"),
        .name = QStringLiteral("send-sms"),
        .path = QStringLiteral("/api/leads/send-sms"),
        .idMember = QStringLiteral("leadId"),
        .params = { QStringLiteral("message") },
        .echoTable = QStringLiteral("sms_messages"),
        .optimistic =
            [](const QJsonObject &body) {
                return QJsonObject { { QStringLiteral("sms_pending"),
                    body.value(QStringLiteral("message")) } };
            },
        .synopsis = QStringLiteral("TEXT"),
        .help = QStringLiteral("send an SMS to a lead") });
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
