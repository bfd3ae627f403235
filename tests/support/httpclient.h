#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QString>
#include <QUrl>
#include <utility>

// What a test needs of one HTTP exchange.
struct HttpResult
{
    int status = 0; // 0: no HTTP answer (see error)
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QByteArray body;
    QList<std::pair<QByteArray, QByteArray>> headers;

    QJsonObject json() const;
    QByteArray header(const QByteArray &name) const; // case-insensitive; null when absent
    QString code() const { return json().value(QStringLiteral("code")).toString(); }
};

// A blocking-looking HTTP client for tests: each call runs the event loop (QSignalSpy::wait)
// until the reply finishes.
class HttpClient
{
public:
    using Headers = QList<std::pair<QByteArray, QByteArray>>;

    explicit HttpClient(QUrl base);

    void setBaseUrl(QUrl base) { m_base = std::move(base); }
    QUrl baseUrl() const { return m_base; }
    void setToken(const QString &token) { m_token = token; }
    QString token() const { return m_token; }

    HttpResult get(const QString &path, const Headers &headers = {});
    HttpResult post(const QString &path, const QByteArray &body, const Headers &headers = {},
        const QByteArray &contentType = "application/json");
    // POST a JSON object with an Idempotency-Key (none when `key` is empty).
    HttpResult postJson(const QString &path, const QJsonObject &body, const QString &key = {});
    HttpResult send(const QByteArray &method, const QString &path, const QByteArray &body,
        const Headers &headers, const QByteArray &contentType = {});

    // Logs in (demo password by default), keeps and returns the access token.
    QString login(const QString &email, const QString &password = QStringLiteral("syncloop-demo"));
    QJsonObject lastLogin() const { return m_lastLogin; }

    static QString newKey(); // a fresh UUID

private:
    QNetworkAccessManager m_network;
    QUrl m_base;
    QString m_token;
    QJsonObject m_lastLogin;
};
