#include "ctlcommand.h"

#include "apiclient.h"
#include "apireply.h"
#include "bookingstore.h"
#include "connectivity.h"
#include "duration.h"
#include "entityregistry.h"
#include "leadstore.h"
#include "mutationhandle.h"
#include "offlinequeue.h"
#include "realtimeclient.h"
#include "sessionfile.h"
#include "signalwatcher.h"
#include "syncsession.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMetaEnum>
#include <QSettings>
#include <QStandardPaths>
#include <QTextStream>
#include <QTimer>
#include <cstdio>
#include <iostream>
#include <string>
#include <termios.h>
#include <unistd.h>

namespace {

// "The server cannot be reached." -> "the server cannot be reached", to continue a sentence.
QString clause(QString text)
{
    while (text.endsWith(QLatin1Char('.')))
        text.chop(1);
    if (!text.isEmpty())
        text[0] = text[0].toLower();
    return text;
}

const char *const usageHead = R"(Commands:
  login EMAIL               sign in (password from stdin or a prompt) and keep the session
                            in the system keychain; with no keychain (SSH, CI, containers)
                            in ~/.config/syncloop/session.json, readable only by you
  logout                    sign out and forget the kept session
)";

const char *const usageTail
    = R"(  queue list                the mutations waiting in the offline queue
  queue retry-all           send everything queued now, ignoring backoff
  queue discard KEY         forget a queued mutation (it will not happen)
  queue adopt KEY|--all     make mutations queued without a user (needs review) yours;
                            the next `queue retry-all` sends them
  watch                     print realtime changes as JSON lines until interrupted

Changes are queued only for a signed-in user: sign in with `login` first. With the server
down they are queued for the user of the kept session.

Exit codes: 0 done, 1 failed (also: not signed in, nothing queued), 2 usage, 3 queued offline
(kept, and sent by the next `queue retry-all` or when the app starts).)";

// Usage: `TABLE list` and `TABLE ACTION ID ...` as the entities and actions are described.
QString usageText(const EntityRegistry &entities)
{
    auto line = [](const QString &command, const QString &help) -> QString {
        return QStringLiteral("  ") + command.leftJustified(26) + help + QLatin1Char('\n');
    };
    QString text = QLatin1String(usageHead);
    for (const EntityDescriptor &entity : entities.entities()) {
        if (!entity.listPath.isEmpty())
            text += line(entity.table + QStringLiteral(" list"), entity.listHelp);
        for (const ActionDescriptor &action : entities.actions()) {
            if (action.entity == entity.table)
                text += line(
                    QStringList { entity.table, action.name, QStringLiteral("ID"), action.synopsis }
                        .join(QLatin1Char(' '))
                        .trimmed(),
                    action.help);
        }
    }
    return text + QLatin1String(usageTail);
}

QString stateText(const Mutation &m)
{
    return Mutation::stateName(m.state);
}

QJsonObject mutationJson(const Mutation &m)
{
    return {
        { QStringLiteral("key"), m.key },
        { QStringLiteral("state"), stateText(m) },
        { QStringLiteral("user_id"), m.userId },
        { QStringLiteral("path"), m.path },
        { QStringLiteral("entity"), m.entity() },
        { QStringLiteral("attempts"), m.attempts },
        { QStringLiteral("created_at"),
            QDateTime::fromMSecsSinceEpoch(m.createdAtMs, Qt::UTC).toString(Qt::ISODateWithMs) },
        { QStringLiteral("next_attempt_at"),
            m.nextAttemptAtMs > 0 ? QDateTime::fromMSecsSinceEpoch(m.nextAttemptAtMs, Qt::UTC)
                                        .toString(Qt::ISODateWithMs)
                                  : QString() },
        { QStringLiteral("last_error"),
            m.lastError.isError() ? m.lastError.userMessage() : QString() },
    };
}

} // namespace

CtlCommand::CtlCommand(QObject *parent)
    : QObject(parent)
{
    static QTextStream out(stdout);
    m_out = &out;
}

CtlCommand::~CtlCommand() = default;

void CtlCommand::finish(int code)
{
    if (m_finished)
        return;
    m_finished = true;
    m_out->flush();
    emit done(code);
}

