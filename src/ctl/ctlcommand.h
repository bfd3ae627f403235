#pragma once

#include <QJsonObject>
#include <QMap>
#include <QObject>
#include <QStringList>
#include <QTimer>
#include <QUrl>
#include <functional>

class MutationHandle;
class QTextStream;
class SyncSession;

// One syncloopctl run: parses the command line, runs the command on the event loop and
// finishes with an exit code (done()). Exit codes: 0 done, 1 failed, 2 usage,
// 3 queued offline (durable; sent by the next `queue retry-all` or app start).
class CtlCommand : public QObject
{
    Q_OBJECT
public:
    enum Exit { Done = 0, Failed = 1, Usage = 2, QueuedOffline = 3 };

    explicit CtlCommand(QObject *parent = nullptr);
    ~CtlCommand() override;

    // Parses and starts; done() follows (possibly right away, e.g. for usage errors).
    void start(const QStringList &arguments);

signals:
    void done(int exitCode);

private:
    struct Settings
    {
        QUrl server;
        QString dataDir;
        QString email;
        bool json = false;
        bool passwordFromStdin = false;
        bool keychain = true;
        bool all = false; // queue adopt --all
        QString vsn;
        int timeoutMs = 60000;
    };

    void finish(int code);
    void fail(const QString &message, int code = Failed);
    void print(const QString &line);
    void printJson(const QJsonObject &object);

    bool openSession();
    // Signs in (password from stdin / prompt, else the keychain), then calls `next`.
    void authenticate(
        const std::function<void()> &next, const std::function<void(const QString &)> &failed);
    // Who acts, before anything is queued: signed in now (live), or — the server being
    // unreachable — the user this machine knew at their last sign-in to this server, whose
    // session it keeps or whose password was given. Else `refused`: nothing may be queued.
    void identify(const std::function<void(bool live)> &next,
        const std::function<void(const QString &)> &refused);
    void refuseUnidentified(const QString &reason);
    // The server's id of --email on --server, as seen at the last sign-in here (not a secret).
    QString settingsKeyOfUser() const;
    void rememberUser();
    QString knownUserId() const;
    QString readPassword(const QString &prompt);

    void runMutation(const std::function<MutationHandle *()> &submit);
    void awaitHandle(MutationHandle *handle);
    void runQueueList();
    void runRetryAll();
    void runDiscard(const QString &key);
    void runAdopt(const QString &key);
    void reportUnsent(int confirmed, const QMap<QString, int> &unsent, int code);
    void runList(const QString &table);
    void runWatch();
    void runLogin();

    Settings m_settings;
    QStringList m_command;
    SyncSession *m_session = nullptr;
    QTextStream *m_out = nullptr;
    QTimer m_timeout;
    bool m_finished = false;
    QString m_userId; // who acts (identify())
    QString m_offlineReason; // why identify() could not sign in live
};
