#include "history/operationstore.h"

#include "history/historydatabase.h"

#include <QSqlError>

namespace slipway {

Result<qint64> OperationStore::add(const OperationRecord &operation)
{
    if (operation.app.isEmpty() || operation.target.isEmpty())
        return m_db.badInput(QStringLiteral("an operation needs an app and a target"));
    const qint64 now = HistoryDatabase::nowMs();
    const qint64 started = operation.started.isValid() ? operation.started.toMSecsSinceEpoch() : now;
    const qint64 finished = operation.finished.isValid() ? operation.finished.toMSecsSinceEpoch() : now;
    Result<QSqlQuery> insert = m_db.exec(
        QStringLiteral("INSERT INTO operations (app, target, action, release_id, user, host, started,"
                       " finished, succeeded, error, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        {operation.app, operation.target, operationActionName(operation.action),
         operation.releaseId > 0 ? QVariant(operation.releaseId) : QVariant(QMetaType(QMetaType::LongLong)),
         operation.user, operation.host, started, finished, operation.succeeded ? 1 : 0, operation.error,
         operation.detail});
    if (!insert)
        return insert.error();
    return insert->lastInsertId().toLongLong();
}

Result<QList<OperationRecord>> OperationStore::list(const OperationFilter &filter) const
{
    QStringList conditions;
    QVariantList values;
    if (!filter.app.isEmpty()) {
        conditions.append(QStringLiteral("app = ?"));
        values.append(filter.app);
    }
    if (!filter.target.isEmpty()) {
        conditions.append(QStringLiteral("target = ?"));
        values.append(filter.target);
    }
    QString sql = QStringLiteral("SELECT id, app, target, action, release_id, user, host, started, finished,"
                                 " succeeded, error, detail FROM operations");
    if (!conditions.isEmpty())
        sql += QStringLiteral(" WHERE ") + conditions.join(QStringLiteral(" AND "));
    sql += QStringLiteral(" ORDER BY id DESC");
    if (filter.limit > 0)
        sql += QStringLiteral(" LIMIT %1").arg(filter.limit);
    Result<QSqlQuery> query = m_db.exec(sql, values);
    if (!query)
        return query.error();
    QList<OperationRecord> list;
    while (query->next()) {
        OperationRecord record;
        record.id = query->value(0).toLongLong();
        record.app = query->value(1).toString();
        record.target = query->value(2).toString();
        record.action = operationActionFromName(query->value(3).toString()).value_or(OperationAction::Stop);
        record.releaseId = query->value(4).toLongLong();
        record.user = query->value(5).toString();
        record.host = query->value(6).toString();
        record.started = HistoryDatabase::fromMs(query->value(7));
        record.finished = HistoryDatabase::fromMs(query->value(8));
        record.succeeded = query->value(9).toInt() != 0;
        record.error = query->value(10).toString();
        record.detail = query->value(11).toString();
        list.append(record);
    }
    if (query->lastError().isValid())
        return m_db.sqlError(query->lastError());
    return list;
}

} // namespace slipway
