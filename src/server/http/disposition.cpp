#include "disposition.h"

Disposition::Disposition(Kind kind, std::variant<HttpResponse, RoutedRequest> value)
    : m_kind(kind)
    , m_value(std::move(value))
{ }

Disposition Disposition::answer(HttpResponse response)
{
    return { Kind::Answer, std::move(response) };
}

Disposition Disposition::batch(RoutedRequest routed)
{
    return { Kind::Batch, std::move(routed) };
}

Disposition Disposition::worker(RoutedRequest routed)
{
    return { Kind::Worker, std::move(routed) };
}
