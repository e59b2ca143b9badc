#pragma once

#include "engine/target.h"
#include "httpprobe.h"
#include "testserver.h"

#include <QMap>
#include <QProcess>
#include <QStringList>

#include <memory>

namespace slipway::test {

// An engine serving the Docker Engine API for a test: Podman (PodmanService) or Docker
// (DockerService). What the deploy and engine tests need of either is here, so one test
// function runs against both: the endpoint, the engine's own command line on this service, a
// busybox image, and a reset between test functions.
class EngineService : public TestServer
{
public:
    enum class Kind
    {
        Podman,
        Docker
    };

    ~EngineService() override;

    virtual Kind kind() const = 0;
    // "podman" or "docker": a row of a data-driven test.
    QString kindName() const;
    // What EngineClient::version() calls the engine: "Podman Engine" or "Docker Engine".
    QString engineName() const;

    // "unix:///tmp/.../NAME.sock" (or "tcp://127.0.0.1:PORT"): a Slipway target endpoint.
    virtual QString endpoint() const = 0;
    virtual QString socketPath() const = 0;

    // Runs the engine's command line tool (`podman`, `docker -H ...`) on this service; its exit
    // code, with its output in `output`.
    virtual int cli(const QStringList &arguments, QString *output = nullptr) const = 0;

    // Imports `tarball` (a root file system) as image `reference`, with Dockerfile instructions
    // such as "CMD [\"/bin/busybox\", \"true\"]" in `changes`.
    bool importTarball(const QString &tarball, const QString &reference, const QStringList &changes = {},
                       QString *error = nullptr) const;
    // Imports a one-file image holding busybox-static as /bin/busybox, tagged `reference`.
    bool importBusybox(const QString &reference, QString *error = nullptr) const;
    // Imports a base for Dockerfile builds: busybox-static with a link in /bin for each of its
    // applets (sh, cat, httpd, ...), /tmp, and PATH=/bin.
    bool importShellBase(const QString &reference, QString *error = nullptr) const;
    // Imports as `reference` an HAProxy image made from this machine's Debian haproxy package:
    // /usr/sbin/haproxy and bash (which Slipway talks to the runtime API with), each with the
    // libraries ldd names. What the pinned official image offers, without a registry.
    bool importHaproxy(const QString &reference, QString *error = nullptr) const;
    // Removes the named volume, if there is one.
    bool removeVolume(const QString &name) const;
    // Removes every network a test made (all but the engine's own), so that their bridges do not
    // outlive the engine on the host (each holds a subnet the next engine cannot have).
    void removeNetworks() const;

    // Removes every container (forced), and the images tagged in repositories that start with
    // `imagePrefix` when one is given ("localhost/slipway-"): a test function's fresh start.
    bool reset(const QString &imagePrefix = {}, QString *error = nullptr) const;

    // How the engine says a (since removed) container ended: the exit code of its last "died"
    // event; -1 when it has none.
    virtual int exitCodeOf(const QString &containerId) const = 0;

    // Kills the API service (SIGKILL, as a crashed engine) and later starts a new one on the same
    // socket and storage; containers keep running meanwhile.
    bool killService();
    bool restartService();
    // True when the service answers /_ping.
    bool answers() const;

protected:
    explicit EngineService(QString kind);

    // What processes the engine's own command line should see (its configuration files).
    virtual QStringList cliEnvironment() const { return {}; }
    QStringList environment() const override { return cliEnvironment(); }
    // What a killed service leaves that a new one would trip over: its socket file.
    virtual QStringList leftByACrash() const;
    // Until the service answers /_ping, at most 30 s.
    bool waitUntilReady() override;
    // One request to the service's API (no body), e.g. ("DELETE", "/containers/ID?force=true").
    HttpReply api(const QByteArray &method, const QString &path) const;

private:
    std::unique_ptr<QProcess> m_replacement;
};

// Writes a tar of a root file system holding busybox-static as /bin/busybox and `files`
// (relative path -> contents) to `tarball`.
bool writeBusyboxTarball(const QString &tarball, const QMap<QString, QByteArray> &files = {},
                         QString *error = nullptr);

// A target named `name` at `endpoint`, no TLS files, the default proxy.
Target engineTarget(const QString &name, const QString &endpoint);

// A data-driven test's rows, one per engine: column "engine" holds EngineService::kindName().
void addEngineRows();

} // namespace slipway::test
