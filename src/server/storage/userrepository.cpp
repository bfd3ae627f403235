#include "userrepository.h"

#include "sqlquery.h"
#include "transaction.h"
#include "wireformat.h"

#include <QDateTime>

namespace {

const QString columns = QStringLiteral("SELECT id, org_id, email, password_hash, role FROM users ");

std::optional<UserRepository::User> single(SqlQuery &q)
{
    q.exec();
    if (!q.next())
        return std::nullopt;
    UserRepository::User u;
    u.id = q.text(0);
    u.orgId = q.text(1);
    u.email = q.text(2);
    u.passwordHash = q.text(3);
    u.role = q.text(4) == QLatin1String("admin") ? Principal::Role::Admin : Principal::Role::Agent;
    return u;
}

} // namespace

std::optional<UserRepository::User> UserRepository::findByEmail(
    Transaction &tx, const QString &email)
{
    SqlQuery q = tx.query(columns + QStringLiteral("WHERE email = ?"));
    q.bind(email.trimmed().toLower());
    return single(q);
}

std::optional<UserRepository::User> UserRepository::findById(Transaction &tx, const QString &id)
{
    SqlQuery q = tx.query(columns + QStringLiteral("WHERE id = ?"));
    q.bind(id);
    return single(q);
}

void UserRepository::insert(Transaction &tx, const User &user)
{
    tx.query(QStringLiteral("INSERT INTO users (id, org_id, email, password_hash, role, created_at)"
                            " VALUES (?, ?, ?, ?, ?, ?)"))
        .bind(user.id)
        .bind(user.orgId)
        .bind(user.email.trimmed().toLower())
        .bind(user.passwordHash)
        .bind(Principal::roleName(user.role))
        .bind(WireFormat::timestamp(QDateTime::fromMSecsSinceEpoch(tx.nowMs(), Qt::UTC)))
        .exec();
}

void UserRepository::insertOrganisation(Transaction &tx, const QString &id, const QString &name)
{
    tx.query(QStringLiteral("INSERT INTO organisations (id, name) VALUES (?, ?)"))
        .bind(id)
        .bind(name)
        .exec();
}

bool UserRepository::anyOrganisation(Transaction &tx)
{
    SqlQuery q = tx.query(QStringLiteral("SELECT COUNT(*) FROM organisations"));
    q.exec();
    return q.next() && q.integer(0) > 0;
}
