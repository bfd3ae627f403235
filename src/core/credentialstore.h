#pragma once

#include <QHash>
#include <QObject>
#include <QUrl>
#include <memory>

class SessionFile;

// Where the refresh token lives: the OS secret store through QtKeychain (service "syncloop",
// account = server URL + user). Never QSettings, the queue or logs. When no keychain can be
// reached it says so (keychainUnavailable) and keeps the token in this process's memory only —
// or, for a program that opted in with setFallbackFile() (syncloopctl), in a file only the
// user can read (SessionFile).
class CredentialStore : public QObject
{
    Q_OBJECT
public:
    enum class Backend { Keychain, MemoryOnly, File };
    Q_ENUM(Backend)

    explicit CredentialStore(Backend preferred = Backend::Keychain, QObject *parent = nullptr);
    ~CredentialStore() override;

    Backend backend() const { return m_backend; }
    QString problem() const { return m_problem; } // why the keychain is not used, if it is not

    // Where tokens go when no keychain can be reached, instead of memory (empty: memory). A
    // command-line tool over SSH or in CI has no keychain and runs once per command: memory
    // would sign it out after every one. The desktop app keeps memory. Removing a session
    // removes it from this file too, whichever backend is in use.
    void setFallbackFile(const QString &path);
    QString fallbackFile() const;

    // True while a keychain job started by save/load/remove has not answered yet; a caller
    // that is about to quit waits for jobsFinished() so a write is not cut off.
    bool hasJobsInFlight() const { return m_jobsInFlight > 0; }

    void save(const QString &account, const QString &token);
    void load(const QString &account);
    void remove(const QString &account);

    static QString account(const QUrl &server, const QString &email);
    static constexpr const char *service = "syncloop";

signals:
    // persistent: kept beyond this run (the keychain or the fallback file).
    void saved(const QString &account, bool persistent);
    void loaded(const QString &account, const QString &token); // empty token: none stored
    void removed(const QString &account);
    void keychainUnavailable(const QString &reason);
    // The last job in flight has finished, after its own saved/loaded/removed.
    void jobsFinished();

private:
    void fallBack(const QString &reason);
    void jobStarted() { ++m_jobsInFlight; }
    void jobDone();
    void saveToFile(const QString &account, const QString &token);
    void loadFromFile(const QString &account);

    Backend m_backend;
    QString m_problem;
    QHash<QString, QString> m_memory;
    int m_jobsInFlight = 0;
    std::unique_ptr<SessionFile> m_file;
};
