// slipway-cli target add|list|check|remove: the targets kept in the history database.

#include "commands.h"
#include "output.h"

#include "deploy/apps.h"
#include "deploy/proxy.h"
#include "engine/endpoint.h"
#include "engine/probe.h"
#include "history/history.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTextStream>
#include <QUrl>

#include <optional>

namespace slipway::cli {
namespace {

// Names go into container labels, file names and messages: keep them plain.
Status checkTargetName(const QString &name)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"));
    if (!pattern.match(name).hasMatch())
        return Error::badInput(
            QStringLiteral("target name '%1': use letters, digits, '.', '_' and '-', starting "
                           "with a letter or digit, at most 64 characters")
                .arg(name));
    return success();
}

QJsonObject targetJson(const Target &target)
{
    QJsonObject object{{QStringLiteral("name"), target.name}, {QStringLiteral("endpoint"), target.endpoint}};
    if (!target.tlsCa.isEmpty())
        object.insert(QStringLiteral("tlsCa"), target.tlsCa);
    if (!target.tlsCert.isEmpty())
        object.insert(QStringLiteral("tlsCert"), target.tlsCert);
    if (!target.tlsKey.isEmpty())
        object.insert(QStringLiteral("tlsKey"), target.tlsKey);
    if (!target.proxyImage.isEmpty())
        object.insert(QStringLiteral("proxyImage"), target.proxyImage);
    if (target.proxyHttpPort > 0)
        object.insert(QStringLiteral("proxyHttpPort"), target.proxyHttpPort);
    if (target.proxyHttpsPort > 0)
        object.insert(QStringLiteral("proxyHttpsPort"), target.proxyHttpsPort);
    return object;
}

// Relative TLS paths are kept absolute: the database outlives the working directory.
QString absolutePath(const QString &path)
{
    return path.isEmpty() ? path : QFileInfo(path).absoluteFilePath();
}

// "proxy haproxy:2.8, HTTP 8080, HTTPS 8443", the settings that are not the default; empty when
// none is set.
QString proxySummary(const Target &target)
{
    QStringList parts;
    if (!target.proxyImage.isEmpty())
        parts << target.proxyImage;
    if (target.proxyHttpPort > 0)
        parts << QStringLiteral("HTTP %1").arg(target.proxyHttpPort);
    if (target.proxyHttpsPort > 0)
        parts << QStringLiteral("HTTPS %1").arg(target.proxyHttpsPort);
    return parts.isEmpty() ? QString() : QStringLiteral("proxy ") + parts.join(QStringLiteral(", "));
}

int addTarget(const Invocation &invocation, CommandContext &context, History &history)
{
    Target target;
    target.name = invocation.arguments.value(0);
    target.endpoint = invocation.value(QStringLiteral("endpoint")).trimmed();
    target.tlsCa = absolutePath(invocation.value(QStringLiteral("tls-ca")));
    target.tlsCert = absolutePath(invocation.value(QStringLiteral("tls-cert")));
    target.tlsKey = absolutePath(invocation.value(QStringLiteral("tls-key")));
    target.proxyImage = invocation.value(QStringLiteral("proxy-image")).trimmed();
    // 0 when not given (the parser checked a given one is 1 to 65535): the default.
    target.proxyHttpPort = invocation.value(QStringLiteral("proxy-http-port")).toInt();
    target.proxyHttpsPort = invocation.value(QStringLiteral("proxy-https-port")).toInt();
    if (Status name = checkTargetName(target.name); !name)
        return reportError(context, invocation.command, name.error());
    // Refused before anything repeats the endpoint: the password must not reach a message.
    if (const QUrl url(target.endpoint); !url.password().isEmpty())
        return reportError(
            context, invocation.command,
            Error::badInput(QStringLiteral("target %1: the endpoint holds a password; use ssh keys or "
                                           "the agent, or TLS client certificates")
                                .arg(target.name)));
    if (Result<EngineEndpoint> endpoint = parseEndpoint(target); !endpoint)
        return reportError(context, invocation.command, endpoint.error());
    if (Status proxy = checkProxySettings(target); !proxy)
        return reportError(context, invocation.command, proxy.error());
    if (Status added = history.addTarget(target); !added)
        return reportError(context, invocation.command, added.error());
    if (invocation.json)
        context.out << QJsonDocument(targetJson(target)).toJson(QJsonDocument::Compact) << Qt::endl;
    else
        context.out << "added " << describeTarget(target) << Qt::endl;
    return 0;
}

int listTargets(const Invocation &invocation, CommandContext &context, History &history)
{
    Result<QList<Target>> targets = history.targets();
    if (!targets)
        return reportError(context, invocation.command, targets.error());
    if (invocation.json) {
        QJsonArray array;
        for (const Target &target : *targets)
            array.append(targetJson(target));
        context.out << QJsonDocument(array).toJson(QJsonDocument::Compact) << Qt::endl;
        return 0;
    }
    if (targets->isEmpty()) {
        context.out << "no targets (add one with 'slipway-cli target add NAME --endpoint URL')" << Qt::endl;
        return 0;
    }
    qsizetype width = 4;
    for (const Target &target : *targets)
        width = std::max(width, target.name.size());
    context.out << QStringLiteral("NAME").leftJustified(width + 2) << "ENDPOINT\n";
    for (const Target &target : *targets) {
        context.out << target.name.leftJustified(width + 2) << target.endpoint;
        if (!target.tlsCert.isEmpty())
            context.out << "  (TLS)";
        if (const QString proxy = proxySummary(target); !proxy.isEmpty())
            context.out << "  (" << proxy << ')';
        context.out << '\n';
    }
    context.out.flush();
    return 0;
}

QJsonObject proxyJson(const ProxyStatus &status)
{
    QJsonArray routes;
    for (const ProxyRoute &route : status.routes)
        routes.append(QJsonObject{{QStringLiteral("app"), route.app},
                                  {QStringLiteral("hosts"), QJsonArray::fromStringList(route.hosts)},
                                  {QStringLiteral("pathPrefix"), route.pathPrefix},
                                  {QStringLiteral("tls"), route.tls},
                                  {QStringLiteral("maintenance"), route.maintenance}});
    return {{QStringLiteral("exists"), status.exists},
            {QStringLiteral("running"), status.running},
            {QStringLiteral("image"), status.image},
            {QStringLiteral("runningImage"), status.runningImage},
            {QStringLiteral("httpPort"), status.httpPort},
            {QStringLiteral("httpsPort"), status.httpsPort},
            {QStringLiteral("routes"), routes}};
}

// The engine's part in a Swarm; for a manager its nodes and Slipway's services with their
// replicas per node ({"error"} when they could not be read).
QJsonObject swarmJson(const EngineInfo &info)
{
    QJsonObject object{{QStringLiteral("state"), info.swarm.localNodeState},
                       {QStringLiteral("manager"), info.swarm.isManager()},
                       {QStringLiteral("nodeId"), info.swarm.nodeId}};
    if (!info.swarm.error.isEmpty())
        object.insert(QStringLiteral("error"), info.swarm.error);
    if (!info.swarmOverview)
        return object;
    if (!info.swarmOverview->ok()) {
        object.insert(QStringLiteral("error"), info.swarmOverview->error().message);
        return object;
    }
    const SwarmOverview &overview = info.swarmOverview->value();
    QJsonArray nodes;
    for (const SwarmNode &node : overview.nodes)
        nodes.append(QJsonObject{{QStringLiteral("id"), node.id},
                                 {QStringLiteral("hostname"), node.hostname},
                                 {QStringLiteral("state"), node.state},
                                 {QStringLiteral("address"), node.address},
                                 {QStringLiteral("availability"), node.availability},
                                 {QStringLiteral("role"), node.role},
                                 {QStringLiteral("leader"), node.leader},
                                 {QStringLiteral("reachability"), node.reachability},
                                 {QStringLiteral("engineVersion"), node.engineVersion}});
    QJsonArray services;
    for (const SwarmServiceReplicas &service : overview.services) {
        QJsonArray perNode;
        for (const SwarmNodeReplicas &node : service.nodes)
            perNode.append(QJsonObject{{QStringLiteral("nodeId"), node.nodeId},
                                       {QStringLiteral("hostname"), node.hostname},
                                       {QStringLiteral("running"), node.running},
                                       {QStringLiteral("states"), QJsonArray::fromStringList(node.states)}});
        services.append(QJsonObject{{QStringLiteral("id"), service.id},
                                    {QStringLiteral("name"), service.name},
                                    {QStringLiteral("app"), service.app},
                                    {QStringLiteral("release"), service.release},
                                    {QStringLiteral("replicas"), service.desired},
                                    {QStringLiteral("running"), service.running},
                                    {QStringLiteral("nodes"), perNode}});
    }
    object.insert(QStringLiteral("nodes"), nodes);
    object.insert(QStringLiteral("services"), services);
    return object;
}

int checkTarget(const Invocation &invocation, CommandContext &context, History &history)
{
    Result<Target> target = history.target(invocation.arguments.value(0));
    if (!target)
        return reportError(context, invocation.command, target.error());
    Result<EngineInfo> info = probeTarget(*target, context.stop);
    if (!info)
        return reportError(context, invocation.command, info.error());
    // The engine answered: its proxy too, as the Targets page shows it.
    Result<ProxyStatus> proxy = inspectProxy(*target, context.stop);
    std::optional<Error> proxyError; // its message names the target
    if (!proxy)
        proxyError = proxy.error();
    // Read by the probe: a Swarm manager's nodes and services, or why they could not be.
    std::optional<Error> swarmError;
    if (info->swarmOverview && !info->swarmOverview->ok())
        swarmError = info->swarmOverview->error();
    const QString swarmPart = describeSwarmPart(*info);
    if (invocation.json) {
        QJsonObject object = targetJson(*target);
        object.insert(QStringLiteral("engine"), info->name);
        object.insert(QStringLiteral("version"), info->version);
        object.insert(QStringLiteral("apiVersion"), info->apiVersion);
        object.insert(QStringLiteral("os"), info->os);
        object.insert(QStringLiteral("arch"), info->arch);
        object.insert(QStringLiteral("proxy"),
                      proxy ? proxyJson(*proxy)
                            : QJsonObject{{QStringLiteral("error"), proxyError->message}});
        // An engine in no Swarm (Podman, a Docker that never joined one) has none.
        if (!swarmPart.isEmpty() || info->swarmOverview)
            object.insert(QStringLiteral("swarm"), swarmJson(*info));
        context.out << QJsonDocument(object).toJson(QJsonDocument::Compact) << Qt::endl;
    } else {
        context.out << describeTarget(*target) << ": " << info->name << ' ' << info->version << ", API "
                    << info->apiVersion << ", " << info->os << '/' << info->arch << Qt::endl;
        if (proxy)
            context.out << describeProxy(*proxy) << Qt::endl;
        if (!swarmPart.isEmpty())
            context.out << "swarm: " << swarmPart << Qt::endl;
        if (info->swarmOverview && info->swarmOverview->ok()) {
            for (const SwarmNode &node : info->swarmOverview->value().nodes)
                context.out << "  node " << describeSwarmNode(node) << Qt::endl;
            for (const SwarmServiceReplicas &service : info->swarmOverview->value().services)
                context.out << "  service " << describeSwarmService(service) << Qt::endl;
        }
    }
    if (!proxyError && !swarmError)
        return 0;
    // Said on stderr only: stdout has the target's line (or object, with the error) already.
    CommandContext onStderr{context.out, context.err, context.stop, false};
    if (proxyError && swarmError)
        reportError(onStderr, invocation.command, *swarmError);
    return reportError(onStderr, invocation.command, proxyError ? *proxyError : *swarmError);
}

int upgradeTargetProxy(const Invocation &invocation, CommandContext &context, History &history)
{
    Result<Target> target = history.target(invocation.arguments.value(0));
    if (!target)
        return reportError(context, invocation.command, target.error());
    Result<QString> done = upgradeProxy(
        *target,
        [&](const QString &line) {
            if (!invocation.quiet && !invocation.json)
                context.err << line << Qt::endl;
        },
        context.stop);
    if (!done)
        return reportError(context, invocation.command, done.error());
    if (invocation.json)
        context.out << QJsonDocument(QJsonObject{{QStringLiteral("target"), target->name},
                                                 {QStringLiteral("done"), done.value()}})
                           .toJson(QJsonDocument::Compact)
                    << Qt::endl;
    else
        context.out << describeTarget(*target) << ": " << done.value() << Qt::endl;
    return 0;
}

int removeTarget(const Invocation &invocation, CommandContext &context, History &history)
{
    const QString name = invocation.arguments.value(0);
    QJsonArray appsRemoved;
    if (invocation.isSet(QStringLiteral("remove-apps"))) {
        auto target = history.target(name);
        if (!target)
            return reportError(context, invocation.command, target.error());
        OperationOptions options;
        options.stop = context.stop;
        options.say = [&](const QString &line) {
            if (!invocation.quiet)
                context.err << line << Qt::endl;
        };
        auto removed = removeAppsOf(history, target.value(), options);
        if (!removed)
            return reportError(context, invocation.command, removed.error());
        for (const OperationRecord &operation : removed.value()) {
            appsRemoved.append(operation.app);
            if (!invocation.json)
                context.out << operation.app << " on " << name << ": " << operation.detail << Qt::endl;
        }
    }
    // Without --remove-apps the apps stay; say which the history knows of.
    QStringList left;
    if (!invocation.isSet(QStringLiteral("remove-apps"))) {
        if (auto recorded = recordedApps(history, name))
            for (const RecordedApp &app : recorded.value())
                left.append(app.app);
    }
    if (Status removed = history.removeTarget(name); !removed)
        return reportError(context, invocation.command, removed.error());
    if (invocation.json)
        context.out << QJsonDocument(QJsonObject{{QStringLiteral("removed"), name},
                                                 {QStringLiteral("appsRemoved"), appsRemoved}})
                           .toJson(QJsonDocument::Compact)
                    << Qt::endl;
    else
        context.out << "removed target " << name << Qt::endl;
    if (!left.isEmpty() && !invocation.quiet)
        context.err << "the apps deployed there keep running (" << left.join(QStringLiteral(", "))
                    << "): 'target remove " << name << " --remove-apps' would have removed them" << Qt::endl;
    return 0;
}

} // namespace

int runTarget(const Invocation &invocation, CommandContext &context)
{
    Result<std::unique_ptr<History>> history = openHistory(invocation.dataDir);
    if (!history)
        return reportError(context, invocation.command, history.error());
    if (invocation.command == u"target add")
        return addTarget(invocation, context, **history);
    if (invocation.command == u"target list")
        return listTargets(invocation, context, **history);
    if (invocation.command == u"target check")
        return checkTarget(invocation, context, **history);
    if (invocation.command == u"target upgrade-proxy")
        return upgradeTargetProxy(invocation, context, **history);
    return removeTarget(invocation, context, **history);
}

} // namespace slipway::cli
