#pragma once

#include "engine/engineconnection.h"
#include "engine/enginecontainers.h"
#include "engine/engineimages.h"
#include "engine/engineservices.h"
#include "engine/probe.h"
#include "engine/target.h"
#include "registry/credentials.h"
#include "util/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>
#include <stop_token>

namespace slipway {

// A blocking client for one target's Docker Engine API (Docker or Podman's compatible API):
// the connection (EngineConnection: unix socket, TCP with or without TLS, or an ssh tunnel;
// API version negotiated on connect()) and the operations on it, images (EngineImages),
// containers (EngineContainers) and a Swarm's services (EngineServices). For a worker thread; not shared
// between threads. Every call stops promptly once the stop token is requested.
//
// Errors are one line: "target NAME (ENDPOINT): WHAT: HTTP STATUS: ENGINE MESSAGE". Registry
// credentials travel in X-Registry-Auth and never appear in a message or a log.
class EngineClient final
{
public:
    static constexpr const char *ourApiVersion = EngineConnection::ourApiVersion;

    explicit EngineClient(Target target, std::stop_token stop = {});
    ~EngineClient();
    EngineClient(const EngineClient &) = delete;
    EngineClient &operator=(const EngineClient &) = delete;

    const Target &target() const { return m_connection.target(); }
    const EngineEndpoint &endpoint() const { return m_connection.endpoint(); }
    QString apiVersion() const { return m_connection.apiVersion(); }
    // "target NAME (ENDPOINT)"
    QString where() const { return m_connection.where(); }
    // For requests of the Engine API that have no call here.
    EngineConnection &connection() { return m_connection; }

    // Parses the endpoint, opens the ssh tunnel if any, pings and negotiates the API version.
    Status connect() { return m_connection.connect(); }
    Status ping() { return m_connection.ping(); }
    Result<EngineInfo> version();

    // Images: see EngineImages.
    using Writer = EngineImages::Writer;
    Status pull(const QString &reference, const std::optional<Credential> &credential = {},
                const QString &registry = {})
    {
        return m_images.pull(reference, credential, registry);
    }
    Status pullFromLoopback(const QString &reference, const std::optional<Credential> &credential = {},
                            const QString &registry = {})
    {
        return m_images.pullFromLoopback(reference, credential, registry);
    }
    Status pushToLoopback(const QString &image, const QString &repository, const QString &tag)
    {
        return m_images.pushToLoopback(image, repository, tag);
    }
    Status tagImage(const QString &image, const QString &repository, const QString &tag)
    {
        return m_images.tag(image, repository, tag);
    }
    Status load(const std::function<Status(const Writer &write)> &produce) { return m_images.load(produce); }
    Status saveImage(const QString &name,
                     const std::function<Status(const char *data, qsizetype size)> &onData)
    {
        return m_images.save(name, onData);
    }
    using BuildOptions = EngineImages::BuildOptions;
    Result<QString> build(const std::function<Status(const Writer &write)> &produce,
                          const BuildOptions &options,
                          const std::function<void(const QString &text)> &onOutput,
                          const std::function<void(const QByteArray &statusResponse)> &onTrace = {})
    {
        return m_images.build(produce, options, onOutput, onTrace);
    }
    Result<std::optional<QJsonObject>> inspectImage(const QString &name) { return m_images.inspect(name); }

