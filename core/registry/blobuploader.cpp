#include "registry/blobuploader.h"

#include "registry/registrytransport.h"
#include "util/logging.h"

#include <QRegularExpression>
#include <QUrl>
#include <QUrlQuery>

namespace slipway {
namespace {

QString pushScope(const QString &repository)
{
    return QStringLiteral("repository:%1:pull,push").arg(repository);
}

QString withDigest(const QString &location, const QString &digest)
{
    QUrl target(location);
    QUrlQuery query(target);
    query.addQueryItem(QStringLiteral("digest"), digest);
    target.setQuery(query);
    return target.toString(QUrl::FullyEncoded);
}

} // namespace

Result<QString> BlobUploader::startUpload(const QString &repository, const QString &what)
{
    RegistryTransport::Request start;
    start.method = "POST";
    start.url = QStringLiteral("/v2/%1/blobs/uploads/").arg(repository);
    auto started = m_transport.send(start, repository, pushScope(repository));
    if (!started)
        return started.error();
    if (started->status != 202)
        return m_transport.httpError(repository, what, started.value());
    const QString location = QString::fromUtf8(started->headers.value("location"));
    if (location.isEmpty())
        return Error::failed(QStringLiteral("%1: %2: the registry gave no upload location")
                                 .arg(m_transport.where(repository), what));
    return m_transport.resolve(location);
}

Result<bool> BlobUploader::mount(const QString &repository, const QString &digest,
                                 const QString &fromRepository, QString *uploadLocation)
{
    RegistryTransport::Request request;
    request.method = "POST";
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("mount"), digest);
    query.addQueryItem(QStringLiteral("from"), fromRepository);
    request.url =
        QStringLiteral("/v2/%1/blobs/uploads/?").arg(repository) + query.toString(QUrl::FullyEncoded);
    // The token must allow pulling from the source repository as well.
    const QString scope =
        pushScope(repository) + u' ' + QStringLiteral("repository:%1:pull").arg(fromRepository);
    auto reply = m_transport.send(request, repository, scope);
    if (!reply)
        return reply.error();
    const QString what = QStringLiteral("mounting blob %1 from %2").arg(digest, fromRepository);
    if (reply->status == 201)
        return true;
    if (reply->status != 202)
        return m_transport.httpError(repository, what, reply.value());
    const QString location = QString::fromUtf8(reply->headers.value("location"));
    if (location.isEmpty())
        return Error::failed(QStringLiteral("%1: %2: the registry gave no upload location")
                                 .arg(m_transport.where(repository), what));
    if (uploadLocation)
        *uploadLocation = m_transport.resolve(location);
    return false;
}

Status BlobUploader::upload(const QString &repository, const QString &digest, qint64 size,
                            const QString &filePath, const Progress &progress, const QString &uploadLocation)
{
    const QString what = QStringLiteral("uploading blob %1").arg(digest);
    if (Status scheme = m_transport.chooseScheme(); !scheme)
        return scheme.error();
    QString location = uploadLocation;
    // A failed monolithic upload cannot be resumed: it starts over in a new session, after the
    // same delays as any other request.
    for (int attempt = 0;; ++attempt) {
        m_lastUploadRetryable = false;
        if (location.isEmpty()) {
            auto started = startUpload(repository, what);
            if (!started)
                return started.error();
            location = started.value();
        }
        Status done = size > m_transport.settings().chunkedThreshold
                          ? uploadChunked(repository, digest, size, filePath, progress, location)
                          : uploadMonolithic(repository, digest, size, filePath, progress, location);
        if (done || done.error().kind == Error::Kind::Cancelled ||
            attempt >= m_transport.settings().retryDelays.size() || !m_lastUploadRetryable)
            return done;
        qCDebug(lcRegistry) << "upload of" << digest << "failed; starting over";
        if (!m_transport.waitFor(m_transport.settings().retryDelays.at(attempt)))
            return Error::cancelled(QStringLiteral("%1: cancelled").arg(m_transport.where(repository)));
        location.clear();
    }
}

