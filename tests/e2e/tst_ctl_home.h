#pragma once

// syncloopctl as a user runs it, for the tst_ctl* end-to-end tests: the real binary as a
// separate process, in a fresh HOME (and XDG directories) of its own, in one of two
// environments:
//  - WithKeychain: the D-Bus session and unlocked gnome-keyring the test itself runs in
//    (packaging/run-tests.sh provides them);
//  - NoKeychain: no D-Bus and no display at all, as over SSH, in CI or in a container
//    (DBUS_SESSION_BUS_ADDRESS and DISPLAY unset, XDG_RUNTIME_DIR a fresh empty directory).
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <sys/stat.h>

struct CtlResult
{
    int exitCode = -1;
    QProcess::ExitStatus exitStatus = QProcess::CrashExit;
    QByteArray out;
    QByteArray err;

    bool exited(int code) const { return exitStatus == QProcess::NormalExit && exitCode == code; }
    QString describe() const
    {
        return QStringLiteral("exit %1 (%2)\nstdout: %3\nstderr: %4")
            .arg(exitCode)
            .arg(exitStatus == QProcess::NormalExit ? QStringLiteral("normal")
                                                    : QStringLiteral("crashed"))
            .arg(QString::fromUtf8(out.right(3000)), QString::fromUtf8(err.right(3000)));
    }
    QList<QJsonObject> jsonLines() const
    {
        QList<QJsonObject> lines;
        for (const QByteArray &line : out.split('\n')) {
            if (!line.trimmed().isEmpty())
                lines.append(QJsonDocument::fromJson(line).object());
        }
        return lines;
    }
};

class CtlHome
{
public:
    enum class Environment { WithKeychain, NoKeychain };

    explicit CtlHome(Environment environment)
        : m_environment(environment)
    {
        for (const QString &dir : { config(), share(), cache(), runtime() })
            m_valid = m_valid && QDir().mkpath(dir);
        m_valid = m_valid
            && QFile::setPermissions(runtime(),
                QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    }

    bool isValid() const { return m_valid && m_home.isValid(); }
    QString path() const { return m_home.path(); }
    QString config() const { return m_home.filePath(QStringLiteral(".config")); }
    QString share() const { return m_home.filePath(QStringLiteral(".local/share")); }
    QString cache() const { return m_home.filePath(QStringLiteral(".cache")); }
    QString runtime() const { return m_home.filePath(QStringLiteral("runtime")); }
    // Where syncloopctl keeps the session when there is no keychain, and its queue.
    QString sessionFile() const { return config() + QStringLiteral("/syncloop/session.json"); }
    QString queuePath() const
    {
        return share() + QStringLiteral("/syncloop/syncloop/queue.sqlite");
    }

    static QString executable() { return QStringLiteral(SYNCLOOPCTL_PATH); }

    // Runs syncloopctl with `arguments`, writing `input` (e.g. a password line) to its stdin.
    CtlResult run(
        const QStringList &arguments, const QByteArray &input = {}, int timeoutMs = 60000) const
    {
        QProcess process;
        process.setProcessEnvironment(environment());
        process.start(executable(), arguments);
        CtlResult r;
        if (!process.waitForStarted(10000))
            return r;
        process.write(input);
        process.closeWriteChannel();
        QSignalSpy finished(&process, &QProcess::finished);
        if (process.state() != QProcess::NotRunning && !finished.wait(timeoutMs)) {
            process.kill();
            process.waitForFinished(5000);
        }
        r.exitCode = process.exitCode();
        r.exitStatus = process.exitStatus();
        r.out = process.readAllStandardOutput();
        r.err = process.readAllStandardError();
        return r;
    }

    QProcessEnvironment environment() const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), m_home.path());
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), config());
        env.insert(QStringLiteral("XDG_DATA_HOME"), share());
        env.insert(QStringLiteral("XDG_CACHE_HOME"), cache());
        env.remove(QStringLiteral("QT_LOGGING_RULES")); // what a user sees, not what ctest hides
        if (m_environment == Environment::NoKeychain) {
            for (const char *name : { "DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY",
                     "DBUS_STARTER_ADDRESS" })
                env.remove(QLatin1String(name));
            env.insert(QStringLiteral("XDG_RUNTIME_DIR"), runtime());
        }
        return env;
    }

    // Permission bits of `path` (-1: it does not exist).
    static int modeOf(const QString &path)
    {
        struct stat st
        {
        };
        if (::lstat(QFile::encodeName(path).constData(), &st) != 0)
            return -1;
        return int(st.st_mode & 07777);
    }

private:
    Environment m_environment;
    QTemporaryDir m_home;
    bool m_valid = true;
};
