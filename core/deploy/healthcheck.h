#pragma once

#include "projectfile/spec.h"
#include "util/result.h"

#include <QString>

#include <functional>
#include <stop_token>

namespace slipway {

class EngineClient;
struct ContainerState;

// The host ports a container of this spec holds: the published ones and, on the host's
// network, the health port.
QStringList heldPorts(const DeploySpec &deploy);

// The host port publishing TCP port `containerPort` (0 when it is not published), and the
// address it is bound to when the mapping names one ("127.0.0.1:8080:80", "[::1]:8080:80";
// bare, empty for 0.0.0.0 and ::).
struct Published
{
    int port = 0;
    QString address;
};
Published publishedPort(const DeploySpec &deploy, int containerPort);

// Whether a started container is healthy, by the app's [deploy] settings, in order: an HTTP GET
// of health.path on health.port (the container port: from here through the published host port
// or the container's address for unix and tcp targets; for ssh targets from inside the
// container, with its wget or curl), else the image's HEALTHCHECK status, else running for
// steadySeconds. A container that exits, or crash-loops behind a restart policy, fails at once.
class HealthCheck final
{
public:
    HealthCheck(EngineClient &client, const DeploySpec &deploy, int steadySeconds, std::stop_token stop);

    // Polls until healthy, failed, timed out or stopped. Errors name the target.
    Status wait(const QString &containerId);

    // Asks the health path (empty: only connects) on the container's port from where its
    // traffic comes from (the target's proxy): true when it answers well, else false with the
    // problem said. When set, it replaces the HTTP check from here or inside, and a container
    // with no health path must also take a connection before it is healthy.
    using Prober = std::function<Result<bool>(const ContainerState &state, int port, const QString &path,
                                              QString *problem)>;
    void setProber(Prober prober) { m_prober = std::move(prober); }

private:
    Result<bool> checkFromInside(const QString &id, int port, const QString &path, QString *problem);
    Result<bool> checkFromHere(const ContainerState &state, int port, int timeout, QString *problem);
    Error failure(const QString &cause) const;

    EngineClient &m_client;
    const DeploySpec &m_deploy;
    int m_steadySeconds = 5;
    std::stop_token m_stop;
    qsizetype m_probe = 0; // the first health-check command that exists in the image
    Prober m_prober;
};

} // namespace slipway
