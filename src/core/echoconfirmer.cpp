#include "echoconfirmer.h"

#include "entityregistry.h"
#include "mutation.h"

#include <QJsonArray>

namespace {

EchoConfirmer::Target rowTarget(const QString &table, const QJsonObject &row)
{
    return { table, row.value(QLatin1String("id")).toString(),
        row.value(QLatin1String("version")).toInteger(), false };
}

} // namespace

EchoConfirmer::Target EchoConfirmer::targetOf(
    const Mutation &mutation, const QJsonObject &answer) const
{
    const ActionDescriptor *action = m_registry->actionForPath(mutation.path);
    if (action && action->echo == ActionDescriptor::Echo::Row) {
        const EntityDescriptor *entity = m_registry->entity(action->resultTable());
        if (entity && answer.contains(entity->member))
            return rowTarget(entity->table, answer.value(entity->member).toObject());
    }
    // An action not described here, or an answer not as described: any entity's row it names.
    for (const EntityDescriptor &entity : m_registry->entities()) {
        if (answer.contains(entity.member))
            return rowTarget(entity.table, answer.value(entity.member).toObject());
    }
    if (answer.value(QLatin1String("deleted")).toBool()) {
        // The answer names its table; a server from before it did is answering for the record
        // the mutation acted on.
        const QString table = answer.value(QLatin1String("table")).toString();
        return { table.isEmpty() ? (action ? action->entity : mutation.entityTable) : table,
            answer.value(QLatin1String("id")).toString(),
            answer.value(QLatin1String("version")).toInteger(), true };
    }
    return {};
}

bool EchoConfirmer::isSeen(const Target &target, qint64 version)
{
    return target.deletion ? version < 0 : version >= 0 && version >= target.version;
}

QString EchoConfirmer::rereadPath(const Target &target, const Mutation &mutation) const
{
    const EntityDescriptor *entity = m_registry->entity(target.table);
    if (!entity || entity->rowPath.isEmpty())
        return {};
    return entity->rowPath.arg(entity->parentTable.isEmpty() ? target.id : mutation.entityId);
}

QJsonObject EchoConfirmer::rowIn(const Target &target, const QJsonObject &answer) const
{
    const EntityDescriptor *entity = m_registry->entity(target.table);
    if (!entity)
        return {};
    if (entity->parentTable.isEmpty())
        return answer.value(entity->member).toObject();
    for (const QJsonValue &v : answer.value(entity->member).toArray()) {
        if (v.toObject().value(QLatin1String("id")).toString() == target.id)
            return v.toObject();
    }
    return {};
}
