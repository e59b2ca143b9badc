#pragma once

#include "engine/endpoint.h"
#include "engine/target.h"
#include "util/result.h"

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QString>

#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <stop_token>

namespace slipway {

class SshTunnel;

// The HTTP transport to one target's Docker Engine API, on libcurl: over the unix socket, over
// TCP (plain, or TLS verified with the target's CA and authenticated with its client
// certificate), or over an ssh tunnel to the remote socket. connect() negotiates the API
// version: min(ours, the engine's). For a worker thread; not shared between threads. Every
// request stops promptly once the stop token is requested.
//
// Errors are one line: "target NAME (ENDPOINT): WHAT: HTTP STATUS: ENGINE MESSAGE", with
// Error::Code NotFound (404), Conflict (409) or Unreachable (no answer).
class EngineConnection final
{
public:
    static constexpr const char *ourApiVersion = "1.41";

    explicit EngineConnection(Target target, std::stop_token stop = {});
    ~EngineConnection();
    EngineConnection(const EngineConnection &) = delete;
    EngineConnection &operator=(const EngineConnection &) = delete;

    const Target &target() const { return m_target; }
    const EngineEndpoint &endpoint() const { return m_endpoint; }
    QString apiVersion() const { return m_apiVersion; }
    const std::stop_token &stopToken() const { return m_stop; }
    // "target NAME (ENDPOINT)"
    QString where() const;

    // Parses the endpoint, opens the ssh tunnel if any, pings and negotiates the API version.
    Status connect();
    Status ping();

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
        QByteArray libpodVersionHeader;
    };
    // One request; Failed with a transport error, or the reply whatever its status. Never logs
    // the headers: X-Registry-Auth carries a credential.
    Result<Reply> send(const Request &request, const QString &what);
    // send(), and an httpError() unless the status is one of `statuses`.
    Result<Reply> expect(const Request &request, const QString &what, std::initializer_list<long> statuses);
    Error httpError(const QString &what, const Reply &reply) const;

    // The local unix socket that reaches 127.0.0.1:port on the target's host through ssh
    // (ssh targets only): for health checks from the target's side.
    Result<QString> forwardTcpPort(int port);
    // The port at which the engine's host reaches 127.0.0.1:port of this machine: the same port
    // for a local engine (a unix socket, or tcp on loopback), a remote forward for ssh targets
    // (kept open as long as this connection; on `preferredRemotePort` when it is free there);
    // an error for a tcp engine on another host.
    Result<quint16> exposeLocalPort(quint16 port, quint16 preferredRemotePort = 0);
    // Whether `path` exists on the engine's host: looked up here for a unix socket, through the
    // ssh connection for ssh; unknown (no value) for tcp, where only the engine sees the host.
    Result<std::optional<bool>> hostPathExists(const QString &path);
    // Whether the engine is Podman (it says so in a header of every answer); after connect().
    bool isPodman() const { return m_podman; }
    // An HTTP GET of http://HOST:port/path. An empty host means the target's host: for unix
    // targets the local loopback, for tcp the endpoint's host, for ssh its loopback through an
    // ssh forward. The HTTP status, or 0 with transportError set.
    long httpGet(const QString &host, int port, const QString &path, int timeoutSeconds,
                 QString *transportError);

private:
    QString baseUrl() const;
    Status openSshTunnel();
    bool isOpen(const std::shared_ptr<SshTunnel> &own) const;

    Target m_target;
    std::stop_token m_stop;
    EngineEndpoint m_endpoint;
    QString m_socketPath; // the unix socket curl talks to (the endpoint's or the ssh tunnel's)
    QString m_apiVersion;
    std::unique_ptr<SshTunnel> m_tunnel;
    // Forwards made for exposeLocalPort() and forwardTcpPort(): through m_tunnel (tunnel empty),
    // or through a tunnel of their own.
    template<typename T>
    struct Forward
    {
        std::shared_ptr<SshTunnel> tunnel;
        T value;
    };
    QMap<int, Forward<QString>> m_portForwards;        // remote port -> local socket
    QMap<quint16, Forward<quint16>> m_reverseForwards; // local port -> remote port
    bool m_podman = false;
    bool m_connected = false;
};

} // namespace slipway
