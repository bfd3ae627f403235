#include "demoseed.h"

#include "auth/passwordhasher.h"
#include "bookingrepository.h"
#include "leadrepository.h"
#include "logging.h"
#include "sqlquery.h"
#include "transaction.h"
#include "transactionrunner.h"
#include "userrepository.h"

#include <QRandomGenerator>
#include <QUuid>
#include <array>

namespace {

QString newId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

constexpr std::array firstNames { "Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances",
    "Ken", "Margaret", "Linus", "Radia", "Bjarne", "Hedy", "Dennis", "Sophie", "Tim" };
constexpr std::array lastNames { "Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth",
    "Allen", "Thompson", "Hamilton", "Torvalds", "Perlman", "Stroustrup", "Lamarr", "Ritchie",
    "Wilson", "Berners-Lee" };
constexpr std::array services { "Haircut", "Massage", "Consultation", "Dental check-up",
    "Physiotherapy", "Car service", "Photo session", "Piano lesson" };

// pg_advisory_xact_lock key of the demo seed ("syncloop" in ASCII, as a 64-bit number).
constexpr qint64 advisoryLockKey = 0x73796e636c6f6f70;

QString personName(QRandomGenerator &random)
{
    return QStringLiteral("%1 %2").arg(
        QLatin1String(firstNames[random.bounded(int(firstNames.size()))]),
        QLatin1String(lastNames[random.bounded(int(lastNames.size()))]));
}

} // namespace

bool DemoSeed::seedIfEmpty(TransactionRunner &runner, int bookings)
{
    const bool empty
        = runner.read([](Transaction &tx) { return !UserRepository::anyOrganisation(tx); });
    if (!empty)
        return false;
    // Hash outside the transaction: Argon2id is slow on purpose.
    const QString hash = PasswordHasher::hash(QLatin1String(password));
    bool seeded = false;
    runner.write([&](Transaction &tx) {
        seeded = false;
        if (tx.dialect().kind() == SqlDialect::Kind::Postgres) {
            // Instances started together on one empty database: one seeds, the others wait
            // here (however long the seed takes) and then find it done. READ COMMITTED: the
            // check below sees what the holder committed.
            SqlQuery::run(tx.db(), tx.dialect(), QStringLiteral("SET LOCAL lock_timeout TO 0"));
            tx.query(QStringLiteral("SELECT pg_advisory_xact_lock(?)"))
                .bind(advisoryLockKey)
                .exec();
        }
        if (UserRepository::anyOrganisation(tx))
            return; // another process seeded meanwhile
        seeded = true;
        QRandomGenerator random(20261125); // the same demo every time
        const QString orgId = newId();
        UserRepository::insertOrganisation(tx, orgId, QStringLiteral("Demo Clinic"));
        const std::array<UserRepository::User, 3> users { {
            { newId(), orgId, QStringLiteral("agent1@example.com"), hash, Principal::Role::Agent },
            { newId(), orgId, QStringLiteral("agent2@example.com"), hash, Principal::Role::Agent },
            { newId(), orgId, QStringLiteral("admin@example.com"), hash, Principal::Role::Admin },
        } };
        for (const auto &user : users)
            UserRepository::insert(tx, user);

        const QDateTime now = QDateTime::fromMSecsSinceEpoch(tx.nowMs(), Qt::UTC);
        const QDateTime firstSlot = QDateTime(now.date().addDays(1), QTime(9, 0), Qt::UTC);
        for (int i = 0; i < bookings; ++i) {
            Booking b;
            b.id = newId();
            b.orgId = orgId;
            b.ownerId = users[std::size_t(i % 2)].id;
            b.customerName = personName(random);
            b.service = QLatin1String(services[random.bounded(int(services.size()))]);
            b.startsAt = firstSlot.addSecs(qint64(i / 8) * 86400 + qint64(i % 8) * 3600);
            // 70% pending, so there is work to confirm; in every 20, both agents get one
            // cancelled and two confirmed bookings.
            const int k = i % 20;
            b.status = (k == 6 || k == 7)                  ? Booking::Status::Cancelled
                : (k == 2 || k == 3 || k == 12 || k == 13) ? Booking::Status::Confirmed
                                                           : Booking::Status::Pending;
            b.version = 1;
            b.updatedAt = now;
            BookingRepository::insert(tx, b);
        }
        for (int i = 0; i < leadCount; ++i) {
            Lead l;
            l.id = newId();
            l.orgId = orgId;
            l.ownerId = users[std::size_t(i % 2)].id;
            l.name = personName(random);
            l.phone = QStringLiteral("+1555%1").arg(
                1000000 + i * 7919 % 9000000, 7, 10, QLatin1Char('0'));
            l.email = QStringLiteral("lead%1@example.net").arg(i + 1);
            l.status = static_cast<Lead::Status>(random.bounded(3)); // new, contacted, qualified
            l.version = 1;
            l.updatedAt = now;
            LeadRepository::insert(tx, l);
        }
    });
    if (!seeded)
        return false;
    qCInfo(lcServer) << "demo data seeded:" << bookings << "bookings," << leadCount << "leads";
    return true;
}
