#pragma once

#include "engine/target.h"
#include "engine/endpoint.h"
#include "engine/probe.h"
#include "registry/credentials.h"
#include "util/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>
#include <stop_token>

namespace slipway {

class SshTunnel;

// What a new container is made of (POST /containers/create).
struct ContainerSpec
{
    QString name;
    QString image;
    QMap<QString, QString> labels;
    QMap<QString, QString> env;
    QStringList ports;       // "HOST:CONTAINER[/proto]" or "PORT"
    QString network;         // "host", a network name, or empty for the engine's default
    QString restart;         // "no", "always", "unless-stopped", "on-failure"
    QStringList healthcheck; // e.g. {"CMD", "wget", "-q", "..."}; empty: the image's own
};

struct ContainerSummary
{
    QString id;
    QString name; // without the leading '/'
    QString image;
    QString state; // "created", "running", "exited", ...
    QMap<QString, QString> labels;
};

struct ContainerState
{
    QString id;
    QString name;
    QString status; // "created", "running", "exited", ...
    bool running = false;
    int exitCode = 0;
    int restartCount = 0; // a restart policy brought it back this often
    QString error;        // the engine's State.Error
    QString health;       // State.Health.Status: "starting", "healthy", "unhealthy"; empty: none
    QString startedAt;    // as the engine wrote it
    QString ipAddress;    // on its first network; empty with host networking
    QMap<QString, QString> labels;
};

// A blocking client for one target's Docker Engine API (Docker or Podman's compatible API), on
// libcurl: over the unix socket, over TCP (plain, or TLS verified with the target's CA and
// authenticated with its client certificate), or over an ssh tunnel to the remote socket.
// connect() negotiates the API version: min(ours, the engine's). For a worker thread; not
// shared between threads. Every call stops promptly once the stop token is requested.
//
// Errors are one line: "target NAME (ENDPOINT): WHAT: HTTP STATUS: ENGINE MESSAGE". Registry
// credentials travel in X-Registry-Auth and never appear in a message or a log.
class EngineClient final
{
public:
    static constexpr const char *ourApiVersion = "1.41";

    explicit EngineClient(Target target, std::stop_token stop = {});
    ~EngineClient();
    EngineClient(const EngineClient &) = delete;
    EngineClient &operator=(const EngineClient &) = delete;

    const Target &target() const { return m_target; }
    const EngineEndpoint &endpoint() const { return m_endpoint; }
    QString apiVersion() const { return m_apiVersion; }
    // "target NAME (ENDPOINT)"
    QString where() const;

    // Parses the endpoint, opens the ssh tunnel if any, pings and negotiates the API version.
    Status connect();
    Status ping();
    Result<EngineInfo> version();

    // POST /images/create?fromImage=REFERENCE (a tag or a digest). registry: the host[:port]
    // the credential is for.
    Status pull(const QString &reference, const std::optional<Credential> &credential = {},
                const QString &registry = {});
    // POST /images/load, the body streamed from `produce`, which writes the tar through the
    // function it is given (e.g. oci::writeDockerArchive).
    using Writer = std::function<Status(const char *data, qsizetype size)>;
    Status load(const std::function<Status(const Writer &write)> &produce);
    // GET /images/{name}/json; an empty optional when the engine does not have it.
    Result<std::optional<QJsonObject>> inspectImage(const QString &name);

    Result<QString> createContainer(const ContainerSpec &spec); // the new container's id
    Status startContainer(const QString &id);
    Result<ContainerState> inspectContainer(const QString &id);
    // Stops with SIGTERM, then SIGKILL after timeoutSeconds; 0: SIGKILL at once, on any engine.
    Status stopContainer(const QString &id, int timeoutSeconds = 10);
    Status removeContainer(const QString &id, bool force = true);
    // GET /containers/json?all=1 filtered by labels ("key=value" or "key").
    Result<QList<ContainerSummary>> listContainers(const QStringList &labels);
    // The last `tail` lines of stdout and stderr, demultiplexed, in order.
    Result<QStringList> logs(const QString &id, int tail = 50);
    // Follows the logs, starting `tail` lines back (-1: from the start), until the container
    // stops, onLine returns false, or stop is requested.
    Status followLogs(const QString &id, const std::function<bool(int stream, const QString &line)> &onLine,
                      int tail = -1);

    // Runs `command` inside the running container (POST /containers/{id}/exec, then start
    // attached) and returns its exit status; stdout and stderr go to `output` when given.
    Result<int> exec(const QString &id, const QStringList &command, QString *output = nullptr,
                     int timeoutSeconds = 30);

    // The local unix socket that reaches 127.0.0.1:port on the target's host through ssh
    // (ssh targets only): for health checks from the target's side.
    Result<QString> forwardTcpPort(int port);
    // An HTTP GET of http://HOST:port/path. An empty host means the target's host: for unix
    // targets the local loopback, for tcp the endpoint's host, for ssh its loopback through an
    // ssh forward. The HTTP status, or 0 with transportError set.
    long httpGet(const QString &host, int port, const QString &path, int timeoutSeconds,
                 QString *transportError);

    // Splits Docker's multiplexed log stream (8-byte headers) into lines; `pending` keeps a
    // partial frame between calls. Public for the unit tests.
    static void demultiplex(QByteArray &pending, QByteArray chunk,
                            const std::function<void(int stream, const QByteArray &payload)> &onFrame);

    struct Request
    {
        QByteArray method = "GET";
        QString path; // under the versioned prefix, e.g. "/containers/json"
        bool versioned = true;
        QByteArray body;
        QByteArray contentType = "application/json";
        QList<QByteArray> headers;
        std::function<qsizetype(char *buffer, qsizetype size)> readBody; // streamed body; -1 aborts
        std::function<bool(const char *data, qsizetype size)> onData;    // streamed answer
        long timeoutSeconds = 60;                                        // 0: none (stop token only)
    };
    struct Reply
    {
        long status = 0;
        QByteArray body;
        QByteArray apiVersionHeader;
    };
    // One request; Failed with a transport error, or the reply whatever its status.
    Result<Reply> send(const Request &request, const QString &what);
    Error httpError(const QString &what, const Reply &reply) const;

private:
    Result<Reply> expect(const Request &request, const QString &what, std::initializer_list<long> statuses);
    QString baseUrl() const;

    Target m_target;
    std::stop_token m_stop;
    EngineEndpoint m_endpoint;
    QString m_socketPath; // the unix socket curl talks to (the endpoint's or the ssh tunnel's)
    QString m_apiVersion;
    std::unique_ptr<SshTunnel> m_tunnel;
    QMap<int, std::shared_ptr<SshTunnel>> m_portForwards;
    bool m_connected = false;
};

} // namespace slipway
