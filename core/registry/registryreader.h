#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QString>

#include <functional>

namespace slipway {

class ContentStore;
class RegistryTransport;

// A manifest or index as a registry sent it.
struct RegistryManifest
{
    QByteArray bytes;
    QString mediaType; // from the bytes' "mediaType", else the Content-Type
    QString digest;    // sha256 of bytes
};

// Pulls from one registry: manifests by tag or digest, and blobs streamed into the content
// store. On a transport it does not own.
class RegistryReader final
{
public:
    explicit RegistryReader(RegistryTransport &transport)
        : m_transport(transport)
    {}

    // GET /v2/<repository>/manifests/<reference>, accepting OCI and Docker schema 2 manifests and
    // indexes. By digest, the bytes must have that digest; by tag, a Docker-Content-Digest the
    // registry sends must match them.
    Result<RegistryManifest> getManifest(const QString &repository, const QString &reference);
    // GET /v2/<repository>/blobs/<digest>, streamed into the store and committed there only when
    // size and digest match. A redirect (to the registry's storage) is followed without the
    // Authorization header. progress gets the bytes received so far.
    Status fetchBlob(const QString &repository, const QString &digest, qint64 size, const ContentStore &store,
                     const std::function<void(qint64 received)> &progress = {});

private:
    RegistryTransport &m_transport;
};

} // namespace slipway
