#pragma once

#include "registry/credentials.h"
#include "registry/tokencache.h"
#include "util/result.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>
#include <QUrl>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>

namespace slipway {

// How a registry client retries, gives up on a stalled server, cuts large uploads, and where it
// remembers the ones left unfinished.
struct RegistrySettings
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
    // Where unfinished chunked uploads are remembered for the next push (UploadJournal); empty:
    // nowhere, an interrupted upload starts over.
    QString uploadJournal;
};

// The authenticated HTTP transport to one registry's /v2/ API, on libcurl: the scheme (HTTPS,
// or plain HTTP when allowed and HTTPS got no answer), the 401 challenge (Basic, or a Bearer
// token from the realm, cached per scope), retries of repeatable requests, and errors that
// name the registry and repository. One libcurl handle, reused. For one thread at a time.
class RegistryTransport final
{
public:
    // How many redirects a GET or HEAD follows.
    static constexpr int maxRedirects = 5;

    RegistryTransport(QString registry, std::optional<Credential> credential, QString caFile,
                      std::optional<bool> allowPlainHttp);
    ~RegistryTransport();
    RegistryTransport(const RegistryTransport &) = delete;
    RegistryTransport &operator=(const RegistryTransport &) = delete;

    // Same registry, credential, settings and scheme, sharing the token cache; no stop token.
    std::unique_ptr<RegistryTransport> clone() const;

    QString registry() const { return m_registry; }
    bool allowsPlainHttp() const { return m_allowPlainHttp; }
    void setStopToken(std::stop_token stop) { m_stop = std::move(stop); }
    const std::stop_token &stopToken() const { return m_stop; }
    void setSettings(const RegistrySettings &settings) { m_settings = settings; }
    const RegistrySettings &settings() const { return m_settings; }

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
        bool redirected = false;     // where the registry sent a GET or HEAD on: no credentials
        bool followRedirects = true; // a GET or HEAD; false: the 3xx is the answer
    };
    struct Reply
    {
        long status = 0;
        QString transportError;                // when status is 0
        int curlCode = 0;                      // CURLcode when status is 0
        QHash<QByteArray, QByteArray> headers; // lower-case names
        QByteArray body;
    };

    // Sends with the authorization cached for scope, answering the registry's 401 challenge;
    // repeats a request that is safe to repeat after a failure worth another try.
    Result<Reply> send(const Request &request, const QString &repository, const QString &scope);
    // Settles HTTPS or plain HTTP, once; send() does it itself.
    Status chooseScheme();
    // A URL the registry gave (a Location), absolute.
    QString resolve(const QString &url) const;
    // The Location of reply, absolute, checked: http or https only, never from HTTPS down to
    // plain HTTP. Errors name the registry, repository and what was being done.
    Result<QString> location(const Reply &reply, const QString &repository, const QString &what) const;
    // Whether url is the registry's own scheme, host and port: the only place credentials go
    // (besides the token realm it names).
    bool isOwnOrigin(const QString &url) const;
    // url (relative to the registry, or absolute) if it is http or https, and not plain HTTP
    // from an HTTPS registry; else an error quoting it, cut to a readable length.
    Result<QUrl> checkedUrl(const QString &url) const;
    // "registry HOST, repository REPO"
    QString where(const QString &repository) const;
    Error httpError(const QString &repository, const QString &what, const Reply &reply) const;
    // Whether a failed try may be repeated, and after how long; nullopt: do not retry.
    std::optional<std::chrono::milliseconds> retryDelay(const Result<Reply> &reply, int attempt) const;
    static bool isRetryableStatus(long status);
    // Sleeps unless stop is requested; false when it was.
    bool waitFor(std::chrono::milliseconds delay) const;

    // For a transfer the caller performs on its own handle (curl is a CURL *): the options every
    // transfer shares (errors into errorBuffer, no redirects, TLS verified, with our CA when
    // withCa, no proxy on loopback, the connect timeout and the stall limits, progress on) ...
    void setCommonOptions(void *curl, char *errorBuffer, bool withCa) const;
    // ... and the registry's authorization: the token cached for scope, else Basic with the
    // credential once the registry asked for it. userPassword must outlive the transfer; wipe it
    // after.
    void authorize(void *curl, const QString &scope, QList<QByteArray> &headers,
                   QByteArray &userPassword) const;

private:
    // Authorization and the credential go only to the registry's own origin, or with toRealm to
    // the token realm authenticate() checked.
    Result<Reply> perform(const Request &request, QString authorization, bool withCredential,
                          bool toRealm = false);
    Result<Reply> sendOnce(const Request &request, const QString &repository, const QString &scope);
    Status authenticate(const Reply &challenge, const QString &repository, const QString &scope);

    QString m_registry;
    std::optional<Credential> m_credential;
    QString m_caFile;
    bool m_allowPlainHttp = false;
    bool m_loopback = false;
    QString m_baseUrl; // "https://host:port", chosen on the first request
    bool m_useBasic = false;
    TokenCache m_tokens; // scope -> "Bearer ..."
    RegistrySettings m_settings;
    bool m_probing = false; // chooseScheme()'s request is in flight
    struct HandleDeleter
    {
        void operator()(void *handle) const;
    };
    std::unique_ptr<void, HandleDeleter> m_handle; // the CURL easy handle, reused
    std::stop_token m_stop;
};

} // namespace slipway
