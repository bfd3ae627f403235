// rtswarm: a cheap swarm of realtime subscribers for realtime-bench (plain C++20 + POSIX/Linux,
// no Qt, no third-party code). N TCP connections, each a minimal RFC 6455 client (masked
// frames out, unmasked frames in) speaking Phoenix vsn 2.0.0: joins the topic with a
// postgres_changes UPDATE binding on public.bookings, waits for the "Subscribed to PostgreSQL"
// system frame on every socket, prints READY, then follows every socket from one epoll loop:
// big reads, every complete frame in a read handled in place, no allocation per frame.
//
// For each postgres_changes frame it cuts out the record's id and version and the change's
// commit_timestamp by scanning bytes, and records per change (id, version): commit time, how
// many subscribers got it and when the last one did; every delivery latency goes into a
// histogram (0.1 ms buckets up to 60 s). Broadcast frames whose payload carries "sentAt"
// (epoch ms) are timed the same way. Close frames and resets are counted with their reasons.
//
// stdin, one command a line:
//   MARK             start of the measured load (the CPU figure counts from here)
//   STOP [CHANGES]   settle: keep reading until CHANGES changes reached every live subscriber
//                    (without CHANGES: until none is missing is unknowable, so until idle), or
//                    no change frame came for --settle-idle-ms, or --settle-max-ms passed; then
//                    run the broadcast round (--broadcasts K at --broadcast-rate per s from the
//                    first live socket), print one JSON object on stdout and exit 0.
// End of stdin counts as STOP; so does --max-seconds after READY.
//
//   rtswarm --host 127.0.0.1 --port 8080 --token JWT [--token JWT2 ...] --subscribers 1000
//           [--expected-per-change N] [--broadcasts 100] [--broadcast-rate 20]
//           [--max-seconds 600] [--settle-idle-ms 2000] [--settle-max-ms 120000]
//           [--connect-concurrency 100] [--coalesce-us 0] [--dump-changes FILE.csv]
//           [--topic realtime:bench] [--apikey demo-anon-key]
// With several --token options subscriber i uses token i % count (realtime-bench's
// AUDIENCE=agents); --expected-per-change is then the number of subscribers that see a change.

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <map>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string>
#include <string_view>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>
#include <vector>

