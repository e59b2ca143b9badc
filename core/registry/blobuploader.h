#pragma once

#include <chrono>
#include <optional>

#include "util/result.h"

#include <QString>

#include <functional>

namespace slipway {

class RegistryTransport;
class UploadJournal;

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
    // A chunked upload is remembered in the settings' uploadJournal after every chunk the
    // registry accepts: when a push is killed, cancelled, or loses the registry, the next push of
    // the blob goes on in that session if the registry still has it (else starts over). Returns
    // how many bytes of the blob were already there from such an earlier push (0: none).
    Result<qint64> upload(const QString &repository, const QString &digest, qint64 size,
                          const QString &filePath, const Progress &progress = {},
                          const QString &uploadLocation = {});
    // POST /v2/<repository>/blobs/uploads/?mount=<digest>&from=<fromRepository>: true when the
    // registry mounted it (201); otherwise false with *uploadLocation set to the upload session the
    // registry opened instead (202).
    Result<bool> mount(const QString &repository, const QString &digest, const QString &fromRepository,
                       QString *uploadLocation);

private:
    struct SessionState
    {
        QString location;  // where to send the next chunk
        qint64 offset = 0; // bytes the registry holds
    };
    // GET on an upload session: where it is, or nullopt when it is gone (or holds more than size).
    Result<std::optional<SessionState>> sessionState(const QString &repository, const QString &digest,
                                                     qint64 size, const QString &location);
    Result<QString> startUpload(const QString &repository, const QString &what);
    Status uploadMonolithic(const QString &repository, const QString &digest, qint64 size,
                            const QString &filePath, const Progress &progress, const QString &location);
    // From offset on, in the session at location (which follows the registry's answers), each
    // accepted chunk written to journal.
    Status uploadChunked(const QString &repository, const QString &digest, qint64 size,
                         const QString &filePath, const Progress &progress, QString &location, qint64 offset,
                         const UploadJournal &journal);
    Status finishUpload(const QString &repository, const QString &digest, const QString &location,
                        const QString &what);

    RegistryTransport &m_transport;
    // After a failed upload: how long to wait before starting it over (the registry's
    // Retry-After, else the settings' delay for this attempt); nullopt when it is not worth it.
    std::optional<std::chrono::milliseconds> m_retryIn;
    int m_attempt = 0; // of upload()'s current blob
};

} // namespace slipway
