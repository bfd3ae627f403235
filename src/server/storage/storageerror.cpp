#include "storageerror.h"

StorageError::StorageError(const QSqlError &error, Kind kind, const QString &context)
    : std::runtime_error(QString(context + QStringLiteral(": ") + error.text()).toStdString())
    , m_error(error)
    , m_kind(kind)
{ }
