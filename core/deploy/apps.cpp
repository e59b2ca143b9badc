#include "deploy/apps.h"

#include "deploy/deploylock.h"
#include "deploy/proxy.h"
#include "deploy/release.h"
#include "deploy/rollout.h"
#include "deploy/swarmapps.h"
#include "deploy/targetkind.h"
#include "engine/engineclient.h"
#include "history/history.h"

#include <QHash>
#include <QSysInfo>

#include <algorithm>
#include <pwd.h>
#include <unistd.h>

namespace slipway {
namespace {

QString label(const char *name)
{
    return QString::fromLatin1(name);
}

QString releaseText(qint64 id)
{
    return QStringLiteral("release %1").arg(id);
}

// The account running this process, for the operations' "who".
QString userName()
{
    QString user = qEnvironmentVariable("USER");
    if (user.isEmpty()) {
        if (const passwd *entry = ::getpwuid(::getuid()))
            user = QString::fromLocal8Bit(entry->pw_name);
    }
    return user;
}

// What the history says should be of an app: "running", "stopped", or empty: nothing known.
QString expectedOf(const std::optional<RecordedApp> &recorded)
{
    if (!recorded)
        return {};
    return recorded->containerOperation && recorded->containerOperation->action == OperationAction::Stop
               ? QStringLiteral("stopped")
               : QStringLiteral("running");
}

// How what runs differs from what the history says; empty when it does not.
QString driftOf(const AppStatus &status)
{
    if (status.service)
        return serviceDrift(status);
    const QList<AppContainer> &containers = status.containers;
    if (!status.recorded)
        return containers.isEmpty() ? QString()
                                    : QStringLiteral("not in this history: deployed from elsewhere");
    const QString release = QString::number(status.recorded->release.id);
    const auto running = [&](bool ofRelease) {
        QStringList names;
        for (const AppContainer &container : containers)
            if (container.running() && (container.release == release) == ofRelease)
                names.append(container.name);
        return names;
    };
    if (status.expected == u"stopped") {
        const QStringList names = running(true) + running(false);
        if (containers.isEmpty())
            return QStringLiteral("removed outside Slipway after it was stopped with Slipway");
        if (names.isEmpty())
            return {};
        return QStringLiteral("stopped with Slipway at %1, yet %2 runs")
            .arg(status.recorded->containerOperation->finished.toUTC().toString(
                     QStringLiteral("yyyy-MM-dd HH:mm")),
                 names.join(QStringLiteral(", ")));
    }
    if (containers.isEmpty())
        return QStringLiteral("removed outside Slipway: %1 should run")
            .arg(releaseText(status.recorded->release.id));
    const auto own = std::find_if(containers.cbegin(), containers.cend(), [&](const AppContainer &container) {
        return container.release == release;
    });
    if (own == containers.cend())
        return QStringLiteral("%1 should run, but only %2 is there")
            .arg(releaseText(status.recorded->release.id),
                 QStringLiteral("release ") + containers.constFirst().release);
    if (!own->running())
        return QStringLiteral("%1 should run, but %2 is %3%4")
            .arg(releaseText(status.recorded->release.id), own->name, own->state,
                 own->state == u"exited" ? QStringLiteral(" (exit code %1)").arg(own->exitCode) : QString());
    if (const QStringList others = running(false); !others.isEmpty())
        return QStringLiteral("%1 runs beside %2").arg(others.join(QStringLiteral(", ")), own->name);
    return {};
}

void settle(AppStatus &status)
{
    std::stable_sort(status.containers.begin(), status.containers.end(),
                     [](const AppContainer &a, const AppContainer &b) {
                         return a.release.toLongLong() > b.release.toLongLong();
                     });
    status.expected = expectedOf(status.recorded);
    status.drift = driftOf(status);
}

// The deploy settings of the release, else the defaults.
DeploySpec deploySettingsOf(const std::optional<RecordedApp> &recorded)
{
    if (recorded) {
        if (auto settings = recordedDeploySettings(recorded->release))
            return settings->second;
    }
    return DeploySpec();
}

int stopTimeoutOf(const std::optional<RecordedApp> &recorded)
{
    return deploySettingsOf(recorded).stopTimeoutSeconds;
}

// How long a service's tasks take, and how many a start brings back, from the release's settings.
ServiceOperation serviceOperationOf(const std::optional<RecordedApp> &recorded, std::stop_token stop)
{
    const DeploySpec deploy = deploySettingsOf(recorded);
    return ServiceOperation{.stopTimeoutSeconds = deploy.stopTimeoutSeconds,
                            .healthSeconds = deploy.health ? deploy.health->timeoutSeconds : 5,
                            .replicas = deploy.replicas,
                            .stop = std::move(stop)};
}

} // namespace

const AppContainer *AppStatus::serving() const
{
    for (const AppContainer &container : containers)
        if (container.running())
            return &container;
    return nullptr;
}

QString AppStatus::state() const
{
    if (service)
        return serviceAppState(*this);
    if (containers.isEmpty())
        return QStringLiteral("missing");
    const AppContainer *container = serving();
    if (!container)
        return containers.constFirst().state == u"exited" || containers.constFirst().state == u"stopped"
                   ? QStringLiteral("stopped")
                   : containers.constFirst().state;
    if (container->health == u"unhealthy")
        return QStringLiteral("unhealthy");
    if (container->health == u"starting")
        return QStringLiteral("starting");
    return QStringLiteral("running");
}

int AppStatus::runningReplicas() const
{
    if (!service)
        return 0;
    return int(std::count_if(containers.cbegin(), containers.cend(),
                             [](const AppContainer &task) { return task.running(); }));
}

Result<QList<RecordedApp>> recordedApps(const History &history, const QString &target)
{
    auto succeeded = succeededDeployments(history, target);
    if (!succeeded)
        return succeeded.error();
    // Newest first: the first deployment seen of an app is its last.
    QList<RecordedApp> apps;
    QHash<QString, qsizetype> indexOfApp;
    for (const SucceededDeployment &entry : succeeded.value()) {
        if (indexOfApp.contains(entry.app))
            continue;
        indexOfApp.insert(entry.app, apps.size());
        apps.append(RecordedApp{.app = entry.app,
                                .release = entry.release,
                                .deployed = entry.deployment.finished,
                                .operation = std::nullopt,
                                .containerOperation = std::nullopt});
    }
    auto operations = history.operations(OperationFilter{.app = {}, .target = target, .limit = 0});
    if (!operations)
        return operations.error();
    // Newest first: the first seen of an app after its deployment is its last.
    for (const OperationRecord &operation : operations.value()) {
        if (!operation.succeeded || !indexOfApp.contains(operation.app))
            continue;
        RecordedApp &app = apps[indexOfApp.value(operation.app)];
        if (operation.finished < app.deployed)
            continue; // a deployment came after it
        if (!app.operation)
            app.operation = operation;
        if (!app.containerOperation && operation.action != OperationAction::Maintenance &&
            operation.action != OperationAction::Live)
            app.containerOperation = operation;
    }
    QList<RecordedApp> kept;
    for (const RecordedApp &app : std::as_const(apps))
        if (!app.containerOperation || app.containerOperation->action != OperationAction::Remove)
            kept.append(app);
    return kept;
}

TargetApps inspectApps(const Target &target, const QList<RecordedApp> &recorded, std::stop_token stop)
{
    TargetApps result;
    result.target = target;
    QList<AppStatus> &apps = result.apps;
    const auto statusOf = [&](const QString &app) -> AppStatus & {
        for (AppStatus &status : apps)
            if (status.app == app)
                return status;
        AppStatus status;
        status.app = app;
        status.target = target.name;
        apps.append(status);
        return apps.last();
    };
    for (const RecordedApp &app : recorded)
        statusOf(app.app).recorded = app;

    EngineClient client(target, stop);
    // On a Swarm manager, the apps' services and their tasks first; then the containers that are
    // no service's task.
    const auto listContainers = [&]() -> Result<QList<ContainerSummary>> {
        if (Status connected = client.connect(); !connected)
            return connected.error();
        auto kind = targetKindOf(client);
        if (!kind)
            return kind.error();
        if (kind.value() == TargetKind::Swarm) {
            if (Status services = inspectServices(client, statusOf); !services)
                return services.error();
        }
        return client.listContainers({label(labels::app)});
    };
    auto containers = listContainers();
    if (!containers) {
        result.error = containers.error().message;
        for (AppStatus &status : apps) {
            status.service.reset();
            status.containers.clear();
            status.expected = expectedOf(status.recorded);
        }
        return result;
    }
    for (const ContainerSummary &summary : containers.value()) {
        if (isServiceTask(summary.labels))
            continue;
        AppContainer container;
        container.id = summary.id;
        container.name = summary.name;
        container.release = summary.labels.value(label(labels::release));
        container.image = summary.image;
        container.state = summary.state;
        container.created = QDateTime::fromSecsSinceEpoch(summary.created, Qt::UTC);
        // The list has no health, restarts or start time: inspect. A container removed between
        // the two calls is left out.
        auto state = client.inspectContainer(summary.id);
        if (!state) {
            if (stop.stop_requested()) {
                result.error = state.error().message;
                return result;
            }
            continue;
        }
        container.state = state->status;
        container.health = state->health;
        container.restarts = state->restartCount;
        container.exitCode = state->exitCode;
        const QDateTime started = QDateTime::fromString(state->startedAt, Qt::ISODate);
        if (started.isValid() && started.date().year() > 1)
            container.started = started.toUTC();
        statusOf(summary.labels.value(label(labels::app))).containers.append(container);
    }
    // Which of them the target's proxy routes, and which it holds in maintenance. A proxy that
    // cannot be read leaves both unknown: the containers are what this lists.
    TargetProxy proxy(
        client, target, [](const QString &) {}, stop);
    bool proxyRunning = false;
    if (auto found = proxy.attach(&proxyRunning); found && found.value() && proxyRunning) {
        for (const ProxyRoute &route : proxy.routes())
            for (AppStatus &status : apps)
                if (status.app == route.app) {
                    status.proxied = true;
                    status.maintenance = route.maintenance;
                }
    }
    for (AppStatus &status : apps)
        settle(status);
    std::stable_sort(apps.begin(), apps.end(),
                     [](const AppStatus &a, const AppStatus &b) { return a.app < b.app; });
    return result;
}

TargetApps appsOnTarget(const QString &historyPath, const Target &target, std::stop_token stop)
{
    auto history = History::open(historyPath);
    if (!history)
        return TargetApps{.target = target, .error = history.error().message, .apps = {}};
    auto recorded = recordedApps(*history.value(), target.name);
    if (!recorded)
        return TargetApps{.target = target, .error = recorded.error().message, .apps = {}};
    return inspectApps(target, recorded.value(), std::move(stop));
}

namespace {

// Stats of the container as AppStats, each from two samples, until onStats returns false.
Status followStatsOn(EngineClient &client, const QString &containerId,
                     const std::function<bool(const AppStats &)> &onStats, const std::stop_token &stop)
{
    std::optional<ContainerStats> before;
    Status followed = client.followStats(containerId, [&](const ContainerStats &sample) {
        bool more = true;
        if (before) {
            AppStats stats;
            stats.cpuPercent = sample.cpuPercent(*before);
            stats.memoryUsed = sample.memoryUsed;
            stats.memoryLimit = sample.memoryLimit;
            more = onStats(stats);
        }
        before = sample;
        return more && !stop.stop_requested();
    });
    if (!followed && stop.stop_requested())
        return success();
    return followed;
}

} // namespace

Status followAppStats(const Target &target, const QString &containerId,
                      const std::function<void(const AppStats &)> &onStats, std::stop_token stop)
{
    EngineClient client(target, stop);
    if (Status connected = client.connect(); !connected)
        return connected;
    return followStatsOn(
        client, containerId,
        [&](const AppStats &stats) {
            onStats(stats);
            return true;
        },
        stop);
}

Result<AppStats> readAppStats(const Target &target, const QString &containerId, std::stop_token stop)
{
    EngineClient client(target, stop);
    if (Status connected = client.connect(); !connected)
        return connected.error();
    std::optional<AppStats> read;
    Status followed = followStatsOn(
        client, containerId,
        [&](const AppStats &stats) {
            read = stats;
            return false;
        },
        stop);
    if (!followed)
        return followed.error();
    if (!read)
        return Error::failed(
            QStringLiteral("%1: stats of container %2: the engine sent none (is it running?)")
                .arg(client.where(), containerId.left(12)));
    return *read;
}

Result<OperationRecord> operateApp(History &history, const Target &target, const QString &app,
                                   OperationAction action, const OperationOptions &options)
{
    const QString what = operationActionName(action);
    auto recorded = recordedApps(history, target.name);
    if (!recorded)
        return recorded.error();
    std::optional<RecordedApp> known;
    for (const RecordedApp &candidate : recorded.value())
        if (candidate.app == app)
            known = candidate;

    EngineClient client(target, options.stop);
    if (Status connected = client.connect(); !connected)
        return connected.error();
    auto kind = targetKindOf(client);
    if (!kind)
        return kind.error();
    // On a Swarm manager the app is its service, when Slipway made one; else its containers.
    std::optional<ServiceState> service;
    if (kind.value() == TargetKind::Swarm) {
        auto found = findAppService(client, app);
        if (!found)
            return found.error();
        service = found.value();
    }
    QList<ContainerSummary> containers;
    if (!service) {
        auto listed = client.listContainers({label(labels::app) + u'=' + app});
        if (!listed)
            return listed.error();
        for (const ContainerSummary &container : listed.value())
            if (!isServiceTask(container.labels))
                containers.append(container);
    }
    if (!service && containers.isEmpty())
        return Error::badInput(QStringLiteral("target %1: app %2 has no %3 there")
                                   .arg(target.name, app,
                                        kind.value() == TargetKind::Swarm
                                            ? QStringLiteral("service or container")
                                            : QStringLiteral("container")))
            .withCode(Error::Code::NotFound);
    std::stable_sort(containers.begin(), containers.end(),
                     [](const ContainerSummary &a, const ContainerSummary &b) {
                         return a.labels.value(label(labels::release)).toLongLong() >
                                b.labels.value(label(labels::release)).toLongLong();
                     });

    const std::function<void(const QString &)> say =
        options.say ? options.say : std::function<void(const QString &)>([](const QString &) {});

    // Maintenance and live change the app's route through the target's proxy: one must route it.
    TargetProxy proxy(client, target, say, options.stop);
    std::optional<ProxyRoute> route;
    if (action == OperationAction::Maintenance || action == OperationAction::Live) {
        bool running = false;
        auto found = proxy.attach(&running);
        if (!found)
            return found.error();
        const QString notBehind =
            QStringLiteral("target %1: app %2 is not behind a proxy").arg(target.name, app);
        if (service)
            return Error::badInput(notBehind +
                                   QStringLiteral(": it is a Swarm service, and those never are"));
        if (found.value() && !running)
            return Error::badInput(notBehind + QStringLiteral(": the target's proxy %1 is not running (a "
                                                              "deploy with [deploy.proxy] starts it again)")
                                                   .arg(QLatin1String(TargetProxy::containerName)));
        if (found.value())
            route = proxy.route(app);
        if (!route)
            return Error::badInput(notBehind);
    }

    OperationRecord operation;
    operation.app = app;
    operation.target = target.name;
    operation.action = action;
    operation.user = userName();
    operation.host = QSysInfo::machineHostName();
    operation.started = QDateTime::currentDateTimeUtc();
    // The container the history says serves, else the newest; or the service.
    const ContainerSummary *main = containers.isEmpty() ? nullptr : &containers.constFirst();
    if (known && main) {
        const QString release = QString::number(known->release.id);
        for (const ContainerSummary &container : containers)
            if (container.labels.value(label(labels::release)) == release)
                main = &container;
    }
    operation.releaseId =
        (service ? service->labels : main->labels).value(label(labels::release)).toLongLong();

    const auto finish = [&](const Status &status, const QStringList &done) -> Result<OperationRecord> {
        operation.finished = QDateTime::currentDateTimeUtc();
        operation.succeeded = status.ok();
        operation.detail = done.join(QStringLiteral("; "));
        if (!status)
            operation.error = status.error().message;
        auto id = history.addOperation(operation);
        if (!id)
            return id.error();
        operation.id = id.value();
        if (!status)
            return status.error();
        return operation;
    };

    DeployLock lock(client, app, service ? service->image : main->image);
    if (Status locked = lock.acquire(options.waitForLock, options.stop, say); !locked)
        return finish(locked, {});

    const int timeout = stopTimeoutOf(known);
    QStringList done;
    Status status = success();
    const auto cancelledOr = [&](const Status &outcome) {
        if (!outcome && options.stop.stop_requested())
            return Status(
                Error::cancelled(QStringLiteral("target %1: %2 %3: cancelled").arg(target.name, what, app)));
        return outcome;
    };
    if (service) {
        // Read again under the lock: a deploy may have changed it meanwhile.
        auto now = client.inspectService(service->id);
        status =
            now ? operateService(client, now.value(), action, serviceOperationOf(known, options.stop), done)
                : Status(now.error());
        lock.release();
        return finish(cancelledOr(status), done);
    }
    const auto isRunning = [](const ContainerSummary &container) { return container.state == u"running"; };
    switch (action) {
    case OperationAction::Stop:
        for (const ContainerSummary &container : std::as_const(containers)) {
            if (!isRunning(container))
                continue;
            if (status = client.stopContainer(container.id, timeout); !status)
                break;
            done.append(QStringLiteral("stopped %1").arg(container.name));
        }
        if (done.isEmpty() && status)
            done.append(QStringLiteral("%1 was not running").arg(app));
        break;
    case OperationAction::Start:
        if (isRunning(*main)) {
            done.append(QStringLiteral("%1 was running already").arg(main->name));
        } else if (status = client.startContainer(main->id); status) {
            done.append(QStringLiteral("started %1").arg(main->name));
        }
        break;
    case OperationAction::Restart: {
        bool any = false;
        for (const ContainerSummary &container : std::as_const(containers)) {
            if (!isRunning(container))
                continue;
            any = true;
            if (status = client.restartContainer(container.id, timeout); !status)
                break;
            done.append(QStringLiteral("restarted %1").arg(container.name));
        }
        if (!any) {
            if (status = client.startContainer(main->id); status)
                done.append(QStringLiteral("started %1, which was not running").arg(main->name));
        }
        break;
    }
    case OperationAction::Remove:
        for (const ContainerSummary &container : std::as_const(containers)) {
            if (isRunning(container)) {
                if (status = client.stopContainer(container.id, timeout); !status)
                    break;
            }
            if (status = client.removeContainer(container.id); !status)
                break;
            done.append(QStringLiteral("removed %1").arg(container.name));
        }
        if (status) {
            // Its route goes too: the proxy answers its hosts as it answers any it does not know.
            bool running = false;
            auto found = proxy.attach(&running);
            if (!found) {
                done.append(QStringLiteral("warning: the proxy's route of %1 may remain: %2")
                                .arg(app, found.error().message));
            } else if (found.value() && running && proxy.route(app)) {
                if (Status removed = proxy.removeRoute(app); removed)
                    done.append(QStringLiteral("the proxy no longer routes %1").arg(app));
                else
                    done.append(QStringLiteral("warning: the proxy still routes %1: %2")
                                    .arg(app, removed.error().message));
            }
        }
        break;
    case OperationAction::Maintenance:
    case OperationAction::Live: {
        const bool on = action == OperationAction::Maintenance;
        const bool already = route->maintenance == on;
        if (status = proxy.setMaintenance(app, on); !status)
            break;
        if (on)
            done.append(already ? QStringLiteral("%1 was in maintenance already").arg(app)
                                : QStringLiteral("%1 is in maintenance: the proxy answers 503").arg(app));
        else
            done.append(already ? QStringLiteral("%1 was live already").arg(app)
                                : QStringLiteral("%1 is live again").arg(app));
        break;
    }
    }
    lock.release();
    return finish(cancelledOr(status), done);
}

Result<QList<OperationRecord>> removeAppsOf(History &history, const Target &target,
                                            const OperationOptions &options)
{
    QStringList apps;
    {
        EngineClient client(target, options.stop);
        if (Status connected = client.connect(); !connected)
            return connected.error();
        auto kind = targetKindOf(client);
        if (!kind)
            return kind.error();
        if (kind.value() == TargetKind::Swarm) {
            auto services = serviceApps(client);
            if (!services)
                return services.error();
            apps = services.value();
        }
        auto containers = client.listContainers({label(labels::app)});
        if (!containers)
            return containers.error();
        for (const ContainerSummary &container : containers.value()) {
            const QString app = container.labels.value(label(labels::app));
            if (!apps.contains(app) && !isServiceTask(container.labels))
                apps.append(app);
        }
    }
    apps.sort();
    QList<OperationRecord> done;
    for (const QString &app : std::as_const(apps)) {
        auto removed = operateApp(history, target, app, OperationAction::Remove, options);
        if (!removed)
            return removed.error();
        done.append(removed.value());
    }
    return done;
}

} // namespace slipway
