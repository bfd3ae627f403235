#pragma once

#include "httpfrontend.h"

#include <QHostAddress>
#include <QList>
#include <QThread>
#include <functional>
#include <memory>

class QThreadPool;

// Listens on one port with several event-loop threads. Each thread owns an HttpFrontend bound
// to its own SO_REUSEPORT socket, so the kernel spreads connections across the loops: parsing,
// polling and inline handling scale with the cores instead of funnelling through one thread.
class HttpListener
{
public:
    // Runs on each loop thread right after its frontend exists (e.g. to attach WebSockets).
    using FrontendSetup = std::function<void(HttpFrontend *)>;

    HttpListener(HttpFrontend::Handlers handlers, QThreadPool *pool);
    ~HttpListener();
    Q_DISABLE_COPY_MOVE(HttpListener)

    // Binds host:port (0 = any free port) with `loops` threads. False + *error on failure.
    bool listen(const QHostAddress &host, quint16 port, int loops, const FrontendSetup &setup,
        QString *error);
    quint16 port() const { return m_port; }
    // Shutdown, step 1: new requests no longer go to workers (drain the pool next). On return
    // no loop is still handing one over: nothing is started on the pool after this.
    void closeWorkers();
    // Step 2: stops every loop; their frontends are destroyed on their own threads.
    void stop();

private:
    class LoopThread;

    HttpFrontend::Handlers m_handlers;
    QThreadPool *m_pool;
    quint16 m_port = 0;
    std::vector<std::unique_ptr<LoopThread>> m_loops;
};