void CtlCommand::fail(const QString &message, int code)
{
    std::fprintf(stderr, "syncloopctl: %s\n", qPrintable(message));
    finish(code);
}

void CtlCommand::print(const QString &line)
{
    *m_out << line << '\n';
    m_out->flush();
}

void CtlCommand::printJson(const QJsonObject &object)
{
    print(QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact)));
}

void CtlCommand::start(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral(
            "syncloop from the command line: the desktop client's core, without a GUI.\n\n")
        + usageText(EntityRegistry::builtIn()));
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption version = parser.addVersionOption();
    const QCommandLineOption serverOption(QStringLiteral("server"),
        QStringLiteral("Server URL (default: the last one used, else http://127.0.0.1:8080)."),
        QStringLiteral("url"));
    const QCommandLineOption dataDirOption(QStringLiteral("data-dir"),
        QStringLiteral("Where the offline queue lives (default: the app data location)."),
        QStringLiteral("dir"));
    const QCommandLineOption emailOption(QStringLiteral("email"),
        QStringLiteral("Act as this user (default: the last one signed in)."),
        QStringLiteral("email"));
    const QCommandLineOption passwordStdinOption(QStringLiteral("password-stdin"),
        QStringLiteral(
            "Read the password from the first line of stdin (never from the command line)."));
    const QCommandLineOption jsonOption(
        QStringLiteral("json"), QStringLiteral("Print JSON (one object per line)."));
    const QCommandLineOption noKeychainOption(
        QStringLiteral("no-keychain"), QStringLiteral("Keep the session in memory only."));
    const QCommandLineOption vsnOption(QStringLiteral("vsn"),
        QStringLiteral("Realtime protocol version: 2.0.0 (default) or 1.0.0."),
        QStringLiteral("vsn"));
    const QCommandLineOption timeoutOption(QStringLiteral("timeout"),
        QStringLiteral("Give up waiting after this long (default 60s)."),
        QStringLiteral("duration"));
    const QCommandLineOption allOption(QStringLiteral("all"),
        QStringLiteral("With `queue adopt`: every mutation queued without a user."));
    parser.addOptions({ serverOption, dataDirOption, emailOption, passwordStdinOption, jsonOption,
        noKeychainOption, vsnOption, timeoutOption, allOption });
    parser.addPositionalArgument(
        QStringLiteral("command"), QStringLiteral("What to do; see Commands."));

    auto usage = [&](const QString &message) {
        std::fprintf(
            stderr, "syncloopctl: %s\n\n%s", qPrintable(message), qPrintable(parser.helpText()));
        finish(Usage);
    };
    if (!parser.parse(arguments))
        return usage(parser.errorText());
    if (parser.isSet(help)) {
        print(parser.helpText());
        return finish(Done);
    }
    if (parser.isSet(version)) {
        print(QStringLiteral("syncloopctl %1").arg(QCoreApplication::applicationVersion()));
        return finish(Done);
    }

    QSettings settings;
    m_settings.server = QUrl(parser.isSet(serverOption)
            ? parser.value(serverOption)
            : settings.value(QStringLiteral("server"), QStringLiteral("http://127.0.0.1:8080"))
                  .toString(),
        QUrl::StrictMode);
    if (!m_settings.server.isValid()
        || (m_settings.server.scheme() != QLatin1String("http")
            && m_settings.server.scheme() != QLatin1String("https")))
        return usage(QStringLiteral("--server must be an http:// or https:// URL"));
    m_settings.dataDir = parser.value(dataDirOption);
    m_settings.email = parser.isSet(emailOption)
        ? parser.value(emailOption)
        : settings.value(QStringLiteral("email")).toString();
    m_settings.json = parser.isSet(jsonOption);
    m_settings.passwordFromStdin = parser.isSet(passwordStdinOption);
    m_settings.keychain = !parser.isSet(noKeychainOption);
    m_settings.all = parser.isSet(allOption);
    m_settings.vsn = parser.value(vsnOption);
    if (!m_settings.vsn.isEmpty() && !PhoenixCodec::serializerFor(m_settings.vsn))
        return usage(QStringLiteral("--vsn must be 1.0.0 or 2.0.0"));
    if (parser.isSet(timeoutOption)) {
        const auto ms = Duration::parseMs(parser.value(timeoutOption));
        if (!ms || *ms <= 0)
            return usage(QStringLiteral("--timeout: \"%1\" is not a duration")
                             .arg(parser.value(timeoutOption)));
        m_settings.timeoutMs = int(*ms);
    }

    m_command = parser.positionalArguments();
    const QString verb = m_command.value(0);
    const QString sub = m_command.value(1);
    auto arity = [&](int n) { return m_command.size() == n; };

    if (verb == QLatin1String("login") && arity(2)) {
        m_settings.email = m_command.at(1);
        if (!openSession())
            return;
        return runLogin();
    }
    if (verb == QLatin1String("logout") && arity(1)) {
        if (!openSession())
            return;
        settings.remove(QStringLiteral("email"));
        if (!m_settings.email.isEmpty())
            settings.remove(settingsKeyOfUser()); // no session, no user to queue for
        if (m_settings.email.isEmpty()) {
            print(tr("not signed in"));
            return finish(Done);
        }
        // The keychain deletion is asynchronous: finish once it is done.
        connect(m_session->credentials(), &CredentialStore::removed, this, [this] {
            print(tr("signed out; the kept session of %1 is forgotten").arg(m_settings.email));
            finish(Done);
        });
        m_session->credentials()->remove(
            CredentialStore::account(m_settings.server, m_settings.email));
        return;
    }
    // `TABLE list` and `TABLE ACTION ID PARAM...`, as the entities are described.
    const EntityRegistry &entities = EntityRegistry::builtIn();
    const EntityDescriptor *entity = entities.entity(verb);
    const ActionDescriptor *action = entities.action(verb, sub);
    const bool known
        = (entity && !entity->listPath.isEmpty() && sub == QLatin1String("list") && arity(2))
        || (action && arity(3 + int(action->params.size())))
        || (verb == QLatin1String("queue")
            && (((sub == QLatin1String("list") || sub == QLatin1String("retry-all")) && arity(2))
                || (sub == QLatin1String("discard") && arity(3))
                || (sub == QLatin1String("adopt") && (m_settings.all ? arity(2) : arity(3)))))
        || (verb == QLatin1String("watch") && arity(1));
    if (!known)
        return usage(verb.isEmpty() ? QStringLiteral("no command given")
                                    : QStringLiteral("unknown command or wrong arguments: %1")
                                          .arg(m_command.join(QLatin1Char(' '))));
    if (!openSession())
        return;

    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this, [this] {
        if (m_session->engine()->pendingCount() > 0)
            fail(tr("timed out; the change stays queued and will be sent later"), QueuedOffline);
        else
            fail(tr("timed out"));
    });
    if (verb != QLatin1String("watch")) // watching has no natural end
        m_timeout.start(m_settings.timeoutMs);

    if (verb == QLatin1String("queue")) {
        if (sub == QLatin1String("list"))
            return runQueueList();
        if (sub == QLatin1String("discard"))
            return runDiscard(m_command.at(2));
        if (sub == QLatin1String("adopt"))
            return runAdopt(m_command.value(2));
        return runRetryAll();
    }
    if (verb == QLatin1String("watch"))
        return runWatch();
    if (sub == QLatin1String("list"))
        return runList(verb);
    const QString id = m_command.at(2);
    const QStringList params = m_command.mid(3);
    runMutation([this, verb, sub, id, params] {
        return m_session->engine()->submitAction(verb, sub, id, params);
    });
}

