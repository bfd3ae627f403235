// The row stores as list models: snapshots, reconciliation by version (never backwards),
// tombstones, optimistic overlays and the leads' latest SMS — each under
// QAbstractItemModelTester, with the model signals and versionObserved checked as effects.
#include "bookingstore.h"
#include "leadstore.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

namespace {

QJsonObject booking(const QString &id, qint64 version,
    const QString &status = QStringLiteral("pending"),
    const QString &customer = QStringLiteral("Ada"))
{
    return { { QStringLiteral("id"), id }, { QStringLiteral("version"), version },
        { QStringLiteral("customer_name"), customer },
        { QStringLiteral("service"), QStringLiteral("Haircut") },
        { QStringLiteral("starts_at"), QStringLiteral("2030-01-02T10:00:00Z") },
        { QStringLiteral("status"), status },
        { QStringLiteral("updated_at"),
            QStringLiteral("2030-01-01T00:00:%1Z").arg(version % 60, 2, 10, QLatin1Char('0')) },
        { QStringLiteral("owner_id"), QStringLiteral("user-1") } };
}

QJsonObject lead(const QString &id, qint64 version, const QString &status = QStringLiteral("new"))
{
    return { { QStringLiteral("id"), id }, { QStringLiteral("version"), version },
        { QStringLiteral("name"), QStringLiteral("Grace") },
        { QStringLiteral("phone"), QStringLiteral("+15551234567") },
        { QStringLiteral("email"), QStringLiteral("grace@example.com") },
        { QStringLiteral("status"), status },
        { QStringLiteral("updated_at"), QStringLiteral("2030-01-01T00:00:00Z") },
        { QStringLiteral("owner_id"), QStringLiteral("user-1") } };
}

QJsonObject sms(const QString &id, const QString &leadId, qint64 version, const QString &status,
    const QString &createdAt)
{
    return { { QStringLiteral("id"), id }, { QStringLiteral("lead_id"), leadId },
        { QStringLiteral("version"), version }, { QStringLiteral("status"), status },
        { QStringLiteral("body"), QStringLiteral("Hello") },
        { QStringLiteral("last_error"),
            status == QLatin1String("failed") ? QJsonValue(QStringLiteral("rejected by provider"))
                                              : QJsonValue(QJsonValue::Null) },
        { QStringLiteral("created_at"), createdAt } };
}

QVariant at(const RowStore &store, const QString &id, int role)
{
    return store.data(store.index(store.indexOf(id)), role);
}

// One versionObserved emission as a comparable tuple.
struct Observed
{
    QString table;
    QString id;
    qint64 version;
    bool deleted;
    friend bool operator==(const Observed &, const Observed &) = default;
};

QList<Observed> observed(const QSignalSpy &spy)
{
    QList<Observed> out;
    for (const QList<QVariant> &args : spy)
        out.append(
            { args[0].toString(), args[1].toString(), args[2].toLongLong(), args[3].toBool() });
    return out;
}

// The rows dataChanged named, in order.
QList<int> changedRows(const QSignalSpy &spy)
{
    QList<int> rows;
    for (const QList<QVariant> &args : spy) {
        const auto from = args[0].value<QModelIndex>();
        const auto to = args[1].value<QModelIndex>();
        for (int r = from.row(); r <= to.row(); ++r)
            rows << r;
    }
    return rows;
}

} // namespace

QT_BEGIN_NAMESPACE
namespace QTest {
template<> char *toString(const Observed &o)
{
    return qstrdup(QStringLiteral("(%1, %2, v%3%4)")
                       .arg(o.table, o.id)
                       .arg(o.version)
                       .arg(o.deleted ? QStringLiteral(", deleted") : QString())
                       .toUtf8()
                       .constData());
}
} // namespace QTest
QT_END_NAMESPACE

