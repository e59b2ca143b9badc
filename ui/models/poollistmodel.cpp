#include "models/poollistmodel.h"

int PoolListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : count();
}

void PoolListModel::begin()
{
    if (m_pending++ == 0)
        Q_EMIT busyChanged();
}

void PoolListModel::end()
{
    if (--m_pending == 0)
        Q_EMIT busyChanged();
}

void PoolListModel::setError(const QString &error)
{
    if (m_error == error)
        return;
    m_error = error;
    Q_EMIT errorChanged();
}
