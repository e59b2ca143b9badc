#include "registry/blobuploader.h"

#include "registry/registrytransport.h"
#include "registry/uploadjournal.h"
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
    return m_transport.location(started.value(), repository, what);
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
    auto location = m_transport.location(reply.value(), repository, what);
    if (!location)
        return location.error();
    if (uploadLocation)
        *uploadLocation = location.value();
    return false;
}

Result<qint64> BlobUploader::upload(const QString &repository, const QString &digest, qint64 size,
                                    const QString &filePath, const Progress &progress,
                                    const QString &uploadLocation)
{
    const QString what = QStringLiteral("uploading blob %1").arg(digest);
    if (Status scheme = m_transport.chooseScheme(); !scheme)
        return scheme.error();
    const bool chunked = size > m_transport.settings().chunkedThreshold;
    const UploadJournal journal(chunked ? m_transport.settings().uploadJournal : QString());
    const QString registry = m_transport.registry();
    QString location = uploadLocation;
    qint64 offset = 0;
    // An earlier push left this blob's session unfinished: go on where the registry says it is.
    qint64 resumedAt = 0;
    // (Only on the registry's own origin: the journal is a file, and a Location never takes
    // the login elsewhere.)
    if (const auto kept = journal.find(registry, repository, digest, size);
        kept && location.isEmpty() && m_transport.isOwnOrigin(kept->location)) {
        auto state = sessionState(repository, digest, size, kept->location);
        if (!state)
            return state.error();
        if (state->has_value()) {
            location = state->value().location;
            offset = resumedAt = state->value().offset;
            qCDebug(lcRegistry) << "resuming the upload of" << digest << "an earlier push left at" << offset;
        } else {
            journal.remove(registry, repository, digest);
        }
    }
    // A failed monolithic upload cannot be resumed: it starts over in a new session, after the
    // same delays as any other request.
    for (m_attempt = 0;; ++m_attempt) {
        m_retryIn.reset();
        if (location.isEmpty()) {
            auto started = startUpload(repository, what);
            if (!started)
                return started.error();
            location = started.value();
            offset = 0;
        }
        Status done =
            chunked ? uploadChunked(repository, digest, size, filePath, progress, location, offset, journal)
                    : uploadMonolithic(repository, digest, size, filePath, progress, location);
        if (done) {
            journal.remove(registry, repository, digest);
            return resumedAt;
        }
        const Error &failure = done.error();
        if (failure.kind == Error::Kind::Cancelled)
            return failure; // the session stays for the next push
        if (resumedAt > 0) {
            // The session an earlier push left would not finish: this one starts over, at once.
            qCDebug(lcRegistry) << "the resumed upload of" << digest
                                << "failed; starting over:" << failure.message;
            journal.remove(registry, repository, digest);
            resumedAt = 0;
            location.clear();
            --m_attempt;
            continue;
        }
        if (!m_retryIn) {
            // Unreachable: the session may well be there when the registry is again.
            if (failure.code != Error::Code::Unreachable)
                journal.remove(registry, repository, digest);
            return failure;
        }
        qCDebug(lcRegistry) << "upload of" << digest << "failed; starting over in" << m_retryIn->count()
                            << "ms";
        if (!m_transport.waitFor(m_retryIn.value()))
            return Error::cancelled(QStringLiteral("%1: cancelled").arg(m_transport.where(repository)));
        location.clear();
    }
}

Result<std::optional<BlobUploader::SessionState>> BlobUploader::sessionState(const QString &repository,
                                                                             const QString &digest,
                                                                             qint64 size,
                                                                             const QString &location)
{
    const QString what = QStringLiteral("uploading blob %1").arg(digest);
    RegistryTransport::Request status;
    status.url = location;
    auto state = m_transport.send(status, repository, pushScope(repository));
    if (!state)
        return state.error();
    const QByteArray range = state->headers.value("range");
    static const QRegularExpression rangePattern(QStringLiteral("^(?:bytes=)?0-(\\d+)$"));
    const auto match = rangePattern.match(QString::fromLatin1(range));
    if (state->status != 204 || !match.hasMatch()) {
        qCDebug(lcRegistry) << "upload session of" << digest << "is gone:" << state->status;
        return std::optional<SessionState>();
    }
    // "0-N" holds bytes 0 to N; distribution says "0-0" for an empty session too, so that is
    // offset 0 (a session of exactly one byte then answers 416, and the blob starts over).
    const qint64 last = match.captured(1).toLongLong();
    SessionState session{location, last == 0 ? 0 : last + 1};
    if (session.offset > size) {
        qCDebug(lcRegistry) << "upload session of" << digest << "holds" << session.offset << "bytes of"
                            << size;
        return std::optional<SessionState>();
    }
    if (!state->headers.value("location").isEmpty()) {
        auto next = m_transport.location(state.value(), repository, what);
        if (!next)
            return next.error();
        session.location = next.value();
    }
    return std::optional<SessionState>(session);
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
    m_retryIn = m_transport.retryDelay(done, m_attempt);
    if (done->status != 201)
        return m_transport.httpError(repository, what, done.value());
    return success();
}

Status BlobUploader::uploadChunked(const QString &repository, const QString &digest, qint64 size,
                                   const QString &filePath, const Progress &progress, QString &location,
                                   qint64 offset, const UploadJournal &journal)
{
    const QString what = QStringLiteral("uploading blob %1").arg(digest);
    const QString scope = pushScope(repository);
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
            auto next = m_transport.location(reply.value(), repository, what);
            if (!next)
                return next.error();
            location = next.value();
            offset += length;
            journal.save(m_transport.registry(), repository, digest, size, {location, offset});
            continue;
        }
        // The chunk failed part-way, or the registry refused it: ask where the session is, and
        // go on from there, after the registry's Retry-After if it gave one.
        const Error failure = m_transport.httpError(repository, what, reply.value());
        std::optional<std::chrono::milliseconds> wait = m_transport.retryDelay(reply, resumes);
        if (!wait && reply->status == 416 && resumes < m_transport.settings().retryDelays.size())
            wait = m_transport.settings().retryDelays.at(resumes);
        m_retryIn = m_transport.retryDelay(reply, m_attempt);
        if (reply->status == 416 && !m_retryIn && m_attempt < m_transport.settings().retryDelays.size())
            m_retryIn = m_transport.settings().retryDelays.at(m_attempt);
        if (!wait)
            return failure;
        ++resumes;
        if (!m_transport.waitFor(wait.value()))
            return Error::cancelled(QStringLiteral("%1: cancelled").arg(m_transport.where(repository)));
        auto state = sessionState(repository, digest, size, location);
        if (!state)
            return state.error();
        if (!state->has_value())
            return failure; // upload() starts over in a new session
        location = state->value().location;
        offset = state->value().offset;
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
    m_retryIn = m_transport.retryDelay(done, m_attempt);
    if (done->status != 201)
        return m_transport.httpError(repository, what, done.value());
    return success();
}

} // namespace slipway