class TestRowStore : public QObject
{
    Q_OBJECT
private:
    // Every test runs its store under the model tester, which fails the test on any broken
    // invariant (row counts around inserts/removes, valid indexes in dataChanged, ...).
    template<typename Store> struct Checked
    {
        Store store;
        QAbstractItemModelTester tester { &store,
            QAbstractItemModelTester::FailureReportingMode::QtTest };
        QSignalSpy observed { &store, &RowStore::versionObserved };
        QSignalSpy reset { &store, &QAbstractItemModel::modelReset };
        QSignalSpy inserted { &store, &QAbstractItemModel::rowsInserted };
        QSignalSpy removed { &store, &QAbstractItemModel::rowsRemoved };
        QSignalSpy changed { &store, &QAbstractItemModel::dataChanged };
        void clearSpies()
        {
            observed.clear();
            reset.clear();
            inserted.clear();
            removed.clear();
            changed.clear();
        }
    };

private slots:
    void resetFromASnapshot()
    {
        Checked<BookingStore> s;
        s.store.reset({ booking(QStringLiteral("b1"), 3),
            booking(QStringLiteral("b2"), 1, QStringLiteral("confirmed")),
            booking(QStringLiteral("b3"), 7) });
        QCOMPARE(s.reset.size(), 1);
        QCOMPARE(s.inserted.size(), 0);
        QCOMPARE(s.store.rowCount(), 3);
        QCOMPARE(s.store.table(), QStringLiteral("bookings"));
        // Display order is the snapshot's order.
        QCOMPARE(s.store.idAt(0), QStringLiteral("b1"));
        QCOMPARE(s.store.idAt(1), QStringLiteral("b2"));
        QCOMPARE(s.store.idAt(2), QStringLiteral("b3"));
        QCOMPARE(observed(s.observed),
            (QList<Observed> { { QStringLiteral("bookings"), QStringLiteral("b1"), 3, false },
                { QStringLiteral("bookings"), QStringLiteral("b2"), 1, false },
                { QStringLiteral("bookings"), QStringLiteral("b3"), 7, false } }));
        QCOMPARE(at(s.store, QStringLiteral("b2"), BookingStore::StatusRole).toString(),
            QStringLiteral("confirmed"));
        QCOMPARE(at(s.store, QStringLiteral("b3"), RowStore::VersionRole).toLongLong(), 7);
        QCOMPARE(
            at(s.store, QStringLiteral("b3"), RowStore::IdRole).toString(), QStringLiteral("b3"));
        QCOMPARE(at(s.store, QStringLiteral("b1"), BookingStore::CustomerNameRole).toString(),
            QStringLiteral("Ada"));
        QCOMPARE(at(s.store, QStringLiteral("b1"), RowStore::PendingRole).toBool(), false);
        QCOMPARE(s.store.roleNames().value(BookingStore::StatusRole), QByteArray("status"));
        QCOMPARE(s.store.roleNames().value(BookingStore::OwnerIdRole), QByteArray("owner_id"));

        // A second snapshot replaces everything.
        s.clearSpies();
        s.store.reset({ booking(QStringLiteral("b9"), 1) });
        QCOMPARE(s.reset.size(), 1);
        QCOMPARE(s.store.rowCount(), 1);
        QCOMPARE(s.store.version(QStringLiteral("b1")), -1);
        QCOMPARE(s.store.indexOf(QStringLiteral("b9")), 0);
        QCOMPARE(observed(s.observed),
            (QList<Observed> { { QStringLiteral("bookings"), QStringLiteral("b9"), 1, false } }));
    }

    void applyInsertsNewRows()
    {
        Checked<BookingStore> s;
        s.store.reset({ booking(QStringLiteral("b1"), 1) });
        s.clearSpies();
        QVERIFY(s.store.apply(booking(QStringLiteral("b2"), 4)));
        QCOMPARE(s.inserted.size(), 1);
        QCOMPARE(s.inserted.first().at(1).toInt(), 1);
        QCOMPARE(s.inserted.first().at(2).toInt(), 1);
        QCOMPARE(s.store.rowCount(), 2);
        QCOMPARE(s.store.row(QStringLiteral("b2")), booking(QStringLiteral("b2"), 4));
        QCOMPARE(observed(s.observed),
            (QList<Observed> { { QStringLiteral("bookings"), QStringLiteral("b2"), 4, false } }));
        // A row without an id is not a row.
        QVERIFY(!s.store.apply(QJsonObject { { QStringLiteral("version"), 9 } }));
        QCOMPARE(s.store.rowCount(), 2);
        QCOMPARE(s.observed.size(), 1);
    }

