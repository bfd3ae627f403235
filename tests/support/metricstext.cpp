#include "metricstext.h"

#include "httpclient.h"

#include <algorithm>

MetricsText::MetricsText(const QByteArray &text)
{
    for (const QByteArray &line : text.split('\n')) {
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        const qsizetype space = line.lastIndexOf(' ');
        if (space > 0)
            m_samples.insert(line.left(space), line.mid(space + 1).toDouble());
    }
}

MetricsText MetricsText::fetch(HttpClient &admin)
{
    const HttpResult r = admin.get(QStringLiteral("/metrics"));
    return MetricsText(r.status == 200 ? r.body : QByteArray());
}

bool MetricsText::hasFamily(const QByteArray &name) const
{
    return std::any_of(m_samples.keyBegin(), m_samples.keyEnd(), [&](const QByteArray &sample) {
        return sample.startsWith(name)
            && (sample.size() == name.size() || sample[name.size()] == '{'
                || sample[name.size()] == '_');
    });
}
