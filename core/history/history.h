#pragma once

#include "engine/target.h"
#include "history/records.h"
#include "util/result.h"

#include <QDateTime>
#include <QList>
#include <QString>

#include <memory>
#include <optional>

namespace slipway {

// The history database (SQLite through Qt Sql): projects, releases, deployments, operations
// and targets.
//
// One History object owns one connection and must be used (and destroyed) on the thread that
// opened it.
// Other threads (a GUI model's worker, a second process) open their own History on the same
// file: WAL lets readers go on while a writer writes, and the busy timeout makes concurrent
// writers wait rather than fail.
//
// Every method returns a one-line error that names the database file.
class History
{
public:
    ~History();
    History(const History &) = delete;
    History &operator=(const History &) = delete;

    // Opens (creating the file and its directory if needed) and migrates the database, then
    // marks `interrupted` every deployment still `running` whose process is gone (each records
    // the pid and host of the process that started it, so a GUI opening the database does not
    // interrupt a CLI deploy in progress). Refuses a database written by a newer Slipway: it is
    // never downgraded.
    static Result<std::unique_ptr<History>> open(const QString &path);

    // The database's file name in <data dir>.
    static QString defaultPath(const QString &dataDir);

    // The schema version this build writes (PRAGMA user_version).
    static int schemaVersion();

    QString path() const;

    // PRAGMA integrity_check: success when SQLite finds nothing wrong, else its first finding.
    Status checkIntegrity() const;

    // Targets. Names are unique: adding an existing name fails, updating or removing an
    // unknown one fails.
    Status addTarget(const Target &target);
    Status updateTarget(const Target &target);
    Status removeTarget(const QString &name);
    Result<QList<Target>> targets() const;
    Result<Target> target(const QString &name) const; // unknown name: BadInput

    // Projects, created on first use; the source is updated when it changes.
    Result<ProjectRecord> ensureProject(const QString &name, const QString &source);
    // The project of a repository, by its source identity: two repositories of one name are
    // two projects ("api", "api-3fa2c1"), the same one reached by URL or by a clone is one.
    Result<ProjectRecord> projectOfSource(const QString &name, const QString &source);
    Result<QList<ProjectRecord>> projects() const;

    // Releases. addRelease creates the project when needed (with an empty source) and returns
    // the new release id.
    Result<qint64> addRelease(const ReleaseRecord &release);
    Result<ReleaseRecord> release(qint64 id) const;                      // unknown id: BadInput
    Result<QList<ReleaseRecord>> releases(const QString &project) const; // newest first

    // Deployments. startDeployment records a `running` deployment and returns its id;
    // finishDeployment sets its end, result, error and log (replacing what appendDeploymentLog
    // stored). A deployment can be finished once.
    Result<qint64> startDeployment(qint64 releaseId, const QString &target);
    Status appendDeploymentLog(qint64 id, const QString &text);
    Status finishDeployment(qint64 id, DeploymentResult result, const QString &error, const QString &log);
    // Of an interrupted deployment, once: its target was put back as it was before (repair.h);
    // `log` says how, and is appended to the deployment's log.
    Status markDeploymentRepaired(qint64 id, const QString &log);
    Result<DeploymentRecord> deployment(qint64 id) const;
    Result<QList<DeploymentRecord>> deployments(const DeploymentFilter &filter = {}) const; // newest first

    // Operations on an app (stop, start, restart, remove, maintenance, live), recorded once ended.
    Result<qint64> addOperation(const OperationRecord &operation);
    Result<QList<OperationRecord>> operations(const OperationFilter &filter = {}) const; // newest first

    // The release of the last succeeded deployment to the target; nullopt when none.
    Result<std::optional<ReleaseRecord>> currentRelease(const QString &target) const;

private:
    History(); // through open()
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace slipway
