// ApiError::classify as a table: transport failures, every status class the server answers,
// the problem body's code deciding a 409, Retry-After parsing, and what each kind means for a
// retry and for the user.
#include "apierror.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

namespace {

using Kind = ApiError::Kind;

// An RFC 9457 body as syncloopd writes it.
QByteArray problem(int status, const QString &code, const QString &detail, bool retryable = false)
{
    const QJsonObject body {
        { QStringLiteral("type"), QString(QStringLiteral("urn:syncloop:problem:") + code) },
        { QStringLiteral("title"), QStringLiteral("Title of %1").arg(code) },
        { QStringLiteral("status"), status },
        { QStringLiteral("detail"), detail },
        { QStringLiteral("code"), code },
        { QStringLiteral("retryable"), retryable },
    };
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

// What QNetworkReply::errorString() would say; kept as the message of a transport failure.
QString networkText()
{
    return QStringLiteral("Connection refused by the peer");
}

} // namespace

// QTest needs these to print a failing comparison.
namespace QTest {
template<> char *toString(const ApiError::Kind &kind)
{
    return qstrdup(ApiError::kindName(kind).toUtf8().constData());
}
} // namespace QTest

class TestApiError : public QObject
{
    Q_OBJECT
private slots:
    void classify_data()
    {
        QTest::addColumn<int>("network");
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("retryAfter");
        QTest::addColumn<Kind>("kind");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("message");
        QTest::addColumn<qint64>("retryAfterMs");
        QTest::addColumn<bool>("retryable");

        const QString refused = networkText();
        // No HTTP status: the transport failed; the network's own text is the message.
        QTest::newRow("connection refused")
            << int(QNetworkReply::ConnectionRefusedError) << 0 << QByteArray() << QByteArray()
            << Kind::Offline << QString() << refused << qint64(-1) << true;
        QTest::newRow("host not found")
            << int(QNetworkReply::HostNotFoundError) << 0 << QByteArray() << QByteArray()
            << Kind::Offline << QString() << refused << qint64(-1) << true;
        QTest::newRow("remote host closed")
            << int(QNetworkReply::RemoteHostClosedError) << 0 << QByteArray() << QByteArray()
            << Kind::Offline << QString() << refused << qint64(-1) << true;
        QTest::newRow("network session failed")
            << int(QNetworkReply::NetworkSessionFailedError) << 0 << QByteArray() << QByteArray()
            << Kind::Offline << QString() << refused << qint64(-1) << true;
        QTest::newRow("timeout") << int(QNetworkReply::TimeoutError) << 0 << QByteArray()
                                 << QByteArray() << Kind::Timeout << QString() << refused
                                 << qint64(-1) << true;
        // setTransferTimeout() aborts a reply with OperationCanceledError.
        QTest::newRow("operation cancelled")
            << int(QNetworkReply::OperationCanceledError) << 0 << QByteArray() << QByteArray()
            << Kind::Timeout << QString() << refused << qint64(-1) << true;

        // 2xx: no error, whatever else the reply says.
        for (int status : { 200, 201, 202 })
            QTest::addRow("%d", status)
                << int(QNetworkReply::NoError) << status << QByteArray("{}") << QByteArray()
                << Kind::None << QString() << QString() << qint64(-1) << false;

        // Other 4xx: final, with the problem's code and detail.
        const QList<std::pair<int, QString>> rejected {
            { 400, QStringLiteral("invalid_body") },
            { 404, QStringLiteral("not_found") },
            { 413, QStringLiteral("payload_too_large") },
            { 415, QStringLiteral("unsupported_media_type") },
        };
        for (const auto &[status, code] : rejected) {
            const QString detail = QStringLiteral("Detail for %1.").arg(status);
            // The Qt error for a 4xx is not NoError; classification must go by the status.
            QTest::addRow("%d %s", status, qPrintable(code))
                << int(QNetworkReply::ContentNotFoundError) << status
                << problem(status, code, detail) << QByteArray() << Kind::Rejected << code << detail
                << qint64(-1) << false;
        }

        QTest::newRow("401") << int(QNetworkReply::AuthenticationRequiredError) << 401
                             << problem(401, QStringLiteral("token_expired"),
                                    QStringLiteral("The access token has expired."))
                             << QByteArray() << Kind::Unauthorized
                             << QStringLiteral("token_expired")
                             << QStringLiteral("The access token has expired.") << qint64(-1)
                             << false;

        // 409: the code decides. A key still executing may succeed later; a state conflict never.
        QTest::newRow("409 idempotency_key_in_use")
            << int(QNetworkReply::ContentConflictError) << 409
            << problem(409, QStringLiteral("idempotency_key_in_use"),
                   QStringLiteral("A request with this key is executing."), true)
            << QByteArray("1") << Kind::Transient << QStringLiteral("idempotency_key_in_use")
            << QStringLiteral("A request with this key is executing.") << qint64(1000) << true;
        QTest::newRow("409 booking_cancelled")
            << int(QNetworkReply::ContentConflictError) << 409
            << problem(409, QStringLiteral("booking_cancelled"),
                   QStringLiteral("The booking was cancelled."))
            << QByteArray() << Kind::Conflict << QStringLiteral("booking_cancelled")
            << QStringLiteral("The booking was cancelled.") << qint64(-1) << false;
        QTest::newRow("422 idempotency_key_reused")
            << int(QNetworkReply::UnknownContentError) << 422
            << problem(422, QStringLiteral("idempotency_key_reused"),
                   QStringLiteral("The key was used for another request."))
            << QByteArray() << Kind::Conflict << QStringLiteral("idempotency_key_reused")
            << QStringLiteral("The key was used for another request.") << qint64(-1) << false;

        // Transient: 408, 425 and every 5xx.
        for (int status : { 408, 425, 500, 502, 503, 504 }) {
            const QString code = QStringLiteral("code_%1").arg(status);
            const QString detail = QStringLiteral("Try again (%1).").arg(status);
            QTest::addRow("%d", status) << int(QNetworkReply::InternalServerError) << status
                                        << problem(status, code, detail, true) << QByteArray()
                                        << Kind::Transient << code << detail << qint64(-1) << true;
        }
        QTest::newRow("503 with Retry-After")
            << int(QNetworkReply::ServiceUnavailableError) << 503
            << problem(503, QStringLiteral("unavailable"), QStringLiteral("Busy."), true)
            << QByteArray("30") << Kind::Transient << QStringLiteral("unavailable")
            << QStringLiteral("Busy.") << qint64(30000) << true;
        // A proxy's 502 page is no problem body: still transient, without code or detail.
        QTest::newRow("502 html") << int(QNetworkReply::UnknownServerError) << 502
                                  << QByteArray("<html>Bad Gateway</html>") << QByteArray()
                                  << Kind::Transient << QString() << QString() << qint64(-1)
                                  << true;

        QTest::newRow("429") << int(QNetworkReply::UnknownContentError) << 429
                             << problem(429, QStringLiteral("rate_limited"),
                                    QStringLiteral("Slow down."), true)
                             << QByteArray("7") << Kind::RateLimited
                             << QStringLiteral("rate_limited") << QStringLiteral("Slow down.")
                             << qint64(7000) << true;
        // The title stands in for a missing detail.
        QTest::newRow("429 without detail")
            << int(QNetworkReply::UnknownContentError) << 429
            << problem(429, QStringLiteral("rate_limited"), QString(), true) << QByteArray()
            << Kind::RateLimited << QStringLiteral("rate_limited")
            << QStringLiteral("Title of rate_limited") << qint64(-1) << true;
    }
    void classify()
    {
        QFETCH(int, network);
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, retryAfter);
        QFETCH(Kind, kind);
        QFETCH(QString, code);
        QFETCH(QString, message);
        QFETCH(qint64, retryAfterMs);
        QFETCH(bool, retryable);

