#include "logging.h"

Q_LOGGING_CATEGORY(lcCommon, "syncloop.common", QtInfoMsg)
Q_LOGGING_CATEGORY(lcBreaker, "syncloop.breaker", QtInfoMsg)

Q_LOGGING_CATEGORY(lcServer, "syncloop.server", QtInfoMsg)
Q_LOGGING_CATEGORY(lcHttp, "syncloop.server.http", QtWarningMsg)
Q_LOGGING_CATEGORY(lcStorage, "syncloop.server.storage", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAuth, "syncloop.server.auth", QtInfoMsg)
Q_LOGGING_CATEGORY(lcIdempotency, "syncloop.server.idempotency", QtInfoMsg)
Q_LOGGING_CATEGORY(lcOutbox, "syncloop.server.outbox", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRealtime, "syncloop.server.realtime", QtInfoMsg)

Q_LOGGING_CATEGORY(lcSync, "syncloop.core.sync", QtInfoMsg)
Q_LOGGING_CATEGORY(lcQueue, "syncloop.core.queue", QtInfoMsg)
Q_LOGGING_CATEGORY(lcApi, "syncloop.core.api", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRealtimeClient, "syncloop.core.realtime", QtInfoMsg)
Q_LOGGING_CATEGORY(lcCredentials, "syncloop.core.credentials", QtInfoMsg)
Q_LOGGING_CATEGORY(lcUi, "syncloop.ui", QtInfoMsg)
