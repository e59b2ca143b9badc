// Pulls: manifests by tag or digest, and blobs streamed into the content store.

#include "registry/registryreader.h"

#include "registry/registrytransport.h"
#include "store/contentstore.h"
#include "util/curl.h"
#include "util/logging.h"
#include "util/sha256.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>

#include <curl/curl.h>

#include <memory>

namespace slipway {
namespace {

// What we keep of an error answer's body (for its registry error document).
constexpr qsizetype maxErrorBody = 64 * 1024;

QString pullScope(const QString &repository)
{
    return QStringLiteral("repository:%1:pull").arg(repository);
}

QByteArray acceptHeader()
{
    return "Accept: application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, "
           "application/vnd.docker.distribution.manifest.list.v2+json, "
           "application/vnd.docker.distribution.manifest.v2+json";
}

// One streamed GET: the body goes to the writer while the status is 2xx, else it is kept
// (bounded) for the error message.
struct Download
{
    BlobWriter *writer = nullptr;
    const std::stop_token *stop = nullptr;
    const std::function<void(qint64)> *progress = nullptr;
    qint64 expectedSize = -1;
    long status = 0;
    QHash<QByteArray, QByteArray> headers;
    QByteArray errorBody;
    qint64 received = 0;
    std::optional<Error> writeError;
    bool tooLarge = false;
};

size_t onDownloadHeader(char *data, size_t size, size_t count, void *user)
{
    auto *download = static_cast<Download *>(user);
    const QByteArray line = QByteArray(data, qsizetype(size * count)).trimmed();
    if (line.startsWith("HTTP/")) {
        download->headers.clear();
        download->status = line.split(' ').value(1).toLong();
    } else if (const qsizetype colon = line.indexOf(':'); colon > 0) {
        download->headers.insert(line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed());
    }
    return size * count;
}

size_t onDownloadBody(char *data, size_t size, size_t count, void *user)
{
    auto *download = static_cast<Download *>(user);
    const qsizetype n = qsizetype(size * count);
    if (download->status < 200 || download->status >= 300) {
        if (download->errorBody.size() < maxErrorBody)
            download->errorBody.append(data, std::min(n, maxErrorBody - download->errorBody.size()));
        return size * count;
    }
    download->received += n;
    // More than the manifest promised: stop reading now rather than fill the disk.
    if (download->expectedSize >= 0 && download->received > download->expectedSize) {
        download->tooLarge = true;
        return 0;
    }
    if (Status written = download->writer->write(data, n); !written) {
        download->writeError = written.error();
        return 0;
    }
    if (download->progress && *download->progress)
        (*download->progress)(download->received);
    return size * count;
}

int onDownloadProgress(void *user, curl_off_t, curl_off_t, curl_off_t, curl_off_t)
{
    const auto *download = static_cast<Download *>(user);
    return download->stop && download->stop->stop_requested() ? 1 : 0;
}

// One streamed GET of url into download (the registry itself when toRegistry, with its
// authorization for scope; else the storage it redirected to, without). Fails on a transport
// error, a write error, more bytes than expected, or a stop request.
Status getOnce(const RegistryTransport &transport, const QString &url, bool toRegistry, const QString &scope,
               Download &download, const QString &repository, const QString &what)
{
    CurlEasy curl(curl_easy_init());
    if (!curl)
        return Error::failed(
            QStringLiteral("%1: cannot initialise libcurl").arg(transport.where(repository)));
    CURL *handle = curl.get();
    char errorBuffer[CURL_ERROR_SIZE] = {};
    const QByteArray urlBytes = url.toUtf8();
    curl_easy_setopt(handle, CURLOPT_URL, urlBytes.constData());
    // Storage a registry redirects to is checked against the system's CAs, not the registry's.
    transport.setCommonOptions(handle, errorBuffer, toRegistry);
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, onDownloadBody);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, &download);
    curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, onDownloadHeader);
    curl_easy_setopt(handle, CURLOPT_HEADERDATA, &download);
    curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, onDownloadProgress);
    curl_easy_setopt(handle, CURLOPT_XFERINFODATA, &download);

    // Credentials go to the registry only, never to the storage it redirects to.
    QList<QByteArray> headers;
    QByteArray userPassword;
    if (toRegistry)
        transport.authorize(handle, scope, headers, userPassword);
    const CurlHeaderList headerList = curlHeaderList(headers);
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headerList.get());

    const CURLcode code = curl_easy_perform(handle);
    userPassword.fill('\0');
    const QString where = transport.where(repository);
    if (code == CURLE_ABORTED_BY_CALLBACK && download.stop->stop_requested())
        return Error::cancelled(QStringLiteral("%1: %2: cancelled").arg(where, what));
    if (download.writeError)
        return download.writeError.value();
    if (download.tooLarge)
        return Error::failed(
            QStringLiteral("%1: %2: the registry sent more than the %3 bytes the manifest says")
                .arg(where, what)
                .arg(download.expectedSize));
    if (code != CURLE_OK) {
        const QString transportError =
            errorBuffer[0] ? QString::fromUtf8(errorBuffer) : QString::fromUtf8(curl_easy_strerror(code));
        return Error::failed(QStringLiteral("%1: %2: %3 (after %4 bytes)")
                                 .arg(where, what, transportError.simplified())
                                 .arg(download.received));
    }
    qCDebug(lcRegistry) << "GET" << (toRegistry ? url : QUrl(url).host()) << "->" << download.status;
    return success();
}

} // namespace

