#include "nginxprocess.h"

#include <QDir>
#include <QFile>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

namespace {

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort(); // closed again here; nginx takes it a moment later
}

QString configFor(const QString &dir, quint16 port, const QList<quint16> &upstreams)
{
    QString servers;
    for (quint16 p : upstreams)
        servers
            += QStringLiteral("        server 127.0.0.1:%1 max_fails=1 fail_timeout=2s;\n").arg(p);
    return QStringLiteral("worker_processes 1;\n"
                          "error_log %1/error.log warn;\n"
                          "pid %1/nginx.pid;\n"
                          "events { worker_connections 4096; }\n"
                          "http {\n"
                          "    access_log off;\n"
                          "    client_body_temp_path %1/body;\n"
                          "    proxy_temp_path %1/proxy;\n"
                          "    fastcgi_temp_path %1/fastcgi;\n"
                          "    uwsgi_temp_path %1/uwsgi;\n"
                          "    scgi_temp_path %1/scgi;\n"
                          "    map $http_upgrade $connection_upgrade { default upgrade; '' ''; }\n"
                          "    upstream syncloop {\n"
                          "%3"
                          "        keepalive 32;\n"
                          "    }\n"
                          "    server {\n"
                          "        listen 127.0.0.1:%2;\n"
                          "        client_max_body_size 2m;\n"
                          "        location / {\n"
                          "            proxy_pass http://syncloop;\n"
                          "            proxy_http_version 1.1;\n"
                          "            proxy_set_header Host $host;\n"
                          "            proxy_set_header Upgrade $http_upgrade;\n"
                          "            proxy_set_header Connection $connection_upgrade;\n"
                          "            proxy_read_timeout 120s;\n"
                          "            proxy_next_upstream error timeout;\n"
                          "        }\n"
                          "    }\n"
                          "}\n")
        .arg(dir)
        .arg(port)
        .arg(servers);
}

} // namespace

NginxProcess::NginxProcess(QObject *parent)
    : QObject(parent)
{ }

NginxProcess::~NginxProcess()
{
    stop();
}

bool NginxProcess::start(const QList<quint16> &upstreamPorts)
{
    QString nginx = QStandardPaths::findExecutable(QStringLiteral("nginx"));
    if (nginx.isEmpty())
        nginx = QStandardPaths::findExecutable(
            QStringLiteral("nginx"), { QStringLiteral("/usr/sbin") });
    if (nginx.isEmpty()) {
        qWarning("nginx not found; install it (packaging/install-deps.sh)");
        return false;
    }
    for (int attempt = 0; attempt < 5; ++attempt) {
        const quint16 port = freePort();
        const QString conf = QDir(m_dir.path()).filePath(QStringLiteral("nginx.conf"));
        QFile file(conf);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)
            || file.write(configFor(m_dir.path(), port, upstreamPorts).toUtf8()) < 0)
            return false;
        file.close();
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.start(nginx,
            { QStringLiteral("-p"), m_dir.path(), QStringLiteral("-c"), conf, QStringLiteral("-g"),
                QStringLiteral("daemon off;") });
        if (!m_process.waitForStarted(5000))
            return false;
        const bool up = QTest::qWaitFor(
            [&] {
                if (m_process.state() != QProcess::Running)
                    return true;
                QTcpSocket probe;
                probe.connectToHost(QHostAddress::LocalHost, port);
                return probe.waitForConnected(100);
            },
            5000);
        if (up && m_process.state() == QProcess::Running) {
            m_url = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port));
            return true;
        }
        qWarning().noquote() << "nginx did not start:" << m_process.readAll() << errorLog();
        stop();
    }
    return false;
}

void NginxProcess::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.terminate(); // SIGTERM: nginx's fast shutdown, workers included
    if (!m_process.waitForFinished(5000)) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

QString NginxProcess::errorLog() const
{
    QFile file(QDir(m_dir.path()).filePath(QStringLiteral("error.log")));
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll().right(4000))
                                          : QString();
}
