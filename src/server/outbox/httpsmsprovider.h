#pragma once

#include "smsprovider.h"

#include <QNetworkAccessManager>
#include <QUrl>

// Delivers to an HTTP gateway: POST <url> with a JSON body {"to", "body", "reference"} and the
// headers Content-Type: application/json and Idempotency-Key. 2xx = accepted (an "id" or "sid"
// member in a JSON answer is kept as the provider's message id); 408, 429, 5xx, timeouts and
// network errors = transient (Retry-After honoured); any other 4xx = rejected for good.
// lookup() asks GET <url>/<percent-encoded key>: 2xx = known (its "id" or "sid" kept), 404 =
// unknown, 405 or 501 = the gateway has no such route; anything else, timeouts and network
// errors = failed (ask again later).
class HttpSmsProvider : public SmsProvider
{
    Q_OBJECT
public:
    HttpSmsProvider(QUrl url, int timeoutMs, QObject *parent = nullptr);
    void send(const Message &message) override;
    void lookup(const Message &message) override;

private:
    QNetworkAccessManager m_network;
    const QUrl m_url;
    const int m_timeoutMs;
};
