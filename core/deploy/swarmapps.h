#pragma once

#include "deploy/apps.h"
#include "engine/engineclient.h"

#include <QMap>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>
#include <stop_token>

namespace slipway {

// The Swarm side of apps.h and applogs.h: on a target whose engine is a Swarm manager
// (targetkind.h), an app is the service Slipway made for it, named after it and labelled
// io.slipway.app and io.slipway.release, and its tasks' containers carry the same labels.

// The service label that keeps, while an app is stopped (scaled to 0), the replicas it asked for.
inline constexpr const char *replicasLabel = "io.slipway.replicas";

// Whether a container with these labels is a task of a Swarm service: listed, operated and
// followed with its service, never as a container of its own.
bool isServiceTask(const QMap<QString, QString> &labels);

// The service Slipway made for `app` (named `app`, labelled io.slipway.app=app); none when
// there is none.
Result<std::optional<ServiceState>> findAppService(EngineClient &client, const QString &app);

// The apps Slipway runs as services on the manager, sorted.
Result<QStringList> serviceApps(EngineClient &client);

// Every service labelled as an app's: statusOf(app) gets its AppStatus::service, and an
// AppContainer per task Swarm wants running (by slot).
Status inspectServices(EngineClient &client, const std::function<AppStatus &(const QString &app)> &statusOf);

// AppStatus::state() and drift of an app with a service.
QString serviceAppState(const AppStatus &status);
QString serviceDrift(const AppStatus &status);

// How operateService waits for Swarm.
struct ServiceOperation
{
    int stopTimeoutSeconds = 10; // the release's stop_timeout: each task's grace to stop
    int healthSeconds = 30;      // the release's health timeout: each new task's time to get healthy
    int replicas = 1;            // what a start asks for when the service keeps no count
    std::stop_token stop;
};

// Does `action` (stop, start, restart or remove; see operateApp) to `service`, and waits until
// Swarm has done it: no task runs, as many as asked for run, every task replaced, the tasks
// gone. Appends what was done to `done`.
Status operateService(EngineClient &client, const ServiceState &service, OperationAction action,
                      const ServiceOperation &how, QStringList &done);

} // namespace slipway
