#include "httplistener.h"

#include "guardedtcpserver.h"
#include "logging.h"
#include "storage/database.h"

#include <QSemaphore>
#include <QTcpServer>
#include <QThreadPool>
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

// A listening socket with SO_REUSEPORT set, so several can share one port; -1 + *error on failure.
int reusePortSocket(const QHostAddress &host, quint16 port, quint16 *boundPort, QString *error)
{
    const bool v6 = host.protocol() == QAbstractSocket::IPv6Protocol;
    const int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        *error = QString::fromLocal8Bit(std::strerror(errno));
        return -1;
    }
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    sockaddr_storage storage {};
    socklen_t length = 0;
    if (v6) {
        auto *a = reinterpret_cast<sockaddr_in6 *>(&storage);
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        const Q_IPV6ADDR raw = host.toIPv6Address();
        std::memcpy(&a->sin6_addr, &raw, sizeof raw);
        length = sizeof *a;
    } else {
        auto *a = reinterpret_cast<sockaddr_in *>(&storage);
        a->sin_family = AF_INET;
        a->sin_port = htons(port);
        a->sin_addr.s_addr = htonl(host.toIPv4Address());
        length = sizeof *a;
    }
    if (::bind(fd, reinterpret_cast<sockaddr *>(&storage), length) != 0
        || ::listen(fd, 1024) != 0) {
        *error = QString::fromLocal8Bit(std::strerror(errno));
        ::close(fd);
        return -1;
    }
    if (::getsockname(fd, reinterpret_cast<sockaddr *>(&storage), &length) == 0)
        *boundPort = ntohs(v6 ? reinterpret_cast<sockaddr_in6 *>(&storage)->sin6_port
                              : reinterpret_cast<sockaddr_in *>(&storage)->sin_port);
    return fd;
}

} // namespace

// Builds its frontend inside run(), so every QObject of it (the internal QWebSocketServer
// included) belongs to the loop's thread.
class HttpListener::LoopThread : public QThread
{
public:
    LoopThread(int fd, HttpFrontend::Handlers handlers, QThreadPool *pool, FrontendSetup setup)
        : m_fd(fd)
        , m_handlers(std::move(handlers))
        , m_pool(pool)
        , m_setup(std::move(setup))
    { }

    bool waitUntilListening()
    {
        m_ready.acquire();
        return m_listening;
    }

    // Returns once the loop has finished whatever it was doing when this was called.
    void roundTrip()
    {
        if (m_listening && isRunning())
            QMetaObject::invokeMethod(
                m_frontend, [] {}, Qt::BlockingQueuedConnection);
    }

protected:
    void run() override
    {
        {
            HttpFrontend frontend(m_handlers, m_pool);
            m_frontend = &frontend;
            auto *server
                = new GuardedTcpServer({ m_handlers.maxBodyBytes, m_handlers.webSocketPath },
                    m_handlers.rejectEarly, &frontend);
            m_listening = server->setSocketDescriptor(m_fd);
            if (m_listening) {
                frontend.bind(server);
                if (m_setup)
                    m_setup(&frontend);
            }
            m_ready.release();
            if (m_listening)
                exec();
        }
        if (!m_listening)
            ::close(m_fd);
        Database::closeThreadConnections(); // inline handlers used this thread's connection
    }

private:
    const int m_fd;
    HttpFrontend::Handlers m_handlers;
    QThreadPool *m_pool;
    FrontendSetup m_setup;
    QSemaphore m_ready;
    bool m_listening = false;
    HttpFrontend *m_frontend = nullptr; // lives (on this thread) while the loop runs
};

HttpListener::HttpListener(HttpFrontend::Handlers handlers, QThreadPool *pool)
    : m_handlers(std::move(handlers))
    , m_pool(pool)
{
    m_handlers.workersOpen = std::make_shared<std::atomic<bool>>(true);
}

void HttpListener::closeWorkers()
{
    m_handlers.workersOpen->store(false);
    // A loop may have read the flag just before: once each has come round, none is between
    // reading it and starting a job.
    for (auto &loop : m_loops)
        loop->roundTrip();
}

HttpListener::~HttpListener()
{
    closeWorkers();
    m_pool->waitForDone();
    stop();
}

bool HttpListener::listen(
    const QHostAddress &host, quint16 port, int loops, const FrontendSetup &setup, QString *error)
{
    for (int i = 0; i < loops; ++i) {
        QString why;
        // The first socket may pick a free port; the others join it.
        const int fd = reusePortSocket(host, i == 0 ? port : m_port, &m_port, &why);
        if (fd < 0) {
            *error = QStringLiteral("cannot listen on %1:%2: %3")
                         .arg(host.toString())
                         .arg(i == 0 ? port : m_port)
                         .arg(why);
            stop();
            return false;
        }
        auto loop = std::make_unique<LoopThread>(fd, m_handlers, m_pool, setup);
        loop->setObjectName(QStringLiteral("http-%1").arg(i));
        loop->start();
        if (!loop->waitUntilListening()) {
            *error = QStringLiteral("cannot use the listening socket");
            loop->wait();
            stop();
            return false;
        }
        m_loops.push_back(std::move(loop));
    }
    return true;
}

void HttpListener::stop()
{
    for (auto &loop : m_loops)
        loop->quit();
    for (auto &loop : m_loops)
        loop->wait();
    m_loops.clear();
}
