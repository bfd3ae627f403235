#include "router.h"

#include "httpresponse.h"
#include "problems.h"

void Router::add(QByteArray method, const QString &pattern, Options options, Handler handler)
{
    m_routes.append({ std::move(method), pattern, pattern.mid(1).split(QLatin1Char('/')), options,
        std::move(handler) });
}

bool Router::matches(
    const Route &route, const QStringList &segments, QHash<QString, QString> *params)
{
    if (route.segments.size() != segments.size())
        return false;
    for (qsizetype i = 0; i < segments.size(); ++i) {
        const QString &expected = route.segments[i];
        if (expected.startsWith(QLatin1Char('{')) && expected.endsWith(QLatin1Char('}')))
            params->insert(expected.mid(1, expected.size() - 2), segments[i]);
        else if (expected != segments[i])
            return false;
    }
    return true;
}

std::variant<Router::Match, Problem> Router::match(
    const QByteArray &method, const QStringList &segments) const
{
    QStringList allowed;
    for (const Route &route : m_routes) {
        QHash<QString, QString> params;
        if (!matches(route, segments, &params))
            continue;
        if (route.method == method || (method == "HEAD" && route.method == "GET"))
            return Match { &route, params };
        allowed.append(QString::fromLatin1(route.method));
    }
    if (!allowed.isEmpty()) {
        Problem p = Problems::methodNotAllowed(
            QStringLiteral("Allowed: %1").arg(allowed.join(QStringLiteral(", "))));
        return p;
    }
    return Problems::notFound(QStringLiteral("No such resource."));
}
