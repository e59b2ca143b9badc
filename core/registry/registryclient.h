#pragma once

#include "registry/credentials.h"
#include "util/result.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>

#include <optional>
#include <stop_token>

namespace slipway {

// A blocking client for one registry's OCI distribution API (/v2/), on libcurl. Meant for a
// worker thread; one instance is not to be shared between threads.
//
// Authentication follows the registry's 401 challenge: Basic with the credential, or a Bearer
// token fetched from the challenge's realm (with the credential when there is one), cached per
// scope. TLS verification is always on. Plain HTTP is used only when allowed (by default for
// loopback registries), and then only after HTTPS got no answer, as Docker does.
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

    QString registry() const { return m_registry; }
    // Requests in flight are aborted (as Cancelled) once this is requested.
    void setStopToken(std::stop_token stop) { m_stop = std::move(stop); }

    // GET /v2/: the registry answers and accepts our credentials.
    Status ping();
    // HEAD /v2/<repository>/blobs/<digest>: true on 200, false on 404.
    Result<bool> blobExists(const QString &repository, const QString &digest);
    // Monolithic upload: POST /v2/<repository>/blobs/uploads/, then PUT the file, streamed from
    // disk, to the Location the registry gave, with ?digest=.
    Status uploadBlob(const QString &repository, const QString &digest, qint64 size, const QString &filePath);
    // PUT /v2/<repository>/manifests/<reference> (a tag or a digest). Checks that the digest the
    // registry reports is the sha256 of bytes, and returns it.
    Result<QString> putManifest(const QString &repository, const QString &reference, const QString &mediaType,
                                const QByteArray &bytes);

private:
    struct Request
    {
        QByteArray method = "GET";
        QString url; // absolute, or a path under the registry's URL
        QList<QByteArray> headers;
        QByteArray body;
        QString uploadFile; // streamed as the body when set
        qint64 uploadSize = 0;
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
    Status authenticate(const Reply &challenge, const QString &repository, const QString &scope);
    Status chooseScheme();
    QString resolve(const QString &url) const;
    QString where(const QString &repository) const;
    Error httpError(const QString &repository, const QString &what, const Reply &reply) const;

    QString m_registry;
    std::optional<Credential> m_credential;
    QString m_caFile;
    bool m_allowPlainHttp = false;
    bool m_loopback = false;
    QString m_baseUrl; // "https://host:port", chosen on the first request
    bool m_useBasic = false;
    QHash<QString, QString> m_tokens; // scope -> "Bearer ..."
    std::stop_token m_stop;
};

} // namespace slipway
