#pragma once

#include <QRandomGenerator>
#include <QtGlobal>

// Uniform randomness for jitter, injected so that tests can seed it.
class RandomSource
{
public:
    virtual ~RandomSource() = default;
    // A uniformly distributed integer in [0, bound]; 0 when bound <= 0.
    virtual qint64 boundedInclusive(qint64 bound) = 0;
};

// Backed by QRandomGenerator::global(): thread-safe, seeded by the system.
class SystemRandomSource final : public RandomSource
{
public:
    qint64 boundedInclusive(qint64 bound) override;
    static SystemRandomSource *instance();
};

// Deterministic for a given seed; not thread-safe (one per test or per owner).
class SeededRandomSource final : public RandomSource
{
public:
    explicit SeededRandomSource(quint32 seed)
        : m_generator(seed)
    { }
    qint64 boundedInclusive(qint64 bound) override;

private:
    QRandomGenerator m_generator;
};
