// CredentialStore against the real OS secret store (QtKeychain -> libsecret -> a Secret
// Service on the session bus). CI provides one: packaging/run-tests.sh runs ctest inside
// dbus-run-session with an unlocked gnome-keyring. Without one this test fails, on purpose: a
// skipped keychain test would hide that the tokens are not stored where we promise.
// By hand:
//   export XDG_RUNTIME_DIR=$(mktemp -d) XDG_DATA_HOME=$(mktemp -d); chmod 700 $XDG_RUNTIME_DIR
//   dbus-run-session -- sh -c 'echo -n ci | gnome-keyring-daemon --unlock --components=secrets
//   >/dev/null && ./tst_credentialstore'
#include "credentialstore.h"

#include <QSignalSpy>
#include <QTest>
#include <QUuid>

namespace {

const char *const howToRun
    = "no usable secret service: run inside dbus-run-session with an unlocked gnome-keyring "
      "(see packaging/run-tests.sh)";

QString uniqueAccount()
{
    return CredentialStore::account(QUrl(QStringLiteral("http://127.0.0.1:8080/")),
        QStringLiteral("agent-%1@example.com")
            .arg(QUuid::createUuid().toString(QUuid::WithoutBraces)));
}

// Runs one operation and waits for its answer; returns the answer's arguments ({} on timeout).
QList<QVariant> saveAndWait(CredentialStore &store, const QString &account, const QString &token)
{
    QSignalSpy saved(&store, &CredentialStore::saved);
    store.save(account, token);
    if (saved.isEmpty() && !saved.wait(15000))
        return {};
    return saved.first();
}

QList<QVariant> loadAndWait(CredentialStore &store, const QString &account)
{
    QSignalSpy loaded(&store, &CredentialStore::loaded);
    store.load(account);
    if (loaded.isEmpty() && !loaded.wait(15000))
        return {};
    return loaded.first();
}

bool removeAndWait(CredentialStore &store, const QString &account)
{
    QSignalSpy removed(&store, &CredentialStore::removed);
    store.remove(account);
    return (!removed.isEmpty() || removed.wait(15000))
        && removed.first().first().toString() == account;
}

} // namespace

class TestCredentialStore : public QObject
{
    Q_OBJECT
private:
    QStringList m_accounts; // removed from the keychain at the end, whatever happened

private slots:
    void initTestCase()
    {
        // A first write tells whether there is a secret service at all; fail loudly if not.
        const QString probe = uniqueAccount();
        m_accounts << probe;
        CredentialStore store(CredentialStore::Backend::Keychain);
        QSignalSpy unavailable(&store, &CredentialStore::keychainUnavailable);
        const QList<QVariant> saved = saveAndWait(store, probe, QStringLiteral("probe"));
        QVERIFY2(!saved.isEmpty(), howToRun);
        QVERIFY2(saved.at(1).toBool(),
            qPrintable(QStringLiteral("%1 (%2)").arg(QLatin1String(howToRun), store.problem())));
        QCOMPARE(unavailable.size(), 0);
        QCOMPARE(store.backend(), CredentialStore::Backend::Keychain);
    }

    void cleanupTestCase()
    {
        CredentialStore store(CredentialStore::Backend::Keychain);
        for (const QString &account : std::as_const(m_accounts))
            removeAndWait(store, account);
    }

    void accountNamesTheServerAndTheUser()
    {
        const QString a
            = CredentialStore::account(QUrl(QStringLiteral("https://sync.example.com/")),
                QStringLiteral(" Agent1@Example.com "));
        QCOMPARE(a,
            CredentialStore::account(QUrl(QStringLiteral("https://sync.example.com")),
                QStringLiteral("agent1@example.com")));
        QVERIFY(a.contains(QLatin1String("sync.example.com")));
        QVERIFY(a.contains(QLatin1String("agent1@example.com")));
        QVERIFY(a
            != CredentialStore::account(QUrl(QStringLiteral("https://other.example.com")),
                QStringLiteral("agent1@example.com")));
    }

