// CredentialStore where no keychain can be reached: the session bus address points at a socket
// that does not exist (set in main(), before anything touches D-Bus). The store must say so
// once (keychainUnavailable), keep the token in memory only, and write nothing to disk: HOME and
// every XDG directory point into a temporary directory that is searched for the token afterwards.
#include "credentialstore.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

namespace {

QString uniqueToken()
{
    return QStringLiteral("refresh-nokeychain-")
        + QUuid::createUuid().toString(QUuid::WithoutBraces);
}

QString account()
{
    return CredentialStore::account(
        QUrl(QStringLiteral("http://127.0.0.1:8080")), QStringLiteral("agent1@example.com"));
}

} // namespace

class TestCredentialStoreNoKeychain : public QObject
{
    Q_OBJECT
public:
    explicit TestCredentialStoreNoKeychain(QString home)
        : m_home(std::move(home))
    { }

private:
    const QString m_home;
    QStringList m_tokens; // every token handed to a store

    // Files under the isolated home that contain `needle`, in any of the usual encodings.
    QStringList filesContaining(const QString &needle) const
    {
        QStringList hits;
        QDirIterator it(
            m_home, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            QFile f(path);
            if (!f.open(QIODevice::ReadOnly))
                continue;
            const QByteArray bytes = f.readAll();
            const QByteArray utf8 = needle.toUtf8();
            const QByteArray utf16(
                reinterpret_cast<const char *>(needle.utf16()), needle.size() * 2);
            if (bytes.contains(utf8) || bytes.contains(utf16) || bytes.contains(utf8.toBase64()))
                hits << path;
        }
        return hits;
    }

private slots:
    void initTestCase()
    {
        // main() pointed the bus at nothing; make sure that is what this process sees.
        QVERIFY(qgetenv("DBUS_SESSION_BUS_ADDRESS").contains("does-not-exist"));
        QCOMPARE(QString::fromLocal8Bit(qgetenv("HOME")), m_home);
    }

    void saveFallsBackToMemory()
    {
        const QString token = uniqueToken();
        m_tokens << token;
        CredentialStore store(CredentialStore::Backend::Keychain);
        QCOMPARE(store.backend(), CredentialStore::Backend::Keychain);
        QSignalSpy unavailable(&store, &CredentialStore::keychainUnavailable);
        QSignalSpy saved(&store, &CredentialStore::saved);
        // Why the keychain failed is logged once, as a warning: expected here.
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("no keychain")));
        store.save(account(), token);
        QVERIFY(!saved.isEmpty() || saved.wait(15000));
        QCOMPARE(saved.size(), 1);
        QCOMPARE(saved.first().at(0).toString(), account());
        QCOMPARE(saved.first().at(1).toBool(), false); // not persistent

        // It said so, with a reason, before answering.
        QCOMPARE(unavailable.size(), 1);
        const QString reason = unavailable.first().first().toString();
        QVERIFY(!reason.isEmpty());
        QCOMPARE(store.problem(), reason);
        QCOMPARE(store.backend(), CredentialStore::Backend::MemoryOnly);

        // The token is there for this process.
        QSignalSpy loaded(&store, &CredentialStore::loaded);
        store.load(account());
        QVERIFY(!loaded.isEmpty() || loaded.wait(15000));
        QCOMPARE(loaded.first().at(0).toString(), account());
        QCOMPARE(loaded.first().at(1).toString(), token);

        // From now on memory only, and no second warning.
        const QString rotated = uniqueToken();
        m_tokens << rotated;
        saved.clear();
        store.save(account(), rotated);
        QVERIFY(!saved.isEmpty() || saved.wait(15000));
        QCOMPARE(saved.first().at(1).toBool(), false);
        loaded.clear();
        store.load(account());
        QVERIFY(!loaded.isEmpty() || loaded.wait(15000));
        QCOMPARE(loaded.first().at(1).toString(), rotated);
        QCOMPARE(unavailable.size(), 1);

        QSignalSpy removed(&store, &CredentialStore::removed);
        store.remove(account());
        QVERIFY(!removed.isEmpty() || removed.wait(15000));
        loaded.clear();
        store.load(account());
        QVERIFY(!loaded.isEmpty() || loaded.wait(15000));
        QVERIFY(loaded.first().at(1).toString().isEmpty());
    }

    void loadFirstFallsBackToo()
    {
        CredentialStore store(CredentialStore::Backend::Keychain);
        QSignalSpy unavailable(&store, &CredentialStore::keychainUnavailable);
        QSignalSpy loaded(&store, &CredentialStore::loaded);
        QSignalSpy finished(&store, &CredentialStore::jobsFinished);
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("no keychain")));
        store.load(account());
        QVERIFY(!loaded.isEmpty() || loaded.wait(15000));
        QCOMPARE(loaded.size(), 1);
        // A failed job is finished too.
        QTRY_COMPARE(finished.size(), 1);
        QVERIFY(!store.hasJobsInFlight());
        QVERIFY(
            loaded.first().at(1).toString().isEmpty()); // nothing stored: signed out, not an error
        QCOMPARE(unavailable.size(), 1);
        QVERIFY(!unavailable.first().first().toString().isEmpty());
        QCOMPARE(store.backend(), CredentialStore::Backend::MemoryOnly);
    }

    void nothingWasWrittenToDisk()
    {
        QVERIFY(!m_tokens.isEmpty());
        for (const QString &token : std::as_const(m_tokens)) {
            const QStringList hits = filesContaining(token);
            QVERIFY2(hits.isEmpty(),
                qPrintable(QStringLiteral("the token was written to %1")
                               .arg(hits.join(QStringLiteral(", ")))));
        }
        // The search itself works: a file holding a token is found.
        QFile canary(m_home + QStringLiteral("/.config/canary"));
        QVERIFY(canary.open(QIODevice::WriteOnly));
        canary.write(QByteArrayLiteral("x=") + m_tokens.first().toUtf8());
        canary.close();
        QCOMPARE(filesContaining(m_tokens.first()).size(), 1);
        QVERIFY(canary.remove());
    }
};

int main(int argc, char **argv)
{
    // Before anything can open a D-Bus connection: a bus that does not exist, and a home (with
    // every XDG location) that the test owns and searches afterwards.
    QTemporaryDir home;
    if (!home.isValid())
        return 1;
    const QByteArray root = QFile::encodeName(home.path());
    qputenv("HOME", root);
    qputenv("XDG_DATA_HOME", root + "/.local/share");
    qputenv("XDG_CONFIG_HOME", root + "/.config");
    qputenv("XDG_CACHE_HOME", root + "/.cache");
    qputenv("XDG_STATE_HOME", root + "/.local/state");
    qputenv("XDG_RUNTIME_DIR", root + "/runtime");
    qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + root + "/does-not-exist/bus");
    qunsetenv("DISPLAY"); // no X11 autolaunch either
    for (const char *dir :
        { "/.local/share", "/.config", "/.cache", "/.local/state", "/runtime" }) {
        if (!QDir().mkpath(home.path() + QLatin1String(dir)))
            return 1;
    }
    QFile::setPermissions(home.path() + QStringLiteral("/runtime"),
        QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);

    QCoreApplication app(argc, argv);
    TestCredentialStoreNoKeychain test(home.path());
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_credentialstore_nokeychain.moc"
