#include "actiondescriptor.h"

QJsonObject ActionDescriptor::body(const QString &id, const QStringList &values) const
{
    QJsonObject out { { idMember, id } };
    for (qsizetype i = 0; i < params.size() && i < values.size(); ++i)
        out.insert(params[i], values[i]);
    return out;
}