    void applyNeverGoesBackwards_data()
    {
        QTest::addColumn<qint64>("incoming");
        QTest::addColumn<bool>("applied");
        QTest::newRow("newer") << qint64(6) << true;
        QTest::newRow("much newer") << qint64(60) << true;
        QTest::newRow("equal") << qint64(5) << false;
        QTest::newRow("older") << qint64(4) << false;
        QTest::newRow("ancient") << qint64(1) << false;
    }
    void applyNeverGoesBackwards()
    {
        QFETCH(qint64, incoming);
        QFETCH(bool, applied);
        Checked<BookingStore> s;
        s.store.reset({ booking(QStringLiteral("b0"), 2), booking(QStringLiteral("b1"), 5),
            booking(QStringLiteral("b2"), 2) });
        s.clearSpies();

        QCOMPARE(s.store.apply(booking(QStringLiteral("b1"), incoming, QStringLiteral("confirmed"),
                     QStringLiteral("Bob"))),
            applied);
        QCOMPARE(s.store.rowCount(), 3);
        QCOMPARE(s.inserted.size(), 0);
        QCOMPARE(s.store.indexOf(QStringLiteral("b1")), 1);
        if (applied) {
            QCOMPARE(s.store.version(QStringLiteral("b1")), incoming);
            QCOMPARE(at(s.store, QStringLiteral("b1"), BookingStore::StatusRole).toString(),
                QStringLiteral("confirmed"));
            QCOMPARE(at(s.store, QStringLiteral("b1"), BookingStore::CustomerNameRole).toString(),
                QStringLiteral("Bob"));
            QCOMPARE(changedRows(s.changed), QList<int> { 1 }); // that row and only that row
            QCOMPARE(observed(s.observed),
                (QList<Observed> {
                    { QStringLiteral("bookings"), QStringLiteral("b1"), incoming, false } }));
        } else {
            QCOMPARE(s.store.version(QStringLiteral("b1")), 5);
            QCOMPARE(s.store.row(QStringLiteral("b1")), booking(QStringLiteral("b1"), 5));
            QCOMPARE(s.changed.size(), 0);
            QCOMPARE(s.observed.size(), 0);
        }
    }

    void aDeletedRowStaysDeletedAgainstOlderNews()
    {
        Checked<BookingStore> s;
        s.store.reset({ booking(QStringLiteral("b1"), 1), booking(QStringLiteral("b2"), 3),
            booking(QStringLiteral("b3"), 1) });
        s.clearSpies();

        QVERIFY(s.store.remove(QStringLiteral("b2"), 4));
        QCOMPARE(s.removed.size(), 1);
        QCOMPARE(s.removed.first().at(1).toInt(), 1);
        QCOMPARE(s.store.rowCount(), 2);
        QCOMPARE(s.store.version(QStringLiteral("b2")), -1);
        // The rows behind it moved up and are still found by id.
        QCOMPARE(s.store.indexOf(QStringLiteral("b3")), 1);
        QCOMPARE(s.store.idAt(1), QStringLiteral("b3"));
        QCOMPARE(observed(s.observed),
            (QList<Observed> { { QStringLiteral("bookings"), QStringLiteral("b2"), 4, true } }));

        // A late UPDATE from before the delete (a gap fill, a slow re-read): not resurrected.
        s.clearSpies();
        QVERIFY(!s.store.apply(booking(QStringLiteral("b2"), 3, QStringLiteral("confirmed"))));
        QVERIFY(!s.store.apply(booking(QStringLiteral("b2"), 4)));
        QCOMPARE(s.store.rowCount(), 2);
        QCOMPARE(s.store.indexOf(QStringLiteral("b2")), -1);
        QCOMPARE(s.inserted.size(), 0);
        QCOMPARE(s.observed.size(), 0);

        // Removing it again is a no-op.
        QVERIFY(!s.store.remove(QStringLiteral("b2"), 4));
        QCOMPARE(s.removed.size(), 0);
    }

    void aDeleteThatArrivesFirstStillCounts()
    {
        Checked<BookingStore> s;
        // The DELETE of a row this store never held, then its (older) INSERT.
        QVERIFY(!s.store.remove(QStringLiteral("b7"), 2));
        QVERIFY(!s.store.apply(booking(QStringLiteral("b7"), 1)));
        QCOMPARE(s.store.rowCount(), 0);
        QCOMPARE(s.inserted.size(), 0);
    }

