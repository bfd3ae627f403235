#pragma once

#include <QByteArray>
#include <QString>
#include <optional>

// A file holding a secret (the JWT signing key, the database password): only its owner may
// read it. One that group or others can access is refused rather than used, and a new one is
// created with mode 0600 (never made first and tightened after, which leaves a window).
class SecretFile
{
public:
    // The trimmed contents; nullopt + *error when it is missing, unreadable or too open.
    static std::optional<QByteArray> read(const QString &path, const QString &what, QString *error);
    // Writes a new file (it must not exist) with mode 0600; false + *error on failure.
    static bool create(
        const QString &path, const QByteArray &contents, const QString &what, QString *error);
};
