#pragma once

#include <QObject>

// The one owner of "online": whether the server can be reached. QNetworkInformation's
// reachability where a backend loads (a hint only — headless it may say "online" with no route
// anywhere), and above all the evidence of those who talk to the server: a request answered or
// not (the API client, the mutation engine), the realtime socket joined. Everyone who acts on
// it (the engine drains when it turns online) or shows it reads it here.
class Connectivity : public QObject
{
    Q_OBJECT
public:
    explicit Connectivity(QObject *parent = nullptr);

    bool isOnline() const { return m_networkUp && m_serverReachable; }
    bool isNetworkUp() const { return m_networkUp; }

    // Evidence. A request was answered (any HTTP status) or failed without an answer.
    void reportServer(bool reachable);
    // The realtime socket joined its channels: the server is there.
    void reportRealtimeLive() { reportServer(true); }
    // The user asks to send now: the server counts as reachable until an answer says otherwise.
    void retryRequested() { reportServer(true); }

signals:
    void onlineChanged(bool online);

private:
    void update(bool networkUp, bool serverReachable);

    bool m_networkUp = true;
    bool m_serverReachable = true;
};
