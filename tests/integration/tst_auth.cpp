// Authentication and authorisation against a real syncloopd: login, HS256 access tokens (the
// test mints its own with the server's secret, so forged and broken tokens are meaningful),
// refresh-token rotation with reuse detection, roles, and row visibility across owners and
// organisations.
#include "dbinspector.h"
#include "demodata.h"
#include "httpclient.h"
#include "serverprocess.h"
#include "testjwt.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMessageAuthenticationCode>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

namespace {

const QByteArray jwtSecret = "syncloop-test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
const QByteArray otherSecret = "not-the-server-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

using TestJwt::base64Url;
using TestJwt::hs256Header;

QByteArray encodeJson(const QJsonObject &object)
{
    return base64Url(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QJsonObject decodePart(const QByteArray &token, int index)
{
    const QByteArray part = token.split('.').value(index);
    return QJsonDocument::fromJson(QByteArray::fromBase64(part, QByteArray::Base64UrlEncoding))
        .object();
}

qint64 nowSeconds()
{
    return QDateTime::currentSecsSinceEpoch();
}

QString refreshHash(const QString &token)
{
    return QString::fromLatin1(
        QCryptographicHash::hash(token.toUtf8(), QCryptographicHash::Sha256).toHex());
}

} // namespace

class TestAuth : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_secretDir;
    std::unique_ptr<ServerProcess> m_server;
    std::unique_ptr<DbInspector> m_db;
    QJsonObject m_agent1User; // {id, email, role, org_id} from the login answer
    QJsonObject m_agent2User;
    QJsonObject m_adminUser;

    static QJsonObject userOf(HttpClient &c)
    {
        return c.lastLogin().value(QStringLiteral("user")).toObject();
    }

    QJsonObject claimsFor(const QJsonObject &user, qint64 expiresAt) const
    {
        const qint64 now = nowSeconds();
        return {
            { QStringLiteral("sub"), user.value(QStringLiteral("id")).toString() },
            { QStringLiteral("role"), user.value(QStringLiteral("role")).toString() },
            { QStringLiteral("org"), user.value(QStringLiteral("org_id")).toString() },
            { QStringLiteral("email"), user.value(QStringLiteral("email")).toString() },
            { QStringLiteral("iat"), now },
            { QStringLiteral("exp"), expiresAt },
        };
    }

    // GET /api/bookings with this bearer token.
    HttpResult listWith(const QByteArray &token) const
    {
        HttpClient c(m_server->baseUrl());
        return c.get(QStringLiteral("/api/bookings"), { { "Authorization", "Bearer " + token } });
    }

    static void verifyUnauthorized(
        const HttpResult &r, const QString &code = QStringLiteral("unauthorized"))
    {
        QCOMPARE(r.status, 401);
        QCOMPARE(r.header("Content-Type"), QByteArray("application/problem+json"));
        QCOMPARE(r.code(), code);
        QCOMPARE(r.json().value(QStringLiteral("retryable")).toBool(true), false);
    }

    HttpResult refresh(const QString &refreshToken) const
    {
        HttpClient c(m_server->baseUrl());
        return c.postJson(QStringLiteral("/api/auth/refresh"),
            { { QStringLiteral("refresh_token"), refreshToken } });
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_secretDir.isValid());
        const QString secretPath = QDir(m_secretDir.path()).filePath(QStringLiteral("jwt-secret"));
        QFile secret(secretPath);
        QVERIFY(secret.open(QIODevice::WriteOnly,
            QFileDevice::ReadOwner | QFileDevice::WriteOwner)); // private, or refused
        QCOMPARE(secret.write(jwtSecret), jwtSecret.size());
        secret.close();
        QVERIFY(jwtSecret.size() >= 40);

        ServerProcess::Options options;
        options.extraArgs = QStringList { QStringLiteral("--jwt-secret-file"), secretPath };
        m_server = std::make_unique<ServerProcess>(options);
        QVERIFY(m_server->start());
        m_db = std::make_unique<DbInspector>(m_server->databasePath());

        for (auto [email, user] : { std::pair { DemoData::agent1, &m_agent1User },
                 std::pair { DemoData::agent2, &m_agent2User },
                 std::pair { DemoData::admin, &m_adminUser } }) {
            HttpClient c(m_server->baseUrl());
            QVERIFY2(!c.login(email).isEmpty(), qPrintable(email));
            *user = userOf(c);
        }
        // The server kept our secret: it did not generate its own in the data directory.
        QVERIFY(!QFile::exists(m_server->jwtSecretPath()));
    }

