#include "engine/enginecontainers.h"
#include "util/jsonmaps.h"

#include "engine/engineconnection.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>
#include <QUrlQuery>

namespace slipway {
namespace {

// The body of POST /containers/create.
QJsonObject createBody(const ContainerSpec &spec)
{
    QJsonObject body;
    body.insert(QStringLiteral("Image"), spec.image);
    body.insert(QStringLiteral("Labels"), jsonObjectOf(spec.labels));
    QJsonArray env;
    for (auto it = spec.env.begin(); it != spec.env.end(); ++it)
        env.append(QString(it.key() + u'=' + it.value()));
    if (!env.isEmpty())
        body.insert(QStringLiteral("Env"), env);

    QJsonObject hostConfig;
    QJsonObject exposed;
    QJsonObject bindings;
    for (const QString &port : spec.ports) {
        const qsizetype colon = port.lastIndexOf(u':');
        const QString hostPart = colon < 0 ? port : port.left(colon);
        QString containerPart = colon < 0 ? port : port.mid(colon + 1);
        if (!containerPart.contains(u'/'))
            containerPart += QStringLiteral("/tcp");
        QString hostIp;
        QString hostPort = hostPart;
        if (const qsizetype ipColon = hostPart.lastIndexOf(u':'); ipColon >= 0) {
            hostIp = hostPart.left(ipColon);
            hostPort = hostPart.mid(ipColon + 1);
            // "[::1]" as written in slipway.toml; the engines take the bare address.
            if (hostIp.startsWith(u'[') && hostIp.endsWith(u']'))
                hostIp = hostIp.mid(1, hostIp.size() - 2);
        }
        exposed.insert(containerPart, QJsonObject());
        QJsonObject binding{{QStringLiteral("HostPort"), hostPort.section(u'/', 0, 0)}};
        if (!hostIp.isEmpty())
            binding.insert(QStringLiteral("HostIp"), hostIp);
        QJsonArray list = bindings.value(containerPart).toArray();
        list.append(binding);
        bindings.insert(containerPart, list);
    }
    if (!exposed.isEmpty()) {
        body.insert(QStringLiteral("ExposedPorts"), exposed);
        hostConfig.insert(QStringLiteral("PortBindings"), bindings);
    }
    if (!spec.network.isEmpty())
        hostConfig.insert(QStringLiteral("NetworkMode"), spec.network);
    if (!spec.restart.isEmpty())
        hostConfig.insert(QStringLiteral("RestartPolicy"),
                          QJsonObject{{QStringLiteral("Name"), spec.restart}});
    // Mounts, not Binds: Docker refuses a bind of a host path that does not exist instead of
    // making an empty directory there.
    QJsonArray mounts;
    for (const ContainerMount &mount : spec.mounts)
        mounts.append(QJsonObject{
            {QStringLiteral("Type"), mount.bind ? QStringLiteral("bind") : QStringLiteral("volume")},
            {QStringLiteral("Source"), mount.source},
            {QStringLiteral("Target"), mount.target},
            {QStringLiteral("ReadOnly"), mount.readOnly}});
    if (!mounts.isEmpty())
        hostConfig.insert(QStringLiteral("Mounts"), mounts);
    if (spec.memoryBytes > 0)
        hostConfig.insert(QStringLiteral("Memory"), spec.memoryBytes);
    if (spec.nanoCpus > 0)
        hostConfig.insert(QStringLiteral("NanoCpus"), spec.nanoCpus);
    if (!spec.extraHosts.isEmpty())
        hostConfig.insert(QStringLiteral("ExtraHosts"), QJsonArray::fromStringList(spec.extraHosts));
    if (!spec.logDriver.isEmpty())
        hostConfig.insert(QStringLiteral("LogConfig"),
                          QJsonObject{{QStringLiteral("Type"), spec.logDriver},
                                      {QStringLiteral("Config"), jsonObjectOf(spec.logOptions)}});
    body.insert(QStringLiteral("HostConfig"), hostConfig);
    if (!spec.command.isEmpty())
        body.insert(QStringLiteral("Cmd"), QJsonArray::fromStringList(spec.command));
    if (!spec.healthcheck.isEmpty()) {
        body.insert(QStringLiteral("Healthcheck"),
                    QJsonObject{{QStringLiteral("Test"), QJsonArray::fromStringList(spec.healthcheck)},
                                {QStringLiteral("Interval"), qint64(1000000000)},
                                {QStringLiteral("Retries"), 3}});
    }
    return body;
}

} // namespace

Result<QString> EngineContainers::create(const ContainerSpec &spec)
{
    EngineConnection::Request request;
    request.method = "POST";
    request.path = QStringLiteral("/containers/create");
    if (!spec.name.isEmpty())
        request.path += QStringLiteral("?name=") + QString::fromUtf8(QUrl::toPercentEncoding(spec.name));
    request.body = QJsonDocument(createBody(spec)).toJson(QJsonDocument::Compact);
    auto reply =
        m_connection.expect(request, QStringLiteral("create container %1").arg(spec.name), {200, 201});
    // Docker says 409 when the name is taken; some Podman versions answer 500 "already in use".
    if (!reply && reply.error().message.contains(QStringLiteral("already in use")))
        return reply.error().withCode(Error::Code::Conflict);
    if (!reply)
        return reply.error();
    const QString id = QJsonDocument::fromJson(reply->body).object().value(QStringLiteral("Id")).toString();
    if (id.isEmpty())
        return Error::failed(QStringLiteral("%1: create container %2: the engine answered without an id")
                                 .arg(m_connection.where(), spec.name));
    return id;
}

Status EngineContainers::putArchive(const QString &id, const QString &directory, const QByteArray &tar)
{
    EngineConnection::Request request;
    request.method = "PUT";
    request.path = QStringLiteral("/containers/%1/archive?path=%2")
                       .arg(id, QString::fromUtf8(QUrl::toPercentEncoding(directory)));
    request.body = tar;
    request.contentType = "application/x-tar";
    auto reply =
        m_connection.expect(request, QStringLiteral("copy files into container %1").arg(id.left(12)), {200});
    if (!reply)
        return reply.error();
    return success();
}

Status EngineContainers::start(const QString &id)
{
    EngineConnection::Request request;
    request.method = "POST";
    request.path = QStringLiteral("/containers/%1/start").arg(id);
    auto reply =
        m_connection.expect(request, QStringLiteral("start container %1").arg(id.left(12)), {204, 304});
    if (!reply)
        return reply.error();
    return success();
}

Result<ContainerState> EngineContainers::inspect(const QString &id)
{
    EngineConnection::Request request;
    request.path = QStringLiteral("/containers/%1/json").arg(id);
    auto reply = m_connection.expect(request, QStringLiteral("inspect container %1").arg(id.left(12)), {200});
    if (!reply)
        return reply.error();
    const QJsonObject json = QJsonDocument::fromJson(reply->body).object();
    const QJsonObject state = json.value(QStringLiteral("State")).toObject();
    ContainerState result;
    result.id = json.value(QStringLiteral("Id")).toString();
    result.name = json.value(QStringLiteral("Name")).toString();
    if (result.name.startsWith(u'/'))
        result.name.remove(0, 1);
    result.status = state.value(QStringLiteral("Status")).toString();
    result.running = state.value(QStringLiteral("Running")).toBool();
    result.exitCode = state.value(QStringLiteral("ExitCode")).toInt();
    result.restartCount = json.value(QStringLiteral("RestartCount")).toInt();
    result.error = state.value(QStringLiteral("Error")).toString();
    result.health =
        state.value(QStringLiteral("Health")).toObject().value(QStringLiteral("Status")).toString();
    result.startedAt = state.value(QStringLiteral("StartedAt")).toString();
    const QJsonObject network = json.value(QStringLiteral("NetworkSettings")).toObject();
    result.ipAddress = network.value(QStringLiteral("IPAddress")).toString();
    const QJsonObject networks = network.value(QStringLiteral("Networks")).toObject();
    for (auto it = networks.begin(); it != networks.end(); ++it) {
        const QString address = it.value().toObject().value(QStringLiteral("IPAddress")).toString();
        if (result.ipAddress.isEmpty())
            result.ipAddress = address;
        if (!address.isEmpty())
            result.addresses.insert(it.key(), address);
    }
    result.labels = stringMapOf(
        json.value(QStringLiteral("Config")).toObject().value(QStringLiteral("Labels")).toObject());
    return result;
}

Result<bool> EngineContainers::hasPath(const QString &id, const QString &path)
{
    EngineConnection::Request request;
    request.method = "HEAD";
    request.path = QStringLiteral("/containers/%1/archive?path=%2")
                       .arg(id, QString::fromUtf8(QUrl::toPercentEncoding(path)));
    auto reply = m_connection.expect(
        request, QStringLiteral("look for %1 in container %2").arg(path, id.left(12)), {200, 404});
    if (!reply)
        return reply.error();
    return reply->status == 200;
}

Result<QStringList> EngineContainers::processes(const QString &id)
{
    EngineConnection::Request request;
    request.path = QStringLiteral("/containers/%1/top").arg(id);
    auto reply = m_connection.expect(
        request, QStringLiteral("list the processes of container %1").arg(id.left(12)), {200});
    if (!reply)
        return reply.error();
    const QJsonObject json = QJsonDocument::fromJson(reply->body).object();
    const QJsonArray titles = json.value(QStringLiteral("Titles")).toArray();
    qsizetype column = titles.size() - 1; // the command is the last column of both engines' ps
    for (qsizetype i = 0; i < titles.size(); ++i)
        if (titles.at(i).toString() == u"CMD" || titles.at(i).toString() == u"COMMAND")
            column = i;
    QStringList commands;
    for (const QJsonValue &row : json.value(QStringLiteral("Processes")).toArray())
        commands.append(row.toArray().at(column).toString());
    return commands;
}

Status EngineContainers::signal(const QString &id, const QString &signal)
{
    EngineConnection::Request request;
    request.method = "POST";
    request.path = QStringLiteral("/containers/%1/kill?signal=%2").arg(id, signal);
    auto reply = m_connection.expect(
        request, QStringLiteral("send %1 to container %2").arg(signal, id.left(12)), {204});
    if (!reply)
        return reply.error();
    return success();
}

Status EngineContainers::ensureNetwork(const QString &name, const QMap<QString, QString> &labels)
{
    const QString what = QStringLiteral("network %1").arg(name);
    EngineConnection::Request inspect;
    inspect.path = QStringLiteral("/networks/%1").arg(name);
    auto found = m_connection.expect(inspect, what, {200, 404});
    if (!found)
        return found.error();
    if (found->status == 200)
        return success();
    QJsonObject labelObject;
    for (auto it = labels.cbegin(); it != labels.cend(); ++it)
        labelObject.insert(it.key(), it.value());
    EngineConnection::Request create;
    create.method = "POST";
    create.path = QStringLiteral("/networks/create");
    create.body = QJsonDocument(QJsonObject{{QStringLiteral("Name"), name},
                                            {QStringLiteral("Driver"), QStringLiteral("bridge")},
                                            {QStringLiteral("CheckDuplicate"), true},
                                            {QStringLiteral("Labels"), labelObject}})
                      .toJson(QJsonDocument::Compact);
    // 409: another deploy made it just now.
    auto created = m_connection.expect(create, QStringLiteral("create ") + what, {200, 201, 409});
    if (!created)
        return created.error();
    return success();
}

Status EngineContainers::stop(const QString &id, int timeoutSeconds)
{
    EngineConnection::Request request;
    request.method = "POST";
    if (timeoutSeconds <= 0) {
        // No grace: SIGKILL alone. Docker's stop?t=0 sends SIGTERM first, and a process that
        // handles it may end on its own before the kill; Podman's kills at once. Both answer a
        // SIGKILL once the container has stopped; 409: it was not running.
        request.path = QStringLiteral("/containers/%1/kill?signal=SIGKILL").arg(id);
        request.timeoutSeconds = 30;
        auto reply =
            m_connection.expect(request, QStringLiteral("stop container %1").arg(id.left(12)), {204, 409});
        if (!reply)
            return reply.error();
        return success();
    }
    request.path = QStringLiteral("/containers/%1/stop?t=%2").arg(id).arg(timeoutSeconds);
    request.timeoutSeconds = timeoutSeconds + 30;
    auto reply =
        m_connection.expect(request, QStringLiteral("stop container %1").arg(id.left(12)), {204, 304});
    if (!reply)
        return reply.error();
    return success();
}

Status EngineContainers::remove(const QString &id, bool force)
{
    EngineConnection::Request request;
    request.method = "DELETE";
    request.path =
        QStringLiteral("/containers/%1?force=%2").arg(id, force ? QStringLiteral("1") : QStringLiteral("0"));
    request.timeoutSeconds = 60;
    auto reply =
        m_connection.expect(request, QStringLiteral("remove container %1").arg(id.left(12)), {200, 204, 404});
    if (!reply)
        return reply.error();
    return success();
}

Status EngineContainers::restart(const QString &id, int timeoutSeconds)
{
    EngineConnection::Request request;
    request.method = "POST";
    request.path = QStringLiteral("/containers/%1/restart?t=%2").arg(id).arg(std::max(timeoutSeconds, 0));
    request.timeoutSeconds = std::max(timeoutSeconds, 0) + 30;
    auto reply = m_connection.expect(request, QStringLiteral("restart container %1").arg(id.left(12)), {204});
    if (!reply)
        return reply.error();
    return success();
}

double ContainerStats::cpuPercent(const ContainerStats &before) const
{
    const qint64 cpu = cpuTotal - before.cpuTotal;
    const qint64 system = systemTotal - before.systemTotal;
    if (system <= 0 || cpu < 0 || before.systemTotal == 0)
        return -1;
    return double(cpu) / double(system) * std::max(onlineCpus, 1) * 100.0;
}

ContainerStats ContainerStats::fromJson(const QJsonObject &json)
{
    ContainerStats stats;
    const QJsonObject cpu = json.value(QStringLiteral("cpu_stats")).toObject();
    stats.cpuTotal = qint64(
        cpu.value(QStringLiteral("cpu_usage")).toObject().value(QStringLiteral("total_usage")).toDouble());
    stats.systemTotal = qint64(cpu.value(QStringLiteral("system_cpu_usage")).toDouble());
    stats.onlineCpus = cpu.value(QStringLiteral("online_cpus")).toInt();
    if (stats.onlineCpus <= 0)
        stats.onlineCpus = int(cpu.value(QStringLiteral("cpu_usage"))
                                   .toObject()
                                   .value(QStringLiteral("percpu_usage"))
                                   .toArray()
                                   .size());
    const QJsonObject memory = json.value(QStringLiteral("memory_stats")).toObject();
    const QJsonObject detail = memory.value(QStringLiteral("stats")).toObject();
    // What `docker stats` subtracts: inactive page cache (cgroup v1 total_inactive_file, v2
    // inactive_file), which the kernel drops before it would kill the container.
    const qint64 inactive = qint64(detail.contains(QStringLiteral("total_inactive_file"))
                                       ? detail.value(QStringLiteral("total_inactive_file")).toDouble()
                                       : detail.value(QStringLiteral("inactive_file")).toDouble());
    const qint64 usage = qint64(memory.value(QStringLiteral("usage")).toDouble());
    stats.memoryUsed = inactive < usage ? usage - inactive : usage;
    stats.memoryLimit = qint64(memory.value(QStringLiteral("limit")).toDouble());
    return stats;
}

Status EngineContainers::followStats(const QString &id,
                                     const std::function<bool(const ContainerStats &)> &onSample)
{
    const QString what = QStringLiteral("stats of container %1").arg(id.left(12));
    QByteArray pending;
    bool keepGoing = true;
    EngineConnection::Request request;
    request.path = QStringLiteral("/containers/%1/stats?stream=1").arg(id);
    request.timeoutSeconds = 0;
    // One JSON object per line (both engines write them with a JSON encoder).
    request.onData = [&](const char *data, qsizetype size) {
        pending.append(data, size);
        qsizetype newline;
        while (keepGoing && (newline = pending.indexOf('\n')) >= 0) {
            const QByteArray line = pending.left(newline).trimmed();
            pending.remove(0, newline + 1);
            if (line.isEmpty())
                continue;
            const QJsonObject json = QJsonDocument::fromJson(line).object();
            if (!json.isEmpty())
                keepGoing = onSample(ContainerStats::fromJson(json));
        }
        return keepGoing;
    };
    auto reply = m_connection.send(request, what);
    if (!reply)
        return reply.error();
    if (reply->status != 200)
        return m_connection.httpError(what, reply.value());
    return success();
}

Result<QList<ContainerSummary>> EngineContainers::list(const QStringList &labels)
{
    const QJsonObject filters{{QStringLiteral("label"), QJsonArray::fromStringList(labels)}};
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("all"), QStringLiteral("1"));
    query.addQueryItem(QStringLiteral("filters"),
                       QString::fromUtf8(QJsonDocument(filters).toJson(QJsonDocument::Compact)));
    EngineConnection::Request request;
    request.path = QStringLiteral("/containers/json?") + query.toString(QUrl::FullyEncoded);
    auto reply = m_connection.expect(request, QStringLiteral("list containers"), {200});
    if (!reply)
        return reply.error();
    QList<ContainerSummary> containers;
    const QJsonArray array = QJsonDocument::fromJson(reply->body).array();
    for (const QJsonValue &value : array) {
        const QJsonObject json = value.toObject();
        ContainerSummary summary;
        summary.id = json.value(QStringLiteral("Id")).toString();
        const QJsonArray names = json.value(QStringLiteral("Names")).toArray();
        summary.name = names.isEmpty() ? QString() : names.first().toString();
        if (summary.name.startsWith(u'/'))
            summary.name.remove(0, 1);
        summary.image = json.value(QStringLiteral("Image")).toString();
        summary.state = json.value(QStringLiteral("State")).toString();
        summary.status = json.value(QStringLiteral("Status")).toString();
        summary.created = qint64(json.value(QStringLiteral("Created")).toDouble());
        summary.labels = stringMapOf(json.value(QStringLiteral("Labels")).toObject());
        // Filter again: an engine that ignores a filter must not make us touch foreign containers.
        bool matches = true;
        for (const QString &label : labels) {
            const qsizetype eq = label.indexOf(u'=');
            const QString key = eq < 0 ? label : label.left(eq);
            if (!summary.labels.contains(key) || (eq >= 0 && summary.labels.value(key) != label.mid(eq + 1)))
                matches = false;
        }
        if (matches)
            containers.append(summary);
    }
    return containers;
}

