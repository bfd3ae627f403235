#include "credentialstore.h"

#include "logging.h"
#include "sessionfile.h"

#include <QPointer>
#include <qt6keychain/keychain.h>

CredentialStore::CredentialStore(Backend preferred, QObject *parent)
    : QObject(parent)
    , m_backend(preferred)
{
    if (preferred == Backend::MemoryOnly)
        m_problem = tr("the system keychain is not used");
}

CredentialStore::~CredentialStore() = default;

void CredentialStore::setFallbackFile(const QString &path)
{
    if (path.isEmpty())
        m_file.reset();
    else
        m_file = std::make_unique<SessionFile>(path);
}

QString CredentialStore::fallbackFile() const
{
    return m_file ? m_file->path() : QString();
}

QString CredentialStore::account(const QUrl &server, const QString &email)
{
    // StripTrailingSlash keeps a lone "/": drop the root path so ".../" and "..." are one account.
    QUrl base = server.adjusted(QUrl::StripTrailingSlash);
    if (base.path() == QLatin1String("/"))
        base.setPath(QString());
    return base.toString() + QLatin1Char(' ') + email.trimmed().toLower();
}

void CredentialStore::fallBack(const QString &reason)
{
    if (m_backend != Backend::Keychain)
        return;
    m_problem = reason;
    if (m_file) {
        // The program that chose the file tells its user where the session is (once).
        m_backend = Backend::File;
        qCDebug(lcCredentials).noquote()
            << "no keychain:" << reason << "- sessions are kept in" << m_file->path();
    } else {
        m_backend = Backend::MemoryOnly;
        qCWarning(lcCredentials).noquote()
            << "no keychain:" << reason << "- the session is kept in memory only";
    }
    emit keychainUnavailable(reason);
}

void CredentialStore::saveToFile(const QString &account, const QString &token)
{
    QString error;
    if (m_file->write(account, token, &error)) {
        m_memory.remove(account);
        emit saved(account, true);
        return;
    }
    qCWarning(lcCredentials).noquote() << error << "- the session is kept in memory only";
    m_problem = error;
    m_memory.insert(account, token);
    emit saved(account, false);
}

void CredentialStore::loadFromFile(const QString &account)
{
    QString token;
    QString error;
    if (!m_file->read(account, &token, &error)) {
        qCWarning(lcCredentials).noquote() << error;
        m_problem = error;
    }
    // Memory holds what a failed write could not put in the file.
    emit loaded(account, token.isEmpty() ? m_memory.value(account) : token);
}

void CredentialStore::jobDone()
{
    Q_ASSERT(m_jobsInFlight > 0);
    if (--m_jobsInFlight == 0)
        emit jobsFinished();
}

void CredentialStore::save(const QString &account, const QString &token)
{
    if (m_backend == Backend::File)
        return saveToFile(account, token);
    if (m_backend == Backend::MemoryOnly) {
        m_memory.insert(account, token);
        emit saved(account, false);
        return;
    }
    auto *job = new QKeychain::WritePasswordJob(QLatin1String(service), this);
    job->setAutoDelete(true);
    job->setInsecureFallback(false); // never silently on disk
    job->setKey(account);
    job->setTextData(token);
    connect(job, &QKeychain::Job::finished, this, [this, account, token](QKeychain::Job *done) {
        const QPointer<CredentialStore> alive(this); // a receiver of saved() may delete us
        if (done->error() == QKeychain::NoError) {
            emit saved(account, true);
        } else {
            fallBack(done->errorString());
            if (m_backend == Backend::File) {
                saveToFile(account, token);
            } else {
                m_memory.insert(account, token);
                emit saved(account, false);
            }
        }
        if (alive)
            jobDone();
    });
    jobStarted();
    job->start();
}

void CredentialStore::load(const QString &account)
{
    if (m_backend == Backend::File)
        return loadFromFile(account);
    if (m_backend == Backend::MemoryOnly) {
        emit loaded(account, m_memory.value(account));
        return;
    }
    auto *job = new QKeychain::ReadPasswordJob(QLatin1String(service), this);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(account);
    connect(job, &QKeychain::Job::finished, this, [this, account, job](QKeychain::Job *done) {
        const QPointer<CredentialStore> alive(this);
        if (done->error() == QKeychain::NoError) {
            emit loaded(account, job->textData());
        } else if (done->error() == QKeychain::EntryNotFound) {
            emit loaded(account, QString());
        } else {
            fallBack(done->errorString());
            if (m_backend == Backend::File)
                loadFromFile(account);
            else
                emit loaded(account, m_memory.value(account));
        }
        if (alive)
            jobDone();
    });
    jobStarted();
    job->start();
}

void CredentialStore::remove(const QString &account)
{
    m_memory.remove(account);
    if (m_file) {
        // Signing out forgets the session wherever an earlier run may have kept it.
        QString error;
        if (!m_file->remove(account, &error))
            qCWarning(lcCredentials).noquote() << error;
    }
    if (m_backend != Backend::Keychain) {
        emit removed(account);
        return;
    }
    auto *job = new QKeychain::DeletePasswordJob(QLatin1String(service), this);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(account);
    connect(job, &QKeychain::Job::finished, this, [this, account](QKeychain::Job *done) {
        const QPointer<CredentialStore> alive(this);
        if (done->error() != QKeychain::NoError && done->error() != QKeychain::EntryNotFound)
            fallBack(done->errorString());
        emit removed(account);
        if (alive)
            jobDone();
    });
    jobStarted();
    job->start();
}