bool CtlCommand::openSession()
{
    SyncSession::Options options;
    options.server = m_settings.server;
    const QString dir = m_settings.dataDir.isEmpty()
        ? QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
        : m_settings.dataDir;
    options.queuePath = QDir(dir).filePath(QStringLiteral("queue.sqlite"));
    options.credentials = m_settings.keychain ? CredentialStore::Backend::Keychain
                                              : CredentialStore::Backend::MemoryOnly;
    if (!m_settings.vsn.isEmpty())
        options.realtime.serializer = *PhoenixCodec::serializerFor(m_settings.vsn);
    m_session = new SyncSession(options, this);
    QString error;
    if (!m_session->open(&error)) {
        fail(tr("cannot open the offline queue: %1").arg(error));
        return false;
    }
    // Like gh and docker: no keychain (SSH, CI, a container) means a private file, not a
    // session that ends with every command. `login` says where it is kept.
    if (m_settings.keychain)
        m_session->credentials()->setFallbackFile(SessionFile::defaultPath());
    connect(m_session->credentials(), &CredentialStore::keychainUnavailable, this,
        [this](const QString &reason) {
            if (m_session->credentials()->backend() == CredentialStore::Backend::MemoryOnly)
                std::fprintf(stderr,
                    "syncloopctl: no system keychain (%s): the session is kept in memory only\n",
                    qPrintable(reason));
        });
    return true;
}

