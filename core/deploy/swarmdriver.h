#pragma once

#include "deploy/deploylock.h"
#include "deploy/rollout.h"
#include "deploy/targetdriver.h"
#include "engine/engineclient.h"

#include <QElapsedTimer>
#include <QSet>

#include <memory>
#include <optional>

namespace slipway {

// An app as a service of a Docker Swarm whose manager is the target's engine: one service named
// after the app (labelled io.slipway.app and io.slipway.release, like containers), made or
// updated with the whole spec, pinned to the release's image by digest in a registry every node
// can reach. Swarm replaces the tasks itself: one at a time, start-first (stop-first with
// volumes or host ports, which two tasks on a node cannot share), each gated by its health
// check and watched for the monitor window; a failing update is rolled back by Swarm
// (FailureAction rollback). The driver follows the update as `docker service update` does,
// per replica, until every slot runs the release or Swarm has rolled it back. See
// docs/deploy.md, "Swarm targets".
class SwarmDriver final : public TargetDriver
{
public:
    // `client` is connected to the target, whose engine is an active Swarm manager.
    SwarmDriver(const RolloutRequest &request, const Target &target, RolloutReporter &reporter,
                std::unique_ptr<EngineClient> client);
    ~SwarmDriver() override;

    QString where() const override { return m_client->where(); }
    Status prepare() override;
    Status shipImage() override;
    Status lock() override;
    Result<QList<AppInstance>> inspect() override;
    Result<AppInstance> switchTo(const QList<AppInstance> &current) override;
    void retire(const QList<AppInstance> &previous) override;
    Result<QStringList> restore(const QString &serving) override;
    Status followLogs(const AppInstance &instance, const std::function<bool(int, const QString &)> &onLine,
                      int tail) override;

    // Whether Swarm takes `name` for a service: letters and digits, '-' or '_' only between them,
    // at most 63 characters.
    static bool isServiceName(const QString &name);

private:
    Status checkRequest() const;
    Status choosePlatform();
    Status takeLock(const QString &image);
    QStringList healthTest();
    ServiceSpec serviceSpec(const QStringList &healthTest) const;
    int monitorSeconds() const;
    // Follows the service after a create or an update until every slot runs the release (or,
    // failing that, Swarm has rolled the update back).
    Status follow(const QString &serviceId, bool created);
    Error failure(const QString &serviceId, const QList<ServiceTask> &tasks, const QString &what);
    void reportReplicas(const QString &serviceId, const QList<ServiceTask> &tasks, int replicas);
    // After a failed create or an interrupted follow: the target as it was, as far as Swarm
    // lets us (the new service removed, or Swarm asked to go back to the previous spec).
    void undo(const QString &serviceId, bool created, const Error &error);
    AppInstance instanceOf(const ServiceState &service) const;
    bool isOurs(const ServiceTask &task) const;
    QString seconds() const; // since the driver was made, "3.2"

    const RolloutRequest &m_request;
    const Target &m_target;
    ImageSource m_image; // the request's, or its platform's for the manager's engine (prepare())
    RolloutReporter &m_reporter;
    std::unique_ptr<EngineClient> m_client;
    std::optional<DeployLock> m_lock;                  // released before m_client goes
    QSet<QString> m_reportedTasks;                     // tasks already said to run
    QSet<QString> m_reportedProblems;                  // pending tasks' reasons already said
    std::optional<QMap<QString, QString>> m_nodeNames; // hostname by node id, read once
    QList<ReplicaState> m_replicaRows;                 // as last posted
    QElapsedTimer m_timer;
};

} // namespace slipway
