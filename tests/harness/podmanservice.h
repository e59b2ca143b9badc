#pragma once

#include "engineservice.h"

namespace slipway::test {

// `podman system service` serving the Docker Engine API, with storage, run and tmp directories
// of its own (configured through CONTAINERS_* variables, never /etc), so two services are two
// independent targets. Settings as in ENVIRONMENT.md: runc, cgroupfs, host network, vfs.
class PodmanService final : public EngineService
{
public:
    enum class Listen
    {
        UnixSocket,
        Tcp
    };

    explicit PodmanService(Listen listen = Listen::UnixSocket, QStringList insecureRegistries = {});
    ~PodmanService() override;

    Kind kind() const override { return Kind::Podman; }
    QString endpoint() const override;
    QString socketPath() const override;
    quint16 port() const { return m_port; }

    // The environment that points the podman command at this service's storage.
    QStringList podmanEnvironment() const;
    // Runs `podman ARGS` against this service's storage; exit code, output in `output`.
    int podman(const QStringList &arguments, QString *output = nullptr) const;
    int cli(const QStringList &arguments, QString *output = nullptr) const override
    {
        return podman(arguments, output);
    }
    int exitCodeOf(const QString &containerId) const override;

protected:
    bool prepare() override;
    QString program() const override;
    QStringList arguments() const override;
    QStringList cliEnvironment() const override { return podmanEnvironment(); }
    void beforeStop() override;

private:
    Listen m_listen;
    QStringList m_insecureRegistries;
    quint16 m_port = 0;
};

} // namespace slipway::test