    void loginAnswersTokensAndUser()
    {
        HttpClient c(m_server->baseUrl());
        const qint64 before = nowSeconds();
        const HttpResult r = c.postJson(QStringLiteral("/api/auth/login"),
            { { QStringLiteral("email"), DemoData::agent1 },
                { QStringLiteral("password"), QStringLiteral("syncloop-demo") } });
        QCOMPARE(r.status, 200);
        const QJsonObject body = r.json();
        const QString access = body.value(QStringLiteral("access_token")).toString();
        const QString refreshToken = body.value(QStringLiteral("refresh_token")).toString();
        QVERIFY(!access.isEmpty());
        QVERIFY(!refreshToken.isEmpty());
        QVERIFY(refreshToken != access);
        QCOMPARE(body.value(QStringLiteral("expires_in")).toInteger(), 900);
        QVERIFY(body.value(QStringLiteral("expires_in")).toInteger() <= 15LL * 60);
        QCOMPARE(body.value(QStringLiteral("token_type")).toString().toLower(),
            QStringLiteral("bearer"));
        const QJsonObject user = body.value(QStringLiteral("user")).toObject();
        QVERIFY(!QUuid::fromString(user.value(QStringLiteral("id")).toString()).isNull());
        QCOMPARE(user.value(QStringLiteral("email")).toString(), DemoData::agent1);
        QCOMPARE(user.value(QStringLiteral("role")).toString(), QStringLiteral("agent"));

        // The access token is an HS256 JWT for this user that expires in 15 minutes, signed
        // with the secret we gave the server.
        const QByteArray token = access.toLatin1();
        QCOMPARE(token.count('.'), 2);
        QCOMPARE(
            decodePart(token, 0).value(QStringLiteral("alg")).toString(), QStringLiteral("HS256"));
        const QJsonObject claims = decodePart(token, 1);
        QCOMPARE(claims.value(QStringLiteral("sub")).toString(),
            user.value(QStringLiteral("id")).toString());
        QCOMPARE(claims.value(QStringLiteral("role")).toString(), QStringLiteral("agent"));
        QCOMPARE(claims.value(QStringLiteral("email")).toString(), DemoData::agent1);
        const qint64 iat = claims.value(QStringLiteral("iat")).toInteger();
        QCOMPARE(claims.value(QStringLiteral("exp")).toInteger() - iat, 900);
        QVERIFY(iat >= before - 1 && iat <= nowSeconds() + 1);
        const QByteArray signingInput = token.left(token.lastIndexOf('.'));
        QCOMPARE(token.mid(token.lastIndexOf('.') + 1),
            base64Url(QMessageAuthenticationCode::hash(
                signingInput, jwtSecret, QCryptographicHash::Sha256)));

        // Effects: the refresh token is stored hashed (never in clear), and the access token works.
        QCOMPARE(
            m_db->scalar(
                QStringLiteral(
                    "SELECT COUNT(*) FROM refresh_tokens WHERE token_hash = ? AND user_id = ?"),
                { refreshHash(refreshToken), user.value(QStringLiteral("id")).toString() }),
            1);
        QCOMPARE(
            m_db->scalar(QStringLiteral("SELECT COUNT(*) FROM refresh_tokens WHERE token_hash = ?"),
                { refreshToken }),
            0);
        QCOMPARE(listWith(token).status, 200);
    }

    void wrongPasswordAndUnknownEmailLookTheSame()
    {
        HttpClient c(m_server->baseUrl());
        const qint64 tokensBefore
            = m_db->scalar(QStringLiteral("SELECT COUNT(*) FROM refresh_tokens"));
        const HttpResult wrongPassword = c.postJson(QStringLiteral("/api/auth/login"),
            { { QStringLiteral("email"), DemoData::agent1 },
                { QStringLiteral("password"), QStringLiteral("syncloop-demo!") } });
        const HttpResult unknownEmail = c.postJson(QStringLiteral("/api/auth/login"),
            { { QStringLiteral("email"), QStringLiteral("nobody@example.com") },
                { QStringLiteral("password"), QStringLiteral("syncloop-demo") } });
        verifyUnauthorized(wrongPassword, QStringLiteral("invalid_credentials"));
        verifyUnauthorized(unknownEmail, QStringLiteral("invalid_credentials"));
        // Nothing tells an attacker which of the two was wrong.
        QCOMPARE(wrongPassword.body, unknownEmail.body);
        QVERIFY(!wrongPassword.json().contains(QStringLiteral("access_token")));
        QCOMPARE(m_db->scalar(QStringLiteral("SELECT COUNT(*) FROM refresh_tokens")), tokensBefore);
    }

    void missingAuthorizationIsChallenged()
    {
        HttpClient anonymous(m_server->baseUrl());
        for (const QString &path : { QStringLiteral("/api/bookings"), QStringLiteral("/api/leads"),
                 QStringLiteral("/api/admin/sync-health") }) {
            const HttpResult r = anonymous.get(path);
            verifyUnauthorized(r);
            QVERIFY2(r.header("WWW-Authenticate").startsWith("Bearer"), qPrintable(path));
        }
        const HttpResult basic = anonymous.get(
            QStringLiteral("/api/bookings"), { { "Authorization", "Basic YWdlbnQxOnN5bmNsb29w" } });
        verifyUnauthorized(basic);
        QVERIFY(basic.header("WWW-Authenticate").startsWith("Bearer"));
    }

    // The positive control for every forged token below: our minting matches the server's.
    void tokenMintedWithTheServerSecretWorks()
    {
        const QByteArray token
            = TestJwt::mint(hs256Header(), claimsFor(m_agent1User, nowSeconds() + 300), jwtSecret);
        const HttpResult r = listWith(token);
        QCOMPARE(r.status, 200);
        const QJsonArray rows = r.json().value(QStringLiteral("bookings")).toArray();
        QVERIFY(!rows.isEmpty());
        for (const QJsonValue &row : rows)
            QCOMPARE(row.toObject().value(QStringLiteral("owner_id")).toString(),
                m_agent1User.value(QStringLiteral("id")).toString());
        // And the minted admin token is an admin's.
        const QByteArray admin
            = TestJwt::mint(hs256Header(), claimsFor(m_adminUser, nowSeconds() + 300), jwtSecret);
        HttpClient c(m_server->baseUrl());
        QCOMPARE(c.get(QStringLiteral("/api/admin/sync-health"),
                      { { "Authorization", "Bearer " + admin } })
                     .status,
            200);
    }

