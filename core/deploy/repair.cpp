#include "deploy/repair.h"

#include "deploy/release.h"
#include "deploy/rollout.h"
#include "deploy/targetdriver.h"
#include "events/event.h"

#include <QDateTime>
#include <QHash>

#include <algorithm>

namespace slipway {
namespace {

// The releases of a history, read once each.
class Releases
{
public:
    explicit Releases(const History &history)
        : m_history(history)
    {}

    Result<ReleaseRecord> get(qint64 id)
    {
        if (auto found = m_cache.constFind(id); found != m_cache.constEnd())
            return found.value();
        auto release = m_history.release(id);
        if (release)
            m_cache.insert(id, release.value());
        return release;
    }

private:
    const History &m_history;
    QHash<qint64, ReleaseRecord> m_cache;
};

// The release of the app's last succeeded deployment to the target; 0 when none.
Result<qint64> servingRelease(const History &history, const QString &target, const QString &app)
{
    auto succeeded = succeededDeployments(history, target);
    if (!succeeded)
        return succeeded.error();
    for (const SucceededDeployment &entry : std::as_const(succeeded.value()))
        if (entry.app == app)
            return entry.release.id;
    return qint64(0);
}

RepairOutcome repairOne(History &history, Releases &releases, const DeploymentRecord &interrupted,
                        const RepairOptions &options)
{
    RepairOutcome outcome;
    outcome.deployment = interrupted.id;
    outcome.target = interrupted.target;
    outcome.release = interrupted.releaseId;
    const QString what = QStringLiteral("deployment %1 (release %2 to target %3)")
                             .arg(interrupted.id)
                             .arg(interrupted.releaseId)
                             .arg(interrupted.target);
    auto fail = [&](const Error &error) {
        outcome.error = QStringLiteral("repair of %1: %2").arg(what, error.message);
        outcome.cancelled = error.kind == Error::Kind::Cancelled;
        return outcome;
    };
    auto release = releases.get(interrupted.releaseId);
    if (!release)
        return fail(release.error());
    outcome.app = appOfRelease(release.value());
    auto serving = servingRelease(history, interrupted.target, outcome.app);
    if (!serving)
        return fail(serving.error());
    outcome.serving = serving.value();

    auto target = history.target(interrupted.target);
    if (!target) {
        // Removed since: nothing of it is Slipway's to put back.
        outcome.notes.append(
            QStringLiteral("target %1 is no longer known: nothing to repair").arg(interrupted.target));
    } else {
        RolloutRequest request;
        request.app = outcome.app;
        request.release = QString::number(outcome.release);
        request.commit = release->commit;
        request.targets = {target.value()};
        request.waitForLock = options.waitForLock;
        request.events = options.events;
        request.stop = options.stop;
        if (auto recorded = recordedDeploySettings(release.value()))
            request.deploy = recorded->second;
        RolloutReporter reporter(options.events, target->name);
        reporter.log(LogLevel::Warning,
                     QStringLiteral("%1 was interrupted; putting back %2")
                         .arg(what, outcome.serving ? QStringLiteral("release %1").arg(outcome.serving)
                                                    : QStringLiteral("what ran before (nothing)")));
        const std::unique_ptr<TargetDriver> driver = makeTargetDriver(request, target.value(), reporter);
        if (Status prepared = driver->prepare(); !prepared)
            return fail(prepared.error());
        auto restored = driver->restore(outcome.serving ? QString::number(outcome.serving) : QString());
        if (!restored)
            return fail(restored.error());
        outcome.notes = restored.value();
    }
    QString log =
        QStringLiteral("\n--- repaired %1 ---").arg(QDateTime::currentDateTimeUtc().toString(Qt::ISODate));
    for (const QString &note : std::as_const(outcome.notes))
        log += u'\n' + note;
    if (Status marked = history.markDeploymentRepaired(interrupted.id, log); !marked)
        return fail(marked.error());
    outcome.repaired = true;
    return outcome;
}

} // namespace

Result<QList<DeploymentRecord>> unrepairedDeployments(const History &history, const QStringList &targets,
                                                      const QString &app)
{
    DeploymentFilter filter;
    filter.unrepairedOnly = true;
    auto all = history.deployments(filter);
    if (!all)
        return all.error();
    Releases releases(history);
    QList<DeploymentRecord> found;
    for (const DeploymentRecord &deployment : std::as_const(all.value())) {
        if (!targets.isEmpty() && !targets.contains(deployment.target))
            continue;
        if (!app.isEmpty()) {
            auto release = releases.get(deployment.releaseId);
            if (!release)
                return release.error();
            if (appOfRelease(release.value()) != app)
                continue;
        }
        found.append(deployment);
    }
    std::reverse(found.begin(), found.end()); // oldest first
    return found;
}

QList<RepairOutcome> repairDeployments(History &history, const QList<DeploymentRecord> &interrupted,
                                       const RepairOptions &options)
{
    Releases releases(history);
    QList<RepairOutcome> outcomes;
    for (const DeploymentRecord &deployment : interrupted) {
        RepairOutcome outcome = repairOne(history, releases, deployment, options);
        if (!outcome.repaired && options.events)
            options.events->post(LogEvent{.time = QDateTime::currentDateTimeUtc(),
                                          .level = LogLevel::Error,
                                          .stage = QStringLiteral("deploy"),
                                          .target = deployment.target,
                                          .text = outcome.error});
        outcomes.append(std::move(outcome));
    }
    return outcomes;
}

} // namespace slipway
