#pragma once

#include "history/records.h"
#include "util/result.h"

#include <QList>
#include <QString>
#include <QVariant>

class QSqlQuery;

namespace slipway {

class HistoryDatabase;

// The deployments table: one rollout of one release to one target, from `running` to its end.
// On a database it does not own.
class DeploymentStore final
{
public:
    explicit DeploymentStore(HistoryDatabase &db)
        : m_db(db)
    {}

    // Marks `interrupted` every deployment still `running` whose process (pid and host recorded
    // by start()) is gone; those of live processes and other machines are left alone.
    Status interruptOrphans();

    // Records a `running` deployment of this process; its id.
    Result<qint64> start(qint64 releaseId, const QString &target);
    Status appendLog(qint64 id, const QString &text);
    // Once only: sets its end, result, error and log (replacing what appendLog stored).
    Status finish(qint64 id, DeploymentResult result, const QString &error, const QString &log);
    // Once only, of an interrupted deployment: records that its target was put back as it was,
    // appending `log` (what the repair did) to its log.
    Status markRepaired(qint64 id, const QString &log);
    Result<DeploymentRecord> find(qint64 id) const;
    Result<QList<DeploymentRecord>> list(const DeploymentFilter &filter) const; // newest first

    // The release id of the last succeeded deployment to the target, and of the one before it
    // with another image digest; a null QVariant when there is none.
    Result<QVariant> currentReleaseId(const QString &target) const;

private:
    Result<QList<DeploymentRecord>> read(QSqlQuery &query) const;

    HistoryDatabase &m_db;
};

} // namespace slipway