    void expiredTokenIsRefused()
    {
        const QByteArray expired
            = TestJwt::mint(hs256Header(), claimsFor(m_agent1User, nowSeconds() - 60), jwtSecret);
        const HttpResult r = listWith(expired);
        verifyUnauthorized(r);
        QVERIFY(r.header("WWW-Authenticate").startsWith("Bearer"));
        QVERIFY(r.json()
                    .value(QStringLiteral("detail"))
                    .toString()
                    .contains(QStringLiteral("expired")));
    }

    void tokenWithoutExpiryIsRefused()
    {
        QJsonObject claims = claimsFor(m_agent1User, 0);
        claims.remove(QStringLiteral("exp"));
        verifyUnauthorized(listWith(TestJwt::mint(hs256Header(), claims, jwtSecret)));
    }

    void tamperedPayloadIsRefused()
    {
        HttpClient agent(m_server->baseUrl());
        const QByteArray genuine = agent.login(DemoData::agent1).toLatin1();
        QVERIFY(!genuine.isEmpty());
        // The genuine token is an agent's: admin routes answer 403, not 401.
        QCOMPARE(agent.get(QStringLiteral("/api/admin/sync-health")).status, 403);

        QList<QByteArray> parts = genuine.split('.');
        QJsonObject claims = decodePart(genuine, 1);
        QCOMPARE(claims.value(QStringLiteral("role")).toString(), QStringLiteral("agent"));
        claims.insert(QStringLiteral("role"), QStringLiteral("admin"));
        parts[1] = encodeJson(claims);
        const QByteArray tampered = parts.join('.');

        HttpClient c(m_server->baseUrl());
        const HttpResult health = c.get(QStringLiteral("/api/admin/sync-health"),
            { { "Authorization", "Bearer " + tampered } });
        verifyUnauthorized(health);
        verifyUnauthorized(listWith(tampered));
    }

    void unsignedAlgNoneTokenIsRefused()
    {
        const QJsonObject header { { QStringLiteral("alg"), QStringLiteral("none") },
            { QStringLiteral("typ"), QStringLiteral("JWT") } };
        const QByteArray unsignedToken = encodeJson(header) + '.'
            + encodeJson(claimsFor(m_adminUser, nowSeconds() + 300)) + '.';
        verifyUnauthorized(listWith(unsignedToken));
        // Also without the trailing dot, and with "None" spelt differently.
        verifyUnauthorized(listWith(unsignedToken.chopped(1)));
        const QJsonObject capitalised { { QStringLiteral("alg"), QStringLiteral("None") } };
        verifyUnauthorized(listWith(encodeJson(capitalised) + '.'
            + encodeJson(claimsFor(m_adminUser, nowSeconds() + 300)) + '.'));
    }

    void tokenSignedWithAnotherKeyIsRefused()
    {
        verifyUnauthorized(listWith(TestJwt::mint(
            hs256Header(), claimsFor(m_agent1User, nowSeconds() + 300), otherSecret)));
    }

    void otherAlgorithmWithTheRightKeyIsRefused()
    {
        // The header's alg is never trusted: HS384 with the right secret is still refused.
        const QJsonObject header { { QStringLiteral("alg"), QStringLiteral("HS384") },
            { QStringLiteral("typ"), QStringLiteral("JWT") } };
        verifyUnauthorized(listWith(TestJwt::mint(header,
            claimsFor(m_agent1User, nowSeconds() + 300), jwtSecret, QCryptographicHash::Sha384)));
    }

    void tokenWithAnUnknownRoleIsRefused()
    {
        QJsonObject claims = claimsFor(m_agent1User, nowSeconds() + 300);
        claims.insert(QStringLiteral("role"), QStringLiteral("superuser"));
        verifyUnauthorized(listWith(TestJwt::mint(hs256Header(), claims, jwtSecret)));
    }

    void refreshRotatesAndReuseRevokesTheFamily()
    {
        HttpClient c(m_server->baseUrl());
        QVERIFY(!c.login(DemoData::agent2).isEmpty());
        const QString first = c.lastLogin().value(QStringLiteral("refresh_token")).toString();
        QVERIFY(!first.isEmpty());
        // Another session of the same user: a different family, which must survive.
        HttpClient other(m_server->baseUrl());
        QVERIFY(!other.login(DemoData::agent2).isEmpty());
        const QString otherRefresh
            = other.lastLogin().value(QStringLiteral("refresh_token")).toString();

        const HttpResult rotated = refresh(first);
        QCOMPARE(rotated.status, 200);
        const QString second = rotated.json().value(QStringLiteral("refresh_token")).toString();
        const QString access = rotated.json().value(QStringLiteral("access_token")).toString();
        QVERIFY(!second.isEmpty());
        QVERIFY(second != first);
        QCOMPARE(rotated.json().value(QStringLiteral("expires_in")).toInteger(), 900);
        QCOMPARE(rotated.json()
                     .value(QStringLiteral("user"))
                     .toObject()
                     .value(QStringLiteral("email"))
                     .toString(),
            DemoData::agent2);
        QCOMPARE(listWith(access.toLatin1()).status, 200);

        const HttpResult again = refresh(second);
        QCOMPARE(again.status, 200);
        const QString third = again.json().value(QStringLiteral("refresh_token")).toString();
        QVERIFY(third != second && third != first);

        const QString family = m_db->text(
            QStringLiteral("SELECT family_id FROM refresh_tokens WHERE token_hash = ?"),
            { refreshHash(third) });
        QVERIFY(!family.isEmpty());
        QCOMPARE(
            m_db->scalar(QStringLiteral("SELECT COUNT(*) FROM refresh_tokens WHERE family_id = ?"),
                { family }),
            3);

        // The first token comes back after the reuse interval (aged in the database rather than
        // waited for): reuse. The whole family is signed out.
        QVERIFY(
            m_db->exec(QStringLiteral("UPDATE refresh_tokens SET used_at_ms = used_at_ms - 60000"
                                      " WHERE family_id = ? AND used_at_ms IS NOT NULL"),
                { family }));
        verifyUnauthorized(refresh(first), QStringLiteral("refresh_token_reused"));
        QCOMPARE(m_db->scalar(
                     QStringLiteral(
                         "SELECT COUNT(*) FROM refresh_tokens WHERE family_id = ? AND revoked = 0"),
                     { family }),
            0);
        const HttpResult newest = refresh(third);
        QCOMPARE(newest.status, 401);
        QCOMPARE(newest.header("Content-Type"), QByteArray("application/problem+json"));
        QVERIFY(!newest.json().contains(QStringLiteral("access_token")));
        QCOMPARE(
            m_db->scalar(QStringLiteral("SELECT COUNT(*) FROM refresh_tokens WHERE family_id = ?"),
                { family }),
            3);

        // The other session's family is untouched.
        const HttpResult survivor = refresh(otherRefresh);
        QCOMPARE(survivor.status, 200);
        QVERIFY(!survivor.json().value(QStringLiteral("access_token")).toString().isEmpty());
    }