Result<RegistryManifest> RegistryReader::getManifest(const QString &repository, const QString &reference)
{
    RegistryTransport::Request request;
    request.url = QStringLiteral("/v2/%1/manifests/%2").arg(repository, reference);
    request.headers = {acceptHeader()};
    auto reply = m_transport.send(request, repository, pullScope(repository));
    const QString what = QStringLiteral("getting manifest %1").arg(reference);
    if (!reply)
        return reply.error();
    if (reply->status != 200)
        return m_transport.httpError(repository, what, reply.value());

    RegistryManifest manifest;
    manifest.bytes = reply->body;
    manifest.digest = Sha256::digestOf(manifest.bytes);
    const bool byDigest = reference.startsWith(QLatin1String("sha256:"));
    const QString reported = QString::fromUtf8(reply->headers.value("docker-content-digest"));
    if (byDigest && manifest.digest != reference)
        return Error::failed(QStringLiteral("%1: %2: the registry sent a manifest with digest %3")
                                 .arg(m_transport.where(repository), what, manifest.digest));
    if (!reported.isEmpty() && reported != manifest.digest)
        return Error::failed(QStringLiteral("%1: %2: the manifest's digest is %3, the registry says %4")
                                 .arg(m_transport.where(repository), what, manifest.digest, reported));
    QJsonParseError parseError;
    const QJsonObject json = QJsonDocument::fromJson(manifest.bytes, &parseError).object();
    if (parseError.error != QJsonParseError::NoError)
        return Error::failed(QStringLiteral("%1: %2: the answer is not a JSON manifest (%3)")
                                 .arg(m_transport.where(repository), what, parseError.errorString()));
    manifest.mediaType = json.value(QStringLiteral("mediaType")).toString();
    if (manifest.mediaType.isEmpty())
        manifest.mediaType =
            QString::fromUtf8(reply->headers.value("content-type")).section(u';', 0, 0).trimmed();
    return manifest;
}

Status RegistryReader::fetchBlob(const QString &repository, const QString &digest, qint64 size,
                                 const ContentStore &store, const std::function<void(qint64)> &progress)
{
    const QString what = QStringLiteral("fetching blob %1").arg(digest);
    const QString where = m_transport.where(repository);
    if (!isSha256Digest(digest))
        return Error::failed(QStringLiteral("%1: %2: not a sha256 digest").arg(where, what));
    const QString scope = pullScope(repository);

    // A HEAD through send() answers the registry's auth challenge (and caches the token), so the
    // streamed GET below goes out authorised the first time.
    RegistryTransport::Request head;
    head.method = "HEAD";
    head.url = QStringLiteral("/v2/%1/blobs/%2").arg(repository, digest);
    // A redirect is answer enough here (storage often takes no HEAD on a URL signed for GET):
    // the GET below follows it.
    head.followRedirects = false;
    auto checked = m_transport.send(head, repository, scope);
    if (!checked)
        return checked.error();
    if (checked->status == 404)
        return Error::failed(QStringLiteral("%1: %2: the registry does not have this blob").arg(where, what));
    if (checked->status >= 400)
        return m_transport.httpError(repository, what, checked.value());

    auto begun = store.begin();
    if (!begun)
        return begun.error();
    std::unique_ptr<BlobWriter> writer = std::move(begun).value();

    QString url = m_transport.resolve(head.url);
    bool toRegistry = true;
    for (int redirects = 0;; ++redirects) {
        Download download;
        download.writer = writer.get();
        download.stop = &m_transport.stopToken();
        download.progress = &progress;
        download.expectedSize = size;
        if (Status got = getOnce(m_transport, url, toRegistry, scope, download, repository, what); !got)
            return got;
        if (download.status >= 300 && download.status < 400 && download.headers.contains("location")) {
            if (redirects >= RegistryTransport::maxRedirects)
                return Error::failed(QStringLiteral("%1: %2: too many redirects").arg(where, what));
            auto next = m_transport.checkedUrl(
                QUrl(url).resolved(QUrl(QString::fromUtf8(download.headers.value("location")))).toString());
            if (!next)
                return Error::failed(
                    QStringLiteral("%1: %2: redirected to %3").arg(where, what, next.error().message));
            url = next->toString(QUrl::FullyEncoded);
            toRegistry = false;
            continue;
        }
        if (download.status != 200) {
            RegistryTransport::Reply reply;
            reply.status = download.status;
            reply.headers = download.headers;
            reply.body = download.errorBody;
            return m_transport.httpError(repository, what, reply);
        }
        break;
    }

    if (Status committed = writer->commit(digest, size); !committed)
        return Error::failed(QStringLiteral("%1: %2: %3").arg(where, what, committed.error().message));
    return success();
}

} // namespace slipway
