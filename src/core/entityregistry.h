#pragma once

#include "actiondescriptor.h"
#include "entitydescriptor.h"

#include <QList>

// The entities and actions the client knows, each described once. builtIn() holds what the
// server offers; a copy can take more (a test adds a toy entity) and is handed to the engine
// through MutationEngine::Options. Pointers returned stay valid until the next add().
class EntityRegistry
{
public:
    static const EntityRegistry &builtIn();

    void add(EntityDescriptor entity);
    void add(ActionDescriptor action);

    const QList<EntityDescriptor> &entities() const { return m_entities; }
    const QList<ActionDescriptor> &actions() const { return m_actions; }
    const EntityDescriptor *entity(QStringView table) const;
    const ActionDescriptor *action(QStringView entity, QStringView name) const;
    // The action a queued mutation is, by the route it is posted to.
    const ActionDescriptor *actionForPath(QStringView path) const;
    // The table whose store holds rows of `table`: its parent's, else its own.
    QString storeTable(const QString &table) const;

private:
    QList<EntityDescriptor> m_entities;
    QList<ActionDescriptor> m_actions;
};
