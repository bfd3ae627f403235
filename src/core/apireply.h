#pragma once

#include "apierror.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPair>

class ApiClient;

// One API request: finishes exactly once (finished()), whatever happens, with either a 2xx
// answer or a classified error. A 401 is retried once after a token refresh before it counts.
// It deletes itself after finished(): read it in a slot connected to that signal.
class ApiReply : public QObject
{
    Q_OBJECT
public:
    bool isFinished() const { return m_finished; }
    bool isSuccess() const { return m_finished && !m_error.isError(); }
    int status() const { return m_status; }
    const ApiError &error() const { return m_error; }
    const QByteArray &body() const { return m_body; }
    QJsonObject json() const;
    QByteArray header(const QByteArray &name) const;
    bool isReplayed() const { return header("Idempotent-Replayed") == "true"; }

signals:
    void finished(QPrivateSignal);

private:
    friend class ApiClient;
    explicit ApiReply(QObject *parent)
        : QObject(parent)
    { }
    void finish(
        int status, QByteArray body, QList<QPair<QByteArray, QByteArray>> headers, ApiError error);

    bool m_finished = false;
    int m_status = 0;
    QByteArray m_body;
    QList<QPair<QByteArray, QByteArray>> m_headers;
    ApiError m_error;
};