    // Containers: see EngineContainers.
    Result<QString> createContainer(const ContainerSpec &spec) { return m_containers.create(spec); }
    Status startContainer(const QString &id) { return m_containers.start(id); }
    Status putArchive(const QString &id, const QString &directory, const QByteArray &tar)
    {
        return m_containers.putArchive(id, directory, tar);
    }
    Result<ContainerState> inspectContainer(const QString &id) { return m_containers.inspect(id); }
    Result<bool> containerHasPath(const QString &id, const QString &path)
    {
        return m_containers.hasPath(id, path);
    }
    Status stopContainer(const QString &id, int timeoutSeconds = 10)
    {
        return m_containers.stop(id, timeoutSeconds);
    }
    Status removeContainer(const QString &id, bool force = true) { return m_containers.remove(id, force); }
    Result<QStringList> containerProcesses(const QString &id) { return m_containers.processes(id); }
    Status signalContainer(const QString &id, const QString &signal)
    {
        return m_containers.signal(id, signal);
    }
    Status ensureNetwork(const QString &name, const QMap<QString, QString> &labels = {})
    {
        return m_containers.ensureNetwork(name, labels);
    }
    Status restartContainer(const QString &id, int timeoutSeconds = 10)
    {
        return m_containers.restart(id, timeoutSeconds);
    }
    Status followStats(const QString &id, const std::function<bool(const ContainerStats &)> &onSample)
    {
        return m_containers.followStats(id, onSample);
    }
    Result<QList<ContainerSummary>> listContainers(const QStringList &labels)
    {
        return m_containers.list(labels);
    }
    Result<QStringList> logs(const QString &id, int tail = 50) { return m_containers.logs(id, tail); }
    Status followLogs(const QString &id, const std::function<bool(int stream, const QString &line)> &onLine,
                      int tail = -1)
    {
        return m_containers.followLogs(id, onLine, tail);
    }
    Status followLogs(const QString &id, const std::function<bool(int stream, const QString &line)> &onLine,
                      const EngineContainers::LogQuery &query)
    {
        return m_containers.followLogs(id, onLine, query);
    }
    Result<int> exec(const QString &id, const QStringList &command, QString *output = nullptr,
                     int timeoutSeconds = 30)
    {
        return m_containers.exec(id, command, output, timeoutSeconds);
    }

    // A Swarm's services: see EngineServices.
    Result<SwarmInfo> swarmInfo() { return m_services.swarmInfo(); }
    Result<std::optional<ServiceState>> findService(const QString &name) { return m_services.find(name); }
    Result<ServiceState> inspectService(const QString &id) { return m_services.inspect(id); }
    Result<QString> createService(const ServiceSpec &spec, const QByteArray &registryAuth = {})
    {
        return m_services.create(spec, registryAuth);
    }
    Status updateService(const QString &id, qint64 version, const ServiceSpec &spec,
                         const QByteArray &registryAuth = {})
    {
        return m_services.update(id, version, spec, registryAuth);
    }
    Status rollbackService(const QString &id) { return m_services.rollback(id); }
    Status removeService(const QString &id) { return m_services.remove(id); }
    Result<QList<ServiceTask>> serviceTasks(const QString &serviceId) { return m_services.tasks(serviceId); }
    Result<QStringList> taskLogs(const QString &taskId, int tail = 50)
    {
        return m_services.taskLogs(taskId, tail);
    }
    Status followServiceLogs(const QString &serviceId,
                             const std::function<bool(int stream, const QString &line)> &onLine,
                             int tail = -1)
    {
        return m_services.followLogs(serviceId, onLine, tail);
    }

    bool isPodman() const { return m_connection.isPodman(); }
    Result<quint16> exposeLocalPort(quint16 port, quint16 preferredRemotePort = 0)
    {
        return m_connection.exposeLocalPort(port, preferredRemotePort);
    }
    Result<std::optional<bool>> hostPathExists(const QString &path)
    {
        return m_connection.hostPathExists(path);
    }

    // Health checks: see EngineConnection.
    Result<QString> forwardTcpPort(int port) { return m_connection.forwardTcpPort(port); }
    long httpGet(const QString &host, int port, const QString &path, int timeoutSeconds,
                 QString *transportError)
    {
        return m_connection.httpGet(host, port, path, timeoutSeconds, transportError);
    }

    // Splits Docker's multiplexed log stream (8-byte headers) into lines; `pending` keeps a
    // partial frame between calls. Public for the unit tests.
    static void demultiplex(QByteArray &pending, QByteArray chunk,
                            const std::function<void(int stream, const QByteArray &payload)> &onFrame)
    {
        EngineContainers::demultiplex(pending, std::move(chunk), onFrame);
    }

private:
    EngineConnection m_connection;
    EngineImages m_images{m_connection};
    EngineContainers m_containers{m_connection};
    EngineServices m_services{m_connection};
};

} // namespace slipway