namespace {

// ---------------------------------------------------------------------------------------------
// Clock and small helpers

double nowMs() // wall clock, ms since the epoch, sub-ms resolution (commit_timestamp is wall clock)
{
    timespec ts {};
    clock_gettime(CLOCK_REALTIME, &ts);
    return double(ts.tv_sec) * 1000.0 + double(ts.tv_nsec) / 1e6;
}

double monoMs()
{
    timespec ts {};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return double(ts.tv_sec) * 1000.0 + double(ts.tv_nsec) / 1e6;
}

double cpuSeconds() // user + system time of this process
{
    rusage u {};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec)
        + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

[[noreturn]] void die(const std::string &why)
{
    std::fprintf(stderr, "rtswarm: %s\n", why.c_str());
    std::exit(2);
}

const char *find(const char *from, const char *end, std::string_view needle)
{
    if (from >= end)
        return nullptr;
    return static_cast<const char *>(
        memmem(from, size_t(end - from), needle.data(), needle.size()));
}

std::uint64_t rngState = 0x9e3779b97f4a7c15ULL;
std::uint64_t rng() // xorshift64*: mask keys and handshake nonces, nothing secret
{
    rngState ^= rngState >> 12;
    rngState ^= rngState << 25;
    rngState ^= rngState >> 27;
    return rngState * 0x2545f4914f6cdd1dULL;
}

std::string base64(const unsigned char *data, size_t size)
{
    static const char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (size_t i = 0; i < size; i += 3) {
        const unsigned v = unsigned(data[i]) << 16 | (i + 1 < size ? unsigned(data[i + 1]) << 8 : 0)
            | (i + 2 < size ? unsigned(data[i + 2]) : 0);
        out += table[(v >> 18) & 63];
        out += table[(v >> 12) & 63];
        out += i + 1 < size ? table[(v >> 6) & 63] : '=';
        out += i + 2 < size ? table[v & 63] : '=';
    }
    return out;
}

std::string jsonEscape(std::string_view s)
{
    std::string out;
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += ch;
        } else if (c < 0x20) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\u%04x", c);
            out += hex;
        } else {
            out += ch;
        }
    }
    return out;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t daysFromCivil(std::int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = unsigned(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + std::int64_t(doe) - 719468;
}

// "2026-11-25T16:00:00.123Z" (milliseconds optional, any number of fraction digits, Z or
// +hh:mm / -hh:mm) -> ms since the epoch; NaN when it does not look like that.
double parseIso8601(const char *p, const char *end)
{
    auto num = [&](int digits, int &out) {
        out = 0;
        for (int i = 0; i < digits; ++i, ++p) {
            if (p >= end || *p < '0' || *p > '9')
                return false;
            out = out * 10 + (*p - '0');
        }
        return true;
    };
    int y, mo, d, h, mi, s;
    auto sep = [&](char a, char b) { return p < end && (*p == a || *p == b) && ++p; };
    if (!num(4, y) || !sep('-', '-') || !num(2, mo) || !sep('-', '-') || !num(2, d)
        || !sep('T', ' ') || !num(2, h) || !sep(':', ':') || !num(2, mi) || !sep(':', ':')
        || !num(2, s))
        return __builtin_nan("");
    double ms = 0;
    if (p < end && *p == '.') {
        ++p;
        double scale = 100;
        for (; p < end && *p >= '0' && *p <= '9'; ++p, scale /= 10)
            ms += (*p - '0') * scale;
    }
    double offsetMin = 0;
    if (p < end && (*p == '+' || *p == '-')) {
        const int sign = *p++ == '-' ? -1 : 1;
        int oh, om = 0;
        if (!num(2, oh))
            return __builtin_nan("");
        if (p < end && *p == ':')
            ++p;
        num(2, om);
        offsetMin = sign * (oh * 60 + om);
    }
    const std::int64_t days = daysFromCivil(y, unsigned(mo), unsigned(d));
    return double(days * 86400 + h * 3600LL + mi * 60LL + s) * 1000.0 + ms - offsetMin * 60000.0;
}

// ---------------------------------------------------------------------------------------------
// Latency histogram: 0.1 ms buckets from 0 to 60 s, plus under- and overflow.

struct Histogram
{
    static constexpr int buckets = 600000;
    std::vector<std::uint64_t> counts = std::vector<std::uint64_t>(buckets, 0);
    std::uint64_t total = 0, negative = 0, overflow = 0;
    double sum = 0, max = 0, min = 1e300;

    void add(double ms)
    {
        ++total;
        sum += ms;
        max = std::max(max, ms);
        min = std::min(min, ms);
        if (ms < 0) {
            ++negative;
            ++counts[0];
            return;
        }
        const auto b = static_cast<std::uint64_t>(ms * 10.0);
        if (b >= std::uint64_t(buckets))
            ++overflow;
        else
            ++counts[b];
    }
    // Same rank as realtime-bench.cjs: sorted[min(n - 1, floor(p / 100 * n))]; the answer is the
    // lower edge of the bucket that holds it (0.1 ms resolution), 60000 when it overflowed.
    double percentile(double p) const
    {
        if (!total)
            return __builtin_nan("");
        const auto rank
            = std::min<std::uint64_t>(total - 1, std::uint64_t(p / 100.0 * double(total)));
        std::uint64_t seen = 0;
        for (int b = 0; b < buckets; ++b) {
            seen += counts[b];
            if (seen > rank)
                return b / 10.0;
        }
        return buckets / 10.0;
    }
};

double exactPercentile(const std::vector<double> &sorted, double p)
{
    if (sorted.empty())
        return __builtin_nan("");
    return sorted[std::min(sorted.size() - 1, size_t(p / 100.0 * double(sorted.size())))];
}

// ---------------------------------------------------------------------------------------------
// Per-change table: (record id, version) -> commit time, deliveries, last delivery.
// Open addressing; grows only when a new change shows up, never per frame.

struct ChangeKey
{
    std::uint64_t hi = 0, lo = 0;
    std::int64_t version = 0;
    bool operator==(const ChangeKey &) const = default;
};

struct Change
{
    ChangeKey key;
    double commit = 0;
    double first = 0;
    double last = 0;
    std::uint32_t count = 0;
    bool used = false;
};

class ChangeTable
{
public:
    ChangeTable()
        : m_slots(4096)
    { }

    Change *find(const ChangeKey &key, bool &created)
    {
        created = false;
        if (m_last && m_last->key == key) // consecutive frames are mostly the same change
            return m_last;
        if ((m_size + 1) * 2 > m_slots.size())
            grow();
        size_t i = hash(key) & (m_slots.size() - 1);
        while (m_slots[i].used) {
            if (m_slots[i].key == key)
                return m_last = &m_slots[i];
            i = (i + 1) & (m_slots.size() - 1);
        }
        m_slots[i].used = true;
        m_slots[i].key = key;
        ++m_size;
        created = true;
        return m_last = &m_slots[i];
    }
    size_t size() const { return m_size; }
    template<typename F> void forEach(F &&f) const
    {
        for (const Change &c : m_slots)
            if (c.used)
                f(c);
    }

private:
    static size_t hash(const ChangeKey &k)
    {
        std::uint64_t h = k.hi * 0x9e3779b97f4a7c15ULL ^ k.lo;
        h ^= std::uint64_t(k.version) * 0xc2b2ae3d27d4eb4fULL;
        h ^= h >> 29;
        h *= 0xbf58476d1ce4e5b9ULL;
        return size_t(h ^ (h >> 32));
    }
    void grow()
    {
        std::vector<Change> old(m_slots.size() * 2);
        old.swap(m_slots);
        m_last = nullptr;
        for (const Change &c : old) {
            if (!c.used)
                continue;
            size_t i = hash(c.key) & (m_slots.size() - 1);
            while (m_slots[i].used)
                i = (i + 1) & (m_slots.size() - 1);
            m_slots[i] = c;
        }
    }

    std::vector<Change> m_slots;
    size_t m_size = 0;
    Change *m_last = nullptr;
};

// ---------------------------------------------------------------------------------------------
// Options

struct Options
{
    std::string host = "127.0.0.1";
    int port = 0;
    std::vector<std::string> tokens;
    int subscribers = 1000;
    long expectedPerChange = -1; // default: every subscriber
    int broadcasts = 100;
    double broadcastRate = 20;
    double maxSeconds = 600;
    double settleIdleMs = 2000;
    double settleMaxMs = 120000;
    int connectConcurrency = 100;
    double joinTimeoutSeconds = 120;
    double heartbeatSeconds = 25;
    int coalesceUs = 0; // after READY: pause this long after each epoll round (fewer wakeups, adds
                        // <= that latency)
    std::string
        dumpChanges; // CSV of every change at the end: commit, first and last delivery, count
    std::string topic = "realtime:bench";
    std::string apikey = "demo-anon-key";
};

Options parseOptions(int argc, char **argv)
{
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view name = argv[i];
        if (name == "--help" || name == "-h") {
            std::puts(
                "rtswarm --host H --port P --token JWT [--token JWT2...] --subscribers N\n"
                "        [--expected-per-change N] [--broadcasts K] [--broadcast-rate R]\n"
                "        [--max-seconds S] [--settle-idle-ms MS] [--settle-max-ms MS]\n"
                "        [--connect-concurrency C]\n"
                "        [--join-timeout-seconds S] [--heartbeat-seconds S] [--coalesce-us US]\n"
                "        [--topic T] [--apikey KEY] [--dump-changes FILE.csv]\n"
                "stdin: MARK | STOP [expected changes]");
            std::exit(0);
        }
        if (i + 1 >= argc)
            die("missing value for " + std::string(name));
        const char *v = argv[++i];
        auto number = [&](double &out) {
            char *endp = nullptr;
            out = std::strtod(v, &endp);
            if (!endp || *endp)
                die("not a number for " + std::string(name) + ": " + v);
        };
        double n = 0;
        if (name == "--host")
            o.host = v;
        else if (name == "--port")
            number(n), o.port = int(n);
        else if (name == "--token")
            o.tokens.emplace_back(v);
        else if (name == "--subscribers")
            number(n), o.subscribers = int(n);
        else if (name == "--expected-per-change")
            number(n), o.expectedPerChange = long(n);
        else if (name == "--broadcasts")
            number(n), o.broadcasts = int(n);
        else if (name == "--broadcast-rate")
            number(o.broadcastRate);
        else if (name == "--max-seconds" || name == "--duration-seconds")
            number(o.maxSeconds);
        else if (name == "--settle-idle-ms")
            number(o.settleIdleMs);
        else if (name == "--settle-max-ms")
            number(o.settleMaxMs);
        else if (name == "--connect-concurrency")
            number(n), o.connectConcurrency = std::max(1, int(n));
        else if (name == "--join-timeout-seconds")
            number(o.joinTimeoutSeconds);
        else if (name == "--heartbeat-seconds")
            number(o.heartbeatSeconds);
        else if (name == "--dump-changes")
            o.dumpChanges = v;
        else if (name == "--coalesce-us")
            number(n), o.coalesceUs = std::max(0, int(n));
        else if (name == "--topic")
            o.topic = v;
        else if (name == "--apikey")
            o.apikey = v;
        else
            die("unknown option " + std::string(name));
    }
    if (o.port <= 0 || o.tokens.empty() || o.subscribers <= 0)
        die("need --port, --token and --subscribers (see --help)");
    if (o.expectedPerChange < 0)
        o.expectedPerChange = o.subscribers;
    if (o.broadcastRate <= 0)
        o.broadcastRate = 20;
    return o;
}

