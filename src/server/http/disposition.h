#pragma once

#include "httpresponse.h"
#include "routedrequest.h"

#include <variant>

// What the event loop does with a request once ApiService has looked at it: write an answer
// now, run it in the loop's next group commit, or hand it (route already matched) to a worker.
class Disposition
{
public:
    enum class Kind {
        Answer, // answered on the event loop: response()
        Batch, // an inline mutation: routed() goes to ApiService::handleBatch()
        Worker, // a Worker route, or a transient database error that needs backoff: routed()
    };

    static Disposition answer(HttpResponse response);
    static Disposition batch(RoutedRequest routed);
    static Disposition worker(RoutedRequest routed);

    Kind kind() const { return m_kind; }
    // Kind::Answer only.
    HttpResponse &response() { return std::get<HttpResponse>(m_value); }
    // Kind::Batch and Kind::Worker only.
    RoutedRequest &routed() { return std::get<RoutedRequest>(m_value); }

private:
    Disposition(Kind kind, std::variant<HttpResponse, RoutedRequest> value);

    Kind m_kind;
    std::variant<HttpResponse, RoutedRequest> m_value;
};
