// CredentialStore with a fallback file (what syncloopctl opts into) where no keychain can be
// reached: the session bus points at a socket that does not exist (set in main(), before
// anything touches D-Bus) and HOME/XDG point into a temporary directory. The session must
// outlive the store, in a file only the user can read (0600 from creation, replaced by rename),
// and signing out must leave no file behind.
#include "credentialstore.h"
#include "sessionfile.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>
#include <sys/stat.h>

namespace {

QString uniqueToken()
{
    return QStringLiteral("refresh-file-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
}

QString accountOf(const QString &email)
{
    return CredentialStore::account(QUrl(QStringLiteral("http://127.0.0.1:8080")), email);
}

struct stat statOf(const QString &path)
{
    struct stat st
    {
    };
    if (::lstat(QFile::encodeName(path).constData(), &st) != 0)
        st.st_mode = 0;
    return st;
}

int modeOf(const QString &path)
{
    return int(statOf(path).st_mode & 07777);
}

QList<QVariant> saveAndWait(CredentialStore &store, const QString &account, const QString &token)
{
    QSignalSpy saved(&store, &CredentialStore::saved);
    store.save(account, token);
    if (saved.isEmpty() && !saved.wait(15000))
        return {};
    return saved.first();
}

QString loadAndWait(CredentialStore &store, const QString &account)
{
    QSignalSpy loaded(&store, &CredentialStore::loaded);
    store.load(account);
    if (loaded.isEmpty() && !loaded.wait(15000))
        return QStringLiteral("<no answer>");
    return loaded.first().at(1).toString();
}

bool removeAndWait(CredentialStore &store, const QString &account)
{
    QSignalSpy removed(&store, &CredentialStore::removed);
    store.remove(account);
    return !removed.isEmpty() || removed.wait(15000);
}

QJsonObject sessionsIn(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll())
        .object()
        .value(QLatin1String("sessions"))
        .toObject();
}

} // namespace

class TestCredentialStoreFile : public QObject
{
    Q_OBJECT
public:
    explicit TestCredentialStoreFile(QString home)
        : m_home(std::move(home))
    { }

private:
    const QString m_home;

    QString path() const { return SessionFile::defaultPath(); }

    // A store as syncloopctl makes one; the first answer falls back (asserted by the callers).
    std::unique_ptr<CredentialStore> fileStore() const
    {
        auto store = std::make_unique<CredentialStore>(CredentialStore::Backend::Keychain);
        store->setFallbackFile(path());
        return store;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(qgetenv("DBUS_SESSION_BUS_ADDRESS").contains("does-not-exist"));
        QCOMPARE(QString::fromLocal8Bit(qgetenv("HOME")), m_home);
        // In the user's config directory.
        QCOMPARE(path(), m_home + QStringLiteral("/.config/syncloop/session.json"));
        QVERIFY(!QFile::exists(path()));
    }

    void cleanup() { QDir(m_home + QStringLiteral("/.config/syncloop")).removeRecursively(); }

    void keptInAPrivateFileAcrossInstances()
    {
        const QString a = accountOf(QStringLiteral("agent1@example.com"));
        const QString b = accountOf(QStringLiteral("agent2@example.com"));
        const QString tokenA = uniqueToken();
        const QString tokenB = uniqueToken();
        {
            auto store = fileStore();
            QSignalSpy unavailable(store.get(), &CredentialStore::keychainUnavailable);
            const QList<QVariant> saved = saveAndWait(*store, a, tokenA);
            QCOMPARE(saved.size(), 2);
            QCOMPARE(saved.at(1).toBool(), true); // kept beyond this run
            QCOMPARE(store->backend(), CredentialStore::Backend::File);
            QCOMPARE(unavailable.size(), 1);
            QVERIFY(!store->problem().isEmpty());
            QCOMPARE(store->fallbackFile(), path());
            QCOMPARE(modeOf(path()), 0600);
            QCOMPARE(modeOf(QFileInfo(path()).absolutePath()), 0700); // we made it: private too
            QVERIFY(saveAndWait(*store, b, tokenB).value(1).toBool());
            QCOMPARE(unavailable.size(), 1); // said once
        }
        // A new store (a new syncloopctl run) reads what the last one kept.
        auto reader = fileStore();
        QCOMPARE(loadAndWait(*reader, a), tokenA);
        QCOMPARE(reader->backend(), CredentialStore::Backend::File);
        QCOMPARE(loadAndWait(*reader, b), tokenB);
        QVERIFY(loadAndWait(*reader, accountOf(QStringLiteral("nobody@example.com"))).isEmpty());
        const QJsonObject onDisk = sessionsIn(path());
        QCOMPARE(onDisk.value(a).toString(), tokenA);
        QCOMPARE(onDisk.value(b).toString(), tokenB);

        // Signing out removes one entry; the last one removes the file.
        QVERIFY(removeAndWait(*reader, a));
        QVERIFY(loadAndWait(*reader, a).isEmpty());
        QCOMPARE(loadAndWait(*reader, b), tokenB);
        QCOMPARE(modeOf(path()), 0600);
        QVERIFY(removeAndWait(*reader, b));
        QVERIFY(!QFile::exists(path()));
        QVERIFY(loadAndWait(*reader, b).isEmpty());
        // No temporary or lock file is left behind.
        QCOMPARE(QDir(QFileInfo(path()).absolutePath()).entryList(QDir::Files | QDir::Hidden),
            QStringList());
    }