void EngineContainers::demultiplex(QByteArray &pending, QByteArray chunk,
                                   const std::function<void(int stream, const QByteArray &payload)> &onFrame)
{
    pending.append(chunk);
    qsizetype offset = 0;
    while (pending.size() - offset >= 8) {
        const auto *header = reinterpret_cast<const unsigned char *>(pending.constData() + offset);
        const int stream = header[0];
        // Not a multiplexed stream (a container with a TTY): hand over the raw bytes.
        if (stream > 2 || header[1] || header[2] || header[3]) {
            onFrame(1, pending.mid(offset));
            offset = pending.size();
            break;
        }
        const quint32 size = (quint32(header[4]) << 24) | (quint32(header[5]) << 16) |
                             (quint32(header[6]) << 8) | quint32(header[7]);
        if (pending.size() - offset - 8 < qsizetype(size))
            break;
        onFrame(stream == 0 ? 1 : stream, pending.mid(offset + 8, size));
        offset += 8 + size;
    }
    pending.remove(0, offset);
}

Result<QStringList> EngineContainers::logs(const QString &id, int tail)
{
    EngineConnection::Request request;
    request.path = QStringLiteral("/containers/%1/logs?stdout=1&stderr=1&tail=%2").arg(id).arg(tail);
    auto reply = m_connection.expect(request, QStringLiteral("logs of container %1").arg(id.left(12)), {200});
    if (!reply)
        return reply.error();
    QByteArray pending;
    QByteArray text;
    demultiplex(pending, reply->body, [&](int, const QByteArray &payload) { text.append(payload); });
    text.append(pending);
    QStringList lines = QString::fromUtf8(text).split(u'\n');
    while (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast();
    return lines;
}

Status EngineContainers::followLogs(const QString &id,
                                    const std::function<bool(int, const QString &)> &onLine,
                                    const LogQuery &query)
{
    QByteArray pending;
    QByteArray partial[3];
    bool keepGoing = true;
    EngineConnection::Request request;
    request.path = QStringLiteral("/containers/%1/logs?stdout=1&stderr=1&follow=%2&tail=%3")
                       .arg(id, query.follow ? QStringLiteral("1") : QStringLiteral("0"),
                            query.tail < 0 ? QStringLiteral("all") : QString::number(query.tail));
    if (query.since > 0)
        request.path += QStringLiteral("&since=%1").arg(query.since);
    if (query.timestamps)
        request.path += QStringLiteral("&timestamps=1");
    request.timeoutSeconds = 0;
    request.onData = [&](const char *data, qsizetype size) {
        demultiplex(pending, QByteArray(data, size), [&](int stream, const QByteArray &payload) {
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
    auto reply = m_connection.send(request, QStringLiteral("follow logs of container %1").arg(id.left(12)));
    if (!reply)
        return reply.error();
    if (reply->status != 200)
        return m_connection.httpError(QStringLiteral("follow logs of container %1").arg(id.left(12)),
                                      reply.value());
    for (int stream = 1; stream <= 2 && keepGoing; ++stream)
        if (!partial[stream].isEmpty())
            keepGoing = onLine(stream, QString::fromUtf8(partial[stream]));
    return success();
}

Result<int> EngineContainers::exec(const QString &id, const QStringList &command, QString *output,
                                   int timeoutSeconds)
{
    const QString what = QStringLiteral("exec in container %1").arg(id.left(12));
    EngineConnection::Request create;
    create.method = "POST";
    create.path = QStringLiteral("/containers/%1/exec").arg(id);
    create.body = QJsonDocument(QJsonObject{{QStringLiteral("Cmd"), QJsonArray::fromStringList(command)},
                                            {QStringLiteral("AttachStdout"), true},
                                            {QStringLiteral("AttachStderr"), true}})
                      .toJson(QJsonDocument::Compact);
    auto created = m_connection.expect(create, what, {200, 201});
    if (!created)
        return created.error();
    const QString execId =
        QJsonDocument::fromJson(created->body).object().value(QStringLiteral("Id")).toString();
    if (execId.isEmpty())
        return Error::failed(
            QStringLiteral("%1: %2: the engine answered without an id").arg(m_connection.where(), what));

    EngineConnection::Request start;
    start.method = "POST";
    start.path = QStringLiteral("/exec/%1/start").arg(execId);
    start.body = QJsonDocument(QJsonObject{{QStringLiteral("Detach"), false}, {QStringLiteral("Tty"), false}})
                     .toJson(QJsonDocument::Compact);
    start.timeoutSeconds = timeoutSeconds;
    auto started = m_connection.expect(start, what, {200});
    if (!started) {
        // Podman refuses to start an exec whose program is not in the image; Docker starts it
        // and reports exit status 126 or 127.
        const QString &message = started.error().message;
        if (message.contains(QStringLiteral("not found")) || message.contains(QStringLiteral("no such file")))
            return started.error().withCode(Error::Code::NotExecutable);
        return started.error();
    }
    if (output) {
        QByteArray pending;
        QByteArray text;
        demultiplex(pending, started->body, [&](int, const QByteArray &payload) { text.append(payload); });
        *output = QString::fromUtf8(text + pending);
    }

    EngineConnection::Request inspect;
    inspect.path = QStringLiteral("/exec/%1/json").arg(execId);
    auto inspected = m_connection.expect(inspect, what, {200});
    if (!inspected)
        return inspected.error();
    const QJsonObject json = QJsonDocument::fromJson(inspected->body).object();
    return json.value(QStringLiteral("ExitCode")).toInt(-1);
}

} // namespace slipway
