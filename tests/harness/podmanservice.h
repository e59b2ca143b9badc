#pragma once

#include "testserver.h"

#include <QProcess>

#include <memory>

namespace slipway::test {

// `podman system service` serving the Docker Engine API, with storage, run and tmp directories
// of its own (configured through CONTAINERS_* variables, never /etc), so two services are two
// independent targets. Settings as in ENVIRONMENT.md: runc, cgroupfs, host network, vfs.
class PodmanService final : public TestServer
{
public:
    enum class Listen
    {
        UnixSocket,
        Tcp
    };

    explicit PodmanService(Listen listen = Listen::UnixSocket, QStringList insecureRegistries = {});
    ~PodmanService() override;

    // "unix:///tmp/.../podman.sock" or "tcp://127.0.0.1:PORT": a Slipway target endpoint.
    QString endpoint() const;
    QString socketPath() const;
    quint16 port() const { return m_port; }

    // The environment that points the podman command at this service's storage.
    QStringList podmanEnvironment() const;
    // Runs `podman ARGS` against this service's storage; exit code, output in `output`.
    int podman(const QStringList &arguments, QString *output = nullptr) const;
    // Kills the API service (SIGKILL, as a crashed engine) and later starts a new one on the same
    // socket and storage; containers keep running under conmon meanwhile.
    bool killService();
    bool restartService();

    // Imports a one-file image holding busybox-static as /bin/busybox, tagged `reference`.
    bool importBusybox(const QString &reference, QString *error = nullptr) const;

protected:
    bool prepare() override;
    QString program() const override;
    QStringList arguments() const override;
    QStringList environment() const override { return podmanEnvironment(); }
    bool waitUntilReady() override;
    void beforeStop() override;

private:
    Listen m_listen;
    QStringList m_insecureRegistries;
    quint16 m_port = 0;
    std::unique_ptr<QProcess> m_replacement;
};

} // namespace slipway::test
