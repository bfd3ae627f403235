#include "soakkeychain.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <csignal>
#include <sys/types.h>

namespace {

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(bytes) == bytes.size();
}

} // namespace

SoakKeychain::SoakKeychain(const QString &dataHome, const QString &runtimeDir)
    : m_dataHome(dataHome)
    , m_runtimeDir(runtimeDir)
{ }

SoakKeychain::~SoakKeychain()
{
    stopKeyring();
    if (m_bus.state() != QProcess::NotRunning) {
        m_bus.kill();
        m_bus.waitForFinished(5000);
    }
}

bool SoakKeychain::start(QString *error)
{
    const QDir dir(m_dir.path());
    if (!m_dir.isValid() || !dir.mkpath(QStringLiteral("services"))) {
        *error = QStringLiteral("no temporary directory for the D-Bus session");
        return false;
    }
    // The script keeps its pid (exec keeps it too) so the soak can kill the keyring it started.
    // The unlock password protects a throwaway keyring in a temporary XDG_DATA_HOME.
    const QString script = dir.filePath(QStringLiteral("start-keyring.sh"));
    const QByteArray scriptText
        = "#!/bin/sh\n"
          "dir=$(dirname \"$0\")\n"
          "echo $$ > \"$dir/keyring.pid\"\n"
          "sleep \"$(cat \"$dir/delay\")\"\n"
          "exec gnome-keyring-daemon --foreground --unlock --components=secrets"
          " < \"$dir/unlock\"\n";
    const QByteArray config
        = "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\""
          " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
          "<busconfig><type>session</type>\n"
          "<listen>unix:path="
        + QFile::encodeName(dir.filePath(QStringLiteral("bus"))) + "</listen>\n<servicedir>"
        + QFile::encodeName(dir.filePath(QStringLiteral("services")))
        + "</servicedir>\n"
          "<policy context=\"default\"><allow send_destination=\"*\" eavesdrop=\"true\"/>"
          "<allow eavesdrop=\"true\"/><allow own=\"*\"/></policy></busconfig>\n";
    const QByteArray service = "[D-BUS Service]\nName=org.freedesktop.secrets\nExec=/bin/sh "
        + QFile::encodeName(script) + "\n";
    if (!writeFile(script, scriptText) || !writeFile(dir.filePath(QStringLiteral("unlock")), "soak")
        || !writeFile(dir.filePath(QStringLiteral("delay")), "0")
        || !writeFile(dir.filePath(QStringLiteral("bus.conf")), config)
        || !writeFile(
            dir.filePath(QStringLiteral("services/org.freedesktop.secrets.service")), service)) {
        *error = QStringLiteral("cannot write the D-Bus session's files in %1").arg(dir.path());
        return false;
    }

    // Activated services inherit the bus's environment: the keyring lives in the soak's home.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_DATA_HOME"), m_dataHome);
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), m_runtimeDir);
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"));
    m_bus.setProcessEnvironment(env);
    m_bus.setProcessChannelMode(QProcess::SeparateChannels);
    QSignalSpy ready(&m_bus, &QProcess::readyReadStandardOutput);
    m_bus.start(QStringLiteral("dbus-daemon"),
        { QStringLiteral("--config-file=") + dir.filePath(QStringLiteral("bus.conf")),
            QStringLiteral("--nofork"), QStringLiteral("--print-address=1") });
    if (!m_bus.waitForStarted(10000)) {
        *error = QStringLiteral("dbus-daemon did not start: %1").arg(m_bus.errorString());
        return false;
    }
    QByteArray out;
    for (int i = 0; i < 50 && !out.contains('\n'); ++i) {
        out += m_bus.readAllStandardOutput();
        if (!out.contains('\n') && m_bus.state() == QProcess::Running)
            ready.wait(200);
    }
    m_address = QString::fromUtf8(out.left(out.indexOf('\n')).trimmed());
    if (m_address.isEmpty()) {
        *error = QStringLiteral("dbus-daemon printed no address: %1")
                     .arg(QString::fromLocal8Bit(m_bus.readAllStandardError()));
        return false;
    }
    return true;
}

void SoakKeychain::setActivationDelayMs(int ms)
{
    writeFile(QDir(m_dir.path()).filePath(QStringLiteral("delay")),
        QByteArray::number(ms / 1000.0, 'f', 3));
}

void SoakKeychain::stopKeyring()
{
    QFile pidFile(QDir(m_dir.path()).filePath(QStringLiteral("keyring.pid")));
    if (!pidFile.open(QIODevice::ReadOnly))
        return;
    const qint64 pid = pidFile.readAll().trimmed().toLongLong();
    pidFile.close();
    pidFile.remove();
    // Only the process our activation script started (it may have exited already).
    QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(pid));
    if (pid > 1 && cmdline.open(QIODevice::ReadOnly)) {
        const QByteArray command = cmdline.readAll();
        if (command.contains("gnome-keyring-daemon") || command.contains("start-keyring.sh"))
            ::kill(pid_t(pid), SIGKILL);
    }
}
