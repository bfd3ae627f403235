#pragma once

#include "problem.h"

// The server's catalogue of errors: one place for every code, title and status it sends.
namespace Problems {

Problem badRequest(const QString &code, const QString &detail);
Problem malformedJson(const QString &detail);
Problem unauthorized(const QString &detail);
Problem forbidden(const QString &detail);
Problem notFound(const QString &detail);
Problem methodNotAllowed(const QString &detail);
Problem conflict(const QString &code, const QString &detail);
// GET /api/changes from a seq whose following changes were purged (--change-retention).
Problem historyExpired(qint64 since, qint64 purgedThrough);
Problem keyInUse();
Problem keyMismatch();
Problem payloadTooLarge(qint64 limit);
Problem lengthRequired();
Problem headersTooLarge(qint64 limit);
Problem upgradeNotSupported(const QByteArray &webSocketPath);
Problem unsupportedMediaType();
Problem unavailable(const QString &detail, int retryAfterSeconds);
Problem tooManyLoginAttempts(int retryAfterSeconds);
Problem internal();

} // namespace Problems
