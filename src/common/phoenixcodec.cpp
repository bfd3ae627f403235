#include "phoenixcodec.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringDecoder>

namespace {

QByteArray refJson(const QJsonValue &ref)
{
    return ref.isString() ? PhoenixCodec::jsonString(ref.toString()) : QByteArrayLiteral("null");
}

bool isRef(const QJsonValue &v)
{
    return v.isString() || v.isNull() || v.isUndefined();
}

QJsonValue normaliseRef(const QJsonValue &v)
{
    return v.isString() ? v : QJsonValue(QJsonValue::Null);
}

std::optional<PhoenixMessage> fail(QString *error, const char *why)
{
    if (error)
        *error = QString::fromLatin1(why);
    return std::nullopt;
}

} // namespace

std::optional<PhoenixCodec::Serializer> PhoenixCodec::serializerFor(QStringView vsn)
{
    if (vsn.isEmpty() || vsn == u"1.0.0")
        return Serializer::V1;
    if (vsn == u"2.0.0")
        return Serializer::V2;
    return std::nullopt;
}

QString PhoenixCodec::vsnOf(Serializer serializer)
{
    return serializer == Serializer::V2 ? QStringLiteral("2.0.0") : QStringLiteral("1.0.0");
}

QByteArray PhoenixCodec::jsonString(QStringView text)
{
    // QJsonDocument escapes correctly; strip the array brackets around the one element.
    const QByteArray wrapped
        = QJsonDocument(QJsonArray { text.toString() }).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2);
}

QByteArray PhoenixCodec::encode(const PhoenixMessage &message, Serializer serializer)
{
    QByteArray payload;
    if (message.payload.isObject())
        payload = QJsonDocument(message.payload.toObject()).toJson(QJsonDocument::Compact);
    else if (message.payload.isArray())
        payload = QJsonDocument(message.payload.toArray()).toJson(QJsonDocument::Compact);
    else
        payload = "{}";
    return encodeRaw(
        message.joinRef, message.ref, message.topic, message.event, payload, serializer);
}

QByteArray PhoenixCodec::encodeRaw(const QJsonValue &joinRef, const QJsonValue &ref,
    QStringView topic, QStringView event, const QByteArray &payloadJson, Serializer serializer)
{
    QByteArray out;
    out.reserve(payloadJson.size() + topic.size() + 64);
    if (serializer == Serializer::V2) {
        out += '[';
        out += refJson(joinRef);
        out += ',';
        out += refJson(ref);
        out += ',';
        out += jsonString(topic);
        out += ',';
        out += jsonString(event);
        out += ',';
        out += payloadJson;
        out += ']';
    } else {
        out += "{\"topic\":";
        out += jsonString(topic);
        out += ",\"event\":";
        out += jsonString(event);
        out += ",\"payload\":";
        out += payloadJson;
        out += ",\"ref\":";
        out += refJson(ref);
        if (joinRef.isString()) {
            out += ",\"join_ref\":";
            out += refJson(joinRef);
        }
        out += '}';
    }
    return out;
}

