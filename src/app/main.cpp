#include "deskcontroller.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QIcon>
#include <QLibraryInfo>
#include <QLocale>
#include <QMessageBox>
#include <QSettings>
#include <QStandardPaths>
#include <QStyleFactory>
#include <QTranslator>

namespace {

void applyDarkPalette(QApplication &app)
{
    app.setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QPalette p;
    p.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
    p.setColor(QPalette::WindowText, QColor(0xee, 0xee, 0xee));
    p.setColor(QPalette::Base, QColor(0x1f, 0x1f, 0x1f));
    p.setColor(QPalette::AlternateBase, QColor(0x2f, 0x2f, 0x2f));
    p.setColor(QPalette::Text, QColor(0xee, 0xee, 0xee));
    p.setColor(QPalette::Button, QColor(0x3a, 0x3a, 0x3a));
    p.setColor(QPalette::ButtonText, QColor(0xee, 0xee, 0xee));
    p.setColor(QPalette::Highlight, QColor(0x42, 0x8b, 0xd6));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::PlaceholderText, QColor(0xa0, 0xa0, 0xa0));
    p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x88, 0x88, 0x88));
    p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x88, 0x88, 0x88));
    app.setPalette(p);
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("syncloop"));
    QApplication::setApplicationName(QStringLiteral("syncloop"));
    QApplication::setApplicationDisplayName(QStringLiteral("syncloop"));
    QApplication::setApplicationVersion(QStringLiteral(SYNCLOOP_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("syncloop-desk"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/syncloop.svg")));

    QTranslator qtTranslator;
    if (qtTranslator.load(QLocale(), QStringLiteral("qtbase"), QStringLiteral("_"),
            QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QApplication::installTranslator(&qtTranslator);
    QTranslator translator;
    if (translator.load(
            QLocale(), QStringLiteral("syncloop"), QStringLiteral("_"), QStringLiteral(":/i18n")))
        QApplication::installTranslator(&translator);

    QCommandLineParser parser;
    parser.setApplicationDescription(QApplication::translate(
        "main", "syncloop desktop client: bookings and leads, a button that never lies."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption server(QStringLiteral("server"),
        QApplication::translate("main", "Server URL (default: the last one used)."),
        QStringLiteral("url"));
    const QCommandLineOption dataDir(QStringLiteral("data-dir"),
        QApplication::translate(
            "main", "Where the offline queue lives (default: the app data location)."),
        QStringLiteral("dir"));
    const QCommandLineOption noKeychain(QStringLiteral("no-keychain"),
        QApplication::translate("main", "Never use the system keychain."));
    const QCommandLineOption dark(
        QStringLiteral("dark"), QApplication::translate("main", "Use a dark palette."));
    parser.addOptions({ server, dataDir, noKeychain, dark });
    parser.process(app);
    if (parser.isSet(dark))
        applyDarkPalette(app);

    DeskController::Options options;
    options.server = QUrl(parser.isSet(server)
            ? parser.value(server)
            : QSettings()
                  .value(QStringLiteral("server"), QStringLiteral("http://127.0.0.1:8080"))
                  .toString());
    if (parser.isSet(dataDir))
        options.queuePath = QDir(parser.value(dataDir)).filePath(QStringLiteral("queue.sqlite"));
    options.credentials = parser.isSet(noKeychain) ? CredentialStore::Backend::MemoryOnly
                                                   : CredentialStore::Backend::Keychain;

    // The controller decides when the app ends: closing the login dialog from code, or the
    // window while a keychain job is in flight, must not.
    QApplication::setQuitOnLastWindowClosed(false);
    DeskController controller(options);
    QObject::connect(&controller, &DeskController::quitRequested, &app, &QCoreApplication::quit,
        Qt::QueuedConnection);
    QString error;
    if (!controller.start(&error)) {
        QMessageBox::critical(nullptr, QApplication::translate("main", "syncloop cannot start"),
            QApplication::translate("main", "The offline queue cannot be opened: %1").arg(error));
        return 1;
    }
    return app.exec();
}
