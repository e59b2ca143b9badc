#include "engine/swarmnodes.h"

#include "engine/engineconnection.h"
#include "util/jsonmaps.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QUrl>

#include <algorithm>

namespace slipway {
namespace {

// The labels of deploy/rollout.h's `labels` (engine/ does not include deploy/).
const QString appLabel = QStringLiteral("io.slipway.app");
const QString releaseLabel = QStringLiteral("io.slipway.release");

QJsonObject object(const QJsonObject &json, const char *key)
{
    return json.value(QLatin1String(key)).toObject();
}

QString text(const QJsonObject &json, const char *key)
{
    return json.value(QLatin1String(key)).toString();
}

SwarmNode nodeOf(const QJsonObject &json)
{
    const QJsonObject description = object(json, "Description");
    const QJsonObject status = object(json, "Status");
    const QJsonObject spec = object(json, "Spec");
    const QJsonObject manager = object(json, "ManagerStatus");
    return SwarmNode{.id = text(json, "ID"),
                     .hostname = text(description, "Hostname"),
                     .state = text(status, "State"),
                     .address = text(status, "Addr"),
                     .availability = text(spec, "Availability"),
                     .role = text(spec, "Role"),
                     .leader = manager.value(QLatin1String("Leader")).toBool(),
                     .reachability = text(manager, "Reachability"),
                     .engineVersion = text(object(description, "Engine"), "EngineVersion")};
}

Result<QJsonArray> listOf(EngineConnection &connection, const QString &path, const QString &what)
{
    EngineConnection::Request request;
    request.path = path;
    auto reply = connection.expect(request, what, {200});
    if (!reply)
        return reply.error();
    const QJsonDocument document = QJsonDocument::fromJson(reply->body);
    if (!document.isArray())
        return Error::failed(
            QStringLiteral("%1: %2: the engine's answer is not a list").arg(connection.where(), what));
    return document.array();
}

// The tasks Swarm wants running for `service`, counted on each node.
Status readReplicas(EngineConnection &connection, SwarmServiceReplicas &service,
                    const QHash<QString, QString> &hostnames)
{
    const QString path =
        QStringLiteral("/tasks?filters=") +
        engineFilters(QJsonObject{{QStringLiteral("service"), QJsonArray{service.id}},
                                  {QStringLiteral("desired-state"), QJsonArray{QStringLiteral("running")}}});
    auto tasks = listOf(connection, path, QStringLiteral("list the tasks of service %1").arg(service.name));
    if (!tasks)
        return tasks.error();
    QMap<QString, SwarmNodeReplicas> byNode;
    for (const QJsonValue &value : tasks.value()) {
        const QJsonObject task = value.toObject();
        const QString nodeId = text(task, "NodeID");
        const QString state = text(object(task, "Status"), "State");
        SwarmNodeReplicas &node = byNode[nodeId];
        node.nodeId = nodeId;
        node.hostname = hostnames.value(nodeId, nodeId);
        node.states.append(state);
        if (state == u"running") {
            ++node.running;
            ++service.running;
        }
    }
    for (SwarmNodeReplicas &node : byNode) {
        node.states.sort();
        service.nodes.append(node);
    }
    std::sort(service.nodes.begin(), service.nodes.end(),
              [](const SwarmNodeReplicas &a, const SwarmNodeReplicas &b) {
                  // Tasks on no node yet go last.
                  if (a.nodeId.isEmpty() != b.nodeId.isEmpty())
                      return b.nodeId.isEmpty();
                  return std::pair(a.hostname, a.nodeId) < std::pair(b.hostname, b.nodeId);
              });
    return success();
}

} // namespace

Result<SwarmOverview> readSwarmOverview(EngineConnection &connection, const QString &nodeId)
{
    SwarmOverview overview;
    overview.nodeId = nodeId;
    auto nodes = listOf(connection, QStringLiteral("/nodes"), QStringLiteral("list the Swarm's nodes"));
    if (!nodes)
        return nodes.error();
    QHash<QString, QString> hostnames;
    for (const QJsonValue &value : nodes.value()) {
        SwarmNode node = nodeOf(value.toObject());
        hostnames.insert(node.id, node.hostname.isEmpty() ? node.id : node.hostname);
        overview.nodes.append(std::move(node));
    }
    std::sort(overview.nodes.begin(), overview.nodes.end(), [](const SwarmNode &a, const SwarmNode &b) {
        return std::pair(a.hostname, a.id) < std::pair(b.hostname, b.id);
    });

    const QString path = QStringLiteral("/services?filters=") +
                         engineFilters(QJsonObject{{QStringLiteral("label"), QJsonArray{appLabel}}});
    auto services = listOf(connection, path, QStringLiteral("list Slipway's services"));
    if (!services)
        return services.error();
    for (const QJsonValue &value : services.value()) {
        const QJsonObject json = value.toObject();
        const QJsonObject spec = object(json, "Spec");
        const QMap<QString, QString> labels = stringMapOf(object(spec, "Labels"));
        SwarmServiceReplicas service{
            .id = text(json, "ID"),
            .name = text(spec, "Name"),
            .app = labels.value(appLabel),
            .release = labels.value(releaseLabel),
            .desired = qint64(object(object(spec, "Mode"), "Replicated").value(u"Replicas").toDouble()),
            .running = 0,
            .nodes = {}};
        if (Status replicas = readReplicas(connection, service, hostnames); !replicas)
            return replicas.error();
        overview.services.append(std::move(service));
    }
    std::sort(overview.services.begin(), overview.services.end(),
              [](const SwarmServiceReplicas &a, const SwarmServiceReplicas &b) { return a.name < b.name; });
    return overview;
}

QString describeSwarmNode(const SwarmNode &node)
{
    QStringList parts{node.state, node.availability, node.role};
    if (node.leader)
        parts.append(QStringLiteral("leader"));
    if (node.reachability == u"unreachable")
        parts.append(node.reachability);
    parts.removeAll(QString());
    return (node.hostname.isEmpty() ? node.id : node.hostname) + QStringLiteral(": ") +
           parts.join(QStringLiteral(", "));
}

QString describeSwarmService(const SwarmServiceReplicas &service)
{
    QStringList nodes;
    for (const SwarmNodeReplicas &node : service.nodes) {
        QString part = node.nodeId.isEmpty() ? QStringLiteral("no node") : node.hostname;
        if (node.running > 0 || !node.nodeId.isEmpty())
            part += u' ' + QString::number(node.running);
        // The tasks that do not run yet (or any more), counted by state.
        QMap<QString, int> others;
        for (const QString &state : node.states)
            if (state != u"running")
                ++others[state];
        for (auto it = others.begin(); it != others.end(); ++it)
            part += (node.running > 0 || !node.nodeId.isEmpty() ? QStringLiteral(" + %1 %2")
                                                                : QStringLiteral(" %1 %2"))
                        .arg(it.value())
                        .arg(it.key());
        nodes.append(part);
    }
    QString line = service.name + QStringLiteral(": ");
    if (!service.release.isEmpty())
        line += QStringLiteral("release %1, ").arg(service.release);
    line += QStringLiteral("%1/%2 replicas").arg(service.running).arg(service.desired);
    if (!nodes.isEmpty())
        line += QStringLiteral(" (%1)").arg(nodes.join(QStringLiteral(", ")));
    return line;
}

QString describeSwarm(const SwarmOverview &overview)
{
    return QStringLiteral("manager, %1 node%2")
        .arg(overview.nodes.size())
        .arg(overview.nodes.size() == 1 ? QString() : QStringLiteral("s"));
}

} // namespace slipway
