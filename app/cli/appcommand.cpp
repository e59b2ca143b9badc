// slipway-cli app list: the apps on the targets, as the engines have them and the history says.
// slipway-cli app stop|start|restart|remove|maintenance|live APP: what a user does to them by
// hand, recorded. On a Swarm manager an app is its service, with a row per replica.

#include "commands.h"
#include "output.h"

#include "deploy/apps.h"
#include "deploy/release.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QTextStream>

#include <optional>
#include <thread>

namespace slipway::cli {
namespace {

// The named targets (--target), else every target.
Result<QList<Target>> chosenTargets(const History &history, const Invocation &invocation)
{
    const QStringList named = invocation.values(QStringLiteral("target"));
    if (named.isEmpty()) {
        auto all = history.targets();
        if (!all)
            return all.error();
        if (all->isEmpty())
            return Error::badInput(QStringLiteral("no targets: add one with 'slipway-cli target add'"));
        return all.value();
    }
    QList<Target> targets;
    for (const QString &name : named) {
        auto target = history.target(name);
        if (!target)
            return target.error();
        targets.append(target.value());
    }
    return targets;
}

// "3d04h", "2h10m", "5m12s", "40s".
QString uptime(const QDateTime &since)
{
    if (!since.isValid())
        return QStringLiteral("-");
    const qint64 seconds = std::max<qint64>(0, since.secsTo(QDateTime::currentDateTimeUtc()));
    if (seconds < 60)
        return QStringLiteral("%1s").arg(seconds);
    const auto two = [](qint64 value) { return QStringLiteral("%1").arg(value, 2, 10, QLatin1Char('0')); };
    if (seconds < 3600)
        return QStringLiteral("%1m%2s").arg(seconds / 60).arg(two(seconds % 60));
    if (seconds < 86400)
        return QStringLiteral("%1h%2m").arg(seconds / 3600).arg(two((seconds / 60) % 60));
    return QStringLiteral("%1d%2h").arg(seconds / 86400).arg(two((seconds / 3600) % 24));
}

QString time(const QDateTime &when)
{
    return when.isValid() ? when.toString(Qt::ISODateWithMs) : QString();
}

QJsonObject statsJson(const AppStats &stats)
{
    return {{QStringLiteral("cpuPercent"), stats.cpuPercent},
            {QStringLiteral("memoryUsed"), stats.memoryUsed},
            {QStringLiteral("memoryLimit"), stats.memoryLimit}};
}

QJsonObject appJson(const AppStatus &app, const std::optional<AppStats> &stats)
{
    QJsonObject object{{QStringLiteral("app"), app.app},
                       {QStringLiteral("target"), app.target},
                       {QStringLiteral("state"), app.state()},
                       {QStringLiteral("expected"), app.expected},
                       {QStringLiteral("drift"), app.drift},
                       {QStringLiteral("proxied"), app.proxied},
                       {QStringLiteral("maintenance"), app.maintenance}};
    if (app.recorded) {
        const ReleaseRecord &release = app.recorded->release;
        object.insert(QStringLiteral("release"), release.id);
        object.insert(QStringLiteral("commit"), release.commit);
        object.insert(QStringLiteral("message"), release.message);
        object.insert(QStringLiteral("digest"), release.digest);
        object.insert(QStringLiteral("deployed"), time(app.recorded->deployed));
        if (const auto &operation = app.recorded->operation)
            object.insert(QStringLiteral("lastOperation"),
                          QJsonObject{{QStringLiteral("action"), operationActionName(operation->action)},
                                      {QStringLiteral("user"), operation->user},
                                      {QStringLiteral("finished"), time(operation->finished)}});
    }
    QJsonArray containers;
    for (const AppContainer &container : app.containers) {
        QJsonObject entry{{QStringLiteral("id"), container.id},
                          {QStringLiteral("name"), container.name},
                          {QStringLiteral("release"), container.release},
                          {QStringLiteral("image"), container.image},
                          {QStringLiteral("state"), container.state},
                          {QStringLiteral("health"), container.health},
                          {QStringLiteral("restarts"), container.restarts},
                          {QStringLiteral("exitCode"), container.exitCode},
                          {QStringLiteral("started"), time(container.started)}};
        if (!container.task.isEmpty()) {
            entry.insert(QStringLiteral("task"), container.task);
            entry.insert(QStringLiteral("slot"), container.slot);
            entry.insert(QStringLiteral("node"), container.node);
        }
        containers.append(entry);
    }
    object.insert(QStringLiteral("containers"), containers);
    if (app.service)
        object.insert(QStringLiteral("service"),
                      QJsonObject{{QStringLiteral("id"), app.service->id},
                                  {QStringLiteral("release"), app.service->release},
                                  {QStringLiteral("replicas"), app.service->replicas},
                                  {QStringLiteral("running"), app.runningReplicas()},
                                  {QStringLiteral("updateState"), app.service->updateState}});
    if (stats)
        object.insert(QStringLiteral("stats"), statsJson(*stats));
    return object;
}

QString cpuText(const std::optional<AppStats> &stats)
{
    if (!stats || stats->cpuPercent < 0)
        return QStringLiteral("-");
    return QStringLiteral("%1%").arg(stats->cpuPercent, 0, 'f', 1);
}

QString memoryText(const std::optional<AppStats> &stats)
{
    if (!stats)
        return QStringLiteral("-");
    return humanSize(stats->memoryUsed);
}

int listApps(const Invocation &invocation, CommandContext &context, History &history)
{
    auto targets = chosenTargets(history, invocation);
    if (!targets)
        return reportError(context, invocation.command, targets.error());
    const bool withStats = invocation.isSet(QStringLiteral("stats"));
    // Each target on a thread of its own: an unreachable one costs its own timeout, not the sum.
    struct Listed
    {
        TargetApps apps;
        QList<std::optional<AppStats>> stats;
    };
    QList<Listed> listed(targets->size());
    {
        const QString path = history.path();
        std::vector<std::jthread> workers;
        for (qsizetype i = 0; i < targets->size(); ++i)
            workers.emplace_back([&, i] {
                Listed &mine = listed[i];
                mine.apps = appsOnTarget(path, targets->at(i), context.stop);
                for (const AppStatus &app : std::as_const(mine.apps.apps)) {
                    std::optional<AppStats> read;
                    if (const AppContainer *serving = app.serving(); withStats && serving) {
                        if (auto stats = readAppStats(targets->at(i), serving->id, context.stop))
                            read = stats.value();
                    }
                    mine.stats.append(read);
                }
            });
    }
    int status = 0;
    for (const Listed &entry : std::as_const(listed))
        if (!entry.apps.error.isEmpty())
            status = std::max(status,
                              reportError(context, invocation.command,
                                          Error::failed(QStringLiteral("target %1: unreachable: %2")
                                                            .arg(entry.apps.target.name, entry.apps.error))));
    if (invocation.json) {
        QJsonArray apps;
        QJsonArray unreachable;
        for (const Listed &entry : std::as_const(listed)) {
            if (!entry.apps.error.isEmpty())
                unreachable.append(QJsonObject{{QStringLiteral("target"), entry.apps.target.name},
                                               {QStringLiteral("error"), entry.apps.error}});
            for (qsizetype i = 0; i < entry.apps.apps.size(); ++i)
                apps.append(appJson(entry.apps.apps.at(i), entry.stats.value(i)));
        }
        context.out << QJsonDocument(QJsonObject{{QStringLiteral("apps"), apps},
                                                 {QStringLiteral("unreachable"), unreachable}})
                           .toJson(QJsonDocument::Compact)
                    << Qt::endl;
        return status;
    }
    QStringList header{QStringLiteral("APP"),     QStringLiteral("TARGET"), QStringLiteral("STATE"),
                       QStringLiteral("RELEASE"), QStringLiteral("COMMIT"), QStringLiteral("UP"),
                       QStringLiteral("RESTARTS")};
    if (withStats)
        header += {QStringLiteral("CPU"), QStringLiteral("MEMORY")};
    header += QStringLiteral("MESSAGE");
    QList<QStringList> rows{header};
    QStringList notes;
    for (const Listed &entry : std::as_const(listed)) {
        const TargetApps &target = entry.apps;
        for (qsizetype i = 0; i < target.apps.size(); ++i) {
            const AppStatus &app = target.apps.at(i);
            const AppContainer *serving = app.serving();
            const bool reached = target.error.isEmpty();
            // A service's state with its replicas: "running 2/2".
            const QString replicas =
                app.service ? QStringLiteral(" %1/%2").arg(app.runningReplicas()).arg(app.service->replicas)
                            : QString();
            QStringList row{
                app.app,
                app.target,
                reached ? app.state() + replicas : QStringLiteral("unreachable"),
                serving ? serving->release
                        : (app.recorded ? QString::number(app.recorded->release.id) : QStringLiteral("-")),
                app.recorded && !app.recorded->release.commit.isEmpty()
                    ? app.recorded->release.commit.left(12)
                    : QStringLiteral("-"),
                serving ? uptime(serving->started) : QStringLiteral("-"),
                serving ? QString::number(serving->restarts) : QStringLiteral("-")};
            if (withStats)
                row += {cpuText(entry.stats.value(i)), memoryText(entry.stats.value(i))};
            row += app.recorded ? app.recorded->release.message : QString();
            rows.append(row);
            if (app.service && !app.containers.isEmpty()) {
                QStringList tasks;
                for (const AppContainer &task : app.containers)
                    tasks.append(QStringLiteral("%1 %2 on %3").arg(task.name, task.state, task.node));
                notes.append(QStringLiteral("%1 on %2: Swarm service: %3")
                                 .arg(app.app, app.target, tasks.join(QStringLiteral(", "))));
            }
            if (!app.drift.isEmpty())
                notes.append(QStringLiteral("%1 on %2: drift: %3").arg(app.app, app.target, app.drift));
            if (app.maintenance)
                notes.append(QStringLiteral("%1 on %2: in maintenance: the proxy answers 503 ('app live %1' "
                                            "serves it again)")
                                 .arg(app.app, app.target));
        }
    }
    if (rows.size() == 1) {
        if (status == 0)
            context.out << "no apps" << Qt::endl;
        return status;
    }
    printColumns(context.out, rows);
    for (const QString &note : std::as_const(notes))
        context.out << note << '\n';
    context.out.flush();
    return status;
}

int operate(const Invocation &invocation, CommandContext &context, History &history)
{
    const QString app =
        environmentApp(invocation.arguments.constFirst(), invocation.value(QStringLiteral("env")));
    const OperationAction action =
        operationActionFromName(invocation.command.section(u' ', 1)).value_or(OperationAction::Stop);
    auto targets = chosenTargets(history, invocation);
    if (!targets)
        return reportError(context, invocation.command, targets.error());
    const bool named = invocation.isSet(QStringLiteral("target"));
    OperationOptions options;
    options.waitForLock = !invocation.isSet(QStringLiteral("no-wait"));
    options.stop = context.stop;
    options.say = [&](const QString &line) {
        if (!invocation.quiet)
            context.err << line << Qt::endl;
    };
    int status = 0;
    QJsonArray done;
    QStringList absent;
    for (const Target &target : std::as_const(targets.value())) {
        auto operation = operateApp(history, target, app, action, options);
        if (!operation) {
            // Of all targets, those without the app are passed over; a named one must have it.
            if (!named && operation.error().kind == Error::Kind::BadInput &&
                operation.error().code == Error::Code::NotFound) {
                absent.append(target.name);
                continue;
            }
            status = std::max(status, reportError(context, invocation.command, operation.error()));
            continue;
        }
        if (invocation.json)
            done.append(operationJson(operation.value()));
        else
            context.out << app << " on " << target.name << ": " << operation->detail << Qt::endl;
    }
    if (!named && absent.size() == targets->size())
        return reportError(context, invocation.command,
                           Error::badInput(QStringLiteral("app %1 has no container on any target (%2)")
                                               .arg(app, absent.join(QStringLiteral(", ")))));
    if (invocation.json && !done.isEmpty())
        context.out << QJsonDocument(done).toJson(QJsonDocument::Compact) << Qt::endl;
    return status;
}

} // namespace

QJsonObject operationJson(const OperationRecord &operation)
{
    return {{QStringLiteral("id"), operation.id},
            {QStringLiteral("app"), operation.app},
            {QStringLiteral("target"), operation.target},
            {QStringLiteral("action"), operationActionName(operation.action)},
            {QStringLiteral("releaseId"), operation.releaseId},
            {QStringLiteral("user"), operation.user},
            {QStringLiteral("host"), operation.host},
            {QStringLiteral("started"), time(operation.started)},
            {QStringLiteral("finished"), time(operation.finished)},
            {QStringLiteral("result"),
             operation.succeeded ? QStringLiteral("succeeded") : QStringLiteral("failed")},
            {QStringLiteral("error"), operation.error},
            {QStringLiteral("detail"), operation.detail}};
}

int runApp(const Invocation &invocation, CommandContext &context)
{
    Result<std::unique_ptr<History>> history = openHistory(invocation.dataDir);
    if (!history)
        return reportError(context, invocation.command, history.error());
    if (invocation.command == u"app list")
        return listApps(invocation, context, **history);
    return operate(invocation, context, **history);
}

} // namespace slipway::cli
