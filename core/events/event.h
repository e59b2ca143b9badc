#pragma once

#include <QDateTime>
#include <QList>
#include <QMutex>
#include <QString>

#include <variant>

namespace slipway {

// The one stream every job reports through. Workers post plain values from any thread; the GUI
// (or the CLI) drains them in batches on its own thread.

enum class LogLevel
{
    Debug,
    Info,
    Warning,
    Error
};

struct LogEvent
{
    QDateTime time;
    LogLevel level = LogLevel::Info;
    QString stage;  // "fetch", "build", "push", "deploy"
    QString target; // the deployment target, empty outside deploy
    QString text;
};

// Progress of a git fetch or clone.
struct FetchEvent
{
    QString source;
    qint64 receivedObjects = 0;
    qint64 totalObjects = 0;
    qint64 receivedBytes = 0;
};

enum class LayerState
{
    Queued,
    Building,
    Cached,
    Done,
    Failed,
    Cancelled
};
// "queued", "building", "cached", "done", "failed", "cancelled": as the window and --json say it.
QString layerStateName(LayerState state);

struct LayerEvent
{
    int index = 0; // position in the spec, bottom first
    QString name;
    LayerState state = LayerState::Queued;
    qint64 files = 0;     // files the layer takes
    qint64 filesDone = 0; // files written so far
    qint64 bytesIn = 0;   // uncompressed tar bytes so far
    qint64 bytesOut = 0;  // compressed bytes so far
    bool cached = false;
    QString digest; // "sha256:...", once known
    // A Dockerfile step's time once it ended (cached, done or failed), as BuildSteps measures it.
    qint64 elapsedMs = 0;
    bool step = false; // a Dockerfile step the engine runs (its instruction the name), not a layer
};

enum class Stage
{
    Fetch,
    Build,
    Push,
    Deploy
};
enum class StageState
{
    Pending,
    Running,
    Done,
    Failed,
    Cancelled
};

struct StageEvent
{
    Stage stage = Stage::Build;
    StageState state = StageState::Running;
    qint64 elapsedMs = 0;
};

// Progress of one blob of a push (or of a base-image copy).
enum class BlobState
{
    Queued,
    Uploading,
    Skipped, // the registry had it
    Mounted, // mounted from another repository of the same registry
    Uploaded,
    Failed
};

struct BlobEvent
{
    QString digest;
    qint64 size = 0;
    qint64 bytesDone = 0;
    BlobState state = BlobState::Queued;
};

// Where a deployment to one target is.
enum class TargetState
{
    Pending,
    Pulling, // or loading the image
    Starting,
    WaitingHealthy,
    Healthy,
    Failed,
    Cancelled
};

// One replica of an app's Swarm service while a rollout follows it: a task Swarm wants running.
struct ReplicaState
{
    int slot = 0;
    QString node;    // the node's hostname; its id when not known; empty: not placed yet
    QString state;   // the task's: "pending", "preparing", "starting", "running", "failed", ...
    QString release; // the release the task runs
    QString error;   // why it waits or failed; empty: nothing to say
    bool operator==(const ReplicaState &) const = default;
};

struct TargetEvent
{
    QString target;
    TargetState state = TargetState::Pending;
    QString detail; // the error when Failed, the container id when Healthy, the step when Pulling
    // With Healthy, of a registry-less image: the bytes sent to the target, of imageBytes; -1:
    // not known (pulled from a registry).
    qint64 imageBytesSent = -1;
    qint64 imageBytes = 0;
    // With WaitingHealthy on a Swarm target: every replica as it is now, by slot. Empty: none
    // to tell (a container target, or no news).
    QList<ReplicaState> replicas = {};
};

using Event = std::variant<LogEvent, FetchEvent, LayerEvent, StageEvent, BlobEvent, TargetEvent>;

// Where jobs post events. Implementations are thread-safe.
class EventSink
{
public:
    virtual ~EventSink() = default;
    virtual void post(Event event) = 0;

    void log(LogLevel level, const QString &stage, const QString &text);
};

// An EventSink that keeps events until drained; drain() hands over everything posted so far.
class EventQueue final : public EventSink
{
public:
    void post(Event event) override;
    QList<Event> drain();
    // As drain(), but never waits: false (and nothing taken) when a worker is posting right now.
    // The GUI thread drains with it, so a preempted low-priority worker holding the lock cannot
    // stall it.
    bool tryDrain(QList<Event> &events);

private:
    QMutex m_mutex;
    QList<Event> m_events;
};

// Drops everything: for callers that do not watch.
class NullEventSink final : public EventSink
{
public:
    void post(Event) override {}
};

} // namespace slipway
