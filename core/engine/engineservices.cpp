#include "engine/engineservices.h"
#include "util/jsonmaps.h"

#include "engine/engineconnection.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>
#include <QUrlQuery>

#include <algorithm>

namespace slipway {
namespace {

QJsonObject policyJson(const ServiceUpdatePolicy &policy)
{
    QJsonObject json{{QStringLiteral("Parallelism"), policy.parallelism},
                     {QStringLiteral("Delay"), 0},
                     {QStringLiteral("Monitor"), policy.monitorNanoseconds},
                     {QStringLiteral("MaxFailureRatio"), 0},
                     {QStringLiteral("Order"), policy.order}};
    if (!policy.failureAction.isEmpty())
        json.insert(QStringLiteral("FailureAction"), policy.failureAction);
    return json;
}

QString filtersQuery(const char *key, const QString &value)
{
    return engineFilters(QJsonObject{{QString::fromLatin1(key), QJsonArray{value}}});
}

QStringList secretNamesOf(const QJsonObject &spec)
{
    QStringList names;
    const QJsonArray secrets = spec.value(QStringLiteral("TaskTemplate"))
                                   .toObject()
                                   .value(QStringLiteral("ContainerSpec"))
                                   .toObject()
                                   .value(QStringLiteral("Secrets"))
                                   .toArray();
    for (const QJsonValue &secret : secrets)
        names.append(secret.toObject().value(QStringLiteral("SecretName")).toString());
    return names;
}

ServiceState serviceState(const QJsonObject &json)
{
    const QJsonObject spec = json.value(QStringLiteral("Spec")).toObject();
    ServiceState state;
    state.id = json.value(QStringLiteral("ID")).toString();
    state.name = spec.value(QStringLiteral("Name")).toString();
    state.version =
        qint64(json.value(QStringLiteral("Version")).toObject().value(QStringLiteral("Index")).toDouble());
    state.labels = stringMapOf(spec.value(QStringLiteral("Labels")).toObject());
    state.image = spec.value(QStringLiteral("TaskTemplate"))
                      .toObject()
                      .value(QStringLiteral("ContainerSpec"))
                      .toObject()
                      .value(QStringLiteral("Image"))
                      .toString();
    state.replicas = qint64(spec.value(QStringLiteral("Mode"))
                                .toObject()
                                .value(QStringLiteral("Replicated"))
                                .toObject()
                                .value(QStringLiteral("Replicas"))
                                .toDouble());
    const QJsonArray ports =
        spec.value(QStringLiteral("EndpointSpec")).toObject().value(QStringLiteral("Ports")).toArray();
    for (const QJsonValue &port : ports)
        if (const int published = port.toObject().value(QStringLiteral("PublishedPort")).toInt();
            published > 0)
            state.publishedPorts.append(QString::number(published));
    std::sort(state.publishedPorts.begin(), state.publishedPorts.end(),
              [](const QString &a, const QString &b) { return a.toInt() < b.toInt(); });
    const QJsonObject update = json.value(QStringLiteral("UpdateStatus")).toObject();
    state.updateState = update.value(QStringLiteral("State")).toString();
    state.updateMessage = update.value(QStringLiteral("Message")).toString();
    const QJsonObject previous = json.value(QStringLiteral("PreviousSpec")).toObject();
    state.previousLabels = stringMapOf(previous.value(QStringLiteral("Labels")).toObject());
    state.secretNames = secretNamesOf(spec);
    state.previousSecretNames = secretNamesOf(previous);
    return state;
}

} // namespace

QByteArray EngineServices::specBody(const ServiceSpec &spec)
{
    QJsonObject container{{QStringLiteral("Image"), spec.image},
                          {QStringLiteral("Labels"), jsonObjectOf(spec.containerLabels)},
                          {QStringLiteral("StopGracePeriod"), spec.stopGraceNanoseconds}};
    QJsonArray env;
    for (auto it = spec.env.begin(); it != spec.env.end(); ++it)
        env.append(QString(it.key() + u'=' + it.value()));
    if (!env.isEmpty())
        container.insert(QStringLiteral("Env"), env);
    if (!spec.args.isEmpty())
        container.insert(QStringLiteral("Args"), QJsonArray::fromStringList(spec.args));
    QJsonArray mounts;
    for (const ContainerMount &mount : spec.mounts)
        mounts.append(QJsonObject{
            {QStringLiteral("Type"), mount.bind ? QStringLiteral("bind") : QStringLiteral("volume")},
            {QStringLiteral("Source"), mount.source},
            {QStringLiteral("Target"), mount.target},
            {QStringLiteral("ReadOnly"), mount.readOnly}});
    if (!mounts.isEmpty())
        container.insert(QStringLiteral("Mounts"), mounts);
    if (!spec.hosts.isEmpty())
        container.insert(QStringLiteral("Hosts"), QJsonArray::fromStringList(spec.hosts));
    QJsonArray secrets;
    for (const ServiceSecretRef &secret : spec.secrets)
        secrets.append(
            QJsonObject{{QStringLiteral("File"), QJsonObject{{QStringLiteral("Name"), secret.file},
                                                             {QStringLiteral("UID"), QStringLiteral("0")},
                                                             {QStringLiteral("GID"), QStringLiteral("0")},
                                                             {QStringLiteral("Mode"), 0444}}},
                        {QStringLiteral("SecretID"), secret.id},
                        {QStringLiteral("SecretName"), secret.name}});
    if (!secrets.isEmpty())
        container.insert(QStringLiteral("Secrets"), secrets);
    if (!spec.healthTest.isEmpty())
        container.insert(QStringLiteral("HealthCheck"),
                         QJsonObject{{QStringLiteral("Test"), QJsonArray::fromStringList(spec.healthTest)},
                                     {QStringLiteral("Interval"), spec.healthIntervalNanoseconds},
                                     {QStringLiteral("Timeout"), spec.healthTimeoutNanoseconds},
                                     {QStringLiteral("StartPeriod"), spec.healthStartPeriodNanoseconds},
                                     {QStringLiteral("Retries"), spec.healthRetries}});

    QJsonObject limits;
    if (spec.memoryBytes > 0)
        limits.insert(QStringLiteral("MemoryBytes"), spec.memoryBytes);
    if (spec.nanoCpus > 0)
        limits.insert(QStringLiteral("NanoCPUs"), spec.nanoCpus);
    QJsonObject task{
        {QStringLiteral("ContainerSpec"), container},
        {QStringLiteral("Resources"), QJsonObject{{QStringLiteral("Limits"), limits}}},
        {QStringLiteral("RestartPolicy"), QJsonObject{{QStringLiteral("Condition"), spec.restartCondition}}}};
    if (!spec.logDriver.isEmpty())
        task.insert(QStringLiteral("LogDriver"),
                    QJsonObject{{QStringLiteral("Name"), spec.logDriver},
                                {QStringLiteral("Options"), jsonObjectOf(spec.logOptions)}});
    QJsonArray networks;
    for (const QString &network : spec.networks)
        networks.append(QJsonObject{{QStringLiteral("Target"), network}});
    if (!networks.isEmpty())
        task.insert(QStringLiteral("Networks"), networks);

    QJsonArray ports;
    for (const ServicePort &port : spec.ports)
        ports.append(QJsonObject{{QStringLiteral("Protocol"), port.protocol},
                                 {QStringLiteral("TargetPort"), port.target},
                                 {QStringLiteral("PublishedPort"), port.published},
                                 {QStringLiteral("PublishMode"), QStringLiteral("host")}});
    const QJsonObject body{
        {QStringLiteral("Name"), spec.name},
        {QStringLiteral("Labels"), jsonObjectOf(spec.labels)},
        {QStringLiteral("TaskTemplate"), task},
        {QStringLiteral("Mode"), QJsonObject{{QStringLiteral("Replicated"),
                                              QJsonObject{{QStringLiteral("Replicas"), spec.replicas}}}}},
        {QStringLiteral("UpdateConfig"), policyJson(spec.update)},
        {QStringLiteral("RollbackConfig"), policyJson(spec.rollback)},
        {QStringLiteral("EndpointSpec"),
         QJsonObject{{QStringLiteral("Mode"), QStringLiteral("dnsrr")}, {QStringLiteral("Ports"), ports}}}};
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

Result<SwarmInfo> EngineServices::swarmInfo()
{
    EngineConnection::Request request;
    request.path = QStringLiteral("/info");
    auto reply = m_connection.expect(request, QStringLiteral("info"), {200});
    if (!reply)
        return reply.error();
    const QJsonObject swarm =
        QJsonDocument::fromJson(reply->body).object().value(QStringLiteral("Swarm")).toObject();
    SwarmInfo info;
    info.localNodeState = swarm.value(QStringLiteral("LocalNodeState")).toString();
    info.controlAvailable = swarm.value(QStringLiteral("ControlAvailable")).toBool();
    info.nodeId = swarm.value(QStringLiteral("NodeID")).toString();
    info.error = swarm.value(QStringLiteral("Error")).toString();
    return info;
}

Result<std::optional<ServiceState>> EngineServices::find(const QString &name)
{
    // The name filter matches prefixes: the exact name is picked here.
    EngineConnection::Request request;
    request.path = QStringLiteral("/services?filters=") + filtersQuery("name", name);
    auto reply = m_connection.expect(request, QStringLiteral("list services named %1").arg(name), {200});
    if (!reply)
        return reply.error();
    for (const QJsonValue &value : QJsonDocument::fromJson(reply->body).array()) {
        ServiceState state = serviceState(value.toObject());
        if (state.name == name)
            return std::optional<ServiceState>(std::move(state));
    }
    return std::optional<ServiceState>();
}

Result<ServiceState> EngineServices::inspect(const QString &id)
{
    EngineConnection::Request request;
    request.path = QStringLiteral("/services/%1").arg(id);
    auto reply = m_connection.expect(request, QStringLiteral("inspect service %1").arg(id), {200});
    if (!reply)
        return reply.error();
    return serviceState(QJsonDocument::fromJson(reply->body).object());
}

Result<QString> EngineServices::create(const ServiceSpec &spec, const QByteArray &registryAuth)
{
    EngineConnection::Request request;
    request.method = "POST";
    request.path = QStringLiteral("/services/create");
    request.body = specBody(spec);
    if (!registryAuth.isEmpty())
        request.headers.append("X-Registry-Auth: " + registryAuth);
    auto reply = m_connection.expect(request, QStringLiteral("create service %1").arg(spec.name), {200, 201});
    if (!reply)
        return reply.error();
    const QString id = QJsonDocument::fromJson(reply->body).object().value(QStringLiteral("ID")).toString();
    if (id.isEmpty())
        return Error::failed(QStringLiteral("%1: create service %2: the engine answered without an id")
                                 .arg(m_connection.where(), spec.name));
    return id;
}

Status EngineServices::update(const QString &id, qint64 version, const ServiceSpec &spec,
                              const QByteArray &registryAuth)
{
    EngineConnection::Request request;
    request.method = "POST";
    request.path = QStringLiteral("/services/%1/update?version=%2").arg(id).arg(version);
    request.body = specBody(spec);
    if (!registryAuth.isEmpty())
        request.headers.append("X-Registry-Auth: " + registryAuth);
    auto reply = m_connection.expect(request, QStringLiteral("update service %1").arg(spec.name), {200});
    if (!reply)
        return reply.error();
    return success();
}

Status EngineServices::rollback(const QString &id)
{
    // The engine reads the body (and refuses an empty spec) even when it sends the previous one:
    // the current spec goes back with its version.
    EngineConnection::Request inspect;
    inspect.path = QStringLiteral("/services/%1").arg(id);
    const QString what = QStringLiteral("roll back service %1").arg(id);
    auto current = m_connection.expect(inspect, what, {200});
    if (!current)
        return current.error();
    const QJsonObject json = QJsonDocument::fromJson(current->body).object();
    const qint64 version =
        qint64(json.value(QStringLiteral("Version")).toObject().value(QStringLiteral("Index")).toDouble());
    EngineConnection::Request request;
    request.method = "POST";
    request.path = QStringLiteral("/services/%1/update?version=%2&rollback=previous").arg(id).arg(version);
    request.body =
        QJsonDocument(json.value(QStringLiteral("Spec")).toObject()).toJson(QJsonDocument::Compact);
    auto reply = m_connection.expect(request, what, {200});
    if (!reply)
        return reply.error();
    return success();
}

Status EngineServices::remove(const QString &id)
{
    EngineConnection::Request request;
    request.method = "DELETE";
    request.path = QStringLiteral("/services/%1").arg(id);
    auto reply = m_connection.expect(request, QStringLiteral("remove service %1").arg(id), {200, 204, 404});
    if (!reply)
        return reply.error();
    return success();
}

Result<QList<ServiceTask>> EngineServices::tasks(const QString &serviceId)
{
    EngineConnection::Request request;
    request.path = QStringLiteral("/tasks?filters=") + filtersQuery("service", serviceId);
    auto reply =
        m_connection.expect(request, QStringLiteral("list the tasks of service %1").arg(serviceId), {200});
    if (!reply)
        return reply.error();
    QList<ServiceTask> tasks;
    for (const QJsonValue &value : QJsonDocument::fromJson(reply->body).array()) {
        const QJsonObject json = value.toObject();
        const QJsonObject status = json.value(QStringLiteral("Status")).toObject();
        const QJsonObject container =
            json.value(QStringLiteral("Spec")).toObject().value(QStringLiteral("ContainerSpec")).toObject();
        tasks.append(
            ServiceTask{.id = json.value(QStringLiteral("ID")).toString(),
                        .slot = json.value(QStringLiteral("Slot")).toInt(),
                        .nodeId = json.value(QStringLiteral("NodeID")).toString(),
                        .state = status.value(QStringLiteral("State")).toString(),
                        .desiredState = json.value(QStringLiteral("DesiredState")).toString(),
                        .error = status.value(QStringLiteral("Err")).toString(),
                        .message = status.value(QStringLiteral("Message")).toString(),
                        .image = container.value(QStringLiteral("Image")).toString(),
                        .containerLabels = stringMapOf(container.value(QStringLiteral("Labels")).toObject()),
                        .containerId = status.value(QStringLiteral("ContainerStatus"))
                                           .toObject()
                                           .value(QStringLiteral("ContainerID"))
                                           .toString(),
                        .timestamp = status.value(QStringLiteral("Timestamp")).toString()});
    }
    return tasks;
}

Result<QStringList> EngineServices::logLines(const QString &path, const QString &what)
{
    EngineConnection::Request request;
    request.path = path;
    auto reply = m_connection.expect(request, what, {200});
    if (!reply)
        return reply.error();
    QByteArray pending;
    QByteArray text;
    EngineContainers::demultiplex(pending, reply->body,
                                  [&](int, const QByteArray &payload) { text.append(payload); });
    text.append(pending);
    QStringList lines = QString::fromUtf8(text).split(u'\n');
    while (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast();
    return lines;
}

Result<QStringList> EngineServices::taskLogs(const QString &taskId, int tail)
{
    return logLines(QStringLiteral("/tasks/%1/logs?stdout=1&stderr=1&tail=%2").arg(taskId).arg(tail),
                    QStringLiteral("logs of task %1").arg(taskId));
}

Status EngineServices::followLogs(const QString &serviceId,
                                  const std::function<bool(int stream, const QString &line)> &onLine,
                                  int tail)
{
    EngineContainers::LogQuery query;
    query.follow = true;
    query.tail = tail;
    return serviceLogs(serviceId, query, false, onLine);
}

namespace {

// GET /services/{id}: its Spec whole, as Swarm has it, changed by `change`, then POST
// .../update?version=N. Swarm counts the version up on its own too (an update's status): when it
// moved on between the two, the spec is read and sent again.
Status changeSpec(EngineConnection &connection, const QString &id, const QString &what,
                  const std::function<void(QJsonObject &spec)> &change)
{
    for (int attempt = 1;; ++attempt) {
        EngineConnection::Request inspect;
        inspect.path = QStringLiteral("/services/%1").arg(id);
        auto current = connection.expect(inspect, what, {200});
        if (!current)
            return current.error();
        const QJsonObject json = QJsonDocument::fromJson(current->body).object();
        const qint64 version = qint64(
            json.value(QStringLiteral("Version")).toObject().value(QStringLiteral("Index")).toDouble());
        QJsonObject spec = json.value(QStringLiteral("Spec")).toObject();
        change(spec);
        EngineConnection::Request request;
        request.method = "POST";
        request.path = QStringLiteral("/services/%1/update?version=%2").arg(id).arg(version);
        request.body = QJsonDocument(spec).toJson(QJsonDocument::Compact);
        auto reply = connection.expect(request, what, {200});
        if (reply)
            return success();
        if (attempt == 3)
            return reply.error();
        auto again = connection.expect(inspect, what, {200});
        if (!again || qint64(QJsonDocument::fromJson(again->body)
                                 .object()
                                 .value(QStringLiteral("Version"))
                                 .toObject()
                                 .value(QStringLiteral("Index"))
                                 .toDouble()) == version)
            return reply.error();
    }
}

} // namespace

Result<QList<ServiceState>> EngineServices::list(const QString &label)
{
    EngineConnection::Request request;
    request.path = QStringLiteral("/services?filters=") + filtersQuery("label", label);
    auto reply = m_connection.expect(request, QStringLiteral("list services labelled %1").arg(label), {200});
    if (!reply)
        return reply.error();
    QList<ServiceState> services;
    for (const QJsonValue &value : QJsonDocument::fromJson(reply->body).array())
        services.append(serviceState(value.toObject()));
    return services;
}

Status EngineServices::scale(const QString &id, qint64 replicas, const QMap<QString, QString> &labels)
{
    return changeSpec(m_connection, id, QStringLiteral("scale service %1 to %2").arg(id).arg(replicas),
                      [&](QJsonObject &spec) {
                          QJsonObject mode = spec.value(QStringLiteral("Mode")).toObject();
                          QJsonObject replicated = mode.value(QStringLiteral("Replicated")).toObject();
                          replicated.insert(QStringLiteral("Replicas"), replicas);
                          mode.insert(QStringLiteral("Replicated"), replicated);
                          spec.insert(QStringLiteral("Mode"), mode);
                          QJsonObject serviceLabels = spec.value(QStringLiteral("Labels")).toObject();
                          for (auto it = labels.begin(); it != labels.end(); ++it) {
                              if (it.value().isEmpty())
                                  serviceLabels.remove(it.key());
                              else
                                  serviceLabels.insert(it.key(), it.value());
                          }
                          spec.insert(QStringLiteral("Labels"), serviceLabels);
                      });
}

Status EngineServices::forceUpdate(const QString &id)
{
    return changeSpec(m_connection, id, QStringLiteral("restart the tasks of service %1").arg(id),
                      [](QJsonObject &spec) {
                          QJsonObject task = spec.value(QStringLiteral("TaskTemplate")).toObject();
                          task.insert(QStringLiteral("ForceUpdate"),
                                      task.value(QStringLiteral("ForceUpdate")).toInteger() + 1);
                          spec.insert(QStringLiteral("TaskTemplate"), task);
                      });
}

Result<QMap<QString, QString>> EngineServices::nodeNames()
{
    EngineConnection::Request request;
    request.path = QStringLiteral("/nodes");
    auto reply = m_connection.expect(request, QStringLiteral("list the Swarm's nodes"), {200});
    if (!reply)
        return reply.error();
    QMap<QString, QString> names;
    for (const QJsonValue &value : QJsonDocument::fromJson(reply->body).array())
        names.insert(value[QStringLiteral("ID")].toString(),
                     value[QStringLiteral("Description")][QStringLiteral("Hostname")].toString());
    return names;
}

Status EngineServices::serviceLogs(const QString &serviceId, const EngineContainers::LogQuery &query,
                                   bool details,
                                   const std::function<bool(int stream, const QString &line)> &onLine)
{
    const QString what = QStringLiteral("logs of service %1").arg(serviceId);
    QByteArray pending;
    QByteArray partial[3];
    bool keepGoing = true;
    EngineConnection::Request request;
    request.path = QStringLiteral("/services/%1/logs?stdout=1&stderr=1&follow=%2&tail=%3")
                       .arg(serviceId, query.follow ? QStringLiteral("1") : QStringLiteral("0"),
                            query.tail < 0 ? QStringLiteral("all") : QString::number(query.tail));
    if (query.since > 0)
        request.path += QStringLiteral("&since=%1").arg(query.since);
    if (query.timestamps)
        request.path += QStringLiteral("&timestamps=1");
    if (details)
        request.path += QStringLiteral("&details=1");
    request.timeoutSeconds = 0;
    request.onData = [&](const char *data, qsizetype size) {
        EngineContainers::demultiplex(
            pending, QByteArray(data, size), [&](int stream, const QByteArray &payload) {
                QByteArray &buffer = partial[stream];
                buffer.append(payload);
                qsizetype newline;
                while (keepGoing && (newline = buffer.indexOf('\n')) >= 0) {
                    keepGoing = onLine(stream, QString::fromUtf8(buffer.left(newline)));
                    buffer.remove(0, newline + 1);
                }
            });
        return keepGoing;
    };
    auto reply = m_connection.send(request, what);
    if (!reply)
        return reply.error();
    if (reply->status != 200)
        return m_connection.httpError(what, reply.value());
    for (int stream = 1; stream <= 2 && keepGoing; ++stream)
        if (!partial[stream].isEmpty())
            keepGoing = onLine(stream, QString::fromUtf8(partial[stream]));
    return success();
}

} // namespace slipway
