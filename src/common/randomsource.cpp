#include "randomsource.h"

namespace {
qint64 drawInclusive(QRandomGenerator &generator, qint64 bound)
{
    if (bound <= 0)
        return 0;
    return generator.bounded(bound + 1);
}
} // namespace

qint64 SystemRandomSource::boundedInclusive(qint64 bound)
{
    return drawInclusive(*QRandomGenerator::global(), bound);
}

SystemRandomSource *SystemRandomSource::instance()
{
    static SystemRandomSource source;
    return &source;
}

qint64 SeededRandomSource::boundedInclusive(qint64 bound)
{
    return drawInclusive(m_generator, bound);
}
