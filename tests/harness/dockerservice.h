#pragma once

#include "engineservice.h"

namespace slipway::test {

// Debian's dockerd (docker.io 20.10) as root, with every path its own: data root, exec root,
// pid file and API socket in the temporary directory, containerd under its own namespace, and
// a bridge of its own (a distinct name and subnet, no iptables rules), so two services run side
// by side and neither touches the system daemon. Stopping it removes its containers, then the
// daemon with its containerd and shims, its mounts, and its bridge.
class DockerService final : public EngineService
{
public:
    explicit DockerService(QStringList insecureRegistries = {});
    ~DockerService() override;

    Kind kind() const override { return Kind::Docker; }
    QString endpoint() const override;
    QString socketPath() const override;
    // The bridge its containers are on, and the bridge's address ("172.30.N.1/24").
    QString bridge() const { return m_bridge; }
    QString bridgeAddress() const { return m_bridgeAddress; }

    // Runs `docker -H unix://... ARGS` (with a client configuration of its own).
    int docker(const QStringList &arguments, QString *output = nullptr) const;
    int cli(const QStringList &arguments, QString *output = nullptr) const override
    {
        return docker(arguments, output);
    }
    int exitCodeOf(const QString &containerId) const override;

    // Makes this engine the manager of a one-node Swarm listening on a free loopback port (its
    // address in swarmAddress()); stopping the service leaves the Swarm again.
    bool initSwarm(QString *error);
    QString swarmAddress() const { return m_swarmAddress; }
    // Joins the Swarm `manager` made (initSwarm()) as a worker, listening on a free loopback port
    // of its own. Both share the host's network: a host port a task publishes is taken for both.
    bool joinSwarm(const DockerService &manager, QString *error);
    // This engine's node id in its Swarm; empty when it is in none.
    QString nodeId() const;

protected:
    bool prepare() override;
    QString program() const override;
    QStringList arguments() const override;
    void beforeStop() override;
    void afterStop() override;
    // And the pid files of dockerd and its containerd: a killed process stays a zombie until it
    // is reaped, and dockerd refuses to start (or waits for that containerd) while it exists.
    QStringList leftByACrash() const override;

private:
    QStringList m_insecureRegistries;
    QString m_bridge;
    QString m_bridgeAddress;
    QString m_swarmAddress;
};

} // namespace slipway::test
