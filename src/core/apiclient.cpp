#include "apiclient.h"

#include "apireply.h"
#include "logging.h"

#include <QJsonDocument>
#include <QNetworkReply>
#include <QRandomGenerator>
#include <algorithm>
#include <limits>

namespace {
constexpr int maxBusyRetries = 8;
}

ApiClient::ApiClient(QUrl baseUrl, QObject *parent)
    : QObject(parent)
    , m_network(this)
    , m_baseUrl(std::move(baseUrl))
{
    m_proactiveRefresh.setSingleShot(true);
    connect(&m_proactiveRefresh, &QTimer::timeout, this, &ApiClient::refreshSession);
}

ApiReply *ApiClient::get(const QString &path)
{
    return start({ "GET", path, {}, {}, true, false });
}

ApiReply *ApiClient::post(
    const QString &path, const QJsonObject &body, const QString &idempotencyKey)
{
    return start({ "POST", path, QJsonDocument(body).toJson(QJsonDocument::Compact), idempotencyKey,
        true, false });
}

ApiReply *ApiClient::login(const QString &email, const QString &password)
{
    const QJsonObject body { { QStringLiteral("email"), email },
        { QStringLiteral("password"), password } };
    ApiReply *reply = start({ "POST", QStringLiteral("/api/auth/login"),
        QJsonDocument(body).toJson(QJsonDocument::Compact), {}, false, false });
    connect(reply, &ApiReply::finished, this, [this, reply] {
        if (reply->isSuccess() && takeSession(reply->json()))
            emit signedIn();
    });
    return reply;
}

ApiReply *ApiClient::resume(const QString &refreshToken)
{
    m_refreshToken = refreshToken;
    const QJsonObject body { { QStringLiteral("refresh_token"), refreshToken } };
    ApiReply *reply = start({ "POST", QStringLiteral("/api/auth/refresh"),
        QJsonDocument(body).toJson(QJsonDocument::Compact), {}, false, false });
    connect(reply, &ApiReply::finished, this, [this, reply] {
        if (reply->isSuccess() && takeSession(reply->json()))
            emit signedIn();
        else if (reply->error().kind == ApiError::Kind::Unauthorized)
            signOut();
    });
    return reply;
}

void ApiClient::signOut()
{
    const bool wasSignedIn = isSignedIn() || !m_refreshToken.isEmpty();
    m_proactiveRefresh.stop();
    m_accessToken.clear();
    m_refreshToken.clear();
    m_user = {};
    if (wasSignedIn)
        emit signedOut(tr("Signed out: sign in again to send your changes."));
}

void ApiClient::refreshSession()
{
    if (!m_refreshToken.isEmpty())
        refreshThen([](bool) {});
}

bool ApiClient::takeSession(const QJsonObject &json)
{
    const QString access = json.value(QStringLiteral("access_token")).toString();
    const QString refresh = json.value(QStringLiteral("refresh_token")).toString();
    if (access.isEmpty() || refresh.isEmpty())
        return false;
    const QJsonObject user = json.value(QStringLiteral("user")).toObject();
    m_user = { user.value(QStringLiteral("id")).toString(),
        user.value(QStringLiteral("email")).toString(),
        user.value(QStringLiteral("role")).toString(),
        user.value(QStringLiteral("org_id")).toString() };
    m_accessToken = access;
    // Refresh before the token ends, so a realtime channel never sees it expire (and REST
    // never pays a 401 round trip); a 401 still refreshes if this one is late.
    const qint64 expiresInS = json.value(QStringLiteral("expires_in")).toInteger();
    if (expiresInS > 0 && m_refreshAtFraction > 0) {
        // A token's exp is in whole seconds (it may end up to 1 s sooner than expires_in says),
        // and the refresh takes a round trip: keep 1.5 s in hand however short the token.
        double atMs = double(expiresInS) * 1000 * m_refreshAtFraction;
        if (expiresInS * 1000 - 1500 > 0)
            atMs = std::min(atMs, double(expiresInS * 1000 - 1500));
        m_proactiveRefresh.start(int(std::min<double>(atMs, std::numeric_limits<int>::max())));
    }
    emit accessTokenChanged(access);
    if (refresh != m_refreshToken) {
        m_refreshToken = refresh;
        emit refreshTokenChanged(refresh);
    }
    return true;
}

ApiReply *ApiClient::start(Request request)
{
    auto *reply = new ApiReply(this);
    send(std::move(request), reply);
    return reply;
}