QString CtlCommand::readPassword(const QString &prompt)
{
    const bool terminal = ::isatty(STDIN_FILENO);
    termios saved {};
    if (terminal) {
        std::fprintf(stderr, "%s", qPrintable(prompt));
        ::tcgetattr(STDIN_FILENO, &saved);
        termios silent = saved;
        silent.c_lflag &= ~tcflag_t(ECHO);
        ::tcsetattr(STDIN_FILENO, TCSANOW, &silent);
    }
    std::string line;
    std::getline(std::cin, line);
    if (terminal) {
        ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        std::fprintf(stderr, "\n");
    }
    return QString::fromStdString(line);
}

void CtlCommand::authenticate(
    const std::function<void()> &next, const std::function<void(const QString &)> &failed)
{
    if (m_settings.email.isEmpty())
        return failed(tr("no user: pass --email, or run `syncloopctl login EMAIL` first"));
    connect(
        m_session, &SyncSession::signedIn, this, [next] { next(); }, Qt::SingleShotConnection);
    connect(
        m_session, &SyncSession::signInFailed, this,
        [failed](const QString &reason) { failed(reason); }, Qt::SingleShotConnection);
    if (m_settings.passwordFromStdin) {
        m_session->signIn(m_settings.email,
            readPassword(tr("Password for %1: ").arg(m_settings.email)),
            SyncSession::Persistence::ThisRunOnly);
        return;
    }
    m_session->resume(m_settings.email);
}

QString CtlCommand::settingsKeyOfUser() const
{
    return QStringLiteral("users/")
        + QString::fromLatin1(
            QUrl::toPercentEncoding(CredentialStore::account(m_settings.server, m_settings.email)));
}

void CtlCommand::rememberUser()
{
    m_userId = m_session->api()->user().id;
    if (!m_userId.isEmpty())
        QSettings().setValue(settingsKeyOfUser(), m_userId);
}

QString CtlCommand::knownUserId() const
{
    return m_settings.email.isEmpty() ? QString()
                                      : QSettings().value(settingsKeyOfUser()).toString();
}

void CtlCommand::runLogin()
{
    const QString password = readPassword(tr("Password for %1: ").arg(m_settings.email));
    // The session is saved as the tokens arrive, before or after signedIn() depending on the
    // store (a keychain job answers later, memory and the file at once): finish after both.
    auto pending = std::make_shared<int>(2);
    auto oneDone = [this, pending] {
        if (--*pending == 0)
            finish(Done);
    };
    connect(
        m_session->credentials(), &CredentialStore::saved, this,
        [this, oneDone](const QString &, bool persistent) {
            CredentialStore *store = m_session->credentials();
            if (!persistent) {
                print(tr("signed in as %1 (the session is not kept: %2)")
                          .arg(m_settings.email, store->problem()));
            } else if (store->backend() == CredentialStore::Backend::File) {
                // Said once, here: later commands read the file without a word.
                std::fprintf(stderr,
                    "syncloopctl: no system keychain (%s): the session is kept in %s, readable "
                    "only by you\n",
                    qPrintable(store->problem()), qPrintable(store->fallbackFile()));
                print(tr("signed in as %1; the session is kept in a file only you can read")
                          .arg(m_settings.email));
            } else {
                print(tr("signed in as %1; the session is kept in the system keychain")
                          .arg(m_settings.email));
            }
            oneDone();
        },
        Qt::SingleShotConnection);
    connect(
        m_session, &SyncSession::signedIn, this,
        [this, oneDone] {
            QSettings settings;
            settings.setValue(QStringLiteral("server"), m_settings.server.toString());
            settings.setValue(QStringLiteral("email"), m_settings.email);
            rememberUser();
            oneDone();
        },
        Qt::SingleShotConnection);
    connect(
        m_session, &SyncSession::signInFailed, this,
        [this](const QString &reason) { fail(reason); }, Qt::SingleShotConnection);
    m_session->signIn(m_settings.email, password, SyncSession::Persistence::Remembered);
}

