#pragma once

#include <QByteArray>
#include <QHash>

class HttpClient;

// The samples of a Prometheus text page ("name" or "name{labels}" -> value), as tests read
// them. /metrics needs an admin (or the scrape token): fetch() with an admin's client.
class MetricsText
{
public:
    explicit MetricsText(const QByteArray &text);
    static MetricsText fetch(HttpClient &admin);

    double value(const QByteArray &sample, double missing = -1) const
    {
        return m_samples.value(sample, missing);
    }
    bool hasFamily(const QByteArray &name) const;
    bool isEmpty() const { return m_samples.isEmpty(); }

private:
    QHash<QByteArray, double> m_samples;
};
