#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <memory>
#include <vector>

// A committed row change on its way to subscribers: what visibility and filters need, and
// the realtime `data` member already encoded once.
struct ChangeEvent
{
    qint64 seq = 0;
    QString orgId;
    QString ownerId;
    QString table;
    QString type; // INSERT, UPDATE, DELETE
    int tableIndex = -1; // PostgresBinding::tableIndex(table): compared as numbers when fanning out
    int typeIndex = -1; // PostgresBinding::typeIndex(type)
    QJsonObject record;
    QJsonObject oldRecord;
    QByteArray dataJson;
};
using ChangeBatch = std::shared_ptr<const std::vector<ChangeEvent>>;

// A broadcast sent by one socket, to every socket of its organisation joined to the topic.
struct BroadcastEvent
{
    QString orgId;
    QString topic;
    QString event;
    QByteArray payload; // JSON text when `json`, raw bytes otherwise
    bool json = true;
    QByteArray meta; // JSON object text or empty
    bool binaryOrigin = false;
    quint64 senderConnection = 0;
    bool deliverToSender = false;
};
using SharedBroadcast = std::shared_ptr<const BroadcastEvent>;

// Limits and services every realtime object of the server shares.
struct RealtimeOptions
{
    QString apiKey;
    int maxChannelsPerSocket = 100;
    qint64 idleTimeoutMs = 60000; // a socket silent this long is dropped
    qint64 closeGraceMs = 10000; // a peer that does not take our close this long is cut
    qint64 maxBufferedBytes = 8 << 20; // a subscriber this far behind is dropped
    qint64 maxFrameBytes = 1 << 20;
};
