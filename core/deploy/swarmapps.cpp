#include "deploy/swarmapps.h"

#include "deploy/rollout.h"
#include "util/logging.h"
#include "util/stopwait.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QSet>

#include <algorithm>

namespace slipway {
namespace {

QString label(const char *name)
{
    return QString::fromLatin1(name);
}

// A task on its way to running: made, scheduled, pulling, starting (or waiting for its health
// check to pass).
bool isStarting(const QString &state)
{
    static const QSet<QString> states{QStringLiteral("new"),       QStringLiteral("pending"),
                                      QStringLiteral("assigned"),  QStringLiteral("accepted"),
                                      QStringLiteral("preparing"), QStringLiteral("ready"),
                                      QStringLiteral("starting")};
    return states.contains(state);
}

bool wanted(const ServiceTask &task)
{
    return task.desiredState == u"running";
}

bool runs(const ServiceTask &task)
{
    return wanted(task) && task.state == u"running";
}

// A task that ended by itself (rather than being shut down by Swarm for an update or a scale).
bool endedByItself(const ServiceTask &task)
{
    return task.state == u"failed" || task.state == u"rejected" || task.state == u"complete";
}

QString replicasText(qint64 count)
{
    return count == 1 ? QStringLiteral("1 replica") : QStringLiteral("%1 replicas").arg(count);
}

// Asks for the service's tasks every quarter second until `done` says so: true then; false
// after `seconds`.
Result<bool> waitForTasks(EngineClient &client, const QString &serviceId, int seconds,
                          const std::stop_token &stop,
                          const std::function<Result<bool>(const QList<ServiceTask> &)> &done)
{
    QElapsedTimer clock;
    clock.start();
    for (;;) {
        auto tasks = client.serviceTasks(serviceId);
        if (!tasks)
            return tasks.error();
        auto finished = done(tasks.value());
        if (!finished || finished.value())
            return finished;
        if (clock.elapsed() > qint64(seconds) * 1000)
            return false;
        if (!sleepUnlessStopped(std::chrono::milliseconds(250), stop))
            return Error::cancelled(QStringLiteral("%1: service %2: cancelled while waiting for Swarm")
                                        .arg(client.where(), serviceId));
    }
}

qsizetype runningCount(const QList<ServiceTask> &tasks)
{
    return std::count_if(tasks.cbegin(), tasks.cend(), runs);
}

// Why the tasks Swarm wants running do not run, from the first that says: "replica 2: no
// suitable node (...)"; else each such task's state, or that Swarm wants none.
QString whyNot(const QList<ServiceTask> &tasks)
{
    QStringList states;
    for (const ServiceTask &task : tasks) {
        if (!wanted(task) || runs(task))
            continue;
        if (!(task.error.isEmpty() && task.message.isEmpty()))
            return QStringLiteral(" (replica %1: %2)")
                .arg(task.slot)
                .arg(task.error.isEmpty() ? task.message : task.error);
        states.append(QStringLiteral("replica %1 %2").arg(task.slot).arg(task.state));
    }
    if (states.isEmpty())
        return QStringLiteral(" (Swarm made no task to run; %1 tasks, all shut down)").arg(tasks.size());
    return QStringLiteral(" (%1)").arg(states.join(QStringLiteral(", ")));
}

// Scales the service to `replicas` and waits until as many of its tasks run.
Status scaleUp(EngineClient &client, const ServiceState &service, qint64 replicas,
               const ServiceOperation &how)
{
    EngineServices services(client.connection());
    if (Status scaled = services.scale(service.id, replicas, {{label(replicasLabel), QString()}}); !scaled)
        return scaled;
    const int seconds = 30 + int(replicas) * (how.healthSeconds + 10);
    QList<ServiceTask> last;
    QElapsedTimer sinceScaled;
    sinceScaled.start();
    int nudges = 0;
    auto done = waitForTasks(client, service.id, seconds, how.stop, [&](const QList<ServiceTask> &tasks) {
        last = tasks;
        // Swarm 20.10 now and then makes no task at all for a scale from 0 (CI saw 54 s of none):
        // the same spec again, a new version of it, has the orchestrator look at it again.
        if (std::none_of(tasks.cbegin(), tasks.cend(), wanted) &&
            sinceScaled.elapsed() > 10000 * (nudges + 1) && nudges < 3) {
            ++nudges;
            qCInfo(lcDeploy).noquote() << client.where() << "service" << service.name
                                       << "has no task 10 s after its scale; asking again";
            if (Status again = services.scale(service.id, replicas, {}); !again)
                return Result<bool>(again.error());
        }
        return Result<bool>(runningCount(tasks) >= replicas);
    });
    if (!done)
        return done.error();
    if (!done.value())
        return Error::failed(QStringLiteral("%1: service %2: %3 of %4 run after %5 s%6")
                                 .arg(client.where(), service.name)
                                 .arg(runningCount(last))
                                 .arg(replicasText(replicas))
                                 .arg(seconds)
                                 .arg(whyNot(last)));
    return success();
}

} // namespace

bool isServiceTask(const QMap<QString, QString> &labels)
{
    return labels.contains(QStringLiteral("com.docker.swarm.service.id"));
}

Result<std::optional<ServiceState>> findAppService(EngineClient &client, const QString &app)
{
    auto service = client.findService(app);
    if (!service)
        return service.error();
    if (service.value() && service.value()->labels.value(label(labels::app)) != app)
        return std::optional<ServiceState>();
    return service;
}

Result<QStringList> serviceApps(EngineClient &client)
{
    EngineServices services(client.connection());
    auto listed = services.list(label(labels::app));
    if (!listed)
        return listed.error();
    QStringList apps;
    for (const ServiceState &service : listed.value())
        if (const QString app = service.labels.value(label(labels::app)); !apps.contains(app))
            apps.append(app);
    apps.sort();
    return apps;
}

Status inspectServices(EngineClient &client, const std::function<AppStatus &(const QString &app)> &statusOf)
{
    EngineServices services(client.connection());
    auto listed = services.list(label(labels::app));
    if (!listed)
        return listed.error();
    if (listed->isEmpty())
        return success();
    auto nodes = services.nodeNames();
    if (!nodes)
        return nodes.error();
    for (const ServiceState &service : std::as_const(listed.value())) {
        auto tasks = client.serviceTasks(service.id);
        if (!tasks) {
            if (tasks.error().code == Error::Code::NotFound)
                continue; // removed meanwhile
            return tasks.error();
        }
        AppStatus &status = statusOf(service.labels.value(label(labels::app)));
        status.service = AppService{.id = service.id,
                                    .release = service.labels.value(label(labels::release)),
                                    .replicas = service.replicas,
                                    .updateState = service.updateState};
        QList<ServiceTask> ordered = tasks.value();
        std::stable_sort(ordered.begin(), ordered.end(),
                         [](const ServiceTask &a, const ServiceTask &b) { return a.slot < b.slot; });
        for (const ServiceTask &task : std::as_const(ordered)) {
            if (!wanted(task))
                continue;
            AppContainer container;
            container.id = task.containerId;
            container.name = QStringLiteral("%1.%2").arg(service.name).arg(task.slot);
            container.release = task.containerLabels.value(label(labels::release));
            container.image = task.image;
            container.state = task.state;
            container.task = task.id;
            container.slot = task.slot;
            container.node = nodes->value(task.nodeId, task.nodeId.left(12));
            const QDateTime since = QDateTime::fromString(task.timestamp, Qt::ISODate);
            if (task.state == u"running" && since.isValid())
                container.started = since.toUTC();
            container.restarts =
                int(std::count_if(ordered.cbegin(), ordered.cend(), [&](const ServiceTask &other) {
                    return other.slot == task.slot && endedByItself(other) &&
                           other.containerLabels.value(label(labels::release)) == container.release;
                }));
            status.containers.append(container);
        }
    }
    return success();
}

QString serviceAppState(const AppStatus &status)
{
    const AppService &service = *status.service;
    if (service.replicas == 0)
        return QStringLiteral("stopped");
    const int running = status.runningReplicas();
    if (running >= service.replicas)
        return QStringLiteral("running");
    for (const AppContainer &task : status.containers)
        if (isStarting(task.state))
            return QStringLiteral("starting");
    if (running > 0 || status.containers.isEmpty())
        return QStringLiteral("degraded");
    return status.containers.constFirst().state;
}

QString serviceDrift(const AppStatus &status)
{
    const AppService &service = *status.service;
    const QString name = status.app;
    if (!status.recorded)
        return QStringLiteral("not in this history: deployed from elsewhere");
    const QString release = QString::number(status.recorded->release.id);
    if (status.expected == u"stopped") {
        if (service.replicas == 0)
            return {};
        return QStringLiteral("stopped with Slipway at %1, yet service %2 asks for %3")
            .arg(status.recorded->containerOperation->finished.toUTC().toString(
                     QStringLiteral("yyyy-MM-dd HH:mm")),
                 name, replicasText(service.replicas));
    }
    if (service.release != release)
        return QStringLiteral("release %1 should run, but service %2 runs release %3")
            .arg(release, name, service.release);
    if (service.replicas == 0)
        return QStringLiteral("release %1 should run, but service %2 is scaled to 0").arg(release, name);
    return {};
}

Status operateService(EngineClient &client, const ServiceState &service, OperationAction action,
                      const ServiceOperation &how, QStringList &done)
{
    EngineServices services(client.connection());
    const QString &name = service.name;
    switch (action) {
    case OperationAction::Stop: {
        if (service.replicas == 0) {
            done.append(QStringLiteral("service %1 was scaled to 0 already").arg(name));
            return success();
        }
        if (Status scaled =
                services.scale(service.id, 0, {{label(replicasLabel), QString::number(service.replicas)}});
            !scaled)
            return scaled;
        // Each task gets its stop grace; then Swarm kills it.
        auto stopped = waitForTasks(
            client, service.id, how.stopTimeoutSeconds + 30, how.stop, [](const QList<ServiceTask> &tasks) {
                return Result<bool>(std::none_of(tasks.cbegin(), tasks.cend(), [](const ServiceTask &task) {
                    return task.state == u"running" || isStarting(task.state);
                }));
            });
        if (!stopped)
            return stopped.error();
        done.append(QStringLiteral("scaled service %1 from %2 to 0%3")
                        .arg(name, replicasText(service.replicas),
                             stopped.value() ? QString() : QStringLiteral(" (some tasks still stopping)")));
        return success();
    }
    case OperationAction::Start: {
        if (service.replicas > 0) {
            done.append(
                QStringLiteral("service %1 runs already (%2)").arg(name, replicasText(service.replicas)));
            return success();
        }
        const qint64 replicas =
            std::max<qint64>(1, service.labels.value(label(replicasLabel)).toLongLong() > 0
                                    ? service.labels.value(label(replicasLabel)).toLongLong()
                                    : how.replicas);
        if (Status started = scaleUp(client, service, replicas, how); !started)
            return started;
        done.append(
            QStringLiteral("scaled service %1 from 0 to %2, running").arg(name, replicasText(replicas)));
        return success();
    }
    case OperationAction::Restart: {
        if (service.replicas == 0) {
            QStringList started;
            if (Status start = operateService(client, service, OperationAction::Start, how, started); !start)
                return start;
            done.append(QStringLiteral("service %1 was not running: %2")
                            .arg(name, started.join(QStringLiteral("; "))));
            return success();
        }
        auto before = client.serviceTasks(service.id);
        if (!before)
            return before.error();
        QSet<QString> old;
        for (const ServiceTask &task : before.value())
            old.insert(task.id);
        if (Status forced = services.forceUpdate(service.id); !forced)
            return forced;
        // One task after another, each with its stop grace, health check and the update's monitor.
        const int seconds = 30 + int(service.replicas) * (how.stopTimeoutSeconds + how.healthSeconds + 15);
        QList<ServiceTask> last;
        QString ended;
        auto replaced =
            waitForTasks(client, service.id, seconds, how.stop, [&](const QList<ServiceTask> &tasks) {
                last = tasks;
                auto now = client.inspectService(service.id);
                if (!now)
                    return Result<bool>(now.error());
                const QString &state = now->updateState;
                if (state == u"rollback_completed" || state == u"rollback_paused" || state == u"paused") {
                    ended =
                        state + (now->updateMessage.isEmpty() ? QString()
                                                              : QStringLiteral(": ") + now->updateMessage);
                    return Result<bool>(true);
                }
                // Every task Swarm wants is a new one and runs, and the old ones have stopped.
                qsizetype fresh = 0;
                for (const ServiceTask &task : tasks) {
                    if (!wanted(task)) {
                        if (task.state == u"running")
                            return Result<bool>(false);
                        continue;
                    }
                    if (old.contains(task.id) || !runs(task))
                        return Result<bool>(false);
                    ++fresh;
                }
                return Result<bool>(fresh >= service.replicas && state != u"updating");
            });
        if (!replaced)
            return replaced.error();
        if (!ended.isEmpty())
            return Error::failed(QStringLiteral("%1: service %2: the restart's update ended %3%4")
                                     .arg(client.where(), name, ended, whyNot(last)));
        if (!replaced.value())
            return Error::failed(QStringLiteral("%1: service %2: not every task was replaced after %3 s%4")
                                     .arg(client.where(), name)
                                     .arg(seconds)
                                     .arg(whyNot(last)));
        done.append(QStringLiteral("restarted service %1: Swarm replaced its %2 one after another")
                        .arg(name, service.replicas == 1 ? QStringLiteral("task")
                                                         : QStringLiteral("%1 tasks").arg(service.replicas)));
        return success();
    }
    case OperationAction::Remove: {
        if (Status removed = client.removeService(service.id); !removed)
            return removed;
        // Swarm stops the tasks and removes their containers afterwards: wait for those on the
        // manager to go (of other nodes', the manager knows nothing once the service is gone).
        const QStringList tasksOf{QStringLiteral("com.docker.swarm.service.id=") + service.id};
        QElapsedTimer clock;
        clock.start();
        bool gone = false;
        while (!gone && clock.elapsed() < qint64(how.stopTimeoutSeconds + 30) * 1000) {
            auto containers = client.listContainers(tasksOf);
            if (!containers)
                return containers.error();
            gone = containers->isEmpty();
            if (!gone && !sleepUnlessStopped(std::chrono::milliseconds(250), how.stop))
                break;
        }
        done.append(QStringLiteral("removed service %1 (%2)%3")
                        .arg(name, replicasText(service.replicas),
                             gone ? QString() : QStringLiteral(", its tasks still stopping")));
        return success();
    }
    case OperationAction::Maintenance:
    case OperationAction::Live:
        break;
    }
    return Error::badInput(QStringLiteral("%1: app %2 is not behind a proxy: a Swarm service never is")
                               .arg(client.where(), name));
}

} // namespace slipway
