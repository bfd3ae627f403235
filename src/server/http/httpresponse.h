#pragma once

#include "problem.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <utility>

// A complete response, built on a worker thread and written by the event-loop thread.
struct HttpResponse
{
    int status = 200;
    QByteArray contentType = "application/json";
    QByteArray body;
    QList<std::pair<QByteArray, QByteArray>> headers;

    static HttpResponse json(int status, const QJsonObject &body);
    static HttpResponse problem(const Problem &problem);
    static HttpResponse text(
        int status, QByteArray body, QByteArray contentType = "text/plain; charset=utf-8");

    HttpResponse &withHeader(QByteArray name, QByteArray value);
    bool isSuccess() const { return status >= 200 && status < 300; }
};
