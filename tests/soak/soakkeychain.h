#pragma once

#include <QProcess>
#include <QString>
#include <QTemporaryDir>

// A keychain the soak can make slow or take away: a private D-Bus session bus (dbus-daemon)
// whose Secret Service (gnome-keyring, unlocked) is started by D-Bus activation on the first
// call that needs it, after a delay the soak sets. Killing the keyring between trials makes the
// next call activate it again, so each "slow" trial waits the full delay, as a client does
// whose desktop keyring is still starting or is stalled. "Missing" needs nothing from here: the
// client then runs without D-Bus at all.
class SoakKeychain
{
public:
    // The keyring keeps its files in `dataHome` and its control socket in `runtimeDir`.
    SoakKeychain(const QString &dataHome, const QString &runtimeDir);
    ~SoakKeychain();
    Q_DISABLE_COPY_MOVE(SoakKeychain)

    bool start(QString *error);
    QString busAddress() const { return m_address; }

    // How long the next activation waits before the keyring serves.
    void setActivationDelayMs(int ms);
    // Kills the running keyring (SIGKILL), if any: the next keychain call activates it again.
    void stopKeyring();

private:
    QTemporaryDir m_dir;
    QString m_dataHome;
    QString m_runtimeDir;
    QProcess m_bus;
    QString m_address;
};
