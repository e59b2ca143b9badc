#pragma once

#include <chrono>
#include <optional>

#include "util/result.h"

#include <QString>

#include <functional>

namespace slipway {

class RegistryTransport;

// Blob upload sessions on one registry: monolithic (POST, then PUT the file streamed from disk)
// or, over RegistrySettings::chunkedThreshold, in PATCH chunks resumed at the offset the
// registry reports; cross-repository mounts. On a transport it does not own.
class BlobUploader final
{
public:
    explicit BlobUploader(RegistryTransport &transport)
        : m_transport(transport)
    {}

    using Progress = std::function<void(qint64 bytesDone)>;
    // A chunk that fails is resumed where the registry says the session is; when the session is
    // gone, or a monolithic upload failed in a way worth another try, the upload starts over in a
    // new session, after the retry delays. uploadLocation: a session already opened (by mount).
    Status upload(const QString &repository, const QString &digest, qint64 size, const QString &filePath,
                  const Progress &progress = {}, const QString &uploadLocation = {});
    // POST /v2/<repository>/blobs/uploads/?mount=<digest>&from=<fromRepository>: true when the
    // registry mounted it (201); otherwise false with *uploadLocation set to the upload session the
    // registry opened instead (202).
    Result<bool> mount(const QString &repository, const QString &digest, const QString &fromRepository,
                       QString *uploadLocation);

private:
    Result<QString> startUpload(const QString &repository, const QString &what);
    Status uploadMonolithic(const QString &repository, const QString &digest, qint64 size,
                            const QString &filePath, const Progress &progress, const QString &location);
    Status uploadChunked(const QString &repository, const QString &digest, qint64 size,
                         const QString &filePath, const Progress &progress, QString location);
    Status finishUpload(const QString &repository, const QString &digest, const QString &location,
                        const QString &what);

    RegistryTransport &m_transport;
    // After a failed upload: how long to wait before starting it over (the registry's
    // Retry-After, else the settings' delay for this attempt); nullopt when it is not worth it.
    std::optional<std::chrono::milliseconds> m_retryIn;
    int m_attempt = 0; // of upload()'s current blob
};

} // namespace slipway
