// libFuzzer target for the Phoenix / Supabase Realtime codec: every byte string a client can
// send must decode to a message or to an error, never crash, hang or read out of bounds; what
// decodes must survive an encode/decode round trip unchanged.
#include "phoenixcodec.h"

#include <QByteArray>
#include <QJsonDocument>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input(reinterpret_cast<const char *>(data), qsizetype(size));
    QString error;
    for (const auto serializer : { PhoenixCodec::Serializer::V1, PhoenixCodec::Serializer::V2 }) {
        if (const auto message = PhoenixCodec::decode(input, serializer, &error)) {
            const QByteArray again = PhoenixCodec::encode(*message, serializer);
            const auto reparsed = PhoenixCodec::decode(again, serializer, &error);
            if (!reparsed || reparsed->topic != message->topic || reparsed->event != message->event
                || reparsed->ref != message->ref)
                std::abort();
        }
    }
    if (const auto broadcast = PhoenixCodec::decodeBinary(input, &error)) {
        const bool push = PhoenixCodec::binaryKind(input) == PhoenixCodec::kindUserBroadcastPush;
        const QByteArray again = push ? PhoenixCodec::encodeBroadcastPush(*broadcast)
                                      : PhoenixCodec::encodeBroadcast(*broadcast);
        const auto reparsed = PhoenixCodec::decodeBinary(again, &error);
        if (!reparsed || reparsed->topic != broadcast->topic
            || reparsed->payload != broadcast->payload)
            std::abort();
    }
    return 0;
}