std::optional<PhoenixMessage> PhoenixCodec::decode(
    const QByteArray &text, Serializer serializer, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(text, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return fail(error, "not JSON");
    PhoenixMessage m;
    if (serializer == Serializer::V2) {
        if (!doc.isArray())
            return fail(error, "vsn 2.0.0 frames are JSON arrays");
        const QJsonArray a = doc.array();
        if (a.size() != 5)
            return fail(error, "vsn 2.0.0 frames have five elements");
        if (!isRef(a[0]) || !isRef(a[1]) || !a[2].isString() || !a[3].isString())
            return fail(error, "join_ref and ref must be strings or null; topic and event strings");
        m = { normaliseRef(a[0]), normaliseRef(a[1]), a[2].toString(), a[3].toString(), a[4] };
    } else {
        if (!doc.isObject())
            return fail(error, "vsn 1.0.0 frames are JSON objects");
        const QJsonObject o = doc.object();
        const QJsonValue topic = o.value(QLatin1String("topic"));
        const QJsonValue event = o.value(QLatin1String("event"));
        if (!topic.isString() || !event.isString() || !isRef(o.value(QLatin1String("ref")))
            || !isRef(o.value(QLatin1String("join_ref"))))
            return fail(error, "topic and event must be strings; ref and join_ref strings or null");
        m = { normaliseRef(o.value(QLatin1String("join_ref"))),
            normaliseRef(o.value(QLatin1String("ref"))), topic.toString(), event.toString(),
            o.value(QLatin1String("payload")) };
    }
    if (m.topic.isEmpty() || m.event.isEmpty())
        return fail(error, "empty topic or event");
    if (m.payload.isUndefined())
        m.payload = QJsonObject();
    return m;
}

QByteArray PhoenixCodec::encodeBroadcastPush(const BinaryBroadcast &b)
{
    const QByteArray joinRef = b.joinRef.toUtf8().left(maxHeaderField);
    const QByteArray ref = b.ref.toUtf8().left(maxHeaderField);
    const QByteArray topic = b.topic.toUtf8().left(maxHeaderField);
    const QByteArray event = b.event.toUtf8().left(maxHeaderField);
    const QByteArray meta = b.meta.left(maxHeaderField);
    QByteArray out;
    out.reserve(7 + joinRef.size() + ref.size() + topic.size() + event.size() + meta.size()
        + b.payload.size());
    out += char(kindUserBroadcastPush);
    out += char(joinRef.size());
    out += char(ref.size());
    out += char(topic.size());
    out += char(event.size());
    out += char(meta.size());
    out += char(b.json ? 1 : 0);
    out += joinRef + ref + topic + event + meta + b.payload;
    return out;
}

QByteArray PhoenixCodec::encodeBroadcast(const BinaryBroadcast &b)
{
    const QByteArray topic = b.topic.toUtf8().left(maxHeaderField);
    const QByteArray event = b.event.toUtf8().left(maxHeaderField);
    const QByteArray meta = b.meta.left(maxHeaderField);
    QByteArray out;
    out.reserve(5 + topic.size() + event.size() + meta.size() + b.payload.size());
    out += char(kindUserBroadcast);
    out += char(topic.size());
    out += char(event.size());
    out += char(meta.size());
    out += char(b.json ? 1 : 0);
    out += topic + event + meta + b.payload;
    return out;
}

int PhoenixCodec::binaryKind(const QByteArray &frame)
{
    if (frame.isEmpty())
        return -1;
    const int kind = static_cast<unsigned char>(frame[0]);
    return kind == kindUserBroadcastPush || kind == kindUserBroadcast ? kind : -1;
}

std::optional<BinaryBroadcast> PhoenixCodec::decodeBinary(const QByteArray &frame, QString *error)
{
    auto bad = [error](const char *why) -> std::optional<BinaryBroadcast> {
        if (error)
            *error = QString::fromLatin1(why);
        return std::nullopt;
    };
    const int kind = binaryKind(frame);
    if (kind < 0)
        return bad("unknown binary frame kind");
    const int fieldCount = kind == kindUserBroadcastPush ? 5 : 3;
    const qsizetype headerSize = 1 + fieldCount + 1; // kind, lengths, encoding
    if (frame.size() < headerSize)
        return bad("binary frame shorter than its header");
    qsizetype lengths[5] = {};
    qsizetype total = headerSize;
    for (int i = 0; i < fieldCount; ++i) {
        lengths[i] = static_cast<unsigned char>(frame[1 + i]);
        total += lengths[i];
    }
    const int encoding = static_cast<unsigned char>(frame[1 + fieldCount]);
    if (encoding > 1)
        return bad("unknown payload encoding");
    if (total > frame.size())
        return bad("binary frame lengths exceed the frame");
    BinaryBroadcast b;
    qsizetype offset = headerSize;
    bool validText = true;
    auto take = [&](qsizetype n) {
        QByteArray part = frame.mid(offset, n);
        offset += n;
        return part;
    };
    // Header strings must be valid UTF-8: a lossy decode would name another topic.
    auto text = [&](qsizetype n) {
        QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
        QString decoded = decoder(take(n));
        validText = validText && !decoder.hasError();
        return decoded;
    };
    int field = 0;
    if (kind == kindUserBroadcastPush) {
        b.joinRef = text(lengths[field++]);
        b.ref = text(lengths[field++]);
    }
    b.topic = text(lengths[field++]);
    b.event = text(lengths[field++]);
    b.meta = take(lengths[field++]);
    if (!validText)
        return bad("binary frame header is not UTF-8");
    b.payload = frame.mid(offset);
    b.json = encoding == 1;
    if (b.topic.isEmpty() || b.event.isEmpty())
        return bad("binary broadcast without topic or event");
    if (!b.meta.isEmpty() && !QJsonDocument::fromJson(b.meta).isObject())
        return bad("binary broadcast metadata is not a JSON object");
    if (b.json) {
        // Any JSON value may be sent; Qt parses only arrays and objects at the top level.
        QJsonParseError parseError;
        const QJsonDocument wrapped = QJsonDocument::fromJson('[' + b.payload + ']', &parseError);
        if (parseError.error != QJsonParseError::NoError || wrapped.array().size() != 1)
            return bad("binary broadcast payload is not the JSON it claims to be");
    }
    return b;
}
