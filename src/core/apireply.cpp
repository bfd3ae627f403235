#include "apireply.h"

#include <QJsonDocument>

QJsonObject ApiReply::json() const
{
    return QJsonDocument::fromJson(m_body).object();
}

QByteArray ApiReply::header(const QByteArray &name) const
{
    for (const auto &[key, value] : m_headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

void ApiReply::finish(
    int status, QByteArray body, QList<QPair<QByteArray, QByteArray>> headers, ApiError error)
{
    if (m_finished)
        return;
    m_finished = true;
    m_status = status;
    m_body = std::move(body);
    m_headers = std::move(headers);
    m_error = std::move(error);
    emit finished(QPrivateSignal());
    deleteLater(); // read it in a slot connected to finished(); it is gone afterwards
}
