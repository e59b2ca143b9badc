#pragma once

#include "registry/credentials.h"
#include "util/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QString>

#include <chrono>
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

    struct Settings
    {
        // Delays before the 2nd, 3rd, ... try of a repeatable request; its size + 1 is the number of tries.
        QList<std::chrono::milliseconds> retryDelays{std::chrono::milliseconds(500), std::chrono::seconds(1),
                                                     std::chrono::seconds(2)};
        std::chrono::milliseconds maxRetryAfter = std::chrono::seconds(10);
        long lowSpeedLimit = 1024; // bytes per second ...
        long lowSpeedTime = 30;    // ... for this many seconds ends a transfer
        // Blobs larger than this are uploaded in PATCH chunks of chunkSize, resumable.
        qint64 chunkedThreshold = qint64(32) << 20;
        qint64 chunkSize = qint64(16) << 20;
    };

    QString registry() const { return m_registry; }
    // Whether plain HTTP may be used (after HTTPS got no answer): loopback or marked insecure.
    bool allowsPlainHttp() const { return m_allowPlainHttp; }
    // Requests in flight are aborted (as Cancelled) once this is requested.
    void setStopToken(std::stop_token stop) { m_stop = std::move(stop); }
    void setSettings(const Settings &settings) { m_settings = settings; }
    const Settings &settings() const { return m_settings; }
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
    // bytes sent so far.
    using Progress = std::function<void(qint64 bytesDone)>;
    Status uploadBlob(const QString &repository, const QString &digest, qint64 size, const QString &filePath,
                      const Progress &progress = {}, const QString &uploadLocation = {});
    // POST /v2/<repository>/blobs/uploads/?mount=<digest>&from=<fromRepository>: true when the
    // registry mounted it (201); otherwise false with *uploadLocation set to the upload session the
    // registry opened instead (202).
    Result<bool> mountBlob(const QString &repository, const QString &digest, const QString &fromRepository,
                           QString *uploadLocation);
    // PUT /v2/<repository>/manifests/<reference> (a tag or a digest). Checks that the digest the
    // registry reports is the sha256 of bytes, and returns it.
    Result<QString> putManifest(const QString &repository, const QString &reference, const QString &mediaType,
                                const QByteArray &bytes);

    // Pull (registryclient_pull.cpp)
    struct Manifest
    {
        QByteArray bytes;
        QString mediaType; // from the bytes' "mediaType", else the Content-Type
        QString digest;    // sha256 of bytes
    };
    // GET /v2/<repository>/manifests/<reference>, accepting OCI and Docker schema 2 manifests and
    // indexes. By digest, the bytes must have that digest; by tag, a Docker-Content-Digest the
    // registry sends must match them.
    Result<Manifest> getManifest(const QString &repository, const QString &reference);
    // GET /v2/<repository>/blobs/<digest>, streamed into the store and committed there only when
    // size and digest match. A redirect (to the registry's storage) is followed without the
    // Authorization header. progress gets the bytes received so far.
    Status fetchBlob(const QString &repository, const QString &digest, qint64 size, const ContentStore &store,
                     const std::function<void(qint64 received)> &progress = {});

private:
    struct Request
    {
        QByteArray method = "GET";
        QString url; // absolute, or a path under the registry's URL
        QList<QByteArray> headers;
        QByteArray body;
        QString uploadFile; // streamed as the body when set
        qint64 uploadSize = 0;
        qint64 uploadOffset = 0;                         // where in uploadFile the body starts
        std::function<void(qint64 sent)> uploadProgress; // bytes of the body sent so far
    };
    struct Reply
    {
        long status = 0;
        QString transportError;                // when status is 0
        int curlCode = 0;                      // CURLcode when status is 0
        QHash<QByteArray, QByteArray> headers; // lower-case names
        QByteArray body;
    };

    // Sends with the authorization cached for scope, answering one 401 challenge.
    Result<Reply> send(const Request &request, const QString &repository, const QString &scope);
    Result<Reply> perform(const Request &request, const QString &authorization, bool withCredential);
    // The options every transfer of this client shares (curl is a CURL *): errors into
    // errorBuffer, no redirects, TLS verified (with our CA when withCa), no proxy on loopback,
    // the connect timeout and the stall limits, progress callbacks on.
    void setCommonOptions(void *curl, char *errorBuffer, bool withCa) const;
    Status authenticate(const Reply &challenge, const QString &repository, const QString &scope);
    Status chooseScheme();
    QString resolve(const QString &url) const;
    QString where(const QString &repository) const;
    Error httpError(const QString &repository, const QString &what, const Reply &reply) const;
    // Whether a failed try may be repeated, and after how long; nullopt: do not retry.
    std::optional<std::chrono::milliseconds> retryDelay(const Result<Reply> &reply, int attempt) const;
    // Sleeps unless stop is requested; false when it was.
    bool waitFor(std::chrono::milliseconds delay) const;
    Result<Reply> sendOnce(const Request &request, const QString &repository, const QString &scope);
    Result<QString> startUpload(const QString &repository, const QString &what);
    Status uploadMonolithic(const QString &repository, const QString &digest, qint64 size,
                            const QString &filePath, const Progress &progress, const QString &location);
    Status uploadChunked(const QString &repository, const QString &digest, qint64 size,
                         const QString &filePath, const Progress &progress, QString location);
    Status finishUpload(const QString &repository, const QString &digest, const QString &location,
                        const QString &what);
    QString token(const QString &scope) const;

    QString m_registry;
    std::optional<Credential> m_credential;
    QString m_caFile;
    bool m_allowPlainHttp = false;
    bool m_loopback = false;
    QString m_baseUrl; // "https://host:port", chosen on the first request
    bool m_useBasic = false;
    // scope -> "Bearer ...", thread-safe; copies (in clones) share one cache.
    class TokenCache
    {
    public:
        TokenCache();
        QString value(const QString &scope) const;
        void insert(const QString &scope, const QString &authorization, const QDateTime &expiry);

    private:
        struct Shared;
        std::shared_ptr<Shared> d;
    };
    TokenCache m_tokens;
    Settings m_settings;
    bool m_lastUploadRetryable = false; // whether the last upload failure may be tried again
    bool m_probing = false;             // chooseScheme()'s request is in flight
    struct HandleDeleter
    {
        void operator()(void *handle) const;
    };
    std::unique_ptr<void, HandleDeleter> m_handle; // the CURL easy handle, reused
    std::stop_token m_stop;
};

} // namespace slipway
