#include "sessionfile.h"

#include "logging.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLockFile>
#include <QStandardPaths>
#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

namespace {

QString systemError()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

constexpr int lockWaitMs = 5000; // a writer holds it for a few milliseconds

} // namespace

SessionFile::SessionFile(QString path)
    : m_path(std::move(path))
{ }

QString SessionFile::defaultPath()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation))
        .filePath(QStringLiteral("syncloop/session.json"));
}

bool SessionFile::readAll(Sessions *sessions, QString *error) const
{
    sessions->clear();
    const QByteArray name = QFile::encodeName(m_path);
    struct stat st
    {
    };
    if (::lstat(name.constData(), &st) != 0) {
        if (errno == ENOENT)
            return true; // nothing kept yet
        *error = tr("cannot read %1: %2").arg(m_path, systemError());
        return false;
    }
    // Like ssh with a private key: a session others could have read is not trusted.
    if (!S_ISREG(st.st_mode)) {
        *error = tr("%1 is not a plain file: it is not used").arg(m_path);
        return false;
    }
    if (st.st_uid != ::geteuid()) {
        *error = tr("%1 belongs to another user: it is not used").arg(m_path);
        return false;
    }
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        *error
            = tr("%1 can be read by others (mode %2): it is not used; sign in again to replace it")
                  .arg(m_path)
                  .arg(st.st_mode & 0777, 4, 8, QLatin1Char('0'));
        return false;
    }
    QFile file(m_path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = tr("cannot read %1: %2").arg(m_path, file.errorString());
        return false;
    }
    QJsonParseError parse {};
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parse);
    if (parse.error != QJsonParseError::NoError || !doc.isObject()) {
        *error = tr("%1 is not a session file: %2").arg(m_path, parse.errorString());
        return false;
    }
    const QJsonObject all = doc.object().value(QLatin1String("sessions")).toObject();
    for (auto it = all.constBegin(); it != all.constEnd(); ++it) {
        if (!it.value().toString().isEmpty())
            sessions->insert(it.key(), it.value().toString());
    }
    return true;
}

bool SessionFile::read(const QString &account, QString *token, QString *error) const
{
    Sessions sessions;
    if (!readAll(&sessions, error))
        return false;
    *token = sessions.value(account);
    return true;
}

bool SessionFile::write(const QString &account, const QString &token, QString *error)
{
    return change([&](Sessions &sessions) { sessions.insert(account, token); }, error);
}

bool SessionFile::remove(const QString &account, QString *error)
{
    const QFileInfo info(m_path);
    if (!info.exists() && !info.isSymLink())
        return true; // nothing kept: nothing to create either
    return change([&](Sessions &sessions) { sessions.remove(account); }, error);
}

bool SessionFile::change(const std::function<void(Sessions &)> &edit, QString *error)
{
    const QFileInfo info(m_path);
    const QString dir = info.absolutePath();
    // The directory is made private too, when we are the ones making it.
    if (!QDir().mkpath(QFileInfo(dir).absolutePath())
        || (::mkdir(QFile::encodeName(dir).constData(), 0700) != 0 && errno != EEXIST)) {
        *error = tr("cannot create %1: %2").arg(dir, systemError());
        return false;
    }
    QLockFile lock(m_path + QStringLiteral(".lock"));
    if (!lock.tryLock(lockWaitMs)) {
        *error = tr("%1 is locked by another syncloop run").arg(m_path);
        return false;
    }
    Sessions sessions;
    QString unusable;
    if (!readAll(&sessions, &unusable)) {
        // What is there cannot be trusted (or read): it is replaced, not merged.
        qCWarning(lcCredentials).noquote() << unusable << "- replacing it";
        sessions.clear();
    }
    edit(sessions);
    return writeAll(sessions, error);
}

bool SessionFile::writeAll(const Sessions &sessions, QString *error)
{
    if (sessions.isEmpty()) {
        if (QFile::exists(m_path) && !QFile::remove(m_path)) {
            *error = tr("cannot remove %1").arg(m_path);
            return false;
        }
        return true;
    }
    QJsonObject all;
    for (auto it = sessions.constBegin(); it != sessions.constEnd(); ++it)
        all.insert(it.key(), it.value());
    const QByteArray bytes = QJsonDocument(
        QJsonObject { { QStringLiteral("sessions"),
            all } }).toJson(QJsonDocument::Indented);

    // We hold the lock: a temporary file left by a writer that died can go.
    const QString temporary = m_path + QStringLiteral(".new");
    QFile::remove(temporary);
    QFile file(temporary);
    // NewOnly is O_CREAT|O_EXCL: the mode is the one given here from the first byte on.
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly,
            QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
        *error = tr("cannot create %1: %2").arg(temporary, file.errorString());
        return false;
    }
    const bool written
        = file.write(bytes) == bytes.size() && file.flush() && ::fsync(file.handle()) == 0;
    file.close();
    if (!written) {
        *error = tr("cannot write %1: %2").arg(temporary, file.errorString());
        QFile::remove(temporary);
        return false;
    }
    // rename(2) replaces the old file in one step: a reader sees the old sessions or the new.
    if (::rename(QFile::encodeName(temporary).constData(), QFile::encodeName(m_path).constData())
        != 0) {
        *error = tr("cannot replace %1: %2").arg(m_path, systemError());
        QFile::remove(temporary);
        return false;
    }
    return true;
}
