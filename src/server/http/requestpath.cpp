#include "requestpath.h"

#include <QStringDecoder>

namespace {

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

std::optional<QString> decodeSegment(QByteArrayView raw, QString *why)
{
    QByteArray bytes;
    bytes.reserve(raw.size());
    for (qsizetype i = 0; i < raw.size(); ++i) {
        char c = raw[i];
        if (c == '%') {
            const int hi = i + 2 < raw.size() ? hexValue(raw[i + 1]) : -1;
            const int lo = i + 2 < raw.size() ? hexValue(raw[i + 2]) : -1;
            if (i + 2 >= raw.size() || hi < 0 || lo < 0) {
                *why = QStringLiteral("malformed percent-encoding");
                return std::nullopt;
            }
            c = char(hi * 16 + lo);
            if (c == '/' || c == '\\') {
                *why = QStringLiteral("encoded path separator");
                return std::nullopt;
            }
            // Qt 6.4 parses the request target tolerantly and turns a stray "%zz" or "%4"
            // into "%25zz" / "%254" before we see it: an encoded '%' that does not start a
            // valid escape is that repair (or a client encoding garbage on purpose).
            if (c == '%'
                && (i + 4 >= raw.size() || hexValue(raw[i + 3]) < 0 || hexValue(raw[i + 4]) < 0)) {
                *why = QStringLiteral("malformed percent-encoding");
                return std::nullopt;
            }
            i += 2;
        }
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '\\') {
            *why = QStringLiteral("control character or backslash in path");
            return std::nullopt;
        }
        bytes.append(c);
    }
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    QString text = decoder(bytes);
    if (decoder.hasError()) {
        *why = QStringLiteral("path is not valid UTF-8");
        return std::nullopt;
    }
    if (text == QLatin1String(".") || text == QLatin1String("..")) {
        *why = QStringLiteral("dot segment in path");
        return std::nullopt;
    }
    return text;
}

} // namespace

std::optional<QStringList> RequestPath::segments(const QByteArray &rawPath, QString *why)
{
    if (!rawPath.startsWith('/') || rawPath.size() > 2048) {
        *why = QStringLiteral("path must start with / and be at most 2048 bytes");
        return std::nullopt;
    }
    QStringList out;
    const QList<QByteArray> parts = rawPath.mid(1).split('/');
    for (qsizetype i = 0; i < parts.size(); ++i) {
        // A trailing slash yields one empty last segment; ignore it, reject empty ones inside.
        if (parts[i].isEmpty() && i == parts.size() - 1)
            break;
        if (parts[i].isEmpty()) {
            *why = QStringLiteral("empty segment in path");
            return std::nullopt;
        }
        auto decoded = decodeSegment(parts[i], why);
        if (!decoded)
            return std::nullopt;
        out.append(*decoded);
    }
    return out;
}