// ---------------------------------------------------------------------------------------------
// The swarm

enum class State { Idle, Connecting, Handshake, Joining, Joined, Dead };

struct Conn
{
    int fd = -1;
    State state = State::Idle;
    std::vector<char>
        carry; // bytes of an incomplete frame (or of the HTTP answer) from the last read
    std::string out; // bytes the kernel did not take yet
    std::uint32_t ref = 1;
    double nextHeartbeat = 0; // monotonic ms
    std::uint64_t changes = 0;
    bool wantWrite = false;
};

constexpr std::uint64_t stdinTag = ~std::uint64_t(0);

class Swarm
{
public:
    explicit Swarm(Options o)
        : m_o(std::move(o))
        , m_conns(size_t(m_o.subscribers))
    {
        m_changePrefix = "[null,null,\"" + m_o.topic + "\",\"postgres_changes\"";
        m_broadcastPrefix = "[null,null,\"" + m_o.topic + "\",\"broadcast\"";
        m_buffer.resize(1 << 20);
        m_epoll = epoll_create1(EPOLL_CLOEXEC);
        if (m_epoll < 0)
            die(std::string("epoll_create1: ") + std::strerror(errno));
        sockaddr_in &a = m_addr;
        a.sin_family = AF_INET;
        a.sin_port = htons(std::uint16_t(m_o.port));
        if (inet_pton(AF_INET, m_o.host.c_str(), &a.sin_addr) != 1)
            die("--host must be an IPv4 address: " + m_o.host);
    }

    int run();

private:
    // connection lifecycle
    void startConnect(size_t i);
    void onWritable(size_t i);
    void onReadable(size_t i, double t);
    void drop(size_t i, const std::string &reason, bool closeFrame);
    void sendFrame(size_t i, std::string_view text, int opcode = 1);
    void flushOut(size_t i);
    void setWriteInterest(size_t i, bool on);
    // frames
    size_t handleFrames(
        size_t i, const char *data, size_t size, double t); // returns bytes consumed
    void onText(size_t i, const char *p, const char *end, double t);
    void onChange(size_t i, const char *p, const char *end, double t);
    // phases
    void pump(int timeoutMs); // one epoll round
    void readStdin();
    void heartbeats();
    bool settled() const;
    void broadcastRound();
    void report();

    Options m_o;
    std::vector<Conn> m_conns;
    sockaddr_in m_addr {};
    int m_epoll = -1;
    std::vector<char> m_buffer;
    std::string m_changePrefix, m_broadcastPrefix;

    size_t m_nextToOpen = 0;
    int m_inFlight = 0; // connecting, handshaking or joining
    size_t m_joined = 0;
    size_t m_alive = 0;
    double m_joinSeconds = 0;

    // stdin
    std::string m_stdinLine;
    bool m_stopRequested = false;
    long m_stopExpectedChanges = -1;
    bool m_marked = false;
    double m_markCpu = 0, m_markMono = 0;
    double m_stopCpu = 0,
           m_stopMono = 0; // when STOP (or the timeout) came: the end of the CPU window