void CtlCommand::identify(
    const std::function<void(bool live)> &next, const std::function<void(const QString &)> &refused)
{
    authenticate(
        [this, next] {
            rememberUser();
            next(true);
        },
        [this, next, refused](const QString &reason) {
            // Only "the server cannot be reached" may be waited out: a missing or rejected
            // session, a wrong password, no user at all mean nobody is signed in.
            const QString known = knownUserId();
            if (m_session->connectivity()->isOnline() || known.isEmpty())
                return refused(reason);
            m_userId = known;
            m_offlineReason = reason;
            m_session->queue()->setFallbackUserId(known);
            next(false);
        });
}

void CtlCommand::refuseUnidentified(const QString &reason)
{
    if (m_settings.email.isEmpty())
        return fail(tr("not signed in: run `syncloopctl login EMAIL` first; nothing was queued"));
    fail(tr("not signed in as %1 (%2): run `syncloopctl login %1` first; nothing was queued")
             .arg(m_settings.email, clause(reason)));
}

void CtlCommand::runMutation(const std::function<MutationHandle *()> &submit)
{
    // A mutation is queued only for a known user: one queued for nobody is never sent, or is
    // sent by whoever signs in next.
    identify(
        [this, submit](bool live) {
            MutationHandle *handle = submit(); // persisted before anything is sent
            if (!handle)
                return fail(tr("the offline queue could not store the change"));
            if (!live)
                return fail(
                    tr("%1; queued offline as %2").arg(clause(m_offlineReason), handle->key()),
                    QueuedOffline);
            m_session->loadSnapshot();
            awaitHandle(handle);
        },
        [this](const QString &reason) { refuseUnidentified(reason); });
}

void CtlCommand::awaitHandle(MutationHandle *handle)
{
    auto report = [this, handle] {
        const Mutation &m = handle->mutation();
        if (m_settings.json) {
            QJsonObject o = mutationJson(m);
            o.insert(QStringLiteral("version"), m.resultVersion);
            printJson(o);
        }
        switch (m.phase()) {
        case Mutation::Phase::Done:
            if (!m_settings.json)
                print(tr("confirmed (version %1)").arg(m.resultVersion));
            return finish(Done);
        case Mutation::Phase::OfflineQueued:
            return fail(tr("server unreachable; queued offline as %1").arg(m.key), QueuedOffline);
        case Mutation::Phase::Failed:
        case Mutation::Phase::NeedsReview:
        case Mutation::Phase::Unconfirmed:
            return fail(tr("%1: %2").arg(stateText(m), m.lastError.userMessage()));
        default:
            return; // on its way, or backing off: keep waiting
        }
    };
    connect(handle, &MutationHandle::changed, this, report);
    report();
}

void CtlCommand::runQueueList()
{
    const QList<Mutation> all = m_session->queue()->all();
    for (const Mutation &m : all) {
        if (m_settings.json) {
            printJson(mutationJson(m));
        } else {
            print(QStringLiteral("%1  %2  %3 %4  attempts %5%6")
                      .arg(m.key, stateText(m).leftJustified(12), m.path, m.entityId)
                      .arg(m.attempts)
                      .arg(m.lastError.isError()
                              ? QStringLiteral("  last error: ") + m.lastError.userMessage()
                              : QString()));
        }
    }
    if (!m_settings.json)
        print(tr("%n mutation(s) queued", nullptr, int(all.size())));
    finish(Done);
}

void CtlCommand::runDiscard(const QString &key)
{
    if (!m_session->engine()->handle(key))
        return fail(tr("no queued mutation with key %1").arg(key));
    if (!m_session->engine()->discard(key))
        return fail(tr("%1 is being sent right now; try again in a moment").arg(key));
    print(tr("discarded %1: it will not happen").arg(key));
    finish(Done);
}

