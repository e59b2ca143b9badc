#pragma once

#include "deploy/release.h"
#include "deploy/repair.h"
#include "imagebuilder/imagebuilder.h"

#include <QString>
#include <QStringList>

#include <functional>
#include <optional>
#include <stop_token>

class QThreadPool;

namespace slipway {

class EventSink;

// Where a deployment works and reports. Plain values: made on the GUI thread, used on a worker.
struct DeploymentSettings
{
    QString dataDir;             // as --data-dir (empty: $SLIPWAY_HOME or the XDG directories)
    QString cacheDir;            // the source mirrors and the content store; empty: the data dir's cache
    int batchSize = 0;           // targets deployed at once; 0: all in parallel
    EventSink *events = nullptr; // the build's, the push's and the rollout's events, and milestones
    std::stop_token stop;
    QThreadPool *pool = nullptr; // where targets roll out; null: a pool of the batch's size
    bool waitForLock = true;     // for another deploy of the app to a target (--no-wait: false)
};

// What deploy() builds and where it goes.
struct DeployRequest
{
    BuildRequest build;
    // Where it goes; empty with an environment: the environment's targets. Named targets are
    // checked before the build, an environment's once its slipway.toml is read.
    QStringList targets;
    QString image;       // push to this registry reference first; empty: load into each engine
    QString environment; // an [env.NAME] of its slipway.toml: its settings and app, its targets
    // The target whose engine builds a Dockerfile; empty: [build] engine, else the first target.
    QString engine;
};

// What a rollback goes to: `app` on `target` (an empty app: the app last deployed from `source`
// when one is given, else the target's only app; either in `environment` when one is given), back to release
// `releaseId`, or with 0 to the app's release before its current one there (rollbackRelease).
struct RollbackRequest
{
    QString target;
    QString app;
    QString source;      // a repository's URL or path, as deploy takes it
    QString environment; // with app: its "<app>-<environment>"; with source: its release for it
    qint64 releaseId = 0;
};

// What a deployment did, for a front end to show.
struct DeploymentReport
{
    std::optional<BuildOutput> build; // deploy() only
    ReleaseRecord release;
    ReleaseRollout rollout;

    bool healthy() const { return rollout.result.allHealthy(); }
    bool cancelled() const;
};

// The one deploy sequence, driven by `slipway-cli deploy` and `rollback` and by the window's
// Deploy, Redeploy and Roll back alike: open the history, resolve the targets (an unknown one
// fails before a build is spent), build and record a release (pushed to a registry, or loaded
// into each engine) or pick a recorded one, roll it out through each target's driver, record a
// deployment per target. Blocking: for a worker thread. Cancelled through settings.stop.
//
// Milestones and failures before the rollout are posted as log lines (stages "build", "push",
// "deploy") besides the build's and the rollout's own events, so a front end that shows the
// event stream needs nothing else; the result is the same as a value.
class Deployment final
{
public:
    explicit Deployment(DeploymentSettings settings);

    // Builds request.build.source, records it as a release of its project (pushed to
    // request.image first when set; else loaded into each engine) and rolls it out to its
    // targets. build.source's events and stop token are the deployment's.
    Result<DeploymentReport> deploy(DeployRequest request);
    // Rolls recorded release `releaseId` out to `targets` again.
    Result<DeploymentReport> redeploy(qint64 releaseId, const QStringList &targets);
    // Rolls an app on a target back to a release: see RollbackRequest.
    Result<DeploymentReport> rollback(const RollbackRequest &request);

    // Repairs the interrupted deployments to `targets` (empty: to any target) that are not
    // repaired yet (repair.h); an empty list when there are none. Deploy, redeploy and rollback
    // do this first for their app and targets.
    Result<QList<RepairOutcome>> repair(const QStringList &targets = {});

    // Called on the worker once the build is done, before the push and the rollout.
    std::function<void(const BuildOutput &)> onBuilt;

private:
    struct Opened
    {
        std::unique_ptr<History> history;
        QList<Target> targets;
    };
    // The history, and the targets of these names (the first unknown one is an error).
    Result<Opened> open(const QStringList &targetNames) const;
    // "Rollback of web to release 12 (0123456789ab)" in the log.
    void announce(const QString &what, const QStringList &targetNames, const ReleaseRecord &release) const;
    ReleaseOptions releaseOptions() const;
    RepairOptions repairOptions() const;
    // `secrets`: the values deploy() read already; none: the rollout reads them.
    Result<DeploymentReport> rollOut(History &history, DeploymentReport report, const QList<Target> &targets,
                                     std::optional<ResolvedSecrets> secrets = std::nullopt);
    Error fail(const QString &stage, const Error &error) const;

    DeploymentSettings m_settings;
};

} // namespace slipway