    void privateFromCreationWhateverTheUmask()
    {
        const mode_t before = ::umask(0); // a careless umask must not widen the file
        auto store = fileStore();
        const bool saved
            = saveAndWait(*store, accountOf(QStringLiteral("a@example.com")), uniqueToken())
                  .value(1)
                  .toBool();
        ::umask(before);
        QVERIFY(saved);
        QCOMPARE(modeOf(path()), 0600);
    }

    void replacedByRenameNeverRewrittenInPlace()
    {
        auto store = fileStore();
        const QString a = accountOf(QStringLiteral("a@example.com"));
        QVERIFY(saveAndWait(*store, a, uniqueToken()).value(1).toBool());
        const ino_t first = statOf(path()).st_ino;
        const QString rotated = uniqueToken();
        QVERIFY(saveAndWait(*store, a, rotated).value(1).toBool());
        // A new inode: the old file was replaced whole (a reader never sees half a file).
        QVERIFY(statOf(path()).st_ino != first);
        QCOMPARE(modeOf(path()), 0600);
        QCOMPARE(loadAndWait(*fileStore(), a), rotated);
    }

    void aFileOthersCanReadIsNotUsed()
    {
        const QString a = accountOf(QStringLiteral("a@example.com"));
        const QString leaked = uniqueToken();
        QVERIFY(QDir().mkpath(QFileInfo(path()).absolutePath()));
        {
            QFile f(path());
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QJsonDocument(
                QJsonObject { { QStringLiteral("sessions"), QJsonObject { { a, leaked } } } })
                        .toJson());
        }
        QVERIFY(QFile::setPermissions(path(),
            QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup
                | QFileDevice::ReadOther));
        auto store = fileStore();
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("read by others")));
        QVERIFY(loadAndWait(*store, a).isEmpty()); // signed out, not trusted
        QVERIFY2(store->problem().contains(QLatin1String("read by others")),
            qPrintable(store->problem()));
        QVERIFY2(store->problem().contains(path()), qPrintable(store->problem()));

        // Signing in again replaces it: private, and without what it held.
        const QString fresh = uniqueToken();
        const QString b = accountOf(QStringLiteral("b@example.com"));
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("read by others")));
        QVERIFY(saveAndWait(*store, b, fresh).value(1).toBool());
        QCOMPARE(modeOf(path()), 0600);
        QCOMPARE(sessionsIn(path()), (QJsonObject { { b, fresh } }));
    }

    void aDamagedFileIsReplacedOnTheNextSignIn()
    {
        QVERIFY(QDir().mkpath(QFileInfo(path()).absolutePath()));
        {
            QFile f(path());
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::NewOnly,
                QFileDevice::ReadOwner | QFileDevice::WriteOwner));
            f.write("{\"sessions\": {\"x\": ");
        }
        const QString a = accountOf(QStringLiteral("a@example.com"));
        auto store = fileStore();
        QTest::ignoreMessage(
            QtWarningMsg, QRegularExpression(QStringLiteral("is not a session file")));
        QVERIFY(loadAndWait(*store, a).isEmpty());
        const QString token = uniqueToken();
        QTest::ignoreMessage(
            QtWarningMsg, QRegularExpression(QStringLiteral("is not a session file")));
        QVERIFY(saveAndWait(*store, a, token).value(1).toBool());
        QCOMPARE(loadAndWait(*fileStore(), a), token);
    }

    // The file is where the session goes when the keychain is missing; memory-only stores
    // (--no-keychain, the desktop app) never write it.
    void memoryOnlyWritesNoFile()
    {
        CredentialStore memory(CredentialStore::Backend::MemoryOnly);
        QCOMPARE(saveAndWait(memory, accountOf(QStringLiteral("a@example.com")), uniqueToken())
                     .value(1)
                     .toBool(),
            false);
        CredentialStore noFallback(CredentialStore::Backend::Keychain);
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("no keychain")));
        QCOMPARE(saveAndWait(noFallback, accountOf(QStringLiteral("a@example.com")), uniqueToken())
                     .value(1)
                     .toBool(),
            false);
        QCOMPARE(noFallback.backend(), CredentialStore::Backend::MemoryOnly);
        QVERIFY(!QFile::exists(path()));
        QVERIFY(!QFile::exists(QFileInfo(path()).absolutePath()));
    }
};

int main(int argc, char **argv)
{
    // Before anything can open a D-Bus connection: a bus that does not exist, and a home (with
    // every XDG location) that the test owns.
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
    qunsetenv("DISPLAY");
    for (const char *dir :
        { "/.local/share", "/.config", "/.cache", "/.local/state", "/runtime" }) {
        if (!QDir().mkpath(home.path() + QLatin1String(dir)))
            return 1;
    }
    QFile::setPermissions(home.path() + QStringLiteral("/runtime"),
        QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);

    QCoreApplication app(argc, argv);
    TestCredentialStoreFile test(home.path());
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_credentialstore_file.moc"
