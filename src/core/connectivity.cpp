#include "connectivity.h"

#include "logging.h"

#include <QNetworkInformation>

Connectivity::Connectivity(QObject *parent)
    : QObject(parent)
{
    if (QNetworkInformation::loadBackendByFeatures(QNetworkInformation::Feature::Reachability)) {
        QNetworkInformation *info = QNetworkInformation::instance();
        const auto fromReachability = [](QNetworkInformation::Reachability r) {
            return r != QNetworkInformation::Reachability::Disconnected;
        };
        m_networkUp = fromReachability(info->reachability());
        connect(info, &QNetworkInformation::reachabilityChanged, this,
            [this, fromReachability](
                auto r) { update(fromReachability(r), m_serverReachable || fromReachability(r)); });
    } else {
        qCInfo(lcSync)
            << "no network information backend: judging reachability by the server alone";
    }
}

void Connectivity::reportServer(bool reachable)
{
    update(m_networkUp || reachable, reachable);
}

void Connectivity::update(bool networkUp, bool serverReachable)
{
    const bool before = isOnline();
    m_networkUp = networkUp;
    m_serverReachable = serverReachable;
    if (isOnline() == before)
        return;
    qCInfo(lcSync) << (isOnline() ? "online" : "offline") << "(network"
                   << (m_networkUp ? "up," : "down,") << "server"
                   << (m_serverReachable ? "reachable)" : "unreachable)");
    emit onlineChanged(isOnline());
}
