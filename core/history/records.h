#pragma once

#include <QDateTime>
#include <QList>
#include <QString>

#include <optional>

namespace slipway {

// What the history database holds, as values.

// A project: what releases are built from.
struct ProjectRecord
{
    qint64 id = 0;
    QString name;
    QString source; // repository URL or local path
    QDateTime created;
};

// One layer of a release's image, bottom to top.
struct LayerRecord
{
    QString name;
    QString digest; // "sha256:..."
    qint64 size = 0;
};

// One platform's image of a release: what a target of that platform runs.
struct PlatformRecord
{
    QString platform; // "os/arch[/variant]", e.g. "linux/arm64"
    QString digest;   // its manifest's digest
    QString imageId;  // its config's digest, which engines take as the image's id
};

// A built (or named) image of one commit of a project.
struct ReleaseRecord
{
    qint64 id = 0;
    QString project; // project name
    QString commit;  // full commit id, empty for a plain directory source
    QString message; // the commit's summary line (its first line); empty for a directory
    QString ref;     // branch, tag or commit as the user asked for it
    QString image;   // image reference, e.g. "127.0.0.1:5000/hello:main"
    QString digest;  // manifest digest, "sha256:..."
    QList<LayerRecord> layers;
    // Each platform's image, in the spec's order; empty for a release recorded before schema
    // version 7 (which runs `digest` on every target).
    QList<PlatformRecord> platforms;
    qint64 buildMs = 0;
    // The [deploy] settings it was deployed with, as JSON text (the CLI owns the format); empty
    // for a release recorded before schema version 3.
    QString deploySettings;
    QDateTime created; // filled by addRelease
};

enum class DeploymentResult
{
    Running,
    Succeeded,
    Failed,
    Interrupted, // the process died while it was running: found on the next open()
    Cancelled,
};
// "running", "succeeded", ...: as stored in the database and printed by the CLI. (Not named
// toString: QTest would pick it up through ADL and expect a char *.)
QString deploymentResultName(DeploymentResult result);
std::optional<DeploymentResult> deploymentResultFromName(const QString &text);

// One rollout of one release to one target.
struct DeploymentRecord
{
    qint64 id = 0;
    qint64 releaseId = 0;
    QString target;
    QDateTime started;
    QDateTime finished; // invalid while running
    DeploymentResult result = DeploymentResult::Running;
    QString error;
    QString log;
    // Of an interrupted one: when its target was put back as it was before (repair.h); invalid
    // until then.
    QDateTime repaired;
    // Of the release, for listings without a second query.
    QString project;
    QString commit;
    QString message; // the commit's summary line
    QString image;
    QString digest;
};

// What deployments() returns; empty fields and a limit of 0 do not filter.
struct DeploymentFilter
{
    QString project;
    QString target;
    std::optional<DeploymentResult> result;
    bool unrepairedOnly = false; // only interrupted deployments not repaired yet
    int limit = 0;
};

// What `slipway-cli app stop|start|restart|remove|maintenance|live` and the Apps page's buttons
// do to an app on a target: to its containers, or (maintenance, live) to its route through the
// target's proxy.
enum class OperationAction
{
    Stop,
    Start,
    Restart,
    Remove,
    Maintenance, // the proxy answers the app's requests with 503 and a page of its own
    Live,        // the proxy serves the app again
};
// "stop", "start", ...: as stored and printed.
QString operationActionName(OperationAction action);
std::optional<OperationAction> operationActionFromName(const QString &text);

// One operation on an app on one target: who did it, when, and how it ended.
struct OperationRecord
{
    qint64 id = 0;
    QString app;
    QString target;
    OperationAction action = OperationAction::Stop;
    qint64 releaseId = 0; // the release whose containers it acted on; 0: none known
    QString user;         // the account that ran it
    QString host;
    QDateTime started;
    QDateTime finished;
    bool succeeded = false;
    QString error;  // one line, when it failed
    QString detail; // what was done, for the listing ("stopped web-12")
};

// What operations() returns; empty fields and a limit of 0 do not filter.
struct OperationFilter
{
    QString app;
    QString target;
    int limit = 0;
};

} // namespace slipway
