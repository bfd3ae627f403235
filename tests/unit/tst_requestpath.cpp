// Splitting and decoding raw request paths: what routes see, and what is refused before any
// route is consulted (encoded separators, dot segments, bad escapes, control bytes, bad UTF-8).
#include "http/requestpath.h"

#include <QTest>

class TestRequestPath : public QObject
{
    Q_OBJECT
private slots:
    void accepted_data()
    {
        QTest::addColumn<QByteArray>("raw");
        QTest::addColumn<QStringList>("segments");

        QTest::newRow("root") << QByteArray("/") << QStringList();
        QTest::newRow("one segment")
            << QByteArray("/healthz") << QStringList { QStringLiteral("healthz") };
        QTest::newRow("api route") << QByteArray("/api/bookings/confirm")
                                   << QStringList { QStringLiteral("api"),
                                          QStringLiteral("bookings"), QStringLiteral("confirm") };
        QTest::newRow("uuid segment")
            << QByteArray("/api/leads/5f0c6c1e-8a3b-4d7e-9b1a-2c3d4e5f6a7b")
            << QStringList { QStringLiteral("api"), QStringLiteral("leads"),
                   QStringLiteral("5f0c6c1e-8a3b-4d7e-9b1a-2c3d4e5f6a7b") };
        QTest::newRow("trailing slash") << QByteArray(
            "/api/leads/") << QStringList { QStringLiteral("api"), QStringLiteral("leads") };
        QTest::newRow("percent-encoded letters") << QByteArray(
            "/api/%6Ceads") << QStringList { QStringLiteral("api"), QStringLiteral("leads") };
        QTest::newRow("lower-case hex")
            << QByteArray("/a%2db") << QStringList { QStringLiteral("a-b") };
        QTest::newRow("encoded space")
            << QByteArray("/a%20b") << QStringList { QStringLiteral("a b") };
        QTest::newRow("encoded percent, decoded once")
            << QByteArray("/a%252Fb") << QStringList { QStringLiteral("a%2Fb") };
        QTest::newRow("encoded dot inside a name")
            << QByteArray("/file%2Ejson") << QStringList { QStringLiteral("file.json") };
        QTest::newRow("three dots is a name")
            << QByteArray("/...") << QStringList { QStringLiteral("...") };
        QTest::newRow("dots inside a name") << QByteArray(
            "/a..b/.c") << QStringList { QStringLiteral("a..b"), QStringLiteral(".c") };
        QTest::newRow("valid UTF-8 escape")
            << QByteArray("/caf%C3%A9") << QStringList { QStringLiteral("caf\u00e9") };
        QTest::newRow("valid UTF-8, lower-case escape")
            << QByteArray("/caf%c3%a9") << QStringList { QStringLiteral("caf\u00e9") };
        QTest::newRow("raw UTF-8 bytes")
            << QByteArray("/caf\xc3\xa9") << QStringList { QStringLiteral("caf\u00e9") };
        QTest::newRow("four-byte UTF-8")
            << QByteArray("/%F0%9F%93%B1") << QStringList { QString::fromUtf8("\xF0\x9F\x93\xB1") };
        const QByteArray longest = '/' + QByteArray(2047, 'a');
        QTest::newRow("2048 bytes") << longest << QStringList { QString(2047, QLatin1Char('a')) };
    }
    void accepted()
    {
        QFETCH(QByteArray, raw);
        QFETCH(QStringList, segments);
        QString why;
        const std::optional<QStringList> got = RequestPath::segments(raw, &why);
        QVERIFY2(got.has_value(), qPrintable(why));
        QCOMPARE(*got, segments);
    }

