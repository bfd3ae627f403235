#pragma once

#include "httprequest.h"
#include "router.h"

#include <QString>

// A request whose route the event loop has matched (the only match made for it), with what
// that match found: a worker or the loop's group commit answers it without matching again.
struct RoutedRequest
{
    HttpRequest request;
    Router::Match match;
    QString path; // decoded ("/api/bookings/confirm"), part of the idempotency fingerprint
};