    // A reply lost after the server rotated, or the app and syncloopctl sharing one keychain
    // entry: the old token, presented again within the reuse interval, gets the same successor.
    void refreshAgainWithinTheReuseIntervalGetsTheSameSuccessor()
    {
        HttpClient c(m_server->baseUrl());
        QVERIFY(!c.login(DemoData::agent1).isEmpty());
        const QString first = c.lastLogin().value(QStringLiteral("refresh_token")).toString();
        const QString family = m_db->text(
            QStringLiteral("SELECT family_id FROM refresh_tokens WHERE token_hash = ?"),
            { refreshHash(first) });
        QVERIFY(!family.isEmpty());
        const QString familyRows
            = QStringLiteral("SELECT COUNT(*) FROM refresh_tokens WHERE family_id = ?");
        const QString revokedRows = QStringLiteral(
            "SELECT COUNT(*) FROM refresh_tokens WHERE family_id = ? AND revoked = 1");

        const HttpResult rotated = refresh(first);
        QCOMPARE(rotated.status, 200);
        const QString second = rotated.json().value(QStringLiteral("refresh_token")).toString();
        QVERIFY(!second.isEmpty() && second != first);

        const HttpResult again = refresh(first);
        QCOMPARE(again.status, 200);
        QCOMPARE(again.json().value(QStringLiteral("refresh_token")).toString(), second);
        const QString access = again.json().value(QStringLiteral("access_token")).toString();
        QCOMPARE(listWith(access.toLatin1()).status, 200);
        // Nothing minted, nothing revoked; the successor is stored hashed, never in clear.
        QCOMPARE(m_db->scalar(familyRows, { family }), 2);
        QCOMPARE(m_db->scalar(revokedRows, { family }), 0);
        QCOMPARE(
            m_db->scalar(QStringLiteral("SELECT COUNT(*) FROM refresh_tokens WHERE token_hash = ?"),
                { second }),
            0);

        // The successor handed out twice is live: it rotates as usual.
        const HttpResult next = refresh(second);
        QCOMPARE(next.status, 200);
        const QString third = next.json().value(QStringLiteral("refresh_token")).toString();
        QVERIFY(third != second && third != first);
        QCOMPARE(m_db->scalar(familyRows, { family }), 3);
        // The first token, still within its interval, leads to the family's live end.
        const HttpResult late = refresh(first);
        QCOMPARE(late.status, 200);
        QCOMPARE(late.json().value(QStringLiteral("refresh_token")).toString(), third);
        QCOMPARE(m_db->scalar(familyRows, { family }), 3);
        QCOMPARE(m_db->scalar(revokedRows, { family }), 0);
    }

