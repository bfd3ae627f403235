#pragma once

#include <QCoreApplication>
#include <QHash>
#include <QString>
#include <functional>

// Sessions (refresh tokens, one per server and user) kept in a file only the user can read,
// for programs that find no keychain (over SSH, in CI, in a container) — what gh and docker
// do. The file is created with mode 0600 and never chmod'ed: it is replaced atomically by a
// temporary file that is itself created 0600, then renamed. A file that group or others may
// read, another user owns, or that is not a plain file is not used. Removing the last session
// removes the file. Writers take a lock file next to it: two runs never lose each other's
// sessions.
class SessionFile
{
    Q_DECLARE_TR_FUNCTIONS(SessionFile)

public:
    explicit SessionFile(QString path);

    QString path() const { return m_path; }

    // The token kept for `account` (empty: none); false + *error if the file cannot be used.
    bool read(const QString &account, QString *token, QString *error) const;
    bool write(const QString &account, const QString &token, QString *error);
    bool remove(const QString &account, QString *error);

    // <config>/syncloop/session.json, where <config> is $XDG_CONFIG_HOME or ~/.config.
    static QString defaultPath();

private:
    using Sessions = QHash<QString, QString>;
    bool readAll(Sessions *sessions, QString *error) const;
    bool change(const std::function<void(Sessions &)> &edit, QString *error);
    bool writeAll(const Sessions &sessions, QString *error);

    QString m_path;
};
