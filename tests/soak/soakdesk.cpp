// The desktop app's core, for the soak: the SyncSession syncloop-desk runs, without widgets.
// It signs in (password on stdin, session kept for this run only), drains whatever the shared
// offline queue holds, submits the confirms and SMS given on the command line, and prints
//   persisted <booking id | sms text>   once a change is in the queue (before it is sent)
//   drained                             when nothing is owed and every change of its own is final
// Exit codes: 0 drained, 1 could not sign in (nothing submitted), 2 usage, 3 still owed at the
// deadline (kept in the queue). The soak kills it at random moments.
#include "mutationhandle.h"
#include "syncsession.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QPointer>
#include <QTimer>
#include <cstdio>
#include <iostream>
#include <string>

namespace {

void say(const QString &line)
{
    std::fprintf(stdout, "%s\n", qPrintable(line));
    std::fflush(stdout);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption server(
        QStringLiteral("server"), QStringLiteral("Server URL."), QStringLiteral("url"));
    const QCommandLineOption queue(
        QStringLiteral("queue"), QStringLiteral("The offline queue file."), QStringLiteral("path"));
    const QCommandLineOption email(
        QStringLiteral("email"), QStringLiteral("Who signs in."), QStringLiteral("email"));
    const QCommandLineOption confirm(
        QStringLiteral("confirm"), QStringLiteral("Confirm this booking."), QStringLiteral("id"));
    const QCommandLineOption sms(QStringLiteral("sms"),
        QStringLiteral("Send an SMS: LEAD_ID|TEXT."), QStringLiteral("lead|text"));
    const QCommandLineOption deadline(QStringLiteral("deadline-ms"),
        QStringLiteral("Give up after this long."), QStringLiteral("ms"), QStringLiteral("20000"));
    parser.addOptions({ server, queue, email, confirm, sms, deadline });
    parser.process(app);
    if (!parser.isSet(server) || !parser.isSet(queue) || !parser.isSet(email)) {
        std::fprintf(stderr, "soakdesk: --server, --queue and --email are required\n");
        return 2;
    }

    SyncSession::Options options;
    options.server = QUrl(parser.value(server));
    options.queuePath = parser.value(queue);
    options.credentials = CredentialStore::Backend::MemoryOnly; // signs in with the password
    SyncSession session(options);
    QString error;
    if (!session.open(&error)) {
        std::fprintf(stderr, "soakdesk: %s\n", qPrintable(error));
        return 1;
    }

    std::string password;
    std::getline(std::cin, password);
    QList<QPointer<MutationHandle>> mine; // a confirmed handle is deleted a little later
    auto check = [&] {
        for (const QPointer<MutationHandle> &h : std::as_const(mine)) {
            if (h && !h->isFinal())
                return;
        }
        if (session.engine()->pendingCount() == 0) {
            say(QStringLiteral("drained"));
            QCoreApplication::exit(0);
        }
    };
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, &app, check);
    QObject::connect(&session, &SyncSession::signInFailed, &app, [](const QString &reason) {
        std::fprintf(stderr, "soakdesk: cannot sign in: %s\n", qPrintable(reason));
        QCoreApplication::exit(1);
    });
    QObject::connect(&session, &SyncSession::signedIn, &app, [&] {
        session.loadSnapshot();
        for (const QString &id : parser.values(confirm)) {
            if (MutationHandle *h = session.confirmBooking(id)) {
                mine.append(h);
                say(QStringLiteral("persisted ") + id);
            }
        }
        for (const QString &value : parser.values(sms)) {
            const QString lead = value.section(QLatin1Char('|'), 0, 0);
            const QString text = value.section(QLatin1Char('|'), 1);
            if (MutationHandle *h = session.sendSms(lead, text)) {
                mine.append(h);
                say(QStringLiteral("persisted ") + text);
            }
        }
        poll.start(50);
    });
    QTimer::singleShot(parser.value(deadline).toInt(), &app, [&] {
        std::fprintf(
            stderr, "soakdesk: deadline: %d still owed\n", session.engine()->pendingCount());
        QCoreApplication::exit(3);
    });
    session.signIn(parser.value(email), QString::fromStdString(password),
        SyncSession::Persistence::ThisRunOnly);
    return app.exec();
}