    void saveLoadRemoveRoundTrip()
    {
        const QString account = uniqueAccount();
        m_accounts << account;
        const QString token
            = QStringLiteral("refresh-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
        CredentialStore store(CredentialStore::Backend::Keychain);
        QSignalSpy unavailable(&store, &CredentialStore::keychainUnavailable);

        // Nothing there yet: an empty token, not an error.
        QList<QVariant> loaded = loadAndWait(store, account);
        QCOMPARE(loaded.size(), 2);
        QCOMPARE(loaded.at(0).toString(), account);
        QVERIFY(loaded.at(1).toString().isEmpty());

        const QList<QVariant> saved = saveAndWait(store, account, token);
        QCOMPARE(saved.size(), 2);
        QCOMPARE(saved.at(0).toString(), account);
        QVERIFY2(saved.at(1).toBool(), qPrintable(store.problem())); // persistent
        QCOMPARE(store.backend(), CredentialStore::Backend::Keychain);

        loaded = loadAndWait(store, account);
        QCOMPARE(loaded.size(), 2);
        QCOMPARE(loaded.at(0).toString(), account);
        QCOMPARE(loaded.at(1).toString(), token);

        // A rotated token replaces the old one.
        const QString rotated = token + QStringLiteral("-rotated");
        QVERIFY(saveAndWait(store, account, rotated).value(1).toBool());
        QCOMPARE(loadAndWait(store, account).value(1).toString(), rotated);

        QVERIFY(removeAndWait(store, account));
        loaded = loadAndWait(store, account);
        QCOMPARE(loaded.size(), 2);
        QVERIFY(loaded.at(1).toString().isEmpty());
        // Removing what is not there is fine too.
        QVERIFY(removeAndWait(store, account));
        QCOMPARE(unavailable.size(), 0);
        QCOMPARE(store.backend(), CredentialStore::Backend::Keychain);
    }

    void anotherInstanceReadsWhatWasSaved()
    {
        const QString account = uniqueAccount();
        m_accounts << account;
        const QString token
            = QStringLiteral("refresh-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
        {
            CredentialStore writer(CredentialStore::Backend::Keychain);
            QVERIFY(saveAndWait(writer, account, token).value(1).toBool());
        }
        // A new instance has no memory of its own: the token can only come from the OS store.
        CredentialStore reader(CredentialStore::Backend::Keychain);
        QCOMPARE(loadAndWait(reader, account).value(1).toString(), token);
        // Accounts are separate entries.
        const QString other = uniqueAccount();
        m_accounts << other;
        QVERIFY(loadAndWait(reader, other).value(1).toString().isEmpty());

        // Removed through one instance, gone for every other.
        CredentialStore remover(CredentialStore::Backend::Keychain);
        QVERIFY(removeAndWait(remover, account));
        QVERIFY(loadAndWait(reader, account).value(1).toString().isEmpty());
    }

    // A caller about to quit asks whether a job is in flight and waits for jobsFinished(),
    // which comes once, after the last job's own answer.
    void jobsInFlightUntilTheLastAnswer()
    {
        const QString a = uniqueAccount();
        const QString b = uniqueAccount();
        m_accounts << a << b;
        CredentialStore store(CredentialStore::Backend::Keychain);
        QVERIFY(!store.hasJobsInFlight());

        QStringList order;
        connect(&store, &CredentialStore::saved, this,
            [&order](const QString &account) { order << QStringLiteral("saved ") + account; });
        connect(&store, &CredentialStore::loaded, this,
            [&order](const QString &account) { order << QStringLiteral("loaded ") + account; });
        connect(&store, &CredentialStore::removed, this,
            [&order](const QString &account) { order << QStringLiteral("removed ") + account; });
        connect(&store, &CredentialStore::jobsFinished, this, [&order, &store] {
            order << QStringLiteral("finished");
            QVERIFY(!store.hasJobsInFlight()); // already false when the signal comes
        });
        QSignalSpy finished(&store, &CredentialStore::jobsFinished);

        store.save(a, QStringLiteral("token-a"));
        QVERIFY(store.hasJobsInFlight());
        store.save(b, QStringLiteral("token-b"));
        store.load(a);
        store.remove(b);
        QVERIFY(store.hasJobsInFlight());
        QVERIFY(finished.wait(15000));
        QCOMPARE(finished.size(), 1);
        QVERIFY(!store.hasJobsInFlight());
        QCOMPARE(order.size(), 5);
        QCOMPARE(order.last(), QStringLiteral("finished"));
        QVERIFY(order.contains(QStringLiteral("saved ") + a));
        QVERIFY(order.contains(QStringLiteral("saved ") + b));
        QVERIFY(order.contains(QStringLiteral("loaded ") + a));
        QVERIFY(order.contains(QStringLiteral("removed ") + b));

        // A later job starts a new round with its own jobsFinished.
        order.clear();
        store.remove(a);
        QVERIFY(store.hasJobsInFlight());
        QVERIFY(finished.wait(15000));
        QCOMPARE(finished.size(), 2);
        QCOMPARE(
            order, QStringList({ QStringLiteral("removed ") + a, QStringLiteral("finished") }));
        QVERIFY(!store.hasJobsInFlight());
    }

    void memoryOnlyHasNoJobs()
    {
        CredentialStore memory(CredentialStore::Backend::MemoryOnly);
        QSignalSpy finished(&memory, &CredentialStore::jobsFinished);
        const QString account = uniqueAccount();
        memory.save(account, QStringLiteral("in-memory"));
        QVERIFY(!memory.hasJobsInFlight());
        memory.load(account);
        memory.remove(account);
        QVERIFY(!memory.hasJobsInFlight());
        QCOMPARE(finished.size(), 0); // answered at once: nothing to wait for
    }

    void memoryOnlyNeverTouchesTheKeychain()
    {
        const QString account = uniqueAccount();
        m_accounts << account;
        CredentialStore memory(CredentialStore::Backend::MemoryOnly);
        QCOMPARE(memory.backend(), CredentialStore::Backend::MemoryOnly);
        QVERIFY(!memory.problem().isEmpty());
        const QList<QVariant> saved = saveAndWait(memory, account, QStringLiteral("in-memory"));
        QCOMPARE(saved.value(1).toBool(), false);
        QCOMPARE(loadAndWait(memory, account).value(1).toString(), QStringLiteral("in-memory"));
        CredentialStore keychain(CredentialStore::Backend::Keychain);
        QVERIFY(loadAndWait(keychain, account).value(1).toString().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestCredentialStore)
#include "tst_credentialstore.moc"
