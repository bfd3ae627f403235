#pragma once

#include "lead.h"

#include <QList>
#include <optional>

class Transaction;
struct Principal;

// Leads as the caller may see them; every write bumps `version` and logs the change.
class LeadRepository
{
public:
    static QList<Lead> visible(Transaction &tx, const Principal &principal);
    static std::optional<Lead> findVisible(
        Transaction &tx, const Principal &principal, const QString &id);
    static Lead update(Transaction &tx, const Lead &current, Lead changed);
    static void insert(Transaction &tx, const Lead &lead);
};
