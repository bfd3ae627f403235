#include "databaseconfig.h"

#include <QDir>
#include <QUrl>

std::optional<DatabaseConfig> DatabaseConfig::parse(
    const QString &spec, const QString &dataDir, QString *error)
{
    DatabaseConfig config;
    if (spec.isEmpty()) {
        config.sqlitePath = QDir(dataDir).filePath(QStringLiteral("syncloop.sqlite"));
        return config;
    }
    if (spec.startsWith(QLatin1String("sqlite:"))) {
        const QString path = spec.mid(7);
        if (path.isEmpty() || path == QLatin1String("//")) {
            *error = QStringLiteral("--database sqlite:PATH needs a file path, e.g. "
                                    "sqlite:/var/lib/syncloop/data.sqlite");
            return std::nullopt;
        }
        config.sqlitePath = QDir(dataDir).absoluteFilePath(path);
        return config;
    }
    if (spec.startsWith(QLatin1String("postgres://"))
        || spec.startsWith(QLatin1String("postgresql://"))) {
        const QUrl url(spec, QUrl::StrictMode);
        const QString dbName = url.path().mid(1);
        if (!url.isValid() || url.host().isEmpty() || dbName.isEmpty()
            || dbName.contains(QLatin1Char('/'))) {
            *error = QStringLiteral("--database %1: expected postgres://USER@HOST[:PORT]/DBNAME")
                         .arg(url.toString(QUrl::RemovePassword));
            return std::nullopt;
        }
        if (!url.password().isEmpty()) {
            *error = QStringLiteral(
                "--database %1: a password in the URL is visible to every user of the machine "
                "(ps, /proc, shell history); put it in a file only you can read and pass "
                "--database-password-file FILE, or use PGPASSFILE / ~/.pgpass")
                         .arg(url.toString(QUrl::RemovePassword));
            return std::nullopt;
        }
        config.kind = SqlDialect::Kind::Postgres;
        config.host = url.host();
        config.port = url.port(5432);
        config.databaseName = dbName;
        config.userName = url.userName();
        return config;
    }
    *error = QStringLiteral(
        "--database: unsupported value \"%1\"; use sqlite:PATH or postgres://USER@HOST/DBNAME")
                 .arg(spec.section(QLatin1Char(':'), 0, 0));
    return std::nullopt;
}

QString DatabaseConfig::describe() const
{
    if (kind == SqlDialect::Kind::Sqlite)
        return QStringLiteral("sqlite:") + sqlitePath;
    return QStringLiteral("postgres://%1@%2:%3/%4").arg(userName, host).arg(port).arg(databaseName);
}
