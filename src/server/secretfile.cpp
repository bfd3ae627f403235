#include "secretfile.h"

#include <QFile>
#include <cerrno>
#include <cstring>
#include <sys/stat.h>

std::optional<QByteArray> SecretFile::read(const QString &path, const QString &what, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1 %2: %3").arg(what, path, file.errorString());
        return std::nullopt;
    }
    // The mode of what was opened, not of the name (which could change in between).
    struct stat st
    {
    };
    if (::fstat(file.handle(), &st) != 0) {
        *error = QStringLiteral("cannot read %1 %2: %3")
                     .arg(what, path, QString::fromLocal8Bit(std::strerror(errno)));
        return std::nullopt;
    }
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        *error = QStringLiteral(
            "%1 %2 is accessible by group or others (mode %3); refusing to use it. "
            "Make it private: chmod 600 %2")
                     .arg(what, path)
                     .arg(st.st_mode & 07777, 4, 8, QLatin1Char('0'));
        return std::nullopt;
    }
    return file.readAll().trimmed();
}

bool SecretFile::create(
    const QString &path, const QByteArray &contents, const QString &what, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly,
            QFileDevice::ReadOwner | QFileDevice::WriteOwner)
        || file.write(contents) != contents.size() || !file.flush()) {
        *error = QStringLiteral("cannot create %1 %2: %3").arg(what, path, file.errorString());
        return false;
    }
    return true;
}