        const ApiError e = ApiError::classify(
            QNetworkReply::NetworkError(network), status, body, retryAfter, networkText());
        QCOMPARE(e.kind, kind);
        QCOMPARE(e.httpStatus, status);
        QCOMPARE(e.code, code);
        QCOMPARE(e.message, message);
        QCOMPARE(e.retryAfterMs, retryAfterMs);
        QCOMPARE(e.isRetryable(), retryable);
        QCOMPARE(e.isError(), kind != Kind::None);
        // The one text a user sees: present for every error, absent for a success.
        QCOMPARE(e.userMessage().isEmpty(), kind == Kind::None);
        // A pure function: the same input gives the same value.
        QCOMPARE(ApiError::classify(
                     QNetworkReply::NetworkError(network), status, body, retryAfter, networkText()),
            e);
    }

    void retryAfter_data()
    {
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<qint64>("ms");
        QTest::newRow("seconds") << QByteArray("7") << qint64(7000);
        QTest::newRow("zero") << QByteArray("0") << qint64(0);
        QTest::newRow("padded") << QByteArray(" 12 ") << qint64(12000);
        QTest::newRow("absent") << QByteArray() << qint64(-1);
        QTest::newRow("garbage") << QByteArray("soon") << qint64(-1);
        QTest::newRow("negative") << QByteArray("-3") << qint64(-1);
        QTest::newRow("fraction") << QByteArray("1.5") << qint64(-1);
        // An HTTP-date is valid HTTP but not something our server sends: treated as none.
        QTest::newRow("http date") << QByteArray("Wed, 21 Oct 2015 07:28:00 GMT") << qint64(-1);
    }
    void retryAfter()
    {
        QFETCH(QByteArray, header);
        QFETCH(qint64, ms);
        const ApiError e = ApiError::classify(QNetworkReply::UnknownContentError, 429,
            problem(429, QStringLiteral("rate_limited"), QStringLiteral("Slow down.")), header);
        QCOMPARE(e.kind, Kind::RateLimited);
        QCOMPARE(e.retryAfterMs, ms);
    }

