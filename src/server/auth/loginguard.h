#pragma once

#include <QHash>
#include <QHostAddress>
#include <QMutex>
#include <QSemaphore>
#include <QString>
#include <deque>

class Clock;

// Limits password guessing on /api/auth/login before any hash is computed: failed attempts
// per account and per source address within a sliding window, and the number of password
// hashes running at once. Argon2id is slow and memory-hard on purpose; unbounded, a login
// flood would hold every worker thread and starve the other routes that run on them.
// Thread-safe: logins run on the worker pool.
class LoginGuard
{
public:
    struct Options
    {
        int attemptsPerAccount = 10; // failed attempts per account within the window
        int attemptsPerAddress = 100; // failed attempts per source address (IPv6: per /64)
        qint64 windowMs = 15LL * 60 * 1000;
        // Hashes at once. A login that finds every slot taken is told to come back (503) at
        // once: waiting for a slot would hold a worker thread just the same.
        int concurrentHashes = 1;
    };

    enum class Verdict { Go, TooManyAttempts, Busy };

    // One login attempt. While its verdict is Go it counts as a failure (so racing guesses
    // cannot overshoot the limit) and holds a hashing slot, until succeeded() or destruction.
    class Attempt
    {
    public:
        Attempt(Attempt &&other) noexcept;
        Attempt &operator=(Attempt &&) = delete;
        Q_DISABLE_COPY(Attempt)
        ~Attempt();

        Verdict verdict() const { return m_verdict; }
        int retryAfterSeconds() const { return m_retryAfterSeconds; }
        // The password was right: the account's failures are forgotten and the address gets
        // this attempt back.
        void succeeded();

    private:
        friend class LoginGuard;
        Attempt(LoginGuard *guard, Verdict verdict, int retryAfterSeconds);

        LoginGuard *m_guard;
        Verdict m_verdict;
        int m_retryAfterSeconds;
        QString m_account;
        QString m_address;
        qint64 m_atMs = 0;
        bool m_holdsSlot = false;
    };

    LoginGuard(Options options, const Clock *clock);

    // Before looking at the password: Go, or why not (with Retry-After).
    Attempt begin(const QString &email, const QHostAddress &address);

    static QString accountKey(const QString &email);
    static QString addressKey(const QHostAddress &address);

private:
    using Failures = std::deque<qint64>; // times of failed attempts in the window, oldest first

    void forget(const Attempt &attempt);
    void releaseSlot();
    // Failures of `key` still in the window, or nullptr; drops the expired ones.
    Failures *failures(QHash<QString, Failures> &table, const QString &key, qint64 nowMs);
    void record(QHash<QString, Failures> &table, const QString &key, qint64 nowMs);
    void unrecord(QHash<QString, Failures> &table, const QString &key, qint64 atMs);

    const Options m_options;
    const Clock *m_clock;
    QMutex m_mutex;
    QHash<QString, Failures> m_accounts;
    QHash<QString, Failures> m_addresses;
    QSemaphore m_hashSlots;
};
