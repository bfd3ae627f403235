#include "httprequest.h"

QByteArray HttpRequest::header(QByteArrayView lowerName) const
{
    for (const auto &[name, value] : headers) {
        if (name == lowerName)
            return value;
    }
    return {};
}

int HttpRequest::headerCount(QByteArrayView lowerName) const
{
    int n = 0;
    for (const auto &entry : headers)
        n += entry.first == lowerName ? 1 : 0;
    return n;
}
