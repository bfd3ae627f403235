#pragma once

#include "auth/principal.h"

#include <optional>

class Transaction;

// Accounts and their organisations.
class UserRepository
{
public:
    struct User
    {
        QString id;
        QString orgId;
        QString email;
        QString passwordHash;
        Principal::Role role = Principal::Role::Agent;

        Principal principal() const { return { id, orgId, role }; }
    };

    static std::optional<User> findByEmail(Transaction &tx, const QString &email);
    static std::optional<User> findById(Transaction &tx, const QString &id);
    static void insert(Transaction &tx, const User &user);
    static void insertOrganisation(Transaction &tx, const QString &id, const QString &name);
    static bool anyOrganisation(Transaction &tx);
};
