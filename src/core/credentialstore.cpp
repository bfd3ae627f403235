#include "credentialstore.h"

#include "logging.h"

#include <QPointer>
#include <qt6keychain/keychain.h>

CredentialStore::CredentialStore(Backend preferred, QObject *parent)
    : QObject(parent)
    , m_backend(preferred)
{
    if (preferred == Backend::MemoryOnly)
        m_problem = tr("the system keychain is not used");
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
    if (m_backend == Backend::MemoryOnly)
        return;
    m_backend = Backend::MemoryOnly;
    m_problem = reason;
    qCWarning(lcCredentials).noquote()
        << "no keychain:" << reason << "- the session is kept in memory only";
    emit keychainUnavailable(reason);
}

void CredentialStore::jobDone()
{
    Q_ASSERT(m_jobsInFlight > 0);
    if (--m_jobsInFlight == 0)
        emit jobsFinished();
}

void CredentialStore::save(const QString &account, const QString &token)
{
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
            m_memory.insert(account, token);
            emit saved(account, false);
        }
        if (alive)
            jobDone();
    });
    jobStarted();
    job->start();
}

void CredentialStore::load(const QString &account)
{
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
    if (m_backend == Backend::MemoryOnly) {
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