namespace {

// Why a mutation of the queue was not sent, in words for `queue retry-all`; empty: it was.
QString unsentReason(const Mutation &m, const QString &me)
{
    if (m.state == Mutation::State::Confirmed)
        return {};
    if (m.state == Mutation::State::NeedsReview
        && m.lastError.code == QLatin1String(OfflineQueue::noUserCode))
        return CtlCommand::tr(
            "queued without a signed-in user: `queue adopt --all` makes them yours, "
            "`queue discard KEY` drops one");
    if (!me.isEmpty() && !m.userId.isEmpty() && m.userId != me)
        return CtlCommand::tr(
            "queued by another user of this machine: they are sent when that user signs in");
    if (m.state == Mutation::State::NeedsReview)
        return CtlCommand::tr(
            "older than the server's idempotency window: check them, then retry or discard");
    if (m.isFinal())
        return m.lastError.isError() ? m.lastError.userMessage() : Mutation::stateName(m.state);
    return {};
}

} // namespace

void CtlCommand::reportUnsent(int confirmed, const QMap<QString, int> &unsent, int code)
{
    int total = 0;
    QJsonArray reasons;
    for (auto it = unsent.cbegin(); it != unsent.cend(); ++it) {
        total += it.value();
        reasons.append(QJsonObject {
            { QStringLiteral("count"), it.value() }, { QStringLiteral("reason"), it.key() } });
    }
    if (m_settings.json) {
        // "failed" is kept for scripts written before "not_sent": the same number.
        printJson({ { QStringLiteral("confirmed"), confirmed }, { QStringLiteral("failed"), total },
            { QStringLiteral("not_sent"), total }, { QStringLiteral("reasons"), reasons } });
    } else {
        print(tr("%1 confirmed, %2 not sent").arg(confirmed).arg(total));
        for (auto it = unsent.cbegin(); it != unsent.cend(); ++it)
            print(QStringLiteral("  %1: %2").arg(it.value()).arg(it.key()));
    }
    if (total > 0)
        std::fprintf(stderr, "syncloopctl: %d mutation(s) could not be sent\n", total);
    finish(total > 0 ? Failed : code);
}

void CtlCommand::runRetryAll()
{
    MutationEngine *engine = m_session->engine();
    if (engine->handles().isEmpty()) {
        print(tr("nothing queued"));
        return finish(Done);
    }
    if (engine->pendingCount() == 0) {
        // Nothing to send, only what waits for the user: say what and why, no sign-in needed.
        QMap<QString, int> unsent;
        for (MutationHandle *h : engine->handles())
            ++unsent[unsentReason(h->mutation(), {})];
        unsent.remove(QString());
        return reportUnsent(0, unsent, Done);
    }
    authenticate(
        [this, engine] {
            rememberUser();
            m_session->loadSnapshot();
            engine->retryAll();
            // Done when every mutation of ours is final; offline when the server went away.
            auto check = [this, engine] {
                int offline = 0, open = 0, confirmed = 0;
                QMap<QString, int> unsent;
                for (MutationHandle *h : engine->handles()) {
                    const Mutation &m = h->mutation();
                    const QString reason = unsentReason(m, m_userId);
                    if (m.state == Mutation::State::Confirmed)
                        ++confirmed;
                    else if (!reason.isEmpty())
                        ++unsent[reason]; // final, or another user's: this run cannot send it
                    // Offline only while the session is: online, the engine sends the ones that
                    // failed offline (before this run, or before the server came back) now.
                    else if (engine->isHeldOffline(h))
                        ++offline;
                    else
                        ++open;
                }
                if (open > 0)
                    return;
                if (offline > 0)
                    return fail(
                        tr("server unreachable: %1 still queued").arg(offline), QueuedOffline);
                reportUnsent(confirmed, unsent, Done);
            };
            for (MutationHandle *h : engine->handles())
                connect(h, &MutationHandle::changed, this, check);
            check();
        },
        [this](const QString &reason) {
            if (!m_session->connectivity()->isOnline())
                return fail(tr("%1; everything stays queued").arg(clause(reason)), QueuedOffline);
            fail(tr("%1; everything stays queued: run `syncloopctl login %2` first")
                     .arg(clause(reason),
                         m_settings.email.isEmpty() ? QStringLiteral("EMAIL") : m_settings.email));
        });
}

