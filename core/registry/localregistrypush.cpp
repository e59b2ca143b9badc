// The push side of LocalRegistry: an engine pushes a build into the content store and sends
// only the blobs the store lacks (the distribution API's blob uploads and manifest PUT).

#include "registry/localregistry.h"

#include "registry/localregistryhttp.h"
#include "store/contentstore.h"
#include "util/logging.h"

#include <QRegularExpression>
#include <QUrlQuery>
#include <QUuid>

#include <limits>

namespace slipway {
namespace {

using localregistry::head;
using localregistry::sendAll;
using localregistry::sendError;

constexpr qint64 maxManifestBytes = 4 * 1024 * 1024;

bool reply(int fd, int status, const QList<QByteArray> &headers)
{
    const QByteArray text = head(status, localregistry::reasonOf(status), headers, 0);
    return sendAll(fd, text.constData(), text.size());
}

} // namespace

void LocalRegistry::acceptPushes(const QString &repository)
{
    const QMutexLocker lock(&m_mutex);
    m_pushRepository = repository;
}

QString LocalRegistry::pushedManifest(const QString &tag) const
{
    const QMutexLocker lock(&m_mutex);
    return m_pushedTags.value(tag);
}

bool LocalRegistry::pushedHere(const QString &repository) const
{
    const QMutexLocker lock(&m_mutex);
    return !m_pushRepository.isEmpty() && repository == m_pushRepository;
}

bool LocalRegistry::readBody(int fd, const Request &request, QByteArray &buffer, qint64 limit,
                             const std::function<bool(const char *data, qsizetype size)> &sink)
{
    qint64 total = 0;
    // `count` bytes of the body, from the buffer first, then as they arrive.
    const auto pass = [&](qint64 count) {
        while (count > 0) {
            if (buffer.isEmpty() && !receive(fd, buffer))
                return false;
            const qsizetype take = qsizetype(qMin<qint64>(count, buffer.size()));
            total += take;
            if (total > limit || !sink(buffer.constData(), take))
                return false;
            buffer.remove(0, take);
            count -= take;
        }
        return true;
    };
    const auto line = [&](QByteArray &out) {
        qsizetype end;
        while ((end = buffer.indexOf("\r\n")) < 0)
            if (buffer.size() > 4096 || !receive(fd, buffer))
                return false;
        out = buffer.left(end);
        buffer.remove(0, end + 2);
        return true;
    };
    if (request.headers.value("transfer-encoding").toLower().contains("chunked")) {
        for (;;) {
            QByteArray size;
            if (!line(size))
                return false;
            bool number = false;
            const qint64 count = size.split(';').constFirst().trimmed().toLongLong(&number, 16);
            if (!number || count < 0)
                return false;
            if (count == 0) {
                // Trailers, if any, up to the empty line.
                for (QByteArray trailer; line(trailer);)
                    if (trailer.isEmpty())
                        return true;
                return false;
            }
            QByteArray crlf;
            if (!pass(count) || !line(crlf) || !crlf.isEmpty())
                return false;
        }
    }
    bool number = true;
    const QByteArray length = request.headers.value("content-length", "0");
    const qint64 count = length.toLongLong(&number);
    return number && count >= 0 && pass(count);
}

bool LocalRegistry::respondToPush(int fd, const Request &request, QByteArray &buffer)
{
    static const QRegularExpression uploads(
        QStringLiteral("^/v2/([a-z0-9._/-]+)/blobs/uploads/?([A-Za-z0-9-]*)$"));
    static const QRegularExpression blob(QStringLiteral("^/v2/([a-z0-9._/-]+)/blobs/(sha256:[a-f0-9]{64})$"));
    static const QRegularExpression manifest(
        QStringLiteral("^/v2/([a-z0-9._/-]+)/manifests/([A-Za-z0-9_.:-]{1,128})$"));
    const bool withBody = request.method == "GET";
    const bool hasBody =
        request.headers.contains("content-length") || request.headers.contains("transfer-encoding");
    // What is not answered here: an error, and a connection closed when a body would follow.
    const auto refuse = [&](int status, const QByteArray &code, const QString &message) {
        return sendError(fd, withBody, status, code, message) && !(hasBody && request.method != "GET");
    };
    const ContentStore store(m_blobsDir);
    const QUrlQuery query(request.query);

    if (const QRegularExpressionMatch match = blob.match(request.path);
        match.hasMatch() && (request.method == "GET" || request.method == "HEAD")) {
        if (!pushedHere(match.captured(1)) || !store.contains(match.captured(2)))
            return refuse(404, "BLOB_UNKNOWN", QStringLiteral("not here: %1").arg(request.path));
        return sendBlob(fd, request, match.captured(1).section(u'/', 0, 0), match.captured(2), false);
    }

    if (const QRegularExpressionMatch match = uploads.match(request.path); match.hasMatch()) {
        const QString repository = match.captured(1);
        if (!pushedHere(repository))
            return refuse(404, "NAME_UNKNOWN",
                          QStringLiteral("pushes are not taken into %1").arg(repository));
        const QString blobs = QStringLiteral("/v2/%1/blobs/").arg(repository);
        const auto created = [&](const QString &digest) {
            return reply(
                fd, 201,
                {"Location: " + (blobs + digest).toUtf8(), "Docker-Content-Digest: " + digest.toLatin1()});
        };
        QString id = match.captured(2);
        std::shared_ptr<BlobWriter> writer;
        if (request.method == "POST" && id.isEmpty()) {
            // A mount of a blob the store has is done at once.
            const QString mount = query.queryItemValue(QStringLiteral("mount"), QUrl::FullyDecoded);
            if (!mount.isEmpty() && !hasBody && store.contains(mount))
                return created(mount);
            auto begun = store.begin();
            if (!begun)
                return refuse(400, "BLOB_UPLOAD_INVALID", begun.error().message);
            writer = std::move(begun.value());
            id = QUuid::createUuid().toString(QUuid::WithoutBraces);
            const QMutexLocker lock(&m_mutex);
            m_uploads.insert(id, writer);
        } else {
            const QMutexLocker lock(&m_mutex);
            writer = m_uploads.value(id);
        }
        if (!writer)
            return refuse(404, "BLOB_UPLOAD_UNKNOWN", QStringLiteral("no upload %1").arg(id));
        if (request.method == "DELETE") {
            const QMutexLocker lock(&m_mutex);
            m_uploads.remove(id);
            return reply(fd, 204, {});
        }
        if (request.method != "GET" && !readBody(fd, request, buffer, std::numeric_limits<qint64>::max(),
                                                 [&](const char *data, qsizetype size) {
                                                     m_blobBytesReceived += size;
                                                     return bool(writer->write(data, size));
                                                 })) {
            const QMutexLocker lock(&m_mutex);
            m_uploads.remove(id);
            return false;
        }
        const QString digest = query.queryItemValue(QStringLiteral("digest"), QUrl::FullyDecoded);
        if ((request.method == "PUT" || request.method == "POST") && !digest.isEmpty()) {
            {
                const QMutexLocker lock(&m_mutex);
                m_uploads.remove(id);
            }
            if (Status committed = writer->commit(digest, writer->written()); !committed)
                return sendError(fd, true, 400, "DIGEST_INVALID", committed.error().message);
            qCDebug(lcRegistry).noquote()
                << "local registry received" << digest << writer->written() << "bytes";
            return created(digest);
        }
        if (request.method == "PUT")
            return refuse(400, "DIGEST_INVALID", QStringLiteral("a PUT of an upload needs ?digest="));
        const QByteArray range = "Range: 0-" + QByteArray::number(qMax<qint64>(0, writer->written() - 1));
        return reply(fd, request.method == "GET" ? 204 : 202,
                     {"Location: " + (blobs + QStringLiteral("uploads/") + id).toUtf8(), range,
                      "Docker-Upload-UUID: " + id.toLatin1()});
    }

    if (const QRegularExpressionMatch match = manifest.match(request.path); match.hasMatch()) {
        const QString repository = match.captured(1);
        const QString reference = match.captured(2);
        if (!pushedHere(repository))
            return refuse(404, "MANIFEST_UNKNOWN", QStringLiteral("not here: %1").arg(request.path));
        if (request.method == "GET" || request.method == "HEAD") {
            QString digest =
                reference.startsWith(QLatin1String("sha256:")) ? reference : pushedManifest(reference);
            if (digest.isEmpty() || !offered(digest))
                return refuse(404, "MANIFEST_UNKNOWN", QStringLiteral("not here: %1").arg(request.path));
            return sendBlob(fd, request, repository.section(u'/', 0, 0), digest, true);
        }
        if (request.method != "PUT")
            return refuse(405, "UNSUPPORTED",
                          QStringLiteral("%1 of a manifest").arg(QString::fromLatin1(request.method)));
        QByteArray bytes;
        if (!readBody(fd, request, buffer, maxManifestBytes, [&](const char *data, qsizetype size) {
                bytes.append(data, size);
                return true;
            }))
            return false;
        auto digest = store.put(bytes);
        if (!digest)
            return sendError(fd, true, 400, "MANIFEST_INVALID", digest.error().message);
        if (reference.startsWith(QLatin1String("sha256:")) && reference != digest.value())
            return sendError(fd, true, 400, "DIGEST_INVALID",
                             QStringLiteral("the manifest is %1, not %2").arg(digest.value(), reference));
        QString mediaType = QString::fromUtf8(request.headers.value("content-type"));
        if (mediaType.isEmpty())
            mediaType = QStringLiteral("application/vnd.oci.image.manifest.v1+json");
        {
            const QMutexLocker lock(&m_mutex);
            m_manifestTypes.insert(digest.value(), mediaType);
            m_offered.insert(digest.value());
            if (!reference.startsWith(QLatin1String("sha256:")))
                m_pushedTags.insert(reference, digest.value());
        }
        return reply(
            fd, 201,
            {"Location: " + QStringLiteral("/v2/%1/manifests/%2").arg(repository, digest.value()).toUtf8(),
             "Docker-Content-Digest: " + digest->toLatin1()});
    }

    if (request.method != "GET" && request.method != "HEAD")
        return refuse(405, "UNSUPPORTED",
                      QStringLiteral("%1 %2").arg(QString::fromLatin1(request.method), request.path));
    return refuse(404,
                  request.path.contains(QLatin1String("/manifests/")) ? "MANIFEST_UNKNOWN" : "BLOB_UNKNOWN",
                  QStringLiteral("not offered here: %1").arg(request.path));
}

} // namespace slipway