Status BlobUploader::uploadMonolithic(const QString &repository, const QString &digest, qint64 size,
                                      const QString &filePath, const Progress &progress,
                                      const QString &location)
{
    const QString what = QStringLiteral("uploading blob %1").arg(digest);
    RegistryTransport::Request put;
    put.method = "PUT";
    put.url = withDigest(location, digest);
    put.headers = {"Content-Type: application/octet-stream"};
    put.uploadFile = filePath;
    put.uploadSize = size;
    put.uploadProgress = progress;
    auto done = m_transport.send(put, repository, pushScope(repository));
    if (!done)
        return done.error();
    m_lastUploadRetryable = m_transport.retryDelay(done, 0).has_value();
    if (done->status != 201)
        return m_transport.httpError(repository, what, done.value());
    return success();
}

Status BlobUploader::uploadChunked(const QString &repository, const QString &digest, qint64 size,
                                   const QString &filePath, const Progress &progress, QString location)
{
    const QString what = QStringLiteral("uploading blob %1").arg(digest);
    const QString scope = pushScope(repository);
    qint64 offset = 0;
    int resumes = 0;
    while (offset < size) {
        const qint64 length = qMin(m_transport.settings().chunkSize, size - offset);
        RegistryTransport::Request patch;
        patch.method = "PATCH";
        patch.url = location;
        patch.headers = {"Content-Type: application/octet-stream",
                         QByteArray("Content-Range: ") + QByteArray::number(offset) + '-' +
                             QByteArray::number(offset + length - 1)};
        patch.uploadFile = filePath;
        patch.uploadOffset = offset;
        patch.uploadSize = length;
        if (progress)
            patch.uploadProgress = [&progress, offset](qint64 sent) { progress(offset + sent); };
        auto reply = m_transport.send(patch, repository, scope);
        if (!reply)
            return reply.error();
        if (reply->status == 202 && !reply->headers.value("location").isEmpty()) {
            location = m_transport.resolve(QString::fromUtf8(reply->headers.value("location")));
            offset += length;
            continue;
        }
        // The chunk failed part-way, or the registry refused it: ask where the session is, and
        // go on from there.
        const Error failure = m_transport.httpError(repository, what, reply.value());
        m_lastUploadRetryable =
            reply->status == 0 || RegistryTransport::isRetryableStatus(reply->status) || reply->status == 416;
        if (!m_lastUploadRetryable || resumes >= m_transport.settings().retryDelays.size())
            return failure;
        if (!m_transport.waitFor(m_transport.settings().retryDelays.at(resumes++)))
            return Error::cancelled(QStringLiteral("%1: cancelled").arg(m_transport.where(repository)));
        RegistryTransport::Request status;
        status.url = location;
        auto state = m_transport.send(status, repository, scope);
        if (!state)
            return state.error();
        const QByteArray range = state->headers.value("range");
        static const QRegularExpression rangePattern(QStringLiteral("^(?:bytes=)?0-(\\d+)$"));
        const auto match = rangePattern.match(QString::fromLatin1(range));
        if (state->status != 204 || !match.hasMatch()) {
            qCDebug(lcRegistry) << "upload session of" << digest << "is gone:" << state->status;
            return failure; // uploadBlob starts over in a new session
        }
        offset = qMin(match.captured(1).toLongLong() + 1, size);
        if (!state->headers.value("location").isEmpty())
            location = m_transport.resolve(QString::fromUtf8(state->headers.value("location")));
        qCDebug(lcRegistry) << "resuming upload of" << digest << "at" << offset;
    }
    return finishUpload(repository, digest, location, what);
}

Status BlobUploader::finishUpload(const QString &repository, const QString &digest, const QString &location,
                                  const QString &what)
{
    RegistryTransport::Request put;
    put.method = "PUT";
    put.url = withDigest(location, digest);
    put.headers = {"Content-Type: application/octet-stream"};
    auto done = m_transport.send(put, repository, pushScope(repository));
    if (!done)
        return done.error();
    m_lastUploadRetryable = m_transport.retryDelay(done, 0).has_value();
    if (done->status != 201)
        return m_transport.httpError(repository, what, done.value());
    return success();
}

} // namespace slipway
