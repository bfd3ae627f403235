// Reading the idempotency key from request headers: the IETF draft's structured-field string,
// the bare form, the X- alias, and everything that must be refused with 400.
#include "http/httprequest.h"
#include "http/idempotencykey.h"

#include <QTest>

using Error = IdempotencyKey::Error;
Q_DECLARE_METATYPE(IdempotencyKey::Error)

namespace QTest {
template<> char *toString(const IdempotencyKey::Error &error)
{
    static const char *const names[] = { "None", "Missing", "Malformed", "TooLong", "Conflicting" };
    return qstrdup(names[int(error)]);
}
} // namespace QTest

class TestIdempotencyKey : public QObject
{
    Q_OBJECT
private slots:
    void parseValue_data()
    {
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<Error>("error");
        QTest::addColumn<QString>("key"); // when error is None

        const QString uuid = QStringLiteral("5f0c6c1e-8a3b-4d7e-9b1a-2c3d4e5f6a7b");
        QTest::newRow("bare UUID") << uuid.toLatin1() << Error::None << uuid;
        QTest::newRow("bare token with punctuation")
            << QByteArray("order:42/retry=1") << Error::None << QStringLiteral("order:42/retry=1");
        QTest::newRow("single character") << QByteArray("k") << Error::None << QStringLiteral("k");
        QTest::newRow("quoted sf-string") << ('"' + uuid.toLatin1() + '"') << Error::None << uuid;
        QTest::newRow("escaped quote")
            << QByteArray("\"a\\\"b\"") << Error::None << QStringLiteral("a\"b");
        QTest::newRow("escaped backslash")
            << QByteArray("\"a\\\\b\"") << Error::None << QStringLiteral("a\\b");
        QTest::newRow("both escapes, at the edges")
            << QByteArray("\"\\\"x\\\\\"") << Error::None << QStringLiteral("\"x\\");
        QTest::newRow("space inside quotes")
            << QByteArray("\"a b\"") << Error::None << QStringLiteral("a b");
        QTest::newRow("surrounding spaces, bare")
            << QByteArray("  abc  ") << Error::None << QStringLiteral("abc");
        QTest::newRow("surrounding tabs, quoted")
            << QByteArray("\t\"abc\" \t") << Error::None << QStringLiteral("abc");

        QTest::newRow("empty") << QByteArray("") << Error::Malformed << QString();
        QTest::newRow("only whitespace") << QByteArray("   ") << Error::Malformed << QString();
        QTest::newRow("empty quotes") << QByteArray("\"\"") << Error::Malformed << QString();
        QTest::newRow("lone quote") << QByteArray("\"") << Error::Malformed << QString();
        QTest::newRow("unterminated quote") << QByteArray("\"abc") << Error::Malformed << QString();
        QTest::newRow("escaped closing quote only")
            << QByteArray("\"abc\\\"") << Error::Malformed << QString();
        QTest::newRow("backslash at the end")
            << QByteArray("\"abc\\") << Error::Malformed << QString();
        QTest::newRow("other escape") << QByteArray("\"a\\nb\"") << Error::Malformed << QString();
        QTest::newRow("junk after the closing quote")
            << QByteArray("\"abc\"x") << Error::Malformed << QString();
        QTest::newRow("parameter after the closing quote")
            << QByteArray("\"abc\";a=1") << Error::Malformed << QString();
        QTest::newRow("two quoted strings")
            << QByteArray("\"a\" \"b\"") << Error::Malformed << QString();
        QTest::newRow("quote inside a bare token")
            << QByteArray("ab\"c") << Error::Malformed << QString();
        QTest::newRow("quote at the end of a bare token")
            << QByteArray("abc\"") << Error::Malformed << QString();
        QTest::newRow("NUL, bare") << QByteArray("ab\0c", 4) << Error::Malformed << QString();
        QTest::newRow("control character, bare") << QByteArray("ab\x01"
                                                               "c")
                                                 << Error::Malformed << QString();
        QTest::newRow("tab inside, bare") << QByteArray("ab\tc") << Error::Malformed << QString();
        QTest::newRow("DEL, bare") << QByteArray("ab\x7f") << Error::Malformed << QString();
        QTest::newRow("control character, quoted") << QByteArray("\"ab\x1b"
                                                                 "c\"")
                                                   << Error::Malformed << QString();
        QTest::newRow("newline, quoted")
            << QByteArray("\"ab\ncd\"") << Error::Malformed << QString();
        QTest::newRow("UTF-8, bare") << QByteArray("caf\xc3\xa9") << Error::Malformed << QString();
        QTest::newRow("UTF-8, quoted")
            << QByteArray("\"caf\xc3\xa9\"") << Error::Malformed << QString();
        QTest::newRow("Latin-1 byte, bare")
            << QByteArray("caf\xe9") << Error::Malformed << QString();

        const QByteArray max(IdempotencyKey::maxLength, 'k');
        QTest::newRow("255 characters, bare") << max << Error::None << QString::fromLatin1(max);
        QTest::newRow("255 characters, quoted")
            << ('"' + max + '"') << Error::None << QString::fromLatin1(max);
        QTest::newRow("255 characters after unescaping")
            << ('"' + QByteArray(254, 'k') + "\\\\\"") << Error::None
            << QString::fromLatin1(QByteArray(254, 'k') + '\\');
        QTest::newRow("256 characters, bare") << (max + 'k') << Error::TooLong << QString();
        QTest::newRow("256 characters, quoted")
            << ('"' + max + "k\"") << Error::TooLong << QString();
        QTest::newRow("very long") << QByteArray(100000, 'k') << Error::TooLong << QString();
    }
    void parseValue()
    {
        QFETCH(QByteArray, value);
        QFETCH(Error, error);
        QFETCH(QString, key);
        Error got = Error::Missing;
        const std::optional<QString> parsed = IdempotencyKey::parseValue(value, &got);
        QCOMPARE(got, error);
        QCOMPARE(parsed.has_value(), error == Error::None);
        if (parsed)
            QCOMPARE(*parsed, key);
        if (error != Error::None)
            QVERIFY(!IdempotencyKey::describe(error).isEmpty());
    }

