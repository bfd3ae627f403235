#include "mutationhandle.h"

void MutationHandle::update(const Mutation &mutation)
{
    const bool wasFinal = m_mutation.isFinal();
    m_mutation = mutation;
    emit changed();
    if (!wasFinal && m_mutation.isFinal())
        emit finished();
}