    void isRetryableByKind_data()
    {
        QTest::addColumn<Kind>("kind");
        QTest::addColumn<bool>("retryable");
        QTest::newRow("none") << Kind::None << false;
        QTest::newRow("offline") << Kind::Offline << true;
        QTest::newRow("timeout") << Kind::Timeout << true;
        QTest::newRow("rate_limited") << Kind::RateLimited << true;
        QTest::newRow("transient") << Kind::Transient << true;
        QTest::newRow("conflict") << Kind::Conflict << false;
        QTest::newRow("rejected") << Kind::Rejected << false;
        QTest::newRow("unauthorized") << Kind::Unauthorized << false;
    }
    void isRetryableByKind()
    {
        QFETCH(Kind, kind);
        QFETCH(bool, retryable);
        ApiError e;
        e.kind = kind;
        QCOMPARE(e.isRetryable(), retryable);
        QCOMPARE(e.isError(), kind != Kind::None);
        // With nothing from the server the user still gets a sentence, never an empty string.
        QCOMPARE(e.userMessage().isEmpty(), kind == Kind::None);
        QVERIFY(!ApiError::kindName(kind).isEmpty());
    }

    void userMessagePrefersTheServersDetail()
    {
        const ApiError conflict = ApiError::classify(QNetworkReply::ContentConflictError, 409,
            problem(409, QStringLiteral("booking_cancelled"),
                QStringLiteral("The booking was cancelled.")),
            {});
        QCOMPARE(conflict.userMessage(), QStringLiteral("The booking was cancelled."));
        // No problem body: a generic text that still names the status.
        const ApiError bare
            = ApiError::classify(QNetworkReply::UnknownContentError, 418, QByteArray("nope"), {});
        QCOMPARE(bare.kind, Kind::Rejected);
        QVERIFY(bare.code.isEmpty());
        QVERIFY(bare.userMessage().contains(QLatin1String("418")));
        // Offline and timeout speak for themselves rather than echo a socket error.
        const ApiError offline = ApiError::classify(
            QNetworkReply::ConnectionRefusedError, 0, {}, {}, QStringLiteral("Connection refused"));
        QVERIFY(!offline.userMessage().isEmpty());
        QVERIFY(offline.userMessage() != offline.message);
    }
};

QTEST_GUILESS_MAIN(TestApiError)
#include "tst_apierror.moc"
