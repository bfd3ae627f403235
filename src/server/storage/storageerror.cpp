#include "storageerror.h"

StorageError::StorageError(const QSqlError &error, bool transient, const QString &context)
    : std::runtime_error(QString(context + QStringLiteral(": ") + error.text()).toStdString())
    , m_error(error)
    , m_transient(transient)
{
}