    void refused_data()
    {
        QTest::addColumn<QByteArray>("raw");
        QTest::addColumn<QString>("reason"); // a word the explanation must contain

        const QString separator = QStringLiteral("separator");
        const QString dot = QStringLiteral("dot segment");
        const QString malformed = QStringLiteral("malformed");
        const QString control = QStringLiteral("control");
        const QString utf8 = QStringLiteral("UTF-8");
        const QString shape = QStringLiteral("start with /");

        QTest::newRow("encoded slash") << QByteArray("/api/leads%2F..%2Fbookings") << separator;
        QTest::newRow("encoded slash, lower case") << QByteArray("/a%2fb") << separator;
        QTest::newRow("encoded backslash") << QByteArray("/a%5Cb") << separator;
        QTest::newRow("encoded backslash, lower case") << QByteArray("/a%5cb") << separator;
        QTest::newRow("raw backslash") << QByteArray("/a\\b") << control;

        QTest::newRow("dot segment") << QByteArray("/api/./leads") << dot;
        QTest::newRow("dot-dot segment") << QByteArray("/api/../admin") << dot;
        QTest::newRow("leading dot-dot") << QByteArray("/../etc") << dot;
        QTest::newRow("trailing dot-dot") << QByteArray("/api/..") << dot;
        QTest::newRow("trailing dot-dot and slash") << QByteArray("/api/../") << dot;
        QTest::newRow("encoded dot") << QByteArray("/api/%2e/leads") << dot;
        QTest::newRow("encoded dot-dot") << QByteArray("/api/%2e%2e/admin") << dot;
        QTest::newRow("encoded dot-dot, upper case") << QByteArray("/api/%2E%2E/admin") << dot;
        QTest::newRow("half-encoded dot-dot") << QByteArray("/api/.%2e/admin") << dot;

        QTest::newRow("not hex") << QByteArray("/a%zz") << malformed;
        QTest::newRow("one hex digit, then a letter") << QByteArray("/a%4g") << malformed;
        QTest::newRow("one hex digit at the end") << QByteArray("/a%4") << malformed;
        QTest::newRow("one hex digit before a slash") << QByteArray("/a%4/b") << malformed;
        QTest::newRow("trailing percent") << QByteArray("/a%") << malformed;
        QTest::newRow("percent before a slash") << QByteArray("/a%/b") << malformed;
        QTest::newRow("sign in escape") << QByteArray("/a%+1") << malformed;

        QTest::newRow("encoded NUL") << QByteArray("/a%00b") << control;
        QTest::newRow("raw NUL") << QByteArray("/a\0b", 4) << control;
        QTest::newRow("encoded newline") << QByteArray("/a%0Ab") << control;
        QTest::newRow("encoded carriage return") << QByteArray("/a%0d%0aSet-Cookie:x") << control;
        QTest::newRow("raw tab") << QByteArray("/a\tb") << control;
        QTest::newRow("encoded DEL") << QByteArray("/a%7F") << control;
        QTest::newRow("raw DEL") << QByteArray("/a\x7f") << control;

        QTest::newRow("lone continuation byte") << QByteArray("/%80") << utf8;
        QTest::newRow("invalid lead byte") << QByteArray("/%FF") << utf8;
        QTest::newRow("truncated sequence") << QByteArray("/caf%C3") << utf8;
        QTest::newRow("bad continuation") << QByteArray("/%C3%28") << utf8;
        QTest::newRow("overlong slash") << QByteArray("/a%C0%AFb") << utf8;
        QTest::newRow("overlong dot-dot") << QByteArray("/%C0%AE%C0%AE") << utf8;
        QTest::newRow("encoded surrogate") << QByteArray("/%ED%A0%80") << utf8;
        QTest::newRow("raw invalid byte") << QByteArray("/caf\xe9") << utf8;

        QTest::newRow("empty") << QByteArray("") << shape;
        QTest::newRow("no leading slash") << QByteArray("api/leads") << shape;
        QTest::newRow("absolute URL") << QByteArray("http://example.com/api") << shape;
        QTest::newRow("asterisk form") << QByteArray("*") << shape;
        QTest::newRow("2049 bytes") << ('/' + QByteArray(2048, 'a')) << shape;
        QTest::newRow("very long") << ('/' + QByteArray(100000, 'a')) << shape;
    }
    void refused()
    {
        QFETCH(QByteArray, raw);
        QFETCH(QString, reason);
        QString why;
        const std::optional<QStringList> got = RequestPath::segments(raw, &why);
        QVERIFY2(!got.has_value(), qPrintable(got ? got->join(QLatin1Char('|')) : QString()));
        QVERIFY2(why.contains(reason, Qt::CaseInsensitive), qPrintable(why));
    }
};

QTEST_GUILESS_MAIN(TestRequestPath)
#include "tst_requestpath.moc"
