#pragma once

#include <QHash>
#include <QObject>
#include <QUrl>

// Where the refresh token lives: the OS secret store through QtKeychain (service "syncloop",
// account = server URL + user). Never QSettings, the queue or logs. When no keychain can be
// reached it says so (keychainUnavailable) and keeps the token in this process's memory only.
class CredentialStore : public QObject
{
    Q_OBJECT
public:
    enum class Backend { Keychain, MemoryOnly };
    Q_ENUM(Backend)

    explicit CredentialStore(Backend preferred = Backend::Keychain, QObject *parent = nullptr);

    Backend backend() const { return m_backend; }
    QString problem() const { return m_problem; } // why the keychain is not used, if it is not

    // True while a keychain job started by save/load/remove has not answered yet; a caller
    // that is about to quit waits for jobsFinished() so a write is not cut off.
    bool hasJobsInFlight() const { return m_jobsInFlight > 0; }

    void save(const QString &account, const QString &token);
    void load(const QString &account);
    void remove(const QString &account);

    static QString account(const QUrl &server, const QString &email);
    static constexpr const char *service = "syncloop";

signals:
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

    Backend m_backend;
    QString m_problem;
    QHash<QString, QString> m_memory;
    int m_jobsInFlight = 0;
};
