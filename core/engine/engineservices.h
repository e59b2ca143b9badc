#pragma once

#include "engine/enginecontainers.h"
#include "util/result.h"

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

namespace slipway {

class EngineConnection;

// What GET /info says of the engine's part in a Swarm.
struct SwarmInfo
{
    QString localNodeState; // "inactive", "pending", "active", "error", "locked"; empty: no Swarm at all
    bool controlAvailable = false; // a manager: services can be made here
    QString nodeId;
    QString error; // the engine's words for an "error" state

    bool isManager() const { return localNodeState == u"active" && controlAvailable; }
    bool isWorker() const { return localNodeState == u"active" && !controlAvailable; }
};

// How a service replaces its tasks (UpdateConfig, RollbackConfig).
struct ServiceUpdatePolicy
{
    int parallelism = 1;
    QString order = QStringLiteral("start-first"); // or "stop-first"
    QString failureAction;                         // "rollback", "pause", "continue"
    qint64 monitorNanoseconds = 5'000'000'000;
};

// A port a service publishes on each node that runs one of its tasks (PublishMode "host": the
// routing mesh needs IPVS, which not every kernel has).
struct ServicePort
{
    int published = 0;
    int target = 0;
    QString protocol = QStringLiteral("tcp");
};

// A Swarm secret a service's tasks read, as the file /run/secrets/FILE.
struct ServiceSecretRef
{
    QString id;
    QString name; // the secret's
    QString file;
};

// What a replicated service is made of (the body of POST /services/create and, whole, of
// /services/{id}/update). Its endpoint mode is dnsrr: no virtual IP, so no IPVS either.
struct ServiceSpec
{
    QString name;
    QMap<QString, QString> labels;          // the service's
    QString image;                          // best pinned: REGISTRY/REPOSITORY@sha256:...
    QMap<QString, QString> containerLabels; // each task's container's
    QMap<QString, QString> env;
    QStringList args; // replaces the image's CMD; empty: the image's
    QList<ContainerMount> mounts;
    QStringList hosts; // "ADDRESS NAME" lines for /etc/hosts
    QList<ServiceSecretRef> secrets;
    // The task's health check; empty test: the image's HEALTHCHECK.
    QStringList healthTest;
    qint64 healthIntervalNanoseconds = 0;
    qint64 healthTimeoutNanoseconds = 0;
    qint64 healthStartPeriodNanoseconds = 0;
    int healthRetries = 0;
    qint64 stopGraceNanoseconds = 10'000'000'000;
    qint64 memoryBytes = 0;                           // 0: no limit
    qint64 nanoCpus = 0;                              // 0: no limit
    QString restartCondition = QStringLiteral("any"); // "none", "on-failure", "any"
    QString logDriver;                                // empty: the engine's default
    QMap<QString, QString> logOptions;
    QStringList networks; // names; "host" for the node's own network
    int replicas = 1;
    QList<ServicePort> ports;
    ServiceUpdatePolicy update;
    ServiceUpdatePolicy rollback;
};

// A service as GET /services/{id} has it.
struct ServiceState
{
    QString id;
    QString name;
    qint64 version = 0; // Version.Index: an update names the one it replaces
    QMap<QString, QString> labels;
    QString image;
    qint64 replicas = 0;
    QStringList publishedPorts; // "8080", sorted
    // UpdateStatus: "updating", "paused", "completed", "rollback_started", "rollback_paused",
    // "rollback_completed"; empty: no update since it was made (or since the last update
    // changed nothing the tasks run).
    QString updateState;
    QString updateMessage;
    QMap<QString, QString> previousLabels; // PreviousSpec's labels; empty: none
    // The names of the Swarm secrets its spec and its previous spec give the tasks.
    QStringList secretNames;
    QStringList previousSecretNames;
};

// One task of a service (GET /tasks).
struct ServiceTask
{
    QString id;
    int slot = 0;
    QString nodeId;
    QString state;        // Status.State: "new" ... "running", "complete", "failed", "rejected", ...
    QString desiredState; // "running", "shutdown", ...
    QString error;        // Status.Err
    QString message;      // Status.Message
    QString image;        // Spec.ContainerSpec.Image
    QMap<QString, QString> containerLabels;
    QString containerId; // on its node
    QString timestamp;   // Status.Timestamp, RFC 3339
};

// The services of a Swarm whose manager the connection reaches: create, update, follow their
// tasks, remove. On a connected EngineConnection, which it does not own. Registry credentials
// travel in X-Registry-Auth (an encoded header value, see EngineImages::registryAuth), never in
// a message.
class EngineServices final
{
public:
    explicit EngineServices(EngineConnection &connection)
        : m_connection(connection)
    {}

