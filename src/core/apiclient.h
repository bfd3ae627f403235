#pragma once

#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrl>
#include <functional>
#include <vector>

class ApiReply;

// The one HTTP client of the core: a QNetworkAccessManager, the server's base URL, the
// session's tokens. Every request gets a timeout and, on a 401, one retry after a single
// shared token refresh; a failed refresh signs the session out (signedOut()).
class ApiClient : public QObject
{
    Q_OBJECT
public:
    struct User
    {
        QString id;
        QString email;
        QString role;
        QString orgId;
    };

    explicit ApiClient(QUrl baseUrl, QObject *parent = nullptr);

    QUrl baseUrl() const { return m_baseUrl; }
    void setBaseUrl(const QUrl &url) { m_baseUrl = url; }
    void setTimeoutMs(int ms) { m_timeoutMs = ms; }

    ApiReply *get(const QString &path);
    // POST with a JSON body; `idempotencyKey` empty for routes that take none.
    ApiReply *post(
        const QString &path, const QJsonObject &body, const QString &idempotencyKey = {});

    // Signs in; on success the session holds the tokens and signedIn() is emitted.
    ApiReply *login(const QString &email, const QString &password);
    // Signs in with a stored refresh token (from the keychain).
    ApiReply *resume(const QString &refreshToken);
    void signOut();
    // Trades the refresh token for a new access token now (e.g. the realtime server said the
    // current one expired); accessTokenChanged() follows on success.
    void refreshSession();
    // Where a newer refresh token may be kept: another program sharing the keychain entry (the
    // desktop app and syncloopctl do) may have rotated ours, and presenting the old one again
    // would revoke the whole family. Asked before every refresh; `done` gets the kept token
    // (empty: none kept, use ours).
    using RefreshTokenSource = std::function<void(std::function<void(const QString &kept)> done)>;
    void setRefreshTokenSource(RefreshTokenSource source)
    {
        m_refreshTokenSource = std::move(source);
    }
    // When, in the access token's life, to refresh it unasked (default 0.8); 0: only when a
    // request meets a 401 or the realtime server says it expired.
    void setRefreshAtFraction(double fraction) { m_refreshAtFraction = fraction; }

    bool isSignedIn() const { return !m_accessToken.isEmpty(); }
    QString accessToken() const { return m_accessToken; }
    QString refreshToken() const { return m_refreshToken; }
    User user() const { return m_user; }
    // The server's advertised idempotency window, in seconds (24 h until one is seen).
    qint64 idempotencyWindowSeconds() const { return m_windowSeconds; }

signals:
    void signedIn();
    void signedOut(const QString &reason);
    // A new refresh token (login or rotation): the credential store keeps it.
    void refreshTokenChanged(const QString &token);
    void accessTokenChanged(const QString &token);
    // Every finished request tells whether the server answered at all.
    void serverReachable(bool reachable);
    void idempotencyWindowChanged(qint64 seconds);

private:
    struct Request
    {
        QByteArray method;
        QString path;
        QByteArray body;
        QString idempotencyKey;
        bool authenticated = true;
        bool retriedAfterRefresh = false;
        int busyRetries = 0; // sign-in answered 503: the server's password hashing was busy
    };

    ApiReply *start(Request request);
    void send(Request request, const QPointer<ApiReply> &reply);
    void onFinished(QNetworkReply *network, Request request, const QPointer<ApiReply> &reply);
    void refreshThen(std::function<void(bool ok)> next);
    void postRefresh();
    bool takeSession(const QJsonObject &json);

    QNetworkAccessManager m_network;
    QUrl m_baseUrl;
    int m_timeoutMs = 15000;
    QTimer m_proactiveRefresh; // at ~80 % of the access token's life, before anyone meets a 401
    double m_refreshAtFraction = 0.8;
    QString m_accessToken;
    QString m_refreshToken;
    User m_user;
    qint64 m_windowSeconds = 86400;
    bool m_refreshing = false;
    RefreshTokenSource m_refreshTokenSource;
    std::vector<std::function<void(bool)>> m_afterRefresh;
};