    void removeWithoutAVersionKeepsTheRowsLastVersionAsTombstone()
    {
        // rowGone (a re-read answered 404) removes with version 0, "unknown". The store itself
        // knew version 3: news of version 3 or older is from before the delete.
        Checked<BookingStore> s;
        s.store.reset({ booking(QStringLiteral("b1"), 3) });
        s.clearSpies();
        QVERIFY(s.store.remove(QStringLiteral("b1")));
        QCOMPARE(s.store.rowCount(), 0);
        QVERIFY2(!s.store.apply(booking(QStringLiteral("b1"), 3)),
            "the deleted row came back from its own last version");
        QVERIFY(!s.store.apply(booking(QStringLiteral("b1"), 2)));
        QCOMPARE(s.store.rowCount(), 0);
    }

    void removeOfAnOlderVersionKeepsANewerRow()
    {
        Checked<BookingStore> s;
        s.store.reset({ booking(QStringLiteral("b1"), 8) });
        s.clearSpies();
        // A delete of version 5 cannot remove what is already at version 8.
        QVERIFY(!s.store.remove(QStringLiteral("b1"), 5));
        QCOMPARE(s.store.rowCount(), 1);
        QCOMPARE(s.store.version(QStringLiteral("b1")), 8);
        QCOMPARE(s.removed.size(), 0);
        QCOMPARE(s.observed.size(), 0);
    }

    void aNewerVersionAfterADeleteIsARealRow()
    {
        Checked<BookingStore> s;
        s.store.reset({ booking(QStringLiteral("b1"), 2) });
        QVERIFY(s.store.remove(QStringLiteral("b1"), 3));
        s.clearSpies();
        QVERIFY(s.store.apply(booking(QStringLiteral("b1"), 4)));
        QCOMPARE(s.store.rowCount(), 1);
        QCOMPARE(s.inserted.size(), 1);
        QCOMPARE(s.store.version(QStringLiteral("b1")), 4);
    }

    void aSnapshotForgetsTombstones()
    {
        Checked<BookingStore> s;
        s.store.reset({ booking(QStringLiteral("b1"), 2) });
        QVERIFY(s.store.remove(QStringLiteral("b1"), 5));
        // The server's snapshot is the truth: a row it lists is there.
        s.store.reset({ booking(QStringLiteral("b1"), 2) });
        QCOMPARE(s.store.rowCount(), 1);
        QCOMPARE(s.store.version(QStringLiteral("b1")), 2);
    }

    void overlaysShowPendingFields()
    {
        Checked<BookingStore> s;
        s.store.reset({ booking(QStringLiteral("b1"), 1), booking(QStringLiteral("b2"), 1) });
        s.clearSpies();

        s.store.setOverlay(QStringLiteral("b2"), QStringLiteral("key-1"),
            { { QStringLiteral("status"), QStringLiteral("confirmed") } });
        QCOMPARE(changedRows(s.changed), QList<int> { 1 });
        QCOMPARE(at(s.store, QStringLiteral("b2"), BookingStore::StatusRole).toString(),
            QStringLiteral("confirmed"));
        QCOMPARE(at(s.store, QStringLiteral("b2"), RowStore::PendingRole).toBool(), true);
        QVERIFY(s.store.isPending(QStringLiteral("b2")));
        QCOMPARE(s.store.displayed(1).value(QStringLiteral("status")).toString(),
            QStringLiteral("confirmed"));
        QCOMPARE(at(s.store, QStringLiteral("b2"), RowStore::RowRole)
                     .toJsonObject()
                     .value(QStringLiteral("status"))
                     .toString(),
            QStringLiteral("confirmed"));
        // The authoritative row is not touched, nor its version, nor the other rows.
        QCOMPARE(s.store.row(QStringLiteral("b2")).value(QStringLiteral("status")).toString(),
            QStringLiteral("pending"));
        QCOMPARE(at(s.store, QStringLiteral("b2"), RowStore::VersionRole).toLongLong(), 1);
        QCOMPARE(at(s.store, QStringLiteral("b1"), BookingStore::StatusRole).toString(),
            QStringLiteral("pending"));
        QCOMPARE(at(s.store, QStringLiteral("b1"), RowStore::PendingRole).toBool(), false);
        QCOMPARE(s.observed.size(), 0); // an overlay is not an observation

        s.changed.clear();
        s.store.clearOverlay(QStringLiteral("b2"), QStringLiteral("key-1"));
        QCOMPARE(changedRows(s.changed), QList<int> { 1 });
        QCOMPARE(at(s.store, QStringLiteral("b2"), BookingStore::StatusRole).toString(),
            QStringLiteral("pending"));
        QCOMPARE(at(s.store, QStringLiteral("b2"), RowStore::PendingRole).toBool(), false);
        QVERIFY(!s.store.isPending(QStringLiteral("b2")));
        // Clearing an unknown key is harmless.
        s.store.clearOverlay(QStringLiteral("b2"), QStringLiteral("key-unknown"));
        s.store.clearOverlay(QStringLiteral("nobody"), QStringLiteral("key-1"));
        QCOMPARE(s.store.rowCount(), 2);
    }

