#pragma once

#include "engine/target.h"
#include "history/records.h"
#include "util/result.h"

#include <QDateTime>
#include <QList>
#include <QString>

#include <functional>
#include <optional>
#include <stop_token>

namespace slipway {

class History;

// The apps Slipway deployed, as the engines have them and as the history says they should be,
// and what a user does to them by hand: `slipway-cli app
// list|stop|start|restart|remove|maintenance|live` and the window's Apps page both go through
// here.

// One of an app's containers on a target, as the engine has it. Of an app that is a Swarm
// service: one of its tasks (a replica), whose container may be on any node of the Swarm.
struct AppContainer
{
    QString id;      // the container's (on its node; a task not started yet has none)
    QString name;    // "web-12"; a task: "web.2", the service and the slot
    QString release; // the release id it runs, from its labels
    QString image;
    QString state;  // "running", "exited", "created", ...
    QString health; // "healthy", "unhealthy", "starting"; empty: no health check
    int restarts = 0;
    int exitCode = 0;
    QDateTime started; // invalid when it never ran
    QDateTime created;
    // A task's: its id, slot and the node it is on (the node's hostname); else empty and 0.
    QString task;
    int slot = 0;
    QString node;
    bool running() const { return state == u"running"; }
};

// An app that is a Swarm service (the target's engine is a Swarm manager), as Swarm has it.
struct AppService
{
    QString id;
    QString release;     // its io.slipway.release label
    qint64 replicas = 0; // what its spec asks for now; 0: stopped
    QString updateState; // UpdateStatus.State: "updating", "completed", "rollback_completed", ...
};

// What the history says of an app on a target: the release of its last succeeded deployment
// there, and what was done to it by hand since.
struct RecordedApp
{
    QString app;
    ReleaseRecord release;
    QDateTime deployed;                       // when that deployment finished
    std::optional<OperationRecord> operation; // the last succeeded one since that deployment
    // The last of those that acted on its containers (not maintenance or live): what says
    // whether it should run.
    std::optional<OperationRecord> containerOperation;
};

// An app on a target: both sides, and whether they agree.
struct AppStatus
{
    QString app;
    QString target;
    std::optional<RecordedApp> recorded; // nullopt: the history has no deployment of it here
    // Newest release first. Of a Swarm service: its tasks Swarm wants running, by slot.
    QList<AppContainer> containers;
    // On a Swarm manager: the app's service; nullopt for an app of containers, and for an app
    // whose service is not there.
    std::optional<AppService> service;
    // What the history says should be: "running", "stopped" (stopped with Slipway), or empty
    // (it knows nothing of the app here).
    QString expected;
    // Empty when what runs is what the history says; else one line saying how they differ: a
    // container removed, stopped, started or replaced outside Slipway.
    QString drift;
    // Behind the target's proxy: the running proxy routes it; in maintenance, the proxy answers
    // its requests with 503 and a page of its own instead. Both false when the proxy could not
    // be read.
    bool proxied = false;
    bool maintenance = false;

