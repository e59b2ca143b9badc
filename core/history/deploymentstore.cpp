#include "history/deploymentstore.h"

#include "history/historydatabase.h"
#include "util/logging.h"

#include <QSqlError>
#include <QSysInfo>

#include <cerrno>
#include <csignal>
#include <unistd.h>

namespace slipway {
namespace {

// Whether a process with this id still exists on this machine.
bool processAlive(qint64 pid)
{
    if (pid <= 0)
        return false;
    if (pid == qint64(::getpid()))
        return true;
    return ::kill(pid_t(pid), 0) == 0 || errno == EPERM;
}

const char *const deploymentColumns =
    "SELECT d.id, d.release_id, d.target, d.started, d.finished, d.result, d.error, d.log,"
    " p.name, r.commit_id, r.image, r.digest, r.message, d.repaired"
    " FROM deployments d JOIN releases r ON r.id = d.release_id JOIN projects p ON p.id = r.project_id";

// The newest first: by when they finished, then by id for deployments finished the same
// millisecond.
const char *const succeededToTarget =
    "SELECT d.release_id, r.digest FROM deployments d JOIN releases r ON r.id = d.release_id"
    " WHERE d.target = ? AND d.result = 'succeeded' ORDER BY d.finished DESC, d.id DESC";

} // namespace

Status DeploymentStore::interruptOrphans()
{
    Result<QSqlQuery> running = m_db.exec(
        QStringLiteral("SELECT id, owner_pid, owner_host FROM deployments WHERE result = 'running'"));
    if (!running)
        return running.error();
    const QString host = QSysInfo::machineHostName();
    QList<std::pair<qint64, QString>> orphans;
    while (running->next()) {
        const qint64 id = running->value(0).toLongLong();
        const QVariant pid = running->value(1);
        const QString ownerHost = running->value(2).toString();
        if (pid.isNull()) {
            orphans.append(
                {id, QStringLiteral("interrupted: the process running it ended before it finished")});
        } else if (ownerHost == host && !processAlive(pid.toLongLong())) {
            orphans.append(
                {id, QStringLiteral("interrupted: the process running it (pid %1) ended before it finished")
                         .arg(pid.toLongLong())});
        }
        // A deployment of a live process, or of another machine sharing the file, is left alone.
    }
    running->finish();
    for (const auto &[id, error] : orphans) {
        Result<QSqlQuery> update =
            m_db.exec(QStringLiteral("UPDATE deployments SET result = 'interrupted', finished = ?, error = ?"
                                     " WHERE id = ? AND result = 'running'"),
                      {HistoryDatabase::nowMs(), error, id});
        if (!update)
            return update.error();
        qCWarning(lcHistory) << "deployment" << id
                             << "was still running when its process ended: marked interrupted";
    }
    return success();
}

Result<QList<DeploymentRecord>> DeploymentStore::read(QSqlQuery &query) const
{
    QList<DeploymentRecord> list;
    while (query.next()) {
        DeploymentRecord record;
        record.id = query.value(0).toLongLong();
        record.releaseId = query.value(1).toLongLong();
        record.target = query.value(2).toString();
        record.started = HistoryDatabase::fromMs(query.value(3));
        record.finished = HistoryDatabase::fromMs(query.value(4));
        record.result =
            deploymentResultFromName(query.value(5).toString()).value_or(DeploymentResult::Failed);
        record.error = query.value(6).toString();
        record.log = query.value(7).toString();
        record.project = query.value(8).toString();
        record.commit = query.value(9).toString();
        record.image = query.value(10).toString();
        record.digest = query.value(11).toString();
        record.message = query.value(12).toString();
        record.repaired = HistoryDatabase::fromMs(query.value(13));
        list.append(record);
    }
    if (query.lastError().isValid())
        return m_db.sqlError(query.lastError());
    return list;
}

Result<qint64> DeploymentStore::start(qint64 releaseId, const QString &target)
{
    if (target.isEmpty())
        return m_db.badInput(QStringLiteral("a deployment needs a target"));
    Result<QSqlQuery> known = m_db.exec(QStringLiteral("SELECT 1 FROM releases WHERE id = ?"), {releaseId});
    if (!known)
        return known.error();
    if (!known->next())
        return m_db.badInput(QStringLiteral("no release %1").arg(releaseId));
    known->finish();
    Result<QSqlQuery> insert = m_db.exec(
        QStringLiteral("INSERT INTO deployments (release_id, target, started, result, owner_pid, owner_host)"
                       " VALUES (?, ?, ?, 'running', ?, ?)"),
        {releaseId, target, HistoryDatabase::nowMs(), qint64(::getpid()), QSysInfo::machineHostName()});
    if (!insert)
        return insert.error();
    return insert->lastInsertId().toLongLong();
}

Status DeploymentStore::appendLog(qint64 id, const QString &text)
{
    Result<QSqlQuery> update =
        m_db.exec(QStringLiteral("UPDATE deployments SET log = log || ? WHERE id = ? AND result = 'running'"),
                  {text, id});
    if (!update)
        return update.error();
    if (update->numRowsAffected() == 0)
        return m_db.badInput(QStringLiteral("deployment %1 is not running").arg(id));
    return success();
}

Status DeploymentStore::finish(qint64 id, DeploymentResult result, const QString &error, const QString &log)
{
    if (result == DeploymentResult::Running)
        return m_db.badInput(QStringLiteral("deployment %1 cannot finish as running").arg(id));
    Result<QSqlQuery> update =
        m_db.exec(QStringLiteral("UPDATE deployments SET finished = ?, result = ?, error = ?, log = ?"
                                 " WHERE id = ? AND result = 'running'"),
                  {HistoryDatabase::nowMs(), deploymentResultName(result), error, log, id});
    if (!update)
        return update.error();
    if (update->numRowsAffected() == 0) {
        Result<DeploymentRecord> existing = find(id);
        if (!existing)
            return existing.error();
        return m_db.badInput(QStringLiteral("deployment %1 has already finished (%2)")
                                 .arg(id)
                                 .arg(deploymentResultName(existing->result)));
    }
    return success();
}

Status DeploymentStore::markRepaired(qint64 id, const QString &log)
{
    Result<QSqlQuery> update =
        m_db.exec(QStringLiteral("UPDATE deployments SET repaired = ?, log = log || ?"
                                 " WHERE id = ? AND result = 'interrupted' AND repaired IS NULL"),
                  {HistoryDatabase::nowMs(), log, id});
    if (!update)
        return update.error();
    if (update->numRowsAffected() == 0)
        return m_db.badInput(
            QStringLiteral("deployment %1 is not an interrupted one waiting for repair").arg(id));
    return success();
}

Result<DeploymentRecord> DeploymentStore::find(qint64 id) const
{
    Result<QSqlQuery> query =
        m_db.exec(QLatin1String(deploymentColumns) + QStringLiteral(" WHERE d.id = ?"), {id});
    if (!query)
        return query.error();
    Result<QList<DeploymentRecord>> list = read(query.value());
    if (!list)
        return list.error();
    if (list->isEmpty())
        return m_db.badInput(QStringLiteral("no deployment %1").arg(id));
    return list->first();
}

Result<QList<DeploymentRecord>> DeploymentStore::list(const DeploymentFilter &filter) const
{
    QStringList conditions;
    QVariantList values;
    if (!filter.project.isEmpty()) {
        conditions.append(QStringLiteral("p.name = ?"));
        values.append(filter.project);
    }
    if (!filter.target.isEmpty()) {
        conditions.append(QStringLiteral("d.target = ?"));
        values.append(filter.target);
    }
    if (filter.result) {
        conditions.append(QStringLiteral("d.result = ?"));
        values.append(deploymentResultName(*filter.result));
    }
    if (filter.unrepairedOnly)
        conditions.append(QStringLiteral("d.result = 'interrupted' AND d.repaired IS NULL"));
    QString sql = QLatin1String(deploymentColumns);
    if (!conditions.isEmpty())
        sql += QStringLiteral(" WHERE ") + conditions.join(QStringLiteral(" AND "));
    sql += QStringLiteral(" ORDER BY d.id DESC");
    if (filter.limit > 0)
        sql += QStringLiteral(" LIMIT %1").arg(filter.limit);
    Result<QSqlQuery> query = m_db.exec(sql, values);
    if (!query)
        return query.error();
    return read(query.value());
}

Result<QVariant> DeploymentStore::currentReleaseId(const QString &target) const
{
    Result<QSqlQuery> query =
        m_db.exec(QLatin1String(succeededToTarget) + QStringLiteral(" LIMIT 1"), {target});
    if (!query)
        return query.error();
    QVariant id;
    if (query->next())
        id = query->value(0);
    query->finish();
    return id;
}

} // namespace slipway