    void severalOverlaysApplyInOrder()
    {
        Checked<BookingStore> s;
        s.store.reset({ booking(QStringLiteral("b1"), 1) });
        s.store.setOverlay(QStringLiteral("b1"), QStringLiteral("k1"),
            { { QStringLiteral("status"), QStringLiteral("confirmed") },
                { QStringLiteral("customer_name"), QStringLiteral("Ann") } });
        s.store.setOverlay(QStringLiteral("b1"), QStringLiteral("k2"),
            { { QStringLiteral("status"), QStringLiteral("cancelled") } });
        // The later intent wins where both patch a field; the earlier one still shows elsewhere.
        QCOMPARE(at(s.store, QStringLiteral("b1"), BookingStore::StatusRole).toString(),
            QStringLiteral("cancelled"));
        QCOMPARE(at(s.store, QStringLiteral("b1"), BookingStore::CustomerNameRole).toString(),
            QStringLiteral("Ann"));

        // The later one settles first: the earlier one shows again.
        s.store.clearOverlay(QStringLiteral("b1"), QStringLiteral("k2"));
        QCOMPARE(at(s.store, QStringLiteral("b1"), BookingStore::StatusRole).toString(),
            QStringLiteral("confirmed"));
        QVERIFY(s.store.isPending(QStringLiteral("b1")));

        s.store.setOverlay(QStringLiteral("b1"), QStringLiteral("k3"),
            { { QStringLiteral("status"), QStringLiteral("cancelled") } });
        s.store.clearOverlay(QStringLiteral("b1"), QStringLiteral("k1"));
        QCOMPARE(at(s.store, QStringLiteral("b1"), BookingStore::StatusRole).toString(),
            QStringLiteral("cancelled"));
        QCOMPARE(at(s.store, QStringLiteral("b1"), BookingStore::CustomerNameRole).toString(),
            QStringLiteral("Ada"));
        s.store.clearOverlay(QStringLiteral("b1"), QStringLiteral("k3"));
        QCOMPARE(at(s.store, QStringLiteral("b1"), BookingStore::StatusRole).toString(),
            QStringLiteral("pending"));
        QCOMPARE(at(s.store, QStringLiteral("b1"), RowStore::PendingRole).toBool(), false);
    }

    void overlaysSurviveNewerVersionsUntilCleared()
    {
        Checked<BookingStore> s;
        s.store.reset({ booking(QStringLiteral("b1"), 1) });
        s.store.setOverlay(QStringLiteral("b1"), QStringLiteral("k1"),
            { { QStringLiteral("status"), QStringLiteral("confirmed") } });
        // Someone else's change arrives while ours is pending: the row moves, ours still shows.
        QVERIFY(s.store.apply(
            booking(QStringLiteral("b1"), 2, QStringLiteral("pending"), QStringLiteral("Zed"))));
        QCOMPARE(at(s.store, QStringLiteral("b1"), BookingStore::StatusRole).toString(),
            QStringLiteral("confirmed"));
        QCOMPARE(at(s.store, QStringLiteral("b1"), BookingStore::CustomerNameRole).toString(),
            QStringLiteral("Zed"));
        QCOMPARE(at(s.store, QStringLiteral("b1"), RowStore::PendingRole).toBool(), true);
        // Our echo arrives and the engine clears the overlay: the truth shows, unchanged.
        QVERIFY(s.store.apply(
            booking(QStringLiteral("b1"), 3, QStringLiteral("confirmed"), QStringLiteral("Zed"))));
        s.store.clearOverlay(QStringLiteral("b1"), QStringLiteral("k1"));
        QCOMPARE(at(s.store, QStringLiteral("b1"), BookingStore::StatusRole).toString(),
            QStringLiteral("confirmed"));
        QCOMPARE(at(s.store, QStringLiteral("b1"), RowStore::PendingRole).toBool(), false);
    }

