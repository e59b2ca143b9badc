#pragma once

#include "engine/engineconnection.h"
#include "registry/credentials.h"
#include "util/result.h"

#include <QJsonObject>
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
    // Pulls from a plain-HTTP registry on the engine host's loopback (127.0.0.1:PORT/...), as
    // the local registry of a registry-less deploy is: Podman through its own API.
    Status pullFromLoopback(const QString &reference);
    // POST /images/{image}/tag: `image` (a name or id) also as repository:tag.
    Status tag(const QString &image, const QString &repository, const QString &tag);
    // POST /images/load, the body streamed from `produce`, which writes the tar through the
    // function it is given (e.g. oci::writeDockerArchive).
    using Writer = std::function<Status(const char *data, qsizetype size)>;
    Status load(const std::function<Status(const Writer &write)> &produce);
    // GET /images/{name}/json; an empty optional when the engine does not have it.
    Result<std::optional<QJsonObject>> inspect(const QString &name);

private:
    Status streamed(const EngineConnection::Request &request, const QString &what);

    EngineConnection &m_connection;
};

} // namespace slipway
