#include "auth/passwordhasher.h"
#include "serveroptions.h"
#include "signalwatcher.h"
#include "syncserver.h"

#include <QCoreApplication>
#include <cstdio>
#include <sys/stat.h>

int main(int argc, char *argv[])
{
    // Everything the server creates is its owner's alone, from creation: the data directory
    // 0700, the database with its WAL and SHM, the JWT secret and the SMS log 0600. Set before
    // any thread exists (the umask is per process).
    ::umask(S_IRWXG | S_IRWXO);
    // Qt's own poll() dispatcher, not GLib's: GLib keeps socket watches in a list, so
    // toggling a write notifier costs O(sockets) and thousands of realtime sockets turn every
    // fan-out quadratic. (Applies to every thread's event loop.) The server uses no GLib
    // integration; the desktop client must keep GLib for libsecret.
    qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("syncloop"));
    QCoreApplication::setApplicationName(QStringLiteral("syncloopd"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SYNCLOOP_VERSION));

    const ServerOptionsParseResult parsed = ServerOptions::parse(QCoreApplication::arguments());
    if (!parsed.options) {
        std::fputs(
            qPrintable(parsed.message + QLatin1Char('\n')), parsed.exitCode == 0 ? stdout : stderr);
        return parsed.exitCode;
    }
    if (!PasswordHasher::initialise()) {
        std::fputs("syncloopd: libsodium failed to initialise\n", stderr);
        return 1;
    }

    SyncServer server(*parsed.options);
    QString error;
    if (!server.start(&error)) {
        std::fprintf(stderr, "syncloopd: %s\n", qPrintable(error));
        return 1;
    }
    // Exactly one line on stdout: tests and scripts read the address from it.
    std::printf("syncloopd listening on %s\n", qPrintable(server.baseUrl()));
    std::fflush(stdout);
    if (parsed.options->demo) {
        std::fprintf(stderr,
            "Demo users (password \"syncloop-demo\"): agent1@example.com, agent2@example.com, "
            "admin@example.com\nRealtime API key: %s\n",
            qPrintable(parsed.options->realtimeApiKey));
    }

    SignalWatcher unixSignals;
    QObject::connect(&unixSignals, &SignalWatcher::terminationRequested, &app,
        [](int) { QCoreApplication::quit(); });
    return app.exec();
}