    void anOverlayOnARowNotYetLoadedShowsWhenItArrives()
    {
        Checked<BookingStore> s;
        s.store.setOverlay(QStringLiteral("b5"), QStringLiteral("k"),
            { { QStringLiteral("status"), QStringLiteral("confirmed") } });
        QCOMPARE(s.changed.size(), 0);
        QVERIFY(s.store.apply(booking(QStringLiteral("b5"), 1)));
        QCOMPARE(at(s.store, QStringLiteral("b5"), BookingStore::StatusRole).toString(),
            QStringLiteral("confirmed"));
        QCOMPARE(at(s.store, QStringLiteral("b5"), RowStore::PendingRole).toBool(), true);
    }

    void leadStoreReconcilesLikeBookings()
    {
        Checked<LeadStore> s;
        s.store.reset({ lead(QStringLiteral("l1"), 2), lead(QStringLiteral("l2"), 1) });
        QCOMPARE(s.store.table(), QStringLiteral("leads"));
        QCOMPARE(observed(s.observed),
            (QList<Observed> { { QStringLiteral("leads"), QStringLiteral("l1"), 2, false },
                { QStringLiteral("leads"), QStringLiteral("l2"), 1, false } }));
        s.clearSpies();
        QVERIFY(!s.store.apply(lead(QStringLiteral("l1"), 2, QStringLiteral("won"))));
        QVERIFY(s.store.apply(lead(QStringLiteral("l1"), 3, QStringLiteral("won"))));
        QCOMPARE(changedRows(s.changed), QList<int> { 0 });
        QCOMPARE(at(s.store, QStringLiteral("l1"), LeadStore::StatusRole).toString(),
            QStringLiteral("won"));
        QCOMPARE(at(s.store, QStringLiteral("l1"), LeadStore::PhoneRole).toString(),
            QStringLiteral("+15551234567"));
        QCOMPARE(
            s.store.roleNames().value(LeadStore::LastSmsStatusRole), QByteArray("last_sms_status"));
        QCOMPARE(s.store.roleNames().value(LeadStore::NameRole), QByteArray("name"));
        s.store.setOverlay(QStringLiteral("l2"), QStringLiteral("k"),
            { { QStringLiteral("status"), QStringLiteral("contacted") } });
        QCOMPARE(at(s.store, QStringLiteral("l2"), LeadStore::StatusRole).toString(),
            QStringLiteral("contacted"));
        QVERIFY(s.store.remove(QStringLiteral("l2"), 2));
        QVERIFY(!s.store.apply(lead(QStringLiteral("l2"), 1)));
        QCOMPARE(s.store.rowCount(), 1);
    }

