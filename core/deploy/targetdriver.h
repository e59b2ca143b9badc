#pragma once

#include "events/event.h"
#include "util/result.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>

namespace slipway {

struct RolloutRequest;
struct Target;

// One running unit of an app on a target: a container, or (SwarmDriver) the app's service as a
// whole.
struct AppInstance
{
    QString id;
    QString name;
    QString release; // the release id it runs, from its labels
    QString image;   // what it was made from
    bool running = false;
    QStringList heldPorts; // host ports it holds ("8080"), sorted
};

// What a driver says while it works: the target's state for the window and the CLI, and the
// lines of the deployment's log. Not shared between threads: one per target's rollout.
class RolloutReporter final
{
public:
    RolloutReporter(EventSink *events, QString target);

    void state(TargetState state, const QString &detail = {});
    // A Swarm service's replicas while it rolls out: a WaitingHealthy state that lists them.
    void replicas(const QString &detail, const QList<ReplicaState> &replicas);
    // The Healthy state, with what the image transfer sent (setImageTransfer).
    void healthy(const QString &detail);
    void log(LogLevel level, const QString &text);

    // What was done, for the deployment log.
    const QStringList &notes() const { return m_notes; }
    // The failed new instance's last output lines, kept in the outcome.
    const QStringList &failedLogs() const { return m_failedLogs; }
    void setFailedLogs(QStringList lines) { m_failedLogs = std::move(lines); }
    // While the image goes to the target: how much has, of how much (a Pulling state with the
    // bytes). Only posts, so any thread may call it, e.g. one watching the transfer.
    void transferProgress(qint64 sent, qint64 total) const;
    // How much of the image went to the target, of how much.
    void setImageTransfer(qint64 sent, qint64 total)
    {
        m_imageBytesSent = sent;
        m_imageBytes = total;
    }
    qint64 imageBytesSent() const { return m_imageBytesSent; }
    qint64 imageBytes() const { return m_imageBytes; }

private:
    EventSink *m_events = nullptr;
    QString m_target;
    QStringList m_notes;
    QStringList m_failedLogs;
    qint64 m_imageBytesSent = -1;
    qint64 m_imageBytes = 0;
};

// How one kind of target runs an app. The rollout drives every kind through the same steps,
// in this order: prepare, shipImage, lock, inspect, switchTo, retire. A driver is made for one
// target and one release, and lives on the thread that rolls that target out.
//
// Kinds: a container on a Docker or Podman engine (ContainerDriver; behind the target's proxy
// with [deploy.proxy]), and a service on a Swarm whose manager is the target (SwarmDriver).
class TargetDriver
{
public:
    virtual ~TargetDriver() = default;

    // "target NAME (ENDPOINT)", for messages.
    virtual QString where() const = 0;
    // Connects and checks that the target can run the release.
    virtual Status prepare() = 0;
    // Puts the release's image on the target (a pull or a load) unless it is there already.
    virtual Status shipImage() = 0;
    // Takes the app's deploy lock on the target (DeployLock), waiting for another deploy when
    // the request says so; held until the driver is gone.
    virtual Status lock() = 0;
    // The app's instances on the target now, of any release.
    virtual Result<QList<AppInstance>> inspect() = 0;
    // Makes the new release the one that serves: starts it beside (or in place of) `current`,
    // waits until it is healthy and moves the traffic to it. On failure the target is as it
    // was: what served before serves again, and the new instance is gone.
    virtual Result<AppInstance> switchTo(const QList<AppInstance> &current) = 0;
    // Retires what served before, once the new release serves. Problems are logged, not fatal:
    // the new release already serves.
    virtual void retire(const QList<AppInstance> &previous) = 0;
    // After an interrupted rollout of the request's release: puts the target back as the
    // history has it. Takes the app's lock (as lock() does), removes that release's instances
    // (unless it is `serving` itself) and starts those of `serving` (the release of the last
    // succeeded deployment here; empty: none) that are stopped. What it did, for the
    // deployment's log; an instance it could not remove or start is an error.
    virtual Result<QStringList> restore(const QString &serving) = 0;
    // Follows an instance's output (stream 1 stdout, 2 stderr), `tail` lines back (-1: all),
    // until it stops, onLine returns false or the rollout is stopped.
    virtual Status followLogs(const AppInstance &instance,
                              const std::function<bool(int stream, const QString &line)> &onLine,
                              int tail) = 0;
};

// The driver for `target`'s kind, which only its engine can tell (GET /info): the driver's
// prepare() connects and asks first, and refuses a Swarm worker, or [deploy] replicas above 1
// anywhere but on a Swarm manager, before anything changes.
std::unique_ptr<TargetDriver> makeTargetDriver(const RolloutRequest &request, const Target &target,
                                               RolloutReporter &reporter);

} // namespace slipway
