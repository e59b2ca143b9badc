#include "history/history.h"

#include "history/deploymentstore.h"
#include "history/historydatabase.h"
#include "history/migrations.h"
#include "history/operationstore.h"
#include "history/releasestore.h"
#include "history/targetstore.h"
#include "util/logging.h"

#include <QDir>

namespace slipway {

// The connection, and a store per table group on it.
struct History::Private
{
    HistoryDatabase db;
    TargetStore targets{db};
    ReleaseStore releases{db};
    DeploymentStore deployments{db};
    OperationStore operations{db};
};

History::History()
    : d(std::make_unique<Private>())
{}

History::~History() = default;

QString History::defaultPath(const QString &dataDir)
{
    return QDir(dataDir).filePath(QStringLiteral("history.sqlite"));
}

int History::schemaVersion()
{
    return int(historyMigrations().size());
}

QString History::path() const
{
    return d->db.path();
}

Status History::checkIntegrity() const
{
    Result<QSqlQuery> query = d->db.exec(QStringLiteral("PRAGMA integrity_check"));
    if (!query)
        return query.error();
    if (!query->next())
        return d->db.failed(QStringLiteral("integrity check returned nothing"));
    const QString verdict = query->value(0).toString();
    if (verdict != u"ok")
        return d->db.failed(QStringLiteral("integrity check failed: %1").arg(verdict.simplified()));
    return success();
}

Result<std::unique_ptr<History>> History::open(const QString &path)
{
    std::unique_ptr<History> history(new History);
    Private &p = *history->d;
    if (Status opened = p.db.open(path); !opened)
        return opened.error();
    if (Status interrupted = p.deployments.interruptOrphans(); !interrupted)
        return interrupted.error();
    qCDebug(lcHistory) << "opened" << p.db.path();
    return history;
}

// Targets

Status History::addTarget(const Target &target)
{
    return d->targets.add(target);
}

Status History::updateTarget(const Target &target)
{
    return d->targets.update(target);
}

Status History::removeTarget(const QString &name)
{
    return d->targets.remove(name);
}

Result<QList<Target>> History::targets() const
{
    return d->targets.all();
}

Result<Target> History::target(const QString &name) const
{
    return d->targets.find(name);
}

// Projects and releases

Result<ProjectRecord> History::ensureProject(const QString &name, const QString &source)
{
    return d->releases.ensureProject(name, source);
}

Result<ProjectRecord> History::projectOfSource(const QString &name, const QString &source)
{
    return d->releases.projectOfSource(name, source);
}

Result<QList<ProjectRecord>> History::projects() const
{
    return d->releases.projects();
}

Result<qint64> History::addRelease(const ReleaseRecord &release)
{
    return d->releases.add(release);
}

Result<ReleaseRecord> History::release(qint64 id) const
{
    return d->releases.find(id);
}

Result<QList<ReleaseRecord>> History::releases(const QString &project) const
{
    return d->releases.ofProject(project);
}

// Deployments

Result<qint64> History::startDeployment(qint64 releaseId, const QString &target)
{
    return d->deployments.start(releaseId, target);
}

Status History::appendDeploymentLog(qint64 id, const QString &text)
{
    return d->deployments.appendLog(id, text);
}

Status History::finishDeployment(qint64 id, DeploymentResult result, const QString &error, const QString &log)
{
    return d->deployments.finish(id, result, error, log);
}

Status History::markDeploymentRepaired(qint64 id, const QString &log)
{
    return d->deployments.markRepaired(id, log);
}

Result<DeploymentRecord> History::deployment(qint64 id) const
{
    return d->deployments.find(id);
}

Result<QList<DeploymentRecord>> History::deployments(const DeploymentFilter &filter) const
{
    return d->deployments.list(filter);
}

// Operations

Result<qint64> History::addOperation(const OperationRecord &operation)
{
    return d->operations.add(operation);
}

Result<QList<OperationRecord>> History::operations(const OperationFilter &filter) const
{
    return d->operations.list(filter);
}

Result<std::optional<ReleaseRecord>> History::currentRelease(const QString &target) const
{
    Result<QVariant> id = d->deployments.currentReleaseId(target);
    if (!id)
        return id.error();
    return d->releases.findOrNone(id.value());
}

} // namespace slipway