    void applySmsKeepsTheNewestPerLead()
    {
        Checked<LeadStore> s;
        s.store.reset({ lead(QStringLiteral("l1"), 1), lead(QStringLiteral("l2"), 1) });
        s.clearSpies();
        QSignalSpy &spy = s.observed;

        // Nothing sent yet.
        QVERIFY(at(s.store, QStringLiteral("l1"), LeadStore::LastSmsStatusRole).isNull());
        QVERIFY(s.store.lastSms(QStringLiteral("l1")).isEmpty());

        const QJsonObject first = sms(QStringLiteral("s1"), QStringLiteral("l1"), 1,
            QStringLiteral("queued"), QStringLiteral("2030-01-01T10:00:00.000Z"));
        QVERIFY(s.store.applySms(first));
        QCOMPARE(s.store.lastSms(QStringLiteral("l1")), first);
        QCOMPARE(at(s.store, QStringLiteral("l1"), LeadStore::LastSmsStatusRole).toString(),
            QStringLiteral("queued"));
        QCOMPARE(at(s.store, QStringLiteral("l1"), LeadStore::LastSmsRole).toJsonObject(), first);
        QCOMPARE(changedRows(s.changed), QList<int> { 0 });
        QCOMPARE(s.store.smsVersion(QStringLiteral("s1")), 1);

        // A newer message of the same lead takes the card.
        const QJsonObject second = sms(QStringLiteral("s2"), QStringLiteral("l1"), 1,
            QStringLiteral("queued"), QStringLiteral("2030-01-01T10:05:00.000Z"));
        QVERIFY(s.store.applySms(second));
        QCOMPARE(s.store.lastSms(QStringLiteral("l1")), second);

        // The older message's progress is recorded and observed, but the card keeps the newest.
        s.changed.clear();
        QVERIFY(s.store.applySms(sms(QStringLiteral("s1"), QStringLiteral("l1"), 3,
            QStringLiteral("sent"), QStringLiteral("2030-01-01T10:00:00.000Z"))));
        QCOMPARE(s.store.smsVersion(QStringLiteral("s1")), 3);
        QCOMPARE(s.store.lastSms(QStringLiteral("l1")), second);
        QCOMPARE(at(s.store, QStringLiteral("l1"), LeadStore::LastSmsStatusRole).toString(),
            QStringLiteral("queued"));

        // The newest one moves on: shown, with its error.
        const QJsonObject failed = sms(QStringLiteral("s2"), QStringLiteral("l1"), 4,
            QStringLiteral("failed"), QStringLiteral("2030-01-01T10:05:00.000Z"));
        QVERIFY(s.store.applySms(failed));
        QCOMPARE(s.store.lastSms(QStringLiteral("l1")), failed);
        QCOMPARE(at(s.store, QStringLiteral("l1"), LeadStore::LastSmsStatusRole).toString(),
            QStringLiteral("failed"));
        QCOMPARE(at(s.store, QStringLiteral("l1"), LeadStore::LastSmsErrorRole).toString(),
            QStringLiteral("rejected by provider"));
        QVERIFY(changedRows(s.changed).contains(0));

        // Old news of it (equal or lower version) changes nothing and is not observed again.
        const qsizetype before = spy.size();
        QVERIFY(!s.store.applySms(sms(QStringLiteral("s2"), QStringLiteral("l1"), 2,
            QStringLiteral("sending"), QStringLiteral("2030-01-01T10:05:00.000Z"))));
        QVERIFY(!s.store.applySms(failed));
        QCOMPARE(spy.size(), before);
        QCOMPARE(s.store.lastSms(QStringLiteral("l1")), failed);

        // Another lead is independent.
        QVERIFY(at(s.store, QStringLiteral("l2"), LeadStore::LastSmsStatusRole).isNull());
        QVERIFY(s.store.applySms(sms(QStringLiteral("s3"), QStringLiteral("l2"), 1,
            QStringLiteral("sent"), QStringLiteral("2030-01-01T09:00:00.000Z"))));
        QCOMPARE(at(s.store, QStringLiteral("l2"), LeadStore::LastSmsStatusRole).toString(),
            QStringLiteral("sent"));
        QCOMPARE(s.store.lastSms(QStringLiteral("l1")), failed);

        // An SMS is observed under its own table, which the closed loop waits on.
        QCOMPARE(observed(spy),
            (QList<Observed> { { QStringLiteral("sms_messages"), QStringLiteral("s1"), 1, false },
                { QStringLiteral("sms_messages"), QStringLiteral("s2"), 1, false },
                { QStringLiteral("sms_messages"), QStringLiteral("s1"), 3, false },
                { QStringLiteral("sms_messages"), QStringLiteral("s2"), 4, false },
                { QStringLiteral("sms_messages"), QStringLiteral("s3"), 1, false } }));
        // SMS news never touches the lead rows' own versions.
        QCOMPARE(s.store.version(QStringLiteral("l1")), 1);
        QCOMPARE(s.inserted.size(), 0);
        QVERIFY(!s.store.applySms(QJsonObject { { QStringLiteral("version"), 1 } })); // no id
    }

    void anSmsForALeadNotLoadedYetShowsWhenTheLeadArrives()
    {
        Checked<LeadStore> s;
        const QJsonObject m = sms(QStringLiteral("s1"), QStringLiteral("l9"), 1,
            QStringLiteral("sent"), QStringLiteral("2030-01-01T10:00:00.000Z"));
        QVERIFY(s.store.applySms(m));
        QCOMPARE(s.changed.size(), 0);
        QVERIFY(s.store.apply(lead(QStringLiteral("l9"), 1)));
        QCOMPARE(at(s.store, QStringLiteral("l9"), LeadStore::LastSmsStatusRole).toString(),
            QStringLiteral("sent"));
    }
};

QTEST_GUILESS_MAIN(TestRowStore)
#include "tst_rowstore.moc"
