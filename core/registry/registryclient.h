#pragma once

#include "registry/blobuploader.h"
#include "registry/credentials.h"
#include "registry/registryreader.h"
#include "registry/registrytransport.h"
#include "util/result.h"

#include <QByteArray>
#include <QString>

#include <functional>
#include <memory>
#include <optional>
#include <stop_token>

namespace slipway {

class ContentStore;

// A blocking client for one registry's OCI distribution API (/v2/), on libcurl. Meant for a
// worker thread; one instance is not to be shared between threads, but clone() gives one for
// another thread that shares the token cache.
//
// The work is shared out: RegistryTransport sends (scheme, authentication, retries, errors),
// BlobUploader runs upload sessions, RegistryReader pulls manifests and blobs.
//
// Requests that are safe to repeat (GET, HEAD, in-memory PUT/POST) are retried on 5xx, 408, 429
// and transport errors, after deterministic exponential delays (or the registry's Retry-After,
// capped); blob uploads restart or resume instead. A server that stops sending ends the request
// after lowSpeedTime of less than lowSpeedLimit bytes per second.
//
// Authentication follows the registry's 401 challenge: Basic with the credential, or a Bearer
// token fetched from the challenge's realm (with the credential when there is one), cached per
// scope until its expires_in runs out, and fetched again once when the registry calls it an
// invalid_token. Each client reuses one libcurl handle, so connections stay open. TLS verification is always
// on. Plain HTTP is used only when allowed (by default for loopback registries), and then only after HTTPS
// got no answer, as Docker does.
//
// Errors are one line naming the registry and repository, the HTTP status and the registry's
// own error code and message; never a credential or a token.
class RegistryClient final
{
public:
    // registry: host[:port]. caFile: a PEM file of CAs to trust instead of the system's.
    // allowPlainHttp: defaults to isInsecureByDefault(registry).
    explicit RegistryClient(QString registry, std::optional<Credential> credential = {}, QString caFile = {},
                            std::optional<bool> allowPlainHttp = {});
    ~RegistryClient();
    RegistryClient(const RegistryClient &) = delete;
    RegistryClient &operator=(const RegistryClient &) = delete;

    using Settings = RegistrySettings;

    QString registry() const { return m_transport->registry(); }
    // Whether plain HTTP may be used (after HTTPS got no answer): loopback or marked insecure.
    bool allowsPlainHttp() const { return m_transport->allowsPlainHttp(); }
    // Requests in flight are aborted (as Cancelled) once this is requested.
    void setStopToken(std::stop_token stop) { m_transport->setStopToken(std::move(stop)); }
    void setSettings(const Settings &settings) { m_transport->setSettings(settings); }
    const Settings &settings() const { return m_transport->settings(); }
    // A client for another thread: same registry, credential, settings and scheme, sharing this
    // one's token cache. Its stop token is unset.
    std::unique_ptr<RegistryClient> clone() const;

    // GET /v2/: the registry answers and accepts our credentials.
    Status ping();
    // HEAD /v2/<repository>/blobs/<digest>: true on 200, false on 404.
    Result<bool> blobExists(const QString &repository, const QString &digest);
    // Monolithic upload: POST /v2/<repository>/blobs/uploads/, then PUT the file, streamed from
    // disk, to the Location the registry gave, with ?digest=.
    // Blobs over Settings::chunkedThreshold go in PATCH chunks; a chunk that fails is resumed at
    // the offset the registry reports (GET on the upload URL), or the upload starts over when the
    // session is gone. uploadLocation: a session already opened (by mountBlob). progress gets the
    // bytes sent so far. With Settings::uploadJournal, an upload an earlier push left unfinished
    // goes on where the registry's session is; returns the bytes that were already there (0: none).
    using Progress = BlobUploader::Progress;
    Result<qint64> uploadBlob(const QString &repository, const QString &digest, qint64 size,
                              const QString &filePath, const Progress &progress = {},
                              const QString &uploadLocation = {})
    {
        return m_uploads.upload(repository, digest, size, filePath, progress, uploadLocation);
    }
    // POST /v2/<repository>/blobs/uploads/?mount=<digest>&from=<fromRepository>: true when the
    // registry mounted it (201); otherwise false with *uploadLocation set to the upload session the
    // registry opened instead (202).
    Result<bool> mountBlob(const QString &repository, const QString &digest, const QString &fromRepository,
                           QString *uploadLocation)
    {
        return m_uploads.mount(repository, digest, fromRepository, uploadLocation);
    }
    // PUT /v2/<repository>/manifests/<reference> (a tag or a digest). Checks that the digest the
    // registry reports is the sha256 of bytes, and returns it.
    Result<QString> putManifest(const QString &repository, const QString &reference, const QString &mediaType,
                                const QByteArray &bytes);

    // Pull: see RegistryReader.
    using Manifest = RegistryManifest;
    Result<Manifest> getManifest(const QString &repository, const QString &reference)
    {
        return m_reads.getManifest(repository, reference);
    }
    Status fetchBlob(const QString &repository, const QString &digest, qint64 size, const ContentStore &store,
                     const std::function<void(qint64 received)> &progress = {})
    {
        return m_reads.fetchBlob(repository, digest, size, store, progress);
    }

private:
    explicit RegistryClient(std::unique_ptr<RegistryTransport> transport);

    std::unique_ptr<RegistryTransport> m_transport;
    BlobUploader m_uploads{*m_transport};
    RegistryReader m_reads{*m_transport};
};

} // namespace slipway
