#pragma once

#include "requestsizeguard.h"

#include <QTcpServer>

// A QTcpServer whose every connection gets a RequestSizeGuard before the HTTP server sees it.
class GuardedTcpServer : public QTcpServer
{
    Q_OBJECT
public:
    GuardedTcpServer(RequestSizeGuard::Limits limits, RequestSizeGuard::Reject reject,
        QObject *parent = nullptr);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    const RequestSizeGuard::Limits m_limits;
    RequestSizeGuard::Reject m_reject;
};
