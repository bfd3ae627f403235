#include "httpresponse.h"

#include <QJsonDocument>

HttpResponse HttpResponse::json(int status, const QJsonObject &body)
{
    HttpResponse r;
    r.status = status;
    r.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    return r;
}

HttpResponse HttpResponse::problem(const Problem &problem)
{
    HttpResponse r;
    r.status = problem.status;
    r.contentType = Problem::contentType;
    r.body = problem.toJson();
    if (problem.retryAfterSeconds >= 0)
        r.headers.append({ "Retry-After", QByteArray::number(problem.retryAfterSeconds) });
    return r;
}

HttpResponse HttpResponse::text(int status, QByteArray body, QByteArray contentType)
{
    HttpResponse r;
    r.status = status;
    r.contentType = std::move(contentType);
    r.body = std::move(body);
    return r;
}

HttpResponse &HttpResponse::withHeader(QByteArray name, QByteArray value)
{
    headers.append({ std::move(name), std::move(value) });
    return *this;
}