void CtlCommand::runAdopt(const QString &key)
{
    auto adopt = [this, key] {
        QStringList keys;
        for (const Mutation &m : m_session->queue()->all()) {
            if (m.userId.isEmpty() && (m_settings.all || m.key == key))
                keys << m.key;
        }
        if (!m_settings.all && keys.isEmpty()) {
            return fail(m_session->queue()->find(key)
                    ? tr("%1 already belongs to a user: nothing to adopt").arg(key)
                    : tr("no queued mutation with key %1").arg(key));
        }
        const int adopted
            = m_session->queue()->adopt(keys, m_userId, QDateTime::currentMSecsSinceEpoch());
        if (adopted != keys.size())
            return fail(tr("the offline queue could not be changed"));
        print(adopted == 0
                ? tr("nothing to adopt")
                : tr("%n mutation(s) now yours (%1); `syncloopctl queue retry-all` sends them",
                    nullptr, adopted)
                      .arg(m_settings.email));
        finish(Done);
    };
    // Signed in here and not signed out since: the user is known, and the server (which a
    // live sign-in would also start draining to) is not needed to change the queue.
    m_userId = knownUserId();
    if (!m_userId.isEmpty())
        return adopt();
    identify([adopt](bool) { adopt(); },
        [this](const QString &reason) {
            fail(m_settings.email.isEmpty()
                    ? tr("not signed in: run `syncloopctl login EMAIL` first; nothing was adopted")
                    : tr("not signed in as %1 (%2): run `syncloopctl login %1` first; nothing was "
                         "adopted")
                          .arg(m_settings.email, clause(reason)));
        });
}

void CtlCommand::runList(const QString &table)
{
    const EntityDescriptor *entity = m_session->engine()->entities().entity(table);
    authenticate(
        [this, entity] {
            ApiReply *reply = m_session->api()->get(entity->listPath);
            connect(reply, &ApiReply::finished, this, [this, reply, entity] {
                if (!reply->isSuccess())
                    return fail(reply->error().userMessage());
                for (const QJsonValue &v : reply->json().value(entity->listMember).toArray()) {
                    const QJsonObject row = v.toObject();
                    if (m_settings.json) {
                        printJson(row);
                        continue;
                    }
                    QStringList cells;
                    for (const EntityDescriptor::Column &column : entity->columns)
                        cells.append(
                            row.value(column.member).toString().leftJustified(column.width));
                    print(cells.join(QStringLiteral("  ")));
                }
                finish(Done);
            });
        },
        [this](const QString &reason) { fail(reason); });
}

void CtlCommand::runWatch()
{
    auto *signals_ = new SignalWatcher(this);
    connect(signals_, &SignalWatcher::terminationRequested, this, [this] { finish(Done); });
    RealtimeClient *realtime = m_session->realtime();
    connect(realtime, &RealtimeClient::changed, this,
        [this](const QString &table, const QString &type, const QJsonObject &record,
            const QJsonObject &old) {
            if (!m_session->engine()->entities().entity(table))
                return;
            printJson({ { QStringLiteral("table"), table }, { QStringLiteral("type"), type },
                { QStringLiteral("record"), record }, { QStringLiteral("old_record"), old } });
        });
    connect(realtime, &RealtimeClient::stateChanged, this, [](RealtimeClient::State state) {
        std::fprintf(stderr, "syncloopctl: realtime %s\n",
            QMetaEnum::fromType<RealtimeClient::State>().valueToKey(int(state)));
    });
    // Changes older than the server's --change-retention cannot be printed one by one.
    connect(m_session, &SyncSession::historyReloaded, this, [] {
        std::fprintf(stderr, "syncloopctl: %s\n",
            qPrintable(tr(
                "the server's change history no longer reaches back this far: reloaded the data; "
                "changes made meanwhile were not printed")));
    });
    authenticate(
        [this] { m_session->loadSnapshot(); }, [this](const QString &reason) { fail(reason); });
}