    void fromRequest_data()
    {
        using Headers = QList<std::pair<QByteArray, QByteArray>>;
        QTest::addColumn<Headers>("headers");
        QTest::addColumn<Error>("error");
        QTest::addColumn<QString>("key");

        const Headers other { { "content-type", "application/json" },
            { "authorization", "Bearer t" } };
        QTest::newRow("missing") << other << Error::Missing << QString();
        QTest::newRow("no headers at all") << Headers() << Error::Missing << QString();
        QTest::newRow("standard only") << (other + Headers { { "idempotency-key", "k-1" } })
                                       << Error::None << QStringLiteral("k-1");
        QTest::newRow("standard only, quoted")
            << Headers { { "idempotency-key", "\"k-1\"" } } << Error::None << QStringLiteral("k-1");
        QTest::newRow("X- only") << (other + Headers { { "x-idempotency-key", "k-2" } })
                                 << Error::None << QStringLiteral("k-2");
        QTest::newRow("both, equal")
            << Headers { { "idempotency-key", "k-3" }, { "x-idempotency-key", "k-3" } }
            << Error::None << QStringLiteral("k-3");
        QTest::newRow("both, equal once unquoted")
            << Headers { { "x-idempotency-key", "k-3" }, { "idempotency-key", "\"k-3\"" } }
            << Error::None << QStringLiteral("k-3");
        QTest::newRow("both, different")
            << Headers { { "idempotency-key", "k-4" }, { "x-idempotency-key", "k-5" } }
            << Error::Conflicting << QString();
        QTest::newRow("standard twice, different")
            << Headers { { "idempotency-key", "k-6" }, { "idempotency-key", "k-7" } }
            << Error::Conflicting << QString();
        QTest::newRow("standard twice, equal")
            << Headers { { "idempotency-key", "k-8" }, { "idempotency-key", "k-8" } }
            << Error::Conflicting << QString();
        QTest::newRow("X- twice") << Headers { { "x-idempotency-key", "k-9" },
            { "x-idempotency-key", "k-9" } }
                                  << Error::Conflicting << QString();
        QTest::newRow("standard malformed")
            << Headers { { "idempotency-key", "\"open" } } << Error::Malformed << QString();
        QTest::newRow("standard empty")
            << Headers { { "idempotency-key", "" } } << Error::Malformed << QString();
        QTest::newRow("X- too long") << Headers { { "x-idempotency-key", QByteArray(256, 'x') } }
                                     << Error::TooLong << QString();
        QTest::newRow("standard fine, X- malformed")
            << Headers { { "idempotency-key", "k-10" }, { "x-idempotency-key", "k\x01" } }
            << Error::Malformed << QString();
    }
    void fromRequest()
    {
        using Headers = QList<std::pair<QByteArray, QByteArray>>;
        QFETCH(Headers, headers);
        QFETCH(Error, error);
        QFETCH(QString, key);
        HttpRequest request;
        request.method = "POST";
        request.rawPath = "/api/bookings/confirm";
        request.headers = headers;
        Error got = Error::None;
        const std::optional<QString> parsed = IdempotencyKey::fromRequest(request, &got);
        QCOMPARE(got, error);
        QCOMPARE(parsed.has_value(), error == Error::None);
        if (parsed)
            QCOMPARE(*parsed, key);
    }

    void describeIsEmptyOnlyForNone()
    {
        QVERIFY(IdempotencyKey::describe(Error::None).isEmpty());
        for (const Error e :
            { Error::Missing, Error::Malformed, Error::TooLong, Error::Conflicting })
            QVERIFY(!IdempotencyKey::describe(e).isEmpty());
        QVERIFY(IdempotencyKey::describe(Error::TooLong).contains(QLatin1String("255")));
    }
};

QTEST_GUILESS_MAIN(TestIdempotencyKey)
#include "tst_idempotencykey.moc"
