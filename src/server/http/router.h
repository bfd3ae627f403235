#pragma once

#include "problem.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>
#include <functional>
#include <variant>

class RequestContext;
struct HttpResponse;

// Maps (method, path segments) to a handler. Patterns are literal segments and `{name}`
// placeholders; the pattern itself labels metrics, so their cardinality stays bounded.
class Router
{
public:
    enum class Access { Public, User, Admin, Metrics }; // Metrics: an admin or the scrape token
    enum class Kind { Query, Mutation }; // a mutation requires an Idempotency-Key
    // Inline routes run on the event-loop thread that read the request (short transactions);
    // Worker routes (slow by design: password hashing, whole-table reads) go to the pool.
    enum class Execution { Inline, Worker };
    using Handler = std::function<HttpResponse(RequestContext &)>;

    struct Options
    {
        Access access = Access::User;
        Kind kind = Kind::Query;
        Execution execution = Execution::Inline;
    };

    struct Route
    {
        QByteArray method;
        QString pattern;
        QStringList segments;
        Options options;
        Handler handler;
    };

    struct Match
    {
        const Route *route = nullptr;
        QHash<QString, QString> params;
    };

    void add(QByteArray method, const QString &pattern, Options options, Handler handler);
    // A Match, or a 404 / 405 problem.
    std::variant<Match, Problem> match(const QByteArray &method, const QStringList &segments) const;

private:
    static bool matches(
        const Route &route, const QStringList &segments, QHash<QString, QString> *params);

    QList<Route> m_routes;
};