    // results
    ChangeTable m_changes;
    Histogram m_delivery;
    Histogram m_broadcastLatency;
    std::uint64_t m_delivered = 0, m_frames = 0, m_bytes = 0, m_reads = 0, m_unparsed = 0;
    std::uint64_t m_waits = 0, m_events = 0;
    bool m_coalesce = false;
    std::uint64_t m_otherText = 0, m_binary = 0, m_pings = 0, m_fragmented = 0;
    std::uint64_t m_broadcastReceived = 0;
    int m_broadcastSent = 0;
    std::uint64_t m_closeFrames = 0, m_resets = 0;
    std::map<std::string, std::uint64_t> m_closeReasons;
    std::uint64_t m_joinErrors = 0;
    std::string m_firstJoinError;
    double m_lastChangeAt = 0; // wall clock, as t
    double m_nextHeartbeatScan = 0;
};

void Swarm::setWriteInterest(size_t i, bool on)
{
    Conn &c = m_conns[i];
    if (c.wantWrite == on || c.fd < 0)
        return;
    c.wantWrite = on;
    epoll_event ev {};
    ev.events = EPOLLIN | EPOLLRDHUP | (on ? EPOLLOUT : 0u);
    ev.data.u64 = i;
    epoll_ctl(m_epoll, EPOLL_CTL_MOD, c.fd, &ev);
}

void Swarm::startConnect(size_t i)
{
    Conn &c = m_conns[i];
    c.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0)
        die(std::string("socket: ") + std::strerror(errno) + " (raise ulimit -n?)");
    const int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c.state = State::Connecting;
    ++m_inFlight;
    ++m_alive;
    epoll_event ev {};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
    ev.data.u64 = i;
    c.wantWrite = true;
    if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, c.fd, &ev) < 0)
        die(std::string("epoll_ctl: ") + std::strerror(errno));
    if (connect(c.fd, reinterpret_cast<const sockaddr *>(&m_addr), sizeof m_addr) < 0
        && errno != EINPROGRESS)
        drop(i, std::string("connect: ") + std::strerror(errno), false);
}

void Swarm::flushOut(size_t i)
{
    Conn &c = m_conns[i];
    while (!c.out.empty()) {
        const ssize_t n = send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                setWriteInterest(i, true);
                return;
            }
            if (errno == EINTR)
                continue;
            drop(i, std::string("send: ") + std::strerror(errno), false);
            return;
        }
        c.out.erase(0, size_t(n));
    }
    setWriteInterest(i, false);
}

void Swarm::sendFrame(size_t i, std::string_view text, int opcode)
{
    Conn &c = m_conns[i];
    if (c.fd < 0 || c.state == State::Dead)
        return;
    unsigned char header[14];
    size_t h = 0;
    header[h++] = static_cast<unsigned char>(0x80 | opcode);
    const size_t n = text.size();
    if (n < 126) {
        header[h++] = static_cast<unsigned char>(0x80 | n);
    } else if (n < 65536) {
        header[h++] = 0x80 | 126;
        header[h++] = static_cast<unsigned char>(n >> 8);
        header[h++] = static_cast<unsigned char>(n);
    } else {
        header[h++] = 0x80 | 127;
        for (int s = 56; s >= 0; s -= 8)
            header[h++] = static_cast<unsigned char>(std::uint64_t(n) >> s);
    }
    const std::uint64_t r = rng();
    unsigned char mask[4] = { static_cast<unsigned char>(r), static_cast<unsigned char>(r >> 8),
        static_cast<unsigned char>(r >> 16), static_cast<unsigned char>(r >> 24) };
    std::memcpy(header + h, mask, 4);
    h += 4;
    const bool wasEmpty = c.out.empty();
    c.out.append(reinterpret_cast<const char *>(header), h);
    const size_t at = c.out.size();
    c.out.append(text);
    for (size_t k = 0; k < n; ++k)
        c.out[at + k] = static_cast<char>(c.out[at + k] ^ static_cast<char>(mask[k & 3]));
    if (wasEmpty && c.state != State::Connecting)
        flushOut(i);
}

void Swarm::drop(size_t i, const std::string &reason, bool closeFrame)
{
    Conn &c = m_conns[i];
    if (c.state == State::Dead)
        return;
    const bool wasJoined = c.state == State::Joined;
    if (!wasJoined && c.state != State::Idle)
        --m_inFlight;
    if (c.fd >= 0) {
        epoll_ctl(m_epoll, EPOLL_CTL_DEL, c.fd, nullptr);
        close(c.fd);
        c.fd = -1;
    }
    c.state = State::Dead;
    --m_alive;
    if (closeFrame)
        ++m_closeFrames;
    else
        ++m_resets;
    ++m_closeReasons[(wasJoined ? "" : "before join: ") + reason];
    std::vector<char>().swap(c.carry);
    std::string().swap(c.out);
}

void Swarm::onWritable(size_t i)
{
    Conn &c = m_conns[i];
    if (c.state == State::Connecting) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err) {
            drop(i, std::string("connect: ") + std::strerror(err), false);
            return;
        }
        unsigned char nonce[16];
        for (int k = 0; k < 16; k += 8) {
            const std::uint64_t r = rng();
            std::memcpy(nonce + k, &r, 8);
        }
        c.state = State::Handshake;
        const std::string request = "GET /realtime/v1/websocket?apikey=" + m_o.apikey
            + "&vsn=2.0.0 HTTP/1.1\r\nHost: " + m_o.host + ":" + std::to_string(m_o.port)
            + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
            + base64(nonce, 16) + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
        c.out.insert(0, request); // ahead of anything queued
    }
    flushOut(i);
}

