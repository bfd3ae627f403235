#pragma once

#include <QObject>

// Whether the server can be reached: QNetworkInformation's reachability where a backend loads
// (a hint only — headless it may say "online" with no route anywhere), and above all what the
// server itself shows: a request answered or not, the realtime socket up or not.
class Connectivity : public QObject
{
    Q_OBJECT
public:
    explicit Connectivity(QObject *parent = nullptr);

    bool isOnline() const { return m_networkUp && m_serverReachable; }
    bool isNetworkUp() const { return m_networkUp; }
    void reportServer(bool reachable);

signals:
    void onlineChanged(bool online);

private:
    void update(bool networkUp, bool serverReachable);

    bool m_networkUp = true;
    bool m_serverReachable = true;
};
