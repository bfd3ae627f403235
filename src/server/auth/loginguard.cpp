#include "loginguard.h"

#include "clock.h"
#include "logging.h"

#include <algorithm>

namespace {

// Keys kept per table; past it, expired ones are swept and, if still full, new keys go
// untracked (logged) rather than let a spray of addresses or emails grow memory without end.
constexpr int maxKeys = 65536;

} // namespace

LoginGuard::Attempt::Attempt(LoginGuard *guard, Verdict verdict, int retryAfterSeconds)
    : m_guard(guard)
    , m_verdict(verdict)
    , m_retryAfterSeconds(retryAfterSeconds)
{ }

LoginGuard::Attempt::Attempt(Attempt &&other) noexcept
    : m_guard(std::exchange(other.m_guard, nullptr))
    , m_verdict(other.m_verdict)
    , m_retryAfterSeconds(other.m_retryAfterSeconds)
    , m_account(std::move(other.m_account))
    , m_address(std::move(other.m_address))
    , m_atMs(other.m_atMs)
    , m_holdsSlot(std::exchange(other.m_holdsSlot, false))
{ }

LoginGuard::Attempt::~Attempt()
{
    if (m_guard && m_holdsSlot)
        m_guard->releaseSlot();
}

void LoginGuard::Attempt::succeeded()
{
    if (m_guard && m_verdict == Verdict::Go)
        m_guard->forget(*this);
}

LoginGuard::LoginGuard(Options options, const Clock *clock)
    : m_options(options)
    , m_clock(clock)
    , m_hashSlots(std::max(1, options.concurrentHashes))
{ }

QString LoginGuard::accountKey(const QString &email)
{
    return email.trimmed().toCaseFolded();
}

QString LoginGuard::addressKey(const QHostAddress &address)
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4); // IPv4-mapped IPv6 too
    if (isV4)
        return QHostAddress(v4).toString();
    // One host usually holds a whole /64: counting its addresses apart would multiply the limit.
    Q_IPV6ADDR v6 = address.toIPv6Address();
    std::fill(std::begin(v6.c) + 8, std::end(v6.c), quint8(0));
    return QHostAddress(v6).toString() + QStringLiteral("/64");
}

LoginGuard::Failures *LoginGuard::failures(
    QHash<QString, Failures> &table, const QString &key, qint64 nowMs)
{
    const auto it = table.find(key);
    if (it == table.end())
        return nullptr;
    while (!it->empty() && it->front() <= nowMs - m_options.windowMs)
        it->pop_front();
    if (it->empty()) {
        table.erase(it);
        return nullptr;
    }
    return &*it;
}

void LoginGuard::record(QHash<QString, Failures> &table, const QString &key, qint64 nowMs)
{
    if (!table.contains(key) && table.size() >= maxKeys) {
        for (auto it = table.begin(); it != table.end();) {
            if (it->empty() || it->back() <= nowMs - m_options.windowMs)
                it = table.erase(it);
            else
                ++it;
        }
        if (table.size() >= maxKeys) {
            qCWarning(lcAuth) << "login limits: tracking" << table.size()
                              << "keys already; not tracking more";
            return;
        }
    }
    table[key].push_back(nowMs);
}

LoginGuard::Attempt LoginGuard::begin(const QString &email, const QHostAddress &address)
{
    Attempt attempt(this, Verdict::Go, 0);
    attempt.m_account = accountKey(email);
    attempt.m_address = addressKey(address);
    attempt.m_atMs = m_clock->nowMs();
    {
        QMutexLocker lock(&m_mutex);
        const qint64 now = attempt.m_atMs;
        qint64 freeAtMs = 0; // when the limiting window lets one more attempt in
        if (const Failures *f = failures(m_accounts, attempt.m_account, now);
            f && qsizetype(f->size()) >= m_options.attemptsPerAccount)
            freeAtMs = std::max(freeAtMs,
                (*f)[f->size() - std::size_t(m_options.attemptsPerAccount)] + m_options.windowMs);
        if (const Failures *f = failures(m_addresses, attempt.m_address, now);
            f && qsizetype(f->size()) >= m_options.attemptsPerAddress)
            freeAtMs = std::max(freeAtMs,
                (*f)[f->size() - std::size_t(m_options.attemptsPerAddress)] + m_options.windowMs);
        if (freeAtMs > 0) {
            attempt.m_verdict = Verdict::TooManyAttempts;
            attempt.m_retryAfterSeconds = int(std::max<qint64>(1, (freeAtMs - now + 999) / 1000));
            return attempt;
        }
        // Counted as a failure from now, under the same lock as the check: guesses racing in
        // parallel cannot overshoot the limit. A right password takes it back.
        record(m_accounts, attempt.m_account, now);
        record(m_addresses, attempt.m_address, now);
    }

    if (!m_hashSlots.tryAcquire()) {
        // Not an attempt after all: no password was looked at.
        QMutexLocker lock(&m_mutex);
        unrecord(m_accounts, attempt.m_account, attempt.m_atMs);
        unrecord(m_addresses, attempt.m_address, attempt.m_atMs);
        attempt.m_verdict = Verdict::Busy;
        attempt.m_retryAfterSeconds = 1;
        return attempt;
    }
    attempt.m_holdsSlot = true;
    return attempt;
}

void LoginGuard::forget(const Attempt &attempt)
{
    QMutexLocker lock(&m_mutex);
    m_accounts.remove(attempt.m_account);
    unrecord(m_addresses, attempt.m_address, attempt.m_atMs);
}

void LoginGuard::unrecord(QHash<QString, Failures> &table, const QString &key, qint64 atMs)
{
    const auto it = table.find(key);
    if (it == table.end())
        return;
    const auto mine = std::find(it->begin(), it->end(), atMs);
    if (mine != it->end())
        it->erase(mine);
    if (it->empty())
        table.erase(it);
}

void LoginGuard::releaseSlot()
{
    m_hashSlots.release();
}