    // The container that serves: the running one of the newest release; else null.
    const AppContainer *serving() const;
    // "running", "stopped", "unhealthy", "restarting", "missing" (no container), ...: one word.
    // A service: "running" (every replica), "starting", "degraded" (fewer running than asked
    // for, none starting), "stopped" (scaled to 0), or its newest task's state.
    QString state() const;
    // A service's tasks that run, of those Swarm wants running; 0 for containers.
    int runningReplicas() const;
};

// The apps on one target.
struct TargetApps
{
    Target target;
    QString error; // the target could not be reached: one line; apps are then the history's only
    QList<AppStatus> apps;
};

// The apps the history has deployed to `target`, each with its last release there (by the
// app's recorded deploy name) and the operations done since. Apps removed with Slipway since
// their last deployment are left out.
Result<QList<RecordedApp>> recordedApps(const History &history, const QString &target);

// Compares what runs on the target with `recorded`: every container labelled as an app's
// (io.slipway.app), inspected for state, health, restarts and start time, and the routes of the
// target's proxy when it runs (AppStatus::proxied, maintenance). When the engine is a Swarm
// manager (targetkind.h), every service labelled as an app's too (AppStatus::service), with its
// tasks as the containers (state, node, slot, start time, and as restarts the tasks of the slot
// that ended by themselves and Swarm still keeps); the tasks' own containers are not listed
// again. Blocking, for a worker thread; a target that cannot be reached is TargetApps::error,
// with the recorded apps listed and their containers unknown.
TargetApps inspectApps(const Target &target, const QList<RecordedApp> &recorded, std::stop_token stop);

// Both, on the calling thread, with a History of its own opened on `historyPath`.
TargetApps appsOnTarget(const QString &historyPath, const Target &target, std::stop_token stop);

// One reading of an app container's resource use.
struct AppStats
{
    double cpuPercent = -1; // of one core (200: two cores' worth); -1: not known yet
    qint64 memoryUsed = 0;  // bytes
    qint64 memoryLimit = 0; // bytes; the host's memory when the container has no limit
};

// Streams the container's resource use, a reading about every second (the first once two
// samples tell the CPU share), until the container stops or stop is requested. Blocking. A
// Swarm task's container (AppContainer::id) is read from the manager, so only the tasks on the
// manager's own node have stats; of one on another node the engine knows nothing (an error,
// which the Apps page and `app list --stats` show as no reading).
Status followAppStats(const Target &target, const QString &containerId,
                      const std::function<void(const AppStats &)> &onStats, std::stop_token stop);

// One reading (two samples, about a second apart). Blocking.
Result<AppStats> readAppStats(const Target &target, const QString &containerId, std::stop_token stop);

struct OperationOptions
{
    bool waitForLock = true; // when a deploy of the app is running there: wait, or fail at once
    std::function<void(const QString &)> say; // progress lines ("waiting: web is being deployed ...")
    std::stop_token stop;
};

// Does `action` to `app` on `target`, holding the app's deploy lock there (so it never races a
// deploy), and records it in the history as an operation: who, when, what was done and how it
// ended. stop: every running container, with the release's stop_timeout; start: the container
// of the release the history says runs (else the newest); restart: the running ones (a stopped
// app is started); remove: every container of the app (images stay), and then its route
// through the target's proxy when the proxy runs (a route that cannot be taken away is said in
// the operation's detail, not a failure); maintenance: the target's proxy answers the app's
// requests with 503 and a page saying so (its containers keep running), under the proxy's lock
// too; live: the proxy serves the app again.
//
// An app that is a Swarm service (the target's engine is a Swarm manager) is changed through its
// service's spec as Swarm has it (everything else of it left as it is), and the operation waits
// for Swarm to get there: stop scales it to 0 replicas, keeping the count in the service's label
// io.slipway.replicas; start scales it back to that count (else its release's [deploy]
// replicas); restart has Swarm replace every task one after another as the service's update
// policy says (ForceUpdate; a stopped app is started); remove removes the service. It is never
// behind the target's proxy.
//
// An app that has no container on the target is a BadInput error naming target and app (code
// NotFound), and nothing is recorded; so is maintenance or live of an app that no running proxy
// of the target routes. Returns the recorded operation; a failure is recorded too, and returned
// as the error.
Result<OperationRecord> operateApp(History &history, const Target &target, const QString &app,
                                   OperationAction action, const OperationOptions &options = {});

// Removes every app Slipway runs on `target` (every app whose containers, or on a Swarm manager
// services, carry io.slipway.app), each as operateApp's remove does, recorded; before the target itself is
// removed. Stops at the first app that fails; returns what was recorded.
Result<QList<OperationRecord>> removeAppsOf(History &history, const Target &target,
                                            const OperationOptions &options = {});

} // namespace slipway
