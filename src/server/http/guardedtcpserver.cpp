#include "guardedtcpserver.h"

#include <QTcpSocket>
#include <unistd.h>

GuardedTcpServer::GuardedTcpServer(
    RequestSizeGuard::Limits limits, RequestSizeGuard::Reject reject, QObject *parent)
    : QTcpServer(parent)
    , m_limits(std::move(limits))
    , m_reject(std::move(reject))
{ }

void GuardedTcpServer::incomingConnection(qintptr descriptor)
{
    // As QTcpServer's own, plus the guard, connected before anyone else can connect.
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        ::close(int(descriptor));
        return;
    }
    new RequestSizeGuard(socket, m_limits, m_reject);
    addPendingConnection(socket);
}