void Swarm::onReadable(size_t i, double t)
{
    Conn &c = m_conns[i];
    char *buf = m_buffer.data();
    size_t have = c.carry.size();
    if (have)
        std::memcpy(buf, c.carry.data(), have);
    for (;;) {
        if (have == m_buffer.size()) { // a frame bigger than the buffer: make room
            m_buffer.resize(m_buffer.size() * 2);
            buf = m_buffer.data();
        }
        const size_t room = m_buffer.size() - have;
        const ssize_t n = recv(c.fd, buf + have, room, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                drop(i, std::string("reset: ") + std::strerror(errno) + " (no close frame)", false);
                return;
            }
            break;
        }
        if (n == 0) {
            drop(i, "EOF (no close frame)", false);
            return;
        }
        ++m_reads;
        m_bytes += size_t(n);
        have += size_t(n);
        size_t used = 0;
        if (c.state == State::Handshake) {
            const char *end = find(buf, buf + have, "\r\n\r\n");
            if (!end) {
                if (size_t(n) < room)
                    break;
                continue;
            }
            const std::string_view status(buf, size_t(end - buf));
            if (status.size() < 12 || status.substr(9, 3) != "101") {
                drop(i, "handshake refused: " + std::string(status.substr(0, status.find('\r'))),
                    false);
                return;
            }
            used = size_t(end - buf) + 4;
            c.state = State::Joining;
            std::string join = "[\"1\",\"" + std::to_string(c.ref++) + "\",\"" + m_o.topic
                + "\",\"phx_join\",{\"config\":{\"broadcast\":{\"self\":false,\"ack\":false},"
                  "\"presence\":{\"key\":\"\",\"enabled\":false},\"postgres_changes\":[{\"event\":"
                  "\"UPDATE\","
                  "\"schema\":\"public\",\"table\":\"bookings\"}],\"private\":false},\"access_"
                  "token\":\""
                + m_o.tokens[i % m_o.tokens.size()] + "\"}]";
            sendFrame(i, join);
        }
        used += handleFrames(i, buf + used, have - used, t);
        if (c.state == State::Dead)
            return;
        const size_t left = have - used;
        if (left && used)
            std::memmove(buf, buf + used, left);
        have = left;
        if (size_t(n) < room) // drained (or nearly): level-triggered epoll reports the rest
            break;
    }
    c.carry.assign(buf, buf + have);
}

size_t Swarm::handleFrames(size_t i, const char *data, size_t size, double t)
{
    size_t off = 0;
    while (size - off >= 2) {
        const auto *p = reinterpret_cast<const unsigned char *>(data + off);
        const int opcode = p[0] & 0x0f;
        const bool fin = p[0] & 0x80;
        const bool masked = p[1] & 0x80;
        std::uint64_t len = p[1] & 0x7f;
        size_t header = 2;
        if (len == 126) {
            if (size - off < 4)
                break;
            len = std::uint64_t(p[2]) << 8 | p[3];
            header = 4;
        } else if (len == 127) {
            if (size - off < 10)
                break;
            len = 0;
            for (int k = 0; k < 8; ++k)
                len = len << 8 | p[2 + k];
            header = 10;
        }
        if (masked)
            header += 4; // servers must not mask; skip the key if one does (payload left as is)
        if (size - off < header + len)
            break;
        const char *start = data + off + header;
        const char *end = start + len;
        off += header + size_t(len);
        ++m_frames;
        if (!fin || opcode == 0) {
            ++m_fragmented; // never seen from syncloopd at these sizes; counted, not reassembled
            continue;
        }
        switch (opcode) {
        case 1:
            onText(i, start, end, t);
            break;
        case 2:
            ++m_binary;
            break;
        case 8: {
            std::string reason = "close frame";
            if (len >= 2) {
                const int code = (static_cast<unsigned char>(start[0]) << 8)
                    | static_cast<unsigned char>(start[1]);
                reason = std::to_string(code) + " " + std::string(start + 2, end);
            }
            sendFrame(
                i, std::string_view(start, std::min<size_t>(2, size_t(len))), 8); // echo the code
            drop(i, reason, true);
            return off;
        }
        case 9:
            ++m_pings;
            sendFrame(i, std::string_view(start, size_t(len)), 10);
            break;
        default:
            break;
        }
        if (m_conns[i].state == State::Dead)
            return off;
    }
    return off;
}

void Swarm::onText(size_t i, const char *p, const char *end, double t)
{
    const size_t len = size_t(end - p);
    if (len >= m_changePrefix.size()
        && std::memcmp(p, m_changePrefix.data(), m_changePrefix.size()) == 0) {
        onChange(i, p, end, t);
        return;
    }
    if (len >= m_broadcastPrefix.size()
        && std::memcmp(p, m_broadcastPrefix.data(), m_broadcastPrefix.size()) == 0) {
        const char *at = find(p, end, "\"sentAt\":");
        if (!at) {
            ++m_otherText;
            return;
        }
        at += 9;
        double sentAt = 0;
        const auto r = std::from_chars(at, end, sentAt);
        if (r.ec != std::errc()) {
            ++m_unparsed;
            return;
        }
        ++m_broadcastReceived;
        m_broadcastLatency.add(t - sentAt);
        return;
    }
    Conn &c = m_conns[i];
    if (c.state == State::Joining) {
        const std::string_view frame(p, len);
        if (frame.find("\"system\"") != std::string_view::npos
            && frame.find("\"extension\":\"postgres_changes\"") != std::string_view::npos) {
            if (frame.find("\"status\":\"ok\"") == std::string_view::npos) {
                ++m_joinErrors;
                if (m_firstJoinError.empty())
                    m_firstJoinError = std::string(frame.substr(0, 400));
                drop(i, "join failed (system error)", false);
                return;
            }
            c.state = State::Joined;
            c.nextHeartbeat = monoMs() + m_o.heartbeatSeconds * 1000.0;
            --m_inFlight;
            ++m_joined;
            return;
        }
        if (frame.find("\"phx_reply\"") != std::string_view::npos
            && frame.find("\"status\":\"error\"") != std::string_view::npos) {
            ++m_joinErrors;
            if (m_firstJoinError.empty())
                m_firstJoinError = std::string(frame.substr(0, 400));
            drop(i, "join refused", false);
            return;
        }
    }
    ++m_otherText; // join and heartbeat replies
}

