#include "clock.h"

#include <QDateTime>

qint64 SystemClock::nowMs() const
{
    return QDateTime::currentMSecsSinceEpoch();
}

const SystemClock *SystemClock::instance()
{
    static const SystemClock clock;
    return &clock;
}