void ApiClient::send(Request request, const QPointer<ApiReply> &reply)
{
    QUrl url = m_baseUrl;
    const qsizetype q = request.path.indexOf(QLatin1Char('?'));
    url.setPath(m_baseUrl.path() + (q < 0 ? request.path : request.path.left(q)));
    if (q >= 0)
        url.setQuery(request.path.mid(q + 1));
    QNetworkRequest r(url);
    r.setTransferTimeout(m_timeoutMs);
    r.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    if (request.authenticated && !m_accessToken.isEmpty())
        r.setRawHeader("Authorization", "Bearer " + m_accessToken.toLatin1());
    if (!request.idempotencyKey.isEmpty())
        r.setRawHeader("Idempotency-Key", request.idempotencyKey.toLatin1());
    if (request.method == "POST")
        r.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    QNetworkReply *network = m_network.sendCustomRequest(r, request.method, request.body);
    connect(network, &QNetworkReply::finished, this,
        [this, network, request = std::move(request), reply] {
            onFinished(network, request, reply);
        });
}

void ApiClient::onFinished(QNetworkReply *network, Request request, const QPointer<ApiReply> &reply)
{
    network->deleteLater();
    const int status = network->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray body = network->readAll();
    emit serverReachable(status != 0);
    const QByteArray window = network->rawHeader("Idempotency-Window");
    if (!window.isEmpty()) {
        bool ok = false;
        const qint64 seconds = window.toLongLong(&ok);
        if (ok && seconds > 0 && seconds != m_windowSeconds) {
            m_windowSeconds = seconds;
            emit idempotencyWindowChanged(seconds);
        }
    }
    if (!reply)
        return;
    // 401 on a signed request: refresh once (shared by every request waiting), then resend.
    if (status == 401 && request.authenticated && !request.retriedAfterRefresh
        && !m_refreshToken.isEmpty()) {
        request.retriedAfterRefresh = true;
        refreshThen([this, request, reply, body](bool ok) {
            if (ok) {
                send(request, reply);
            } else if (reply) {
                reply->finish(
                    401, body, {}, ApiError::classify(QNetworkReply::NoError, 401, body, {}));
            }
        });
        return;
    }
    // A sign-in or refresh the server had no hashing slot for (503, Retry-After): a person
    // signing in at the same moment as another should not see "busy"; try again a few times.
    if (status == 503 && !request.authenticated && request.busyRetries < maxBusyRetries) {
        ++request.busyRetries;
        bool ok = false;
        const int retryAfterS = network->rawHeader("Retry-After").toInt(&ok);
        // Jittered, so clients turned away together do not come back together.
        const int baseMs = std::clamp(ok ? retryAfterS * 1000 : 0, 200, 2000);
        const int delayMs = baseMs / 2 + int(QRandomGenerator::global()->bounded(baseMs));
        QTimer::singleShot(delayMs, this, [this, request, reply] {
            if (reply)
                send(request, reply);
        });
        return;
    }
    QList<QPair<QByteArray, QByteArray>> headers;
    for (const auto &pair : network->rawHeaderPairs())
        headers.append({ pair.first, pair.second });
    const ApiError error = ApiError::classify(
        network->error(), status, body, network->rawHeader("Retry-After"), network->errorString());
    if (error.kind == ApiError::Kind::Unauthorized && request.authenticated)
        signOut();
    reply->finish(status, body, std::move(headers), error);
}

void ApiClient::refreshThen(std::function<void(bool)> next)
{
    m_afterRefresh.push_back(std::move(next));
    if (m_refreshing)
        return;
    m_refreshing = true;
    if (!m_refreshTokenSource) {
        postRefresh();
        return;
    }
    m_refreshTokenSource([this, guard = QPointer<ApiClient>(this)](const QString &kept) {
        if (!guard)
            return;
        if (!kept.isEmpty() && kept != m_refreshToken) {
            qCInfo(lcApi) << "refreshing with the session another program kept";
            m_refreshToken = kept;
        }
        postRefresh();
    });
}

void ApiClient::postRefresh()
{
    const QJsonObject body { { QStringLiteral("refresh_token"), m_refreshToken } };
    ApiReply *refresh = start({ "POST", QStringLiteral("/api/auth/refresh"),
        QJsonDocument(body).toJson(QJsonDocument::Compact), {}, false, false });
    connect(refresh, &ApiReply::finished, this, [this, refresh] {
        const bool ok = refresh->isSuccess() && takeSession(refresh->json());
        m_refreshing = false;
        if (!ok) {
            qCInfo(lcApi) << "token refresh failed:" << refresh->error();
            if (refresh->error().kind == ApiError::Kind::Unauthorized)
                signOut();
        }
        auto waiting = std::move(m_afterRefresh);
        m_afterRefresh.clear();
        for (auto &callback : waiting)
            callback(ok);
    });
}