void Swarm::onChange(size_t i, const char *p, const char *end, double t)
{
    const char *record = find(p, end, "\"record\":");
    const char *id = record ? find(record, end, "\"id\":\"") : nullptr;
    const char *version = record ? find(record, end, "\"version\":") : nullptr;
    if (!id || !version || end - id < 6 + 36) {
        ++m_unparsed;
        return;
    }
    ChangeKey key;
    id += 6;
    int nibbles = 0;
    for (const char *q = id; q < id + 36; ++q) {
        const char ch = *q;
        unsigned v;
        if (ch >= '0' && ch <= '9')
            v = unsigned(ch - '0');
        else if (ch >= 'a' && ch <= 'f')
            v = unsigned(ch - 'a' + 10);
        else if (ch >= 'A' && ch <= 'F')
            v = unsigned(ch - 'A' + 10);
        else
            continue; // '-'
        if (nibbles++ < 16)
            key.hi = key.hi << 4 | v;
        else
            key.lo = key.lo << 4 | v;
    }
    version += 10;
    std::int64_t ver = 0;
    for (; version < end && *version >= '0' && *version <= '9'; ++version)
        ver = ver * 10 + (*version - '0');
    key.version = ver;

    bool created = false;
    Change *change = m_changes.find(key, created);
    if (created) {
        const char *ts = find(p, end, "\"commit_timestamp\":\"");
        const char *tsEnd = ts
            ? static_cast<const char *>(std::memchr(ts + 20, '"', size_t(end - ts - 20)))
            : nullptr;
        change->commit = tsEnd ? parseIso8601(ts + 20, tsEnd) : __builtin_nan("");
        change->first = t;
        if (change->commit != change->commit)
            ++m_unparsed;
    }
    ++change->count;
    change->last = t;
    ++m_delivered;
    ++m_conns[i].changes;
    m_lastChangeAt = t;
    if (change->commit == change->commit)
        m_delivery.add(t - change->commit);
}

void Swarm::readStdin()
{
    char chunk[4096];
    const ssize_t n = read(STDIN_FILENO, chunk, sizeof chunk);
    if (n <= 0) {
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        epoll_ctl(m_epoll, EPOLL_CTL_DEL, STDIN_FILENO, nullptr);
        m_stopRequested = true; // end of stdin: the driver is gone or done
        return;
    }
    m_stdinLine.append(chunk, size_t(n));
    size_t nl;
    while ((nl = m_stdinLine.find('\n')) != std::string::npos) {
        std::string line = m_stdinLine.substr(0, nl);
        m_stdinLine.erase(0, nl + 1);
        while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
            line.pop_back();
        if (line == "MARK") {
            m_marked = true;
            m_markCpu = cpuSeconds();
            m_markMono = monoMs();
        } else if (line.rfind("STOP", 0) == 0) {
            m_stopRequested = true;
            if (line.size() > 5)
                m_stopExpectedChanges = std::strtol(line.c_str() + 5, nullptr, 10);
        } else if (!line.empty()) {
            std::fprintf(
                stderr, "rtswarm: unknown command \"%s\" (MARK, STOP [changes])\n", line.c_str());
        }
    }
}

void Swarm::heartbeats()
{
    const double now = monoMs();
    for (size_t i = 0; i < m_conns.size(); ++i) {
        Conn &c = m_conns[i];
        if (c.state != State::Joined || now < c.nextHeartbeat)
            continue;
        c.nextHeartbeat = now + m_o.heartbeatSeconds * 1000.0;
        sendFrame(i, "[null,\"" + std::to_string(c.ref++) + "\",\"phoenix\",\"heartbeat\",{}]");
    }
}