    // GET /info: the engine's Swarm state.
    Result<SwarmInfo> swarmInfo();
    // The service named exactly `name`; none when there is no such service.
    Result<std::optional<ServiceState>> find(const QString &name);
    Result<ServiceState> inspect(const QString &id);
    // The new service's id.
    Result<QString> create(const ServiceSpec &spec, const QByteArray &registryAuth = {});
    // Replaces the whole spec of service `id` at `version` (Conflict when it moved on since).
    Status update(const QString &id, qint64 version, const ServiceSpec &spec,
                  const QByteArray &registryAuth = {});
    // Asks Swarm to go back to the service's previous spec (update?rollback=previous), at its
    // version now.
    Status rollback(const QString &id);
    Status remove(const QString &id);
    // The service's tasks, of any state Swarm still keeps.
    Result<QList<ServiceTask>> tasks(const QString &serviceId);
    // The last `tail` lines a task wrote (GET /tasks/{id}/logs), from whichever node runs it.
    Result<QStringList> taskLogs(const QString &taskId, int tail = 50);
    // Follows the output of all the service's tasks (GET /services/{id}/logs) until onLine
    // returns false or stop is requested.
    Status followLogs(const QString &serviceId,
                      const std::function<bool(int stream, const QString &line)> &onLine, int tail = -1);

    // The create/update body, for the unit tests.
    static QByteArray specBody(const ServiceSpec &spec);

private:
    Result<QStringList> logLines(const QString &path, const QString &what);

    EngineConnection &m_connection;

public:
    // What a user does to an app's service by hand (core/deploy/swarmapps.cpp).

    // Every service that carries `label` (a key, or KEY=VALUE).
    Result<QList<ServiceState>> list(const QString &label);
    // Sets service `id` to `replicas` tasks, and `labels` on the service (an empty value removes
    // one). The rest of its spec stays as Swarm has it: the Spec of GET /services/{id} goes back
    // whole with only these changed, at the version it was read at (read and sent again when
    // Swarm moved the service on between the two). So does forceUpdate.
    Status scale(const QString &id, qint64 replicas, const QMap<QString, QString> &labels = {});
    // Has Swarm replace every task of service `id` (TaskTemplate.ForceUpdate counted up), one
    // after another as its UpdateConfig says: a rolling restart.
    Status forceUpdate(const QString &id);
    // The hostname of each node of the Swarm, by node id (GET /nodes).
    Result<QMap<QString, QString>> nodeNames();
    // The output of all the service's tasks (GET /services/{id}/logs) as `query` says: tail
    // (per task), since, timestamps, follow. With `details`, each line's text (after its time)
    // starts with the task's context and a space: "com.docker.swarm.node.id=N,
    // com.docker.swarm.service.id=S,com.docker.swarm.task.id=T" (comma-separated, sorted, with
    // any attributes of the log driver). Until the stream ends, onLine returns false or stop is
    // requested.
    Status serviceLogs(const QString &serviceId, const EngineContainers::LogQuery &query, bool details,
                       const std::function<bool(int stream, const QString &line)> &onLine);
};

} // namespace slipway
