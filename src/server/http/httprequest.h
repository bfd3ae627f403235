#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QString>
#include <QUrlQuery>
#include <utility>

// A request copied out of QHttpServerRequest, so a worker thread can own it.
struct HttpRequest
{
    QByteArray method; // "GET", "POST", ...
    QByteArray rawPath; // as sent, still percent-encoded
    QUrlQuery query;
    QList<std::pair<QByteArray, QByteArray>> headers; // names lower-cased
    QByteArray body;
    QHostAddress peer;

    // The first header of that (lower-case) name; a null array when absent.
    QByteArray header(QByteArrayView lowerName) const;
    int headerCount(QByteArrayView lowerName) const;
};
