#include "ctlcommand.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("syncloop"));
    QCoreApplication::setApplicationName(QStringLiteral("syncloop"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SYNCLOOP_VERSION));

    CtlCommand command;
    int exitCode = 0;
    bool done = false;
    QObject::connect(&command, &CtlCommand::done, &app, [&](int code) {
        exitCode = code;
        done = true;
        QCoreApplication::exit(code);
    });
    command.start(QCoreApplication::arguments());
    return done ? exitCode : app.exec();
}
