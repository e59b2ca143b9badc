#pragma once

#include "engine/engineclient.h"
#include "engine/target.h"
#include "projectfile/spec.h"
#include "registry/credentials.h"
#include "util/result.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>
#include <stop_token>

class QThreadPool;

namespace slipway {

class EngineClient;

class EventSink;
class LocalRegistry;

// The labels every container Slipway runs carries; a rollout finds an app's containers by them.
namespace labels {
inline constexpr const char *app = "io.slipway.app";
inline constexpr const char *release = "io.slipway.release";
inline constexpr const char *commit = "io.slipway.commit";
// The host ports the container holds, "8080,8443": a new release whose ports overlap has to
// stop the old container before it can start.
inline constexpr const char *ports = "io.slipway.ports";
// On a Swarm secret: the name in [deploy] secrets it holds the value of, and that value's
// keyed hash (ResolvedSecrets::hashes).
inline constexpr const char *secret = "io.slipway.secret";
inline constexpr const char *secretHash = "io.slipway.secret-hash";
} // namespace labels

// Where the image of a release comes from on each target.
struct ImageSource
{
    // What the container runs: a registry reference (pulled; best with @digest), or, when
    // `load` is set, a repository tag inside the archive `load` streams.
    QString reference;
    // Registry-less: streams a docker-archive tar (oci::writeDockerArchive) holding `reference`.
    // Skipped on targets that already have the image.
    std::function<Status(const EngineClient::Writer &write)> load;
    // Registry-less, first choice: the engine pulls manifest `digest` from this registry on this
    // machine (through an ssh remote forward for ssh targets) and fetches only the layers it
    // lacks; the image is then tagged `reference`. Targets that cannot reach it, or whose pull
    // fails, get `load`.
    LocalRegistry *localRegistry = nullptr;
    QString digest;
    // Registry-less: the image's id (its config digest). A target has the release only when the
    // image under `reference` has this id; a tag alone proves nothing.
    QString imageId;
    qint64 bytes = 0;                     // the image's blobs, config and layers: what a full transfer sends
    std::optional<Credential> credential; // for the pull; never logged
    QString registry;                     // host[:port] the credential is for
};

// One platform's image of a multi-platform release.
struct PlatformSource
{
    QString platform; // "os/arch[/variant]"
    ImageSource image;
};

// Whether an engine that reports `os` and `arch` (GET /version) runs images built for
// `platform` ("linux/arm64", "linux/arm/v7"; the variant is not compared: engines do not report it).
bool platformRuns(const QString &platform, const QString &os, const QString &arch);

struct RolloutRequest
{
    QString app;     // the spec's deploy name (container name prefix, io.slipway.app)
    QString release; // the release id, as text (container name suffix, io.slipway.release)
    QString commit;
    ImageSource image;
    // Each platform's image: each target runs its own engine's platform's, and a target whose
    // platform is not here fails before anything changes on it. Empty: `image` everywhere.
    QList<PlatformSource> platforms;
    DeploySpec deploy;
    // The values of deploy.secrets, by name: into the container (its environment, or with
    // deploy.secretFiles files under /run/secrets), never into a log, an event or an error.
    QMap<QString, QString> secrets;
    // Their keyed hashes (ResolvedSecrets::hashes): what tells one value from another without
    // it, as in the name of a Swarm secret.
    QMap<QString, QString> secretHashes;
    QList<Target> targets;
    int batchSize = 0;     // targets deployed at once; 0: all in parallel. Stops after a failing batch.
    int steadySeconds = 5; // without a health check or image HEALTHCHECK: running this long is healthy
    int logLines = 50;     // of a failed container, kept in the outcome
    // When another deploy of the app holds a target's lock: wait for it, or fail that target.
    bool waitForLock = true;
    EventSink *events = nullptr;
    std::stop_token stop;
    // Where the targets of a batch roll out at once; null: a pool of the batch's size.
    QThreadPool *pool = nullptr;
};

// The image of `request` that `client`'s engine runs: request.image without platforms, else the
// platform's (said through `say`); one line naming the target when none was built for it.
Result<ImageSource> imageForEngine(const RolloutRequest &request, EngineClient &client,
                                   const std::function<void(const QString &)> &say);

struct TargetOutcome
{
    QString target;
    bool healthy = false;
    bool cancelled = false;
    bool skipped = false; // not attempted: an earlier batch failed
    QString containerId;
    QString containerName;
    QString error;              // one line naming the target and the cause
    QStringList logs;           // the failed container's last lines
    QStringList notes;          // what was done, for the deployment log
    double seconds = 0;         // from the start until done (healthy and the old retired, or failed)
    double healthySeconds = 0;  // from the start until the new container passed its health check
    qint64 imageBytesSent = -1; // of a registry-less image: bytes sent to the target; -1: none or unknown
    qint64 imageBytes = 0;      // what sending all of it would have been
    QString address;            // healthy: where the app answers from here (appAddress); may be empty
};

// Where an app deployed with `deploy` to `target` answers from this machine. Behind the proxy:
// its first host name on the proxy's port (https:// with TLS). Otherwise http:// the
// target's host (127.0.0.1 for a local socket) and the first TCP port it publishes (with host
// networking, its health port). Empty when it publishes none, or only on the loopback of
// another host.
QString appAddress(const Target &target, const DeploySpec &deploy);

struct RolloutResult
{
    QList<TargetOutcome> targets;
    bool allHealthy() const;
};

// Deploys one release to each target, through the target's driver (targetdriver.h): prepare,
// ship the image (pull, or load; skipped where it is), inspect what runs, switch to the new
// release behind its health check, retire the old. A new release that fails is removed and the
// old one keeps serving; its last log lines are in the outcome. Retrying converges: an instance
// of the same release left behind by an interrupted rollout is replaced, never duplicated.
// Targets of a batch roll out in parallel on request.pool.
//
// Health (containerdriver.h, healthcheck.h): an HTTP GET of deploy.health.path on
// deploy.health.port, else the image's HEALTHCHECK status, else running for steadySeconds.
//
// Posts TargetEvents and LogEvents (stage "deploy", the target's name). Rollback is the same
// call with a recorded release's reference.
RolloutResult rollout(const RolloutRequest &request);

// One target; what rollout() runs per target.
TargetOutcome deployToTarget(const RolloutRequest &request, const Target &target);

} // namespace slipway
