#pragma once

#include "deploy/appsecrets.h"
#include "deploy/rollout.h"
#include "history/history.h"
#include "imagebuilder/imagebuilder.h"
#include "registry/pusher.h"

#include <QHash>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>
#include <stop_token>
#include <utility>

namespace slipway {

class EventSink;

// Releases: a build recorded in the history, then rolled out to targets with one deployment
// recorded per target. `slipway-cli deploy` and `rollback` and the window's Deploy, Redeploy and
// Rollback all go through here, so a release deployed from one is rolled back from the other.

// Registry-less releases are loaded into each engine under this repository, tagged
// "release-<id>".
QString localRepositoryPrefix();

// "app" for /src/app, https://host/team/app.git and git@host:team/app.git.
QString projectName(const QString &location);

// Container names and image tags take [a-z0-9_.-]: everything else becomes '-'.
QString containerSafe(const QString &text);

// The app name and [deploy] settings a release is deployed with (and the environment, if any),
// as the JSON text stored in ReleaseRecord::deploySettings, so a rollback deploys it the same way
// from the history alone.
// With the keyed hash of each secret's value (AppSecrets), never the value.
QString deploySettingsJson(const QString &app, const DeploySpec &deploy, const QString &environment = {},
                           const QMap<QString, QString> &secretHashes = {});
// The keyed hashes of the secrets a release was deployed with, by name.
QMap<QString, QString> recordedSecretHashes(const ReleaseRecord &release);
// The environment a release was deployed for; empty for none.
QString environmentOfRelease(const ReleaseRecord &release);

// The [env.NAME] table of a spec; a BadInput error naming the ones there are when it has none.
Result<EnvironmentSpec> environmentOf(const Spec &spec, const QString &name);
// The app an environment deploys: its own `name`, else environmentApp(app, its name).
QString appOfEnvironment(const QString &app, const EnvironmentSpec &environment);
// "<app>-<environment>", how a command's APP with --env NAME names an environment's app; `app`
// itself without an environment.
QString environmentApp(const QString &app, const QString &environment);
Result<std::pair<QString, DeploySpec>> recordedDeploySettings(const ReleaseRecord &release);
// The app and [deploy] settings a build of `project` deploys with: its [deploy] name (else the
// project's), or with an environment that [env.NAME]'s app and settings.
Result<std::pair<QString, DeploySpec>> releaseSettings(const Spec &spec, const QString &project,
                                                       const QString &environment);
// A release's app: its recorded deploy name, else (a release recorded before the settings
// were) its project's container-safe name.
QString appOfRelease(const ReleaseRecord &release);

// Pushes the image `manifestDigest` of a build (its own manifest or index, or one platform's
// manifest) from the content store at blobsDir to `reference`. Base layers are mounted from the
// base's repository when it is in the same registry.
Result<PushResult> pushBuild(const BuildOutput &build, const QString &manifestDigest,
                             const QString &reference, const QString &blobsDir, const QString &dataDir,
                             EventSink *events, std::stop_token stop);

struct ReleaseOptions
{
    QString dataDir;   // as --data-dir: where saved logins and registry settings are found
    QString blobsDir;  // the content store that holds the build's blobs
    QString image;     // push to this registry reference first; empty: load into each engine
    int batchSize = 0; // targets deployed at once; 0: all in parallel
    EventSink *events = nullptr;
    std::stop_token stop;
    QThreadPool *pool = nullptr; // where targets roll out; null: a pool of the batch's size
    bool waitForLock = true;     // for another deploy of the app to a target; false: fail that target
    QString environment;         // recordRelease: deploy with this [env.NAME]'s settings and app
    // The secrets the settings name, read already (deploy() reads them before the push):
    // recordRelease records their hashes, rollOutRelease hands their values on instead of
    // reading the keychain again. None: rollOutRelease reads them.
    std::optional<ResolvedSecrets> secrets;
};

// Records a build as a release of `project` built from `ref`, pushing it first when
// options.image is set; with options.environment, with that environment's settings and app. The image that
// runs on each target is its engine's platform's (rollOutRelease).
Result<ReleaseRecord> recordRelease(History &history, const QString &project, const QString &ref,
                                    const BuildOutput &built, const ReleaseOptions &options);

struct ReleaseRollout
{
    QString image;                      // what the containers run
    QHash<QString, qint64> deployments; // target name -> deployment id
    RolloutResult result;
    QStringList problems; // deployments that could not be finished in the history
};

// Rolls a recorded release out to targets with its recorded deploy settings and the current
// values of the secrets they name, read from the system keychain first: one that is not set
// stops it before any target is touched, and one whose value changed since the release was
// recorded is said in a warning. A deployment per
// target is started before and finished after with its result, error and log (the failed
// container's last lines included). Posts StageEvents (deploy) besides the rollout's own
// events. Redeploy and rollback are this with an older release.
Result<ReleaseRollout> rollOutRelease(History &history, const ReleaseRecord &release,
                                      const QList<Target> &targets, const ReleaseOptions &options);

// The secrets of `release` whose value changed since it was recorded, in the order its settings
// name them, read from the system keychain (blocking: for a worker); a BadInput error naming one
// that is not set now. None when it names no secrets. What a rollback's confirmation says, and
// what rollOutRelease warns of.
Result<QStringList> changedSecrets(const ReleaseRecord &release, const QString &dataDir,
                                   std::stop_token stop = {});

// The targets of these names; the first unknown name is an error.
Result<QList<Target>> resolveTargets(const History &history, const QStringList &names);
// The target of one name, as BuildRequest::resolveEngine asks ([build] engine, --engine).
Result<Target> resolveTarget(const History &history, const QString &name);
// BuildRequest::resolveEngine for a front end: each call opens the history of `dataDir` (as
// --data-dir; empty: the default) on the calling thread and resolves the name there.
std::function<Result<Target>(const QString &name)> targetResolver(const QString &dataDir);

// A deployment that succeeded on a target, with its release and the release's app.
struct SucceededDeployment
{
    DeploymentRecord deployment;
    ReleaseRecord release;
    QString app;
};
// The deployments that succeeded on `target`, newest first: what ran there, app by app.
Result<QList<SucceededDeployment>> succeededDeployments(const History &history, const QString &target);

// The app a repository (a deploy's SOURCE: URL or path) was last deployed as, from the history:
// its project's newest release's. A BadInput error when it was never deployed from here.
// With an environment: the newest release deployed for it.
Result<QString> appOfSource(const History &history, const QString &location, const QString &environment = {});

// What a rollback of `app` on `target` goes to: release `releaseId` when it is > 0 (it must be
// of `app`), else the app's release deployed there before its current one. Current and previous
// are per app: another app on the same target is never what a rollback goes to. An empty `app`
// is the target's only app; with several, a BadInput error that lists them.
Result<ReleaseRecord> rollbackRelease(const History &history, const QString &target, const QString &app = {},
                                      qint64 releaseId = 0);

// The deployment's result from a target's outcome.
DeploymentResult deploymentResultOf(const TargetOutcome &outcome);

} // namespace slipway
