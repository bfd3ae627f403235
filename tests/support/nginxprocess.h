#pragma once

#include <QList>
#include <QObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QUrl>

// nginx on a free 127.0.0.1 port as the load balancer in front of several syncloopd instances:
// HTTP and WebSocket upgrades, round robin, no sticky sessions; a connection refused by a dead
// instance is tried on the next (a request already sent to one is not: its client retries with
// the same key). Its own prefix, config, logs and pid file in a temporary directory.
class NginxProcess : public QObject
{
    Q_OBJECT
public:
    explicit NginxProcess(QObject *parent = nullptr);
    ~NginxProcess() override;

    // Starts nginx proxying to 127.0.0.1:<each of upstreamPorts>; false (with a warning) if not.
    bool start(const QList<quint16> &upstreamPorts);
    void stop();
    QUrl baseUrl() const { return m_url; }
    QString errorLog() const;

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    QUrl m_url;
};