    // Rotation is a conditional update: of refreshes racing with one token, one mints the
    // successor and the others get that same successor.
    void concurrentRefreshesMintOneSuccessor()
    {
        HttpClient c(m_server->baseUrl());
        QVERIFY(!c.login(DemoData::agent1).isEmpty());
        const QString first = c.lastLogin().value(QStringLiteral("refresh_token")).toString();
        const QString family = m_db->text(
            QStringLiteral("SELECT family_id FROM refresh_tokens WHERE token_hash = ?"),
            { refreshHash(first) });

        QNetworkAccessManager network;
        QNetworkRequest request(
            m_server->baseUrl().resolved(QUrl(QStringLiteral("/api/auth/refresh"))));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
        const QByteArray body = QJsonDocument(
            QJsonObject { { QStringLiteral("refresh_token"),
                first } }).toJson(QJsonDocument::Compact);
        constexpr int racers
            = 6; // QNetworkAccessManager's connections per host: all in flight at once
        std::vector<std::unique_ptr<QNetworkReply>> replies;
        replies.reserve(racers);
        for (int i = 0; i < racers; ++i)
            replies.emplace_back(network.post(request, body));
        for (const auto &reply : replies)
            QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 15000);
        QSet<QString> successors;
        for (const auto &reply : replies) {
            QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
            successors.insert(QJsonDocument::fromJson(reply->readAll())
                                  .object()
                                  .value(QStringLiteral("refresh_token"))
                                  .toString());
        }
        QCOMPARE(successors.size(), 1);
        QVERIFY(!successors.values().first().isEmpty());
        QCOMPARE(
            m_db->scalar(QStringLiteral("SELECT COUNT(*) FROM refresh_tokens WHERE family_id = ?"),
                { family }),
            2);
        QCOMPARE(
            m_db->scalar(QStringLiteral("SELECT COUNT(*) FROM refresh_tokens WHERE family_id = ?"
                                        " AND used_at_ms IS NOT NULL"),
                { family }),
            1);
        QCOMPARE(
            m_db->scalar(QStringLiteral("SELECT COUNT(*) FROM refresh_tokens WHERE token_hash = ?"),
                { refreshHash(successors.values().first()) }),
            1);
    }

    // --refresh-reuse-interval: once it has passed, the old token is a reuse again.
    void reuseAfterTheIntervalRevokesTheFamily()
    {
        ServerProcess::Options options;
        options.extraArgs
            = QStringList { QStringLiteral("--refresh-reuse-interval"), QStringLiteral("2s") };
        ServerProcess server(options);
        QVERIFY(server.start());
        DbInspector db(server.databasePath());
        HttpClient c(server.baseUrl());
        QVERIFY(!c.login(DemoData::agent1).isEmpty());
        const QString first = c.lastLogin().value(QStringLiteral("refresh_token")).toString();
        auto refreshOn = [&server](const QString &token) {
            HttpClient client(server.baseUrl());
            return client.postJson(QStringLiteral("/api/auth/refresh"),
                { { QStringLiteral("refresh_token"), token } });
        };
        const HttpResult rotated = refreshOn(first);
        QCOMPARE(rotated.status, 200);
        const QString second = rotated.json().value(QStringLiteral("refresh_token")).toString();
        const QString family
            = db.text(QStringLiteral("SELECT family_id FROM refresh_tokens WHERE token_hash = ?"),
                { refreshHash(second) });
        QVERIFY(!family.isEmpty());

        const HttpResult repeat = refreshOn(first);
        QCOMPARE(repeat.status, 200);
        QCOMPARE(repeat.json().value(QStringLiteral("refresh_token")).toString(), second);

        // Within the interval: the same successor, each time. After it: refused as a reuse.
        HttpResult last;
        QTRY_VERIFY_WITH_TIMEOUT((last = refreshOn(first)).status != 200
                || last.json().value(QStringLiteral("refresh_token")).toString() != second,
            15000);
        verifyUnauthorized(last, QStringLiteral("refresh_token_reused"));
        QCOMPARE(
            db.scalar(QStringLiteral("SELECT COUNT(*) FROM refresh_tokens WHERE family_id = ?"),
                { family }),
            2);
        QCOMPARE(db.scalar(
                     QStringLiteral(
                         "SELECT COUNT(*) FROM refresh_tokens WHERE family_id = ? AND revoked = 0"),
                     { family }),
            0);
        verifyUnauthorized(refreshOn(second), QStringLiteral("refresh_token_reused"));
    }

    void unknownRefreshTokenIsRefused()
    {
        const qint64 before = m_db->scalar(QStringLiteral("SELECT COUNT(*) FROM refresh_tokens"));
        verifyUnauthorized(
            refresh(QStringLiteral("bm90LWEtcmVhbC1yZWZyZXNoLXRva2VuLWF0LWFsbC0xMjM0NQ")),
            QStringLiteral("invalid_refresh_token"));
        // An access token is not a refresh token either.
        HttpClient c(m_server->baseUrl());
        const QString access = c.login(DemoData::agent1);
        verifyUnauthorized(refresh(access), QStringLiteral("invalid_refresh_token"));
        QCOMPARE(m_db->scalar(QStringLiteral("SELECT COUNT(*) FROM refresh_tokens")),
            before + 1); // only the login
    }

    void adminRoutesNeedTheAdminRole()
    {
        HttpClient agent(m_server->baseUrl());
        QVERIFY(!agent.login(DemoData::agent1).isEmpty());
        const HttpResult refused = agent.get(QStringLiteral("/api/admin/sync-health"));
        QCOMPARE(refused.status, 403);
        QCOMPARE(refused.code(), QStringLiteral("forbidden"));
        QCOMPARE(refused.header("Content-Type"), QByteArray("application/problem+json"));
        QVERIFY(!refused.json().contains(QStringLiteral("idempotency")));

        HttpClient admin(m_server->baseUrl());
        QVERIFY(!admin.login(DemoData::admin).isEmpty());
        const HttpResult health = admin.get(QStringLiteral("/api/admin/sync-health"));
        QCOMPARE(health.status, 200);
        QVERIFY(health.json().contains(QStringLiteral("idempotency")));
    }

    void agentCannotReachAnotherAgentsBooking()
    {
        HttpClient agent1(m_server->baseUrl());
        HttpClient agent2(m_server->baseUrl());
        QVERIFY(!agent1.login(DemoData::agent1).isEmpty());
        QVERIFY(!agent2.login(DemoData::agent2).isEmpty());
        const QString theirs = DemoData::bookingIds(agent2, QStringLiteral("pending")).first();
        const qint64 version = m_db->bookingVersion(theirs);

        const HttpResult get = agent1.get(QStringLiteral("/api/bookings/") + theirs);
        QCOMPARE(get.status, 404);
        QCOMPARE(get.code(), QStringLiteral("not_found"));
        const HttpResult confirm = agent1.postJson(QStringLiteral("/api/bookings/confirm"),
            { { QStringLiteral("bookingId"), theirs } }, HttpClient::newKey());
        QCOMPARE(confirm.status, 404);
        QCOMPARE(confirm.code(), QStringLiteral("not_found"));
        const HttpResult remove = agent1.postJson(QStringLiteral("/api/bookings/delete"),
            { { QStringLiteral("bookingId"), theirs } }, HttpClient::newKey());
        QCOMPARE(remove.status, 404);
        QCOMPARE(m_db->bookingVersion(theirs), version);
        QCOMPARE(m_db->bookingStatus(theirs), QStringLiteral("pending"));
        QVERIFY(!DemoData::bookingIds(agent1, QStringLiteral("pending")).contains(theirs));
        // The owner still sees it, unchanged.
        QCOMPARE(DemoData::booking(agent2, theirs).value(QStringLiteral("version")).toInteger(),
            version);
    }

    void agentCannotReachAnotherAgentsLead()
    {
        HttpClient agent1(m_server->baseUrl());
        HttpClient agent2(m_server->baseUrl());
        QVERIFY(!agent1.login(DemoData::agent1).isEmpty());
        QVERIFY(!agent2.login(DemoData::agent2).isEmpty());
        const QJsonObject lead = DemoData::leads(agent1).first();
        const QString theirs = lead.value(QStringLiteral("id")).toString();
        QCOMPARE(lead.value(QStringLiteral("owner_id")).toString(),
            m_agent1User.value(QStringLiteral("id")).toString());
        const QString leadVersionSql = QStringLiteral("SELECT version FROM leads WHERE id = ?");
        const QString leadStatusSql = QStringLiteral("SELECT status FROM leads WHERE id = ?");
        const QString leadSmsSql
            = QStringLiteral("SELECT COUNT(*) FROM sms_messages WHERE lead_id = ?");
        const qint64 version = m_db->scalar(leadVersionSql, { theirs });
        const QString status = m_db->text(leadStatusSql, { theirs });
        QVERIFY(version >= 1);
        QVERIFY(!status.isEmpty());
        const QString otherStatus
            = status == QLatin1String("lost") ? QStringLiteral("won") : QStringLiteral("lost");
        const qint64 sms = m_db->scalar(leadSmsSql, { theirs });
        const DbInspector::Snapshot before = m_db->snapshot();

        // Not "forbidden": exactly what a lead that does not exist answers.
        const HttpResult get = agent2.get(QStringLiteral("/api/leads/") + theirs);
        QCOMPARE(get.status, 404);
        QCOMPARE(get.code(), QStringLiteral("not_found"));
        const HttpResult missing = agent2.get(
            QStringLiteral("/api/leads/") + QUuid::createUuid().toString(QUuid::WithoutBraces));
        QCOMPARE(missing.status, 404);
        QCOMPARE(get.body, missing.body);
        QVERIFY(!get.body.contains(lead.value(QStringLiteral("phone")).toString().toUtf8()));

        const HttpResult setStatus = agent2.postJson(QStringLiteral("/api/leads/status"),
            { { QStringLiteral("leadId"), theirs }, { QStringLiteral("status"), otherStatus } },
            HttpClient::newKey());
        QCOMPARE(setStatus.status, 404);
        QCOMPARE(setStatus.code(), QStringLiteral("not_found"));
        const HttpResult sendSms = agent2.postJson(QStringLiteral("/api/leads/send-sms"),
            { { QStringLiteral("leadId"), theirs },
                { QStringLiteral("message"), QStringLiteral("Not your lead") } },
            HttpClient::newKey());
        QCOMPARE(sendSms.status, 404);
        QCOMPARE(sendSms.code(), QStringLiteral("not_found"));
        QVERIFY(!sendSms.json().contains(QStringLiteral("sms")));

        // Nothing moved: the lead, its messages, the change log. (The two 404s are results
        // stored under agent2's own keys, so only the idempotency count may grow.)
        QCOMPARE(m_db->scalar(leadVersionSql, { theirs }), version);
        QCOMPARE(m_db->text(leadStatusSql, { theirs }), status);
        QCOMPARE(m_db->scalar(leadSmsSql, { theirs }), sms);
        DbInspector::Snapshot after = m_db->snapshot();
        QVERIFY(after.idempotencyRecords >= before.idempotencyRecords);
        after.idempotencyRecords = before.idempotencyRecords;
        QCOMPARE(after, before);
        // The owner still sees it, unchanged.
        const HttpResult own = agent1.get(QStringLiteral("/api/leads/") + theirs);
        QCOMPARE(own.status, 200);
        const QJsonObject ownLead = own.json().value(QStringLiteral("lead")).toObject();
        QCOMPARE(ownLead.value(QStringLiteral("version")).toInteger(), version);
        QCOMPARE(ownLead.value(QStringLiteral("status")).toString(), status);
    }

    void organisationsAreIsolated()
    {
        // A second organisation, written straight into the running server's database.
        const QString orgId = QUuid::createUuid().toString(QUuid::WithoutBraces);
        const QString outsiderId = QUuid::createUuid().toString(QUuid::WithoutBraces);
        const QString outsiderBooking = QUuid::createUuid().toString(QUuid::WithoutBraces);
        const QString outsiderEmail = QStringLiteral("outsider@example.org");
        QVERIFY(m_db->exec(QStringLiteral("INSERT INTO organisations (id, name) VALUES (?, ?)"),
            { orgId, QStringLiteral("Elsewhere Ltd") }));
        // agent1's hash: the outsider's password is the demo password too.
        QVERIFY(m_db->exec(
            QStringLiteral(
                "INSERT INTO users (id, org_id, email, password_hash, role, created_at)"
                " SELECT ?, ?, ?, password_hash, 'agent', created_at FROM users WHERE email = ?"),
            { outsiderId, orgId, outsiderEmail, DemoData::agent1 }));
        QVERIFY(m_db->exec(
            QStringLiteral(
                "INSERT INTO bookings (id, org_id, owner_id, customer_name, service, starts_at,"
                " status, version, updated_at)"
                " SELECT ?, ?, ?, 'Outside Customer', service, starts_at, 'pending', 1, updated_at"
                " FROM bookings LIMIT 1"),
            { outsiderBooking, orgId, outsiderId }));
        QCOMPARE(m_db->scalar(
                     QStringLiteral("SELECT COUNT(*) FROM bookings WHERE org_id = ?"), { orgId }),
            1);

        HttpClient outsider(m_server->baseUrl());
        QVERIFY(!outsider.login(outsiderEmail).isEmpty());
        QCOMPARE(userOf(outsider).value(QStringLiteral("org_id")).toString(), orgId);
        HttpClient admin(m_server->baseUrl());
        QVERIFY(!admin.login(DemoData::admin).isEmpty());
        HttpClient agent1(m_server->baseUrl());
        QVERIFY(!agent1.login(DemoData::agent1).isEmpty());

        // The outsider's lists hold only its own rows.
        const auto own = DemoData::bookings(outsider);
        QCOMPARE(own.size(), 1);
        QCOMPARE(own.first().value(QStringLiteral("id")).toString(), outsiderBooking);
        QVERIFY(DemoData::leads(outsider).isEmpty());

        // Demo rows do not exist for the outsider, read or write.
        const QString demoBooking = DemoData::bookingIds(agent1, QStringLiteral("pending")).first();
        const qint64 demoVersion = m_db->bookingVersion(demoBooking);
        QCOMPARE(outsider.get(QStringLiteral("/api/bookings/") + demoBooking).status, 404);
        const HttpResult confirmDemo = outsider.postJson(QStringLiteral("/api/bookings/confirm"),
            { { QStringLiteral("bookingId"), demoBooking } }, HttpClient::newKey());
        QCOMPARE(confirmDemo.status, 404);
        QCOMPARE(m_db->bookingVersion(demoBooking), demoVersion);
        const QString demoLead
            = DemoData::leads(agent1).first().value(QStringLiteral("id")).toString();
        QCOMPARE(outsider.get(QStringLiteral("/api/leads/") + demoLead).status, 404);

        // Even the demo admin cannot see the outsider's booking.
        const HttpResult adminGet = admin.get(QStringLiteral("/api/bookings/") + outsiderBooking);
        QCOMPARE(adminGet.status, 404);
        QCOMPARE(adminGet.code(), QStringLiteral("not_found"));
        const auto adminRows = DemoData::bookings(admin);
        QVERIFY(!adminRows.isEmpty());
        for (const QJsonObject &row : adminRows) {
            QVERIFY(row.value(QStringLiteral("id")).toString() != outsiderBooking);
            QCOMPARE(row.value(QStringLiteral("org_id")).toString(),
                m_adminUser.value(QStringLiteral("org_id")).toString());
        }
        QCOMPARE(adminRows.size(),
            m_db->scalar(QStringLiteral("SELECT COUNT(*) FROM bookings WHERE org_id = ?"),
                { m_adminUser.value(QStringLiteral("org_id")).toString() }));
        const HttpResult adminConfirm = admin.postJson(QStringLiteral("/api/bookings/confirm"),
            { { QStringLiteral("bookingId"), outsiderBooking } }, HttpClient::newKey());
        QCOMPARE(adminConfirm.status, 404);
        QCOMPARE(m_db->bookingStatus(outsiderBooking), QStringLiteral("pending"));

        // The outsider's own write works, and its change reaches only its organisation's feed.
        const qint64 adminSeq = admin.get(QStringLiteral("/api/bookings"))
                                    .json()
                                    .value(QStringLiteral("seq"))
                                    .toInteger();
        const HttpResult confirmOwn = outsider.postJson(QStringLiteral("/api/bookings/confirm"),
            { { QStringLiteral("bookingId"), outsiderBooking } }, HttpClient::newKey());
        QCOMPARE(confirmOwn.status, 200);
        QCOMPARE(m_db->bookingStatus(outsiderBooking), QStringLiteral("confirmed"));
        const QJsonArray adminChanges
            = admin.get(QStringLiteral("/api/changes?since=%1").arg(adminSeq))
                  .json()
                  .value(QStringLiteral("changes"))
                  .toArray();
        for (const QJsonValue &change : adminChanges)
            QVERIFY(change.toObject()
                        .value(QStringLiteral("record"))
                        .toObject()
                        .value(QStringLiteral("id"))
                        .toString()
                != outsiderBooking);
        const QJsonArray ownChanges
            = outsider.get(QStringLiteral("/api/changes?since=%1").arg(adminSeq))
                  .json()
                  .value(QStringLiteral("changes"))
                  .toArray();
        QCOMPARE(ownChanges.size(), 1);
        QCOMPARE(ownChanges.first()
                     .toObject()
                     .value(QStringLiteral("record"))
                     .toObject()
                     .value(QStringLiteral("id"))
                     .toString(),
            outsiderBooking);
    }

    void changeFeedHoldsOnlyVisibleRows()
    {
        HttpClient agent1(m_server->baseUrl());
        HttpClient agent2(m_server->baseUrl());
        HttpClient admin(m_server->baseUrl());
        QVERIFY(!agent1.login(DemoData::agent1).isEmpty());
        QVERIFY(!agent2.login(DemoData::agent2).isEmpty());
        QVERIFY(!admin.login(DemoData::admin).isEmpty());
        const QString agent1Id = m_agent1User.value(QStringLiteral("id")).toString();
        const QString agent2Id = m_agent2User.value(QStringLiteral("id")).toString();
        const QString orgId = m_adminUser.value(QStringLiteral("org_id")).toString();

        // Each agent changes a booking and a lead of its own, so the log holds rows of both
        // owners in both tables.
        QStringList changed1, changed2;
        for (auto [client, ids] :
            { std::pair { &agent1, &changed1 }, std::pair { &agent2, &changed2 } }) {
            const QString booking = DemoData::bookingIds(*client, QStringLiteral("pending")).last();
            QCOMPARE(client
                         ->postJson(QStringLiteral("/api/bookings/confirm"),
                             { { QStringLiteral("bookingId"), booking } }, HttpClient::newKey())
                         .status,
                200);
            const QJsonObject lead = DemoData::leads(*client).last();
            const QString status
                = lead.value(QStringLiteral("status")).toString() == QLatin1String("won")
                ? QStringLiteral("lost")
                : QStringLiteral("won");
            const QString leadId = lead.value(QStringLiteral("id")).toString();
            QCOMPARE(client
                         ->postJson(QStringLiteral("/api/leads/status"),
                             { { QStringLiteral("leadId"), leadId },
                                 { QStringLiteral("status"), status } },
                             HttpClient::newKey())
                         .status,
                200);
            *ids = { booking, leadId };
        }
        const QString logCount = QStringLiteral(
            "SELECT COUNT(*) FROM change_log WHERE org_id = ? AND owner_id = ? AND table_name = ?");
        for (const QString &table : { QStringLiteral("bookings"), QStringLiteral("leads") })
            QVERIFY2(m_db->scalar(logCount, { orgId, agent1Id, table }) > 0, qPrintable(table));

        // Every row agent1 owns, changed or not.
        QSet<QString> agent1Rows;
        for (const QJsonObject &row : DemoData::bookings(agent1) + DemoData::leads(agent1))
            agent1Rows.insert(row.value(QStringLiteral("id")).toString());
        QVERIFY(agent1Rows.contains(changed1.first()) && agent1Rows.contains(changed1.last()));

        // The whole feed from the start, page by page.
        auto feed = [](HttpClient &client) {
            QList<QJsonObject> out;
            qint64 since = 0;
            for (int page = 0; page < 100; ++page) {
                const HttpResult r = client.get(QStringLiteral("/api/changes?since=%1").arg(since));
                if (r.status != 200) {
                    qWarning() << "changes answered" << r.status << r.body;
                    return out;
                }
                const QJsonArray changes = r.json().value(QStringLiteral("changes")).toArray();
                if (changes.isEmpty())
                    return out;
                for (const QJsonValue &v : changes)
                    out.append(v.toObject());
                since = r.json().value(QStringLiteral("seq")).toInteger();
            }
            qWarning() << "the change feed did not end";
            return out;
        };
        auto rowOf = [](const QJsonObject &change) {
            return change.value(QStringLiteral("type")).toString() == QLatin1String("DELETE")
                ? change.value(QStringLiteral("old_record")).toObject()
                : change.value(QStringLiteral("record")).toObject();
        };
        auto idsIn = [&](const QList<QJsonObject> &changes) {
            QSet<QString> ids;
            for (const QJsonObject &c : changes)
                ids.insert(rowOf(c).value(QStringLiteral("id")).toString());
            return ids;
        };

        const QList<QJsonObject> agent2Feed = feed(agent2);
        for (const QJsonObject &c : agent2Feed) {
            const QJsonObject row = rowOf(c);
            const QString id = row.value(QStringLiteral("id")).toString();
            QVERIFY2(row.value(QStringLiteral("owner_id")).toString() == agent2Id,
                QJsonDocument(c).toJson(QJsonDocument::Compact).constData());
            QCOMPARE(row.value(QStringLiteral("org_id")).toString(), orgId);
            QVERIFY2(!agent1Rows.contains(id), qPrintable(id));
        }
        // Not empty by accident: agent2 gets its own changes, all of them.
        QVERIFY(idsIn(agent2Feed).contains(changed2.first()));
        QVERIFY(idsIn(agent2Feed).contains(changed2.last()));
        QCOMPARE(agent2Feed.size(),
            m_db->scalar(
                QStringLiteral("SELECT COUNT(*) FROM change_log WHERE org_id = ? AND owner_id = ?"),
                { orgId, agent2Id }));

        // The admin's feed is the organisation's: both agents' rows.
        const QList<QJsonObject> adminFeed = feed(admin);
        const QSet<QString> adminIds = idsIn(adminFeed);
        for (const QString &id : changed1 + changed2)
            QVERIFY2(adminIds.contains(id), qPrintable(id));
        QStringList owners;
        for (const QJsonObject &c : adminFeed)
            owners.append(rowOf(c).value(QStringLiteral("owner_id")).toString());
        QVERIFY(owners.contains(agent1Id));
        QVERIFY(owners.contains(agent2Id));
        QCOMPARE(adminFeed.size(),
            m_db->scalar(
                QStringLiteral("SELECT COUNT(*) FROM change_log WHERE org_id = ?"), { orgId }));
    }
};

QTEST_GUILESS_MAIN(TestAuth)
#include "tst_auth.moc"
