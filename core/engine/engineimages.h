#pragma once

#include "engine/engineconnection.h"
#include "registry/credentials.h"
#include "util/result.h"

#include <QJsonObject>
#include <QMap>
#include <QString>

#include <functional>
#include <optional>

namespace slipway {

// The engine's images: pull from a registry, load an archive, inspect. On a connected
// EngineConnection, which it does not own.
class EngineImages final
{
public:
    explicit EngineImages(EngineConnection &connection)
        : m_connection(connection)
    {}

    // POST /images/create?fromImage=REFERENCE (a tag or a digest). registry: the host[:port]
    // the credential is for; the credential travels in X-Registry-Auth, never in a message.
    Status pull(const QString &reference, const std::optional<Credential> &credential = {},
                const QString &registry = {});
    // The X-Registry-Auth header's value for `credential` at `registry` (host[:port]); never
    // logged.
    static QByteArray registryAuth(const Credential &credential, const QString &registry);
    // Pulls from a registry on the engine host's loopback (127.0.0.1:PORT/...), over plain HTTP
    // or TLS without checking its certificate, as the local registry of a registry-less deploy
    // is: Docker does so for 127.0.0.0/8 by itself, Podman through its own API (tlsVerify=false);
    // the credential as in pull().
    Status pullFromLoopback(const QString &reference, const std::optional<Credential> &credential = {},
                            const QString &registry = {});
    // Pushes `image` (a name or id) as repository:tag to a plain-HTTP registry on the engine
    // host's loopback (repository is 127.0.0.1:PORT/...). Docker pushes tags: the image is
    // tagged for the push, and the tag goes again when the image has another one to keep it.
    // Podman pushes through its own API with tlsVerify=false.
    Status pushToLoopback(const QString &image, const QString &repository, const QString &tag);
    // POST /images/{image}/tag: `image` (a name or id) also as repository:tag.
    Status tag(const QString &image, const QString &repository, const QString &tag);
    // POST /images/load, the body streamed from `produce`, which writes the tar through the
    // function it is given (e.g. oci::writeDockerArchive).
    using Writer = std::function<Status(const char *data, qsizetype size)>;
    Status load(const std::function<Status(const Writer &write)> &produce);
    // GET /images/{name}/json; an empty optional when the engine does not have it.
    Result<std::optional<QJsonObject>> inspect(const QString &name);

    // What a build is asked for besides its context.
    struct BuildOptions
    {
        QString dockerfile = QStringLiteral("Dockerfile"); // its path in the context
        QString target;                                    // the stage to build; empty: the last
        QMap<QString, QString> args;                       // ARG values; never a credential
        QMap<QString, QString> labels;                     // on the image (commit, release)
        QString tag;                                       // repository:tag; empty: none
        bool buildKit = false; // Docker's BuildKit (version=2), its progress as trace messages
    };
    // POST /build with the context tar streamed from `produce` (as load()), through the
    // engine's classic builder (Podman's, or Docker's with version=1), or with buildKit through
    // Docker's BuildKit (version=2; the body is the context, no session needed). onOutput gets
    // the build's text as the engine streams it, in pieces that may split a line; onTrace each
    // BuildKit trace message, decoded from its base64 (a StatusResponse, see BuildSteps). The
    // built image's id ("sha256:..."); an error carries the engine's message (a failing RUN's
    // exit code, a Dockerfile's line), and the callbacks have had the output before it.
    Result<QString> build(const std::function<Status(const Writer &write)> &produce,
                          const BuildOptions &options,
                          const std::function<void(const QString &text)> &onOutput,
                          const std::function<void(const QByteArray &statusResponse)> &onTrace = {});

    // GET /images/{name}/get: the image as a docker-archive tar (manifest.json, the config, an
    // uncompressed tar per layer; in the engine's own order), handed to `onData` as it comes.
    // onData returns an error to stop.
    Status save(const QString &name, const std::function<Status(const char *data, qsizetype size)> &onData);

private:
    Status streamed(const EngineConnection::Request &request, const QString &what);
    // Sends `request` with its body produced by `produce` on a thread of its own, through a
    // socket pair: at most a socket buffer of it in memory. A producer's error wins over the
    // transfer's (the engine then saw a truncated body).
    Result<EngineConnection::Reply> sendProduced(EngineConnection::Request request, const QString &what,
                                                 std::initializer_list<long> statuses,
                                                 const std::function<Status(const Writer &write)> &produce);

    EngineConnection &m_connection;
};

} // namespace slipway
