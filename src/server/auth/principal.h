#pragma once

#include <QString>
#include <QVariantList>

// The authenticated caller of a request, taken from a verified access token.
struct Principal
{
    enum class Role { Agent, Admin };

    QString userId;
    QString orgId;
    Role role = Role::Agent;

    bool isAdmin() const { return role == Role::Admin; }

    // Row visibility, the one rule for REST, the change feed and realtime: an agent sees the
    // rows of its organisation that it owns; an admin sees its whole organisation.
    bool canSee(const QString &rowOrgId, const QString &rowOwnerId) const
    {
        return rowOrgId == orgId && (isAdmin() || rowOwnerId == userId);
    }
    // The same rule as SQL over columns org_id / owner_id, with its bind values.
    QString visibilitySql() const
    {
        return isAdmin() ? QStringLiteral("org_id = ?")
                         : QStringLiteral("org_id = ? AND owner_id = ?");
    }
    QVariantList visibilityBinds() const
    {
        return isAdmin() ? QVariantList { orgId } : QVariantList { orgId, userId };
    }

    static QString roleName(Role role)
    {
        return role == Role::Admin ? QStringLiteral("admin") : QStringLiteral("agent");
    }
};