void Swarm::pump(int timeoutMs)
{
    static epoll_event events[1024];
    const int n = epoll_wait(m_epoll, events, 1024, timeoutMs);
    if (n < 0) {
        if (errno == EINTR)
            return;
        die(std::string("epoll_wait: ") + std::strerror(errno));
    }
    ++m_waits;
    m_events += unsigned(n);
    if (const double now = monoMs(); now >= m_nextHeartbeatScan) {
        m_nextHeartbeatScan = now + 250;
        heartbeats();
    }
    for (int k = 0; k < n; ++k) {
        const epoll_event &ev = events[k];
        if (ev.data.u64 == stdinTag) {
            readStdin();
            continue;
        }
        const auto i = size_t(ev.data.u64);
        Conn &c = m_conns[i];
        if (c.state == State::Dead)
            continue;
        if (ev.events & EPOLLOUT)
            onWritable(i);
        if (c.state != State::Dead && (ev.events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
            onReadable(i, nowMs()); // receive time of every frame this read brings (vDSO, ~20 ns)
    }
    if (m_coalesce && n > 0) {
        const timespec pause { 0, long(m_o.coalesceUs) * 1000 };
        nanosleep(&pause, nullptr);
    }
}

bool Swarm::settled() const
{
    if (m_stopExpectedChanges >= 0) {
        // As realtime-bench.cjs: a change is complete once every subscriber still connected got it.
        const std::uint64_t closed = m_closeFrames + m_resets;
        const std::uint64_t need = std::uint64_t(m_o.expectedPerChange) > closed
            ? std::uint64_t(m_o.expectedPerChange) - closed
            : 0;
        long complete = 0;
        m_changes.forEach([&](const Change &c) { complete += c.count >= need; });
        return complete >= m_stopExpectedChanges;
    }
    return false; // nothing to count against: the idle limit decides
}

void Swarm::broadcastRound()
{
    if (m_o.broadcasts <= 0)
        return;
    size_t sender = 0;
    while (sender < m_conns.size() && m_conns[sender].state != State::Joined)
        ++sender;
    if (sender == m_conns.size())
        return;
    const double interval = 1000.0 / m_o.broadcastRate;
    const double start = monoMs();
    const auto expected = std::uint64_t(m_o.broadcasts) * std::uint64_t(m_o.subscribers - 1);
    while (m_broadcastSent < m_o.broadcasts) {
        const double due = start + m_broadcastSent * interval;
        const double wait = due - monoMs();
        if (wait > 0) {
            pump(std::max(1, int(wait)));
            continue;
        }
        char frame[256];
        std::snprintf(frame, sizeof frame,
            "[\"1\",\"%d\",\"%s\",\"broadcast\",{\"type\":\"broadcast\",\"event\":\"tick\","
            "\"payload\":{\"i\":%d,\"sentAt\":%.3f}}]",
            100000 + m_broadcastSent, m_o.topic.c_str(), m_broadcastSent, nowMs());
        sendFrame(sender, frame);
        ++m_broadcastSent;
    }
    const double waitStart = monoMs();
    while (m_broadcastReceived < expected && monoMs() - waitStart < 5000)
        pump(50);
}

std::string fixed(double v, int decimals = 1)
{
    if (v != v)
        return "null";
    char out[64];
    std::snprintf(out, sizeof out, "%.*f", decimals, v);
    return out;
}

void Swarm::report()
{
    const double cpu = m_stopCpu - m_markCpu;
    const double wall = (m_stopMono - m_markMono) / 1000.0;

    std::vector<double> lastLatency;
    lastLatency.reserve(m_changes.size());
    double firstCommit = 1e300, lastCommit = -1e300, lastDelivery = 0;
    std::uint64_t fullyServed = 0, overServed = 0;
    m_changes.forEach([&](const Change &c) {
        if (c.commit == c.commit) {
            lastLatency.push_back(c.last - c.commit);
            firstCommit = std::min(firstCommit, c.commit);
            lastCommit = std::max(lastCommit, c.commit);
        }
        lastDelivery = std::max(lastDelivery, c.last);
        fullyServed += c.count == std::uint64_t(m_o.expectedPerChange);
        overServed += c.count > std::uint64_t(m_o.expectedPerChange);
    });
    std::sort(lastLatency.begin(), lastLatency.end());
    if (!m_o.dumpChanges.empty()) {
        if (FILE *f = std::fopen(m_o.dumpChanges.c_str(), "w")) {
            std::fprintf(f, "commit_ms,first_delivery_ms,last_delivery_ms,deliveries,version\n");
            m_changes.forEach([&](const Change &c) {
                std::fprintf(f, "%.3f,%.3f,%.3f,%u,%lld\n", c.commit, c.first, c.last, c.count,
                    static_cast<long long>(c.key.version));
            });
            std::fclose(f);
        } else {
            std::fprintf(stderr, "rtswarm: cannot write %s: %s\n", m_o.dumpChanges.c_str(),
                std::strerror(errno));
        }
    }
    const double window = lastLatency.empty() ? 0 : (lastDelivery - firstCommit) / 1000.0;
    std::uint64_t minPerSocket = ~std::uint64_t(0), maxPerSocket = 0;
    for (const Conn &c : m_conns) {
        if (c.state != State::Joined)
            continue;
        minPerSocket = std::min(minPerSocket, c.changes);
        maxPerSocket = std::max(maxPerSocket, c.changes);
    }
    if (maxPerSocket == 0 && minPerSocket == ~std::uint64_t(0))
        minPerSocket = 0;

    std::string reasons = "{";
    for (const auto &[why, count] : m_closeReasons)
        reasons += (reasons.size() > 1 ? "," : "")
            + ("\"" + jsonEscape(why) + "\":" + std::to_string(count));
    reasons += "}";

    const std::uint64_t expectedBroadcasts
        = std::uint64_t(m_broadcastSent) * std::uint64_t(m_o.subscribers - 1);
    std::string j = "{";
    auto field = [&](const std::string &name, const std::string &value) {
        j += (j.size() > 1 ? ",\"" : "\"") + name + "\":" + value;
    };
    field("client", "\"rtswarm\"");
    field("subscribers", std::to_string(m_o.subscribers));
    field("subscribers_joined", std::to_string(m_joined));
    field("subscribers_connected_at_end", std::to_string(m_alive));
    field("subscribers_per_change", std::to_string(m_o.expectedPerChange));
    field("join_seconds", fixed(m_joinSeconds, 2));
    field("changes_seen", std::to_string(m_changes.size()));
    field("changes_fully_served", std::to_string(fullyServed));
    field("changes_over_served", std::to_string(overServed));
    field("messages_delivered", std::to_string(m_delivered));
    field("messages_per_s", window > 0 ? fixed(double(m_delivered) / window, 0) : "null");
    field("measured_window_s", fixed(window, 2));
    // The rate the changes were committed at, from their commit timestamps.
    field("commits_per_s",
        lastLatency.size() > 1 && lastCommit > firstCommit
            ? fixed(double(lastLatency.size() - 1) * 1000.0 / (lastCommit - firstCommit), 1)
            : "null");
    field("sockets_closed", std::to_string(m_closeFrames + m_resets));
    field("close_frames", std::to_string(m_closeFrames));
    field("connection_resets", std::to_string(m_resets));
    field("close_reasons", reasons);
    field("commit_to_last_subscriber_ms",
        "{\"p50\":" + fixed(exactPercentile(lastLatency, 50))
            + ",\"p99\":" + fixed(exactPercentile(lastLatency, 99)) + ",\"max\":"
            + fixed(lastLatency.empty() ? __builtin_nan("") : lastLatency.back()) + "}");
    field("commit_to_each_delivery_ms",
        "{\"p50\":" + fixed(m_delivery.percentile(50)) + ",\"p99\":"
            + fixed(m_delivery.percentile(99)) + ",\"p999\":" + fixed(m_delivery.percentile(99.9))
            + ",\"max\":" + fixed(m_delivery.total ? m_delivery.max : __builtin_nan(""))
            + ",\"min\":" + fixed(m_delivery.total ? m_delivery.min : __builtin_nan(""))
            + ",\"mean\":"
            + fixed(
                m_delivery.total ? m_delivery.sum / double(m_delivery.total) : __builtin_nan(""))
            + ",\"negative\":" + std::to_string(m_delivery.negative)
            + ",\"over_60s\":" + std::to_string(m_delivery.overflow) + "}");
    field("per_socket_changes",
        "{\"min\":" + std::to_string(minPerSocket) + ",\"max\":" + std::to_string(maxPerSocket)
            + "}");
    field("broadcast",
        "{\"sent\":" + std::to_string(m_broadcastSent)
            + ",\"received\":" + std::to_string(m_broadcastReceived)
            + ",\"expected\":" + std::to_string(expectedBroadcasts)
            + ",\"latency_ms\":{\"p50\":" + fixed(m_broadcastLatency.percentile(50))
            + ",\"p95\":" + fixed(m_broadcastLatency.percentile(95))
            + ",\"p99\":" + fixed(m_broadcastLatency.percentile(99)) + "}}");
    field("frames_received", std::to_string(m_frames));
    field("other_text_frames", std::to_string(m_otherText));
    field("unparsed_frames", std::to_string(m_unparsed));
    field("fragmented_frames", std::to_string(m_fragmented));
    field("binary_frames", std::to_string(m_binary));
    field("pings", std::to_string(m_pings));
    field("bytes_received", std::to_string(m_bytes));
    field("reads", std::to_string(m_reads));
    field("frames_per_read", m_reads ? fixed(double(m_frames) / double(m_reads), 2) : "null");
    field("epoll_waits", std::to_string(m_waits));
    field("events_per_wait", m_waits ? fixed(double(m_events) / double(m_waits), 2) : "null");
    field("coalesce_us", std::to_string(m_o.coalesceUs));
    field("client_cpu_seconds", fixed(cpu, 2));
    field("client_cpu_pct", wall > 0 ? fixed(100.0 * cpu / wall, 1) : "null");
    field("client_cpu_window_s", fixed(wall, 2));
    field("client_cpu_from", m_marked ? "\"MARK\"" : "\"READY\"");
    j += "}";
    std::printf("%s\n", j.c_str());
    std::fflush(stdout);
}

int Swarm::run()
{
    // One descriptor per subscriber: take the hard limit.
    rlimit lim {};
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
        lim.rlim_cur = lim.rlim_max;
        setrlimit(RLIMIT_NOFILE, &lim);
    }
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < rlim_t(m_o.subscribers) + 16)
        die("ulimit -n is " + std::to_string(lim.rlim_cur) + ", need "
            + std::to_string(m_o.subscribers + 16));
    rngState ^= std::uint64_t(nowMs() * 1000.0) ^ (std::uint64_t(getpid()) << 32);

    const double joinStart = monoMs();
    while (m_nextToOpen < m_conns.size() || m_inFlight > 0) {
        while (m_nextToOpen < m_conns.size() && m_inFlight < m_o.connectConcurrency)
            startConnect(m_nextToOpen++);
        pump(100);
        if (monoMs() - joinStart > m_o.joinTimeoutSeconds * 1000.0)
            die("join timeout: " + std::to_string(m_joined) + " of "
                + std::to_string(m_o.subscribers) + " joined");
        if (m_joinErrors)
            die("join failed: " + m_firstJoinError);
    }
    m_joinSeconds = (monoMs() - joinStart) / 1000.0;
    if (m_joined < size_t(m_o.subscribers)) {
        std::string why;
        for (const auto &[reason, count] : m_closeReasons)
            why += " " + std::to_string(count) + "x " + reason + ";";
        die("only " + std::to_string(m_joined) + " of " + std::to_string(m_o.subscribers)
            + " joined:" + why);
    }

    fcntl(STDIN_FILENO, F_SETFL, fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);
    epoll_event ev {};
    ev.events = EPOLLIN;
    ev.data.u64 = stdinTag;
    if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, STDIN_FILENO, &ev) < 0)
        std::fprintf(stderr, "rtswarm: cannot watch stdin (%s); stopping after --max-seconds\n",
            std::strerror(errno));
    m_markCpu = cpuSeconds();
    m_markMono = monoMs();
    std::printf("READY\n");
    std::fflush(stdout);

    const double readyAt = monoMs();
    m_coalesce = m_o.coalesceUs > 0;
    while (!m_stopRequested && monoMs() - readyAt < m_o.maxSeconds * 1000.0)
        pump(250);
    m_stopCpu = cpuSeconds();
    m_stopMono = monoMs();
    m_coalesce = false;
    const double settleStart = monoMs();
    m_lastChangeAt = std::max(m_lastChangeAt, nowMs());
    for (double nextCheck = 0;;) {
        const double now = monoMs();
        if (nowMs() - m_lastChangeAt >= m_o.settleIdleMs || now - settleStart >= m_o.settleMaxMs)
            break;
        if (now >= nextCheck) { // counting complete changes walks the table: not on every round
            if (settled())
                break;
            nextCheck = now + 50;
        }
        pump(50);
    }
    broadcastRound();
    report();
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    Swarm swarm(parseOptions(argc, argv));
    return swarm.run();
}
