#pragma once

#include <QByteArray>
#include <QJsonValue>
#include <QString>
#include <optional>

// One Phoenix channel message. `joinRef` and `ref` are strings or null.
struct PhoenixMessage
{
    QJsonValue joinRef;
    QJsonValue ref;
    QString topic;
    QString event;
    QJsonValue payload;

    friend bool operator==(const PhoenixMessage &, const PhoenixMessage &) = default;
};

// A broadcast carried in a binary frame (Supabase Realtime vsn 2.0.0): kind 3 from a client,
// kind 4 to clients. Every header string is at most 255 bytes; `payload` is raw bytes, or
// JSON text when `json` is set.
struct BinaryBroadcast
{
    QString joinRef; // kind 3 only
    QString ref; // kind 3 only
    QString topic;
    QString event; // the user's event name, not "broadcast"
    QByteArray meta; // JSON object text, or empty
    QByteArray payload;
    bool json = true;

    friend bool operator==(const BinaryBroadcast &, const BinaryBroadcast &) = default;
};

// The Phoenix / Supabase Realtime frame codec shared by syncloopd and syncloop-core.
//  vsn 1.0.0: text frames holding {"topic","event","payload","ref","join_ref"}; join_ref is
//             written only when there is one. (Phoenix's V1 serializer never writes it in
//             server frames. Ours carry the channel's current join_ref, which phx-js'
//             isMember() accepts, so a client sees the same as from Phoenix; only frames of
//             an earlier join get dropped, as they are in vsn 2.0.0.)
//  vsn 2.0.0: text frames holding [join_ref, ref, topic, event, payload], plus binary
//             broadcast frames.
// Decoding never trusts its input: every length is checked, every type verified.
class PhoenixCodec
{
public:
    enum class Serializer { V1, V2 };

    // "1.0.0" / "2.0.0"; an empty vsn means 1.0.0. Anything else: nullopt.
    static std::optional<Serializer> serializerFor(QStringView vsn);
    static QString vsnOf(Serializer serializer);

    static constexpr int kindUserBroadcastPush = 3;
    static constexpr int kindUserBroadcast = 4;
    static constexpr qsizetype maxHeaderField = 255;

    static QByteArray encode(const PhoenixMessage &message, Serializer serializer);
    // The same, with the payload given as ready JSON text: fan-out encodes a change once and
    // splices it into many frames without re-serialising it.
    static QByteArray encodeRaw(const QJsonValue &joinRef, const QJsonValue &ref, QStringView topic,
        QStringView event, const QByteArray &payloadJson, Serializer serializer);
    // nullopt + *error for anything that is not a well-formed message.
    static std::optional<PhoenixMessage> decode(
        const QByteArray &text, Serializer serializer, QString *error);

    static QByteArray encodeBroadcastPush(const BinaryBroadcast &broadcast); // kind 3
    static QByteArray encodeBroadcast(const BinaryBroadcast &broadcast); // kind 4
    static std::optional<BinaryBroadcast> decodeBinary(const QByteArray &frame, QString *error);
    // kind 3 or 4 of the decoded frame (or -1): which side sent it.
    static int binaryKind(const QByteArray &frame);

    // A JSON string literal (with quotes) for splicing into hand-built frames.
    static QByteArray jsonString(QStringView text);
};
