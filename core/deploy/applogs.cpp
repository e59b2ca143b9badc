#include "deploy/applogs.h"

#include "deploy/logresume.h"
#include "deploy/rollout.h"
#include "deploy/swarmapps.h"
#include "deploy/targetkind.h"
#include "engine/engineclient.h"
#include "util/logging.h"
#include "util/stopwait.h"

#include <QHash>

namespace slipway {
namespace {

QString label(const char *name)
{
    return QString::fromLatin1(name);
}

// The container to follow: the running one of the newest release, else the newest.
std::optional<ContainerSummary> pick(const QList<ContainerSummary> &containers, bool runningOnly)
{
    std::optional<ContainerSummary> best;
    const auto releaseOf = [](const ContainerSummary &container) {
        return container.labels.value(label(labels::release)).toLongLong();
    };
    for (const ContainerSummary &container : containers) {
        const bool running = container.state == u"running";
        if ((runningOnly && !running) || isServiceTask(container.labels))
            continue;
        if (!best) {
            best = container;
            continue;
        }
        const bool bestRunning = best->state == u"running";
        if ((running && !bestRunning) || (running == bestRunning && releaseOf(container) > releaseOf(*best)))
            best = container;
    }
    return best;
}

// The lines of all the tasks of the app's service, as Swarm gathers them from every node: each
// with its task's name ("web.2") and release. While following, a task that starts later (a
// restart's, the next release's) is in the same stream.
Status followService(EngineClient &client, const Target &target, const ServiceState &service,
                     const AppLogOptions &options, const std::function<void(const AppLogLine &)> &onLine,
                     const std::stop_token &stop)
{
    struct TaskName
    {
        QString name;
        QString release;
    };
    QHash<QString, TaskName> tasks;
    const auto learnTasks = [&] {
        if (auto listed = client.serviceTasks(service.id))
            for (const ServiceTask &task : listed.value())
                tasks.insert(task.id, TaskName{QStringLiteral("%1.%2").arg(service.name).arg(task.slot),
                                               task.containerLabels.value(label(labels::release))});
    };
    learnTasks();
    const EngineContainers::LogQuery query{.tail = options.tail,
                                           .since = options.since.count() > 0
                                                        ? QDateTime::currentSecsSinceEpoch() -
                                                              qint64(options.since.count())
                                                        : 0,
                                           .timestamps = true,
                                           .follow = options.follow};
    const QString taskKey = QStringLiteral("com.docker.swarm.task.id=");
    EngineServices services(client.connection());
    Status followed = services.serviceLogs(service.id, query, true, [&](int stream, const QString &line) {
        // "TIME DETAILS TEXT", the details "key=value,..." naming the task.
        const qsizetype space = line.indexOf(u' ');
        const LogStamp stamp = LogStamp::parse(space > 0 ? line.left(space) : line);
        QString text = stamp.time.isValid() ? line.mid(space + 1) : line;
        QString taskId;
        if (text.startsWith(QLatin1String("com.docker.swarm.")) || text.contains(taskKey)) {
            const qsizetype end = text.indexOf(u' ');
            for (const QString &detail : text.left(end).split(u','))
                if (detail.startsWith(taskKey))
                    taskId = detail.mid(taskKey.size());
            text = end >= 0 ? text.mid(end + 1) : QString();
        }
        if (!taskId.isEmpty() && !tasks.contains(taskId))
            learnTasks();
        const TaskName task =
            tasks.value(taskId, TaskName{service.name, service.labels.value(label(labels::release))});
        onLine(AppLogLine{.target = target.name,
                          .container = task.name,
                          .release = task.release,
                          .stream = stream,
                          .time = stamp.time,
                          .text = text});
        return !stop.stop_requested();
    });
    if (stop.stop_requested())
        return options.follow
                   ? success()
                   : Status(Error::cancelled(QStringLiteral("target %1: following the logs of %2: cancelled")
                                                 .arg(target.name, service.name)));
    if (!followed && followed.error().code == Error::Code::NotFound)
        return success(); // the service went while it was followed
    return followed;
}

} // namespace

Status followAppLogs(const Target &target, const QString &app, const AppLogOptions &options,
                     const std::function<void(const AppLogLine &)> &onLine, std::stop_token stop)
{
    EngineClient client(target, stop);
    const auto cancelled = [&] {
        return Error::cancelled(
            QStringLiteral("target %1: following the logs of %2: cancelled").arg(target.name, app));
    };
    const auto containersOfApp = [&]() -> Result<QList<ContainerSummary>> {
        auto containers = client.listContainers({label(labels::app) + u'=' + app});
        if (!containers && stop.stop_requested())
            return cancelled();
        return containers;
    };
    if (Status connected = client.connect(); !connected)
        return stop.stop_requested() ? Status(cancelled()) : connected;
    auto kind = targetKindOf(client);
    if (!kind)
        return stop.stop_requested() ? Status(cancelled()) : Status(kind.error());
    if (kind.value() == TargetKind::Swarm) {
        auto service = findAppService(client, app);
        if (!service)
            return stop.stop_requested() ? Status(cancelled()) : Status(service.error());
        if (service.value())
            return followService(client, target, *service.value(), options, onLine, stop);
    }
    auto containers = containersOfApp();
    if (!containers)
        return containers.error();
    std::optional<ContainerSummary> container = pick(containers.value(), false);
    if (!container)
        return Error::badInput(
            QStringLiteral("target %1: app %2 has no container there").arg(target.name, app));

    LogResume recent; // of the container followed
    const qint64 sinceStart =
        options.since.count() > 0 ? QDateTime::currentSecsSinceEpoch() - qint64(options.since.count()) : 0;
    QString followedId; // the container of the stream before
    bool first = true;
    while (true) {
        const QString name = container->name;
        const QString release = container->labels.value(label(labels::release));
        // The same container picked up again: from a second before its last line, passing over
        // what was delivered. Another one (the next release's): from its start, none of it seen.
        const bool resumed = !first && container->id == followedId && !recent.isEmpty();
        if (!resumed)
            recent.clear();
        const int tail = first ? options.tail : -1;
        const qint64 since = resumed ? std::max(recent.since(), sinceStart) : sinceStart;
        first = false;
        followedId = container->id;
        LogResume::Delivered delivered(recent);
        int passedOver = 0;
        const EngineContainers::LogQuery query{
            .tail = tail, .since = since, .timestamps = true, .follow = options.follow};
        qCDebug(lcDeploy) << "logs of" << app << "on" << target.name << ": following" << name
                          << container->id.left(12) << "since" << since
                          << (resumed ? "(picked up again)" : "");
        Status followed = client.followLogs(
            container->id,
            [&](int stream, const QString &stamped) {
                const qsizetype space = stamped.indexOf(u' ');
                const LogStamp stamp = LogStamp::parse(space > 0 ? stamped.left(space) : stamped);
                const bool timed = stamp.time.isValid();
                const QString text = timed ? stamped.mid(space + 1) : stamped;
                if (resumed && timed && delivered.take(stamp, stream, text)) {
                    ++passedOver;
                    return true;
                }
                if (timed && options.follow)
                    recent.add(stamp, stream, text);
                onLine(AppLogLine{.target = target.name,
                                  .container = name,
                                  .release = release,
                                  .stream = stream,
                                  .time = stamp.time,
                                  .text = text});
                return !stop.stop_requested();
            },
            query);
        if (stop.stop_requested())
            return options.follow ? success() : Status(cancelled());
        if (!followed && followed.error().code != Error::Code::NotFound)
            return followed.error();
        qCDebug(lcDeploy) << "logs of" << app << "on" << target.name << ": the stream of" << name
                          << "ended; it passed over" << passedOver << "lines delivered before"
                          << (followed ? QString() : followed.error().message);
        if (!options.follow)
            return success();
        // The stream ended: the container stopped, restarted, or was replaced. Wait for the
        // app's next running container (the same one started again, or the next release's).
        container.reset();
        while (!container) {
            if (!sleepUnlessStopped(options.poll, stop))
                return success();
            containers = containersOfApp();
            if (!containers)
                return stop.stop_requested() ? success() : containers.error();
            container = pick(containers.value(), true);
        }
    }
}

} // namespace slipway
