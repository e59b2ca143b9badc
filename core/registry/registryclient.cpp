#include "registry/registryclient.h"

#include "registry/imagereference.h"
#include "util/logging.h"
#include "util/sha256.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QUrl>
#include <QUrlQuery>

#include <curl/curl.h>

#include <memory>

namespace slipway {
namespace {

struct CurlDeleter
{
    void operator()(CURL *curl) const { curl_easy_cleanup(curl); }
};
struct SlistDeleter
{
    void operator()(curl_slist *list) const { curl_slist_free_all(list); }
};

struct Transfer
{
    QByteArray body;
    QList<QByteArray> headerLines;
    QFile *upload = nullptr;
    const std::stop_token *stop = nullptr;
};

size_t onBody(char *data, size_t size, size_t count, void *user)
{
    auto *transfer = static_cast<Transfer *>(user);
    // Registry answers are small JSON documents; cap what we keep so garbage cannot flood memory.
    if (transfer->body.size() < 4 * 1024 * 1024)
        transfer->body.append(data, qsizetype(size * count));
    return size * count;
}

size_t onHeader(char *data, size_t size, size_t count, void *user)
{
    auto *transfer = static_cast<Transfer *>(user);
    const QByteArray line = QByteArray(data, qsizetype(size * count)).trimmed();
    // A new status line (after 100 Continue or a redirect) starts a new header block.
    if (line.startsWith("HTTP/"))
        transfer->headerLines.clear();
    else if (!line.isEmpty())
        transfer->headerLines.append(line);
    return size * count;
}

size_t onRead(char *buffer, size_t size, size_t count, void *user)
{
    auto *transfer = static_cast<Transfer *>(user);
    const qint64 n = transfer->upload->read(buffer, qint64(size * count));
    return n < 0 ? CURL_READFUNC_ABORT : size_t(n);
}

int onSeek(void *user, curl_off_t offset, int origin)
{
    auto *transfer = static_cast<Transfer *>(user);
    if (origin != SEEK_SET)
        return CURL_SEEKFUNC_CANTSEEK;
    return transfer->upload->seek(offset) ? CURL_SEEKFUNC_OK : CURL_SEEKFUNC_FAIL;
}

int onProgress(void *user, curl_off_t, curl_off_t, curl_off_t, curl_off_t)
{
    const auto *transfer = static_cast<Transfer *>(user);
    return transfer->stop && transfer->stop->stop_requested() ? 1 : 0;
}

// key="value" pairs of a WWW-Authenticate challenge.
QHash<QString, QString> challengeParameters(const QString &challenge)
{
    QHash<QString, QString> parameters;
    static const QRegularExpression pair(QStringLiteral("([A-Za-z_]+)=\"([^\"]*)\""));
    auto it = pair.globalMatch(challenge);
    while (it.hasNext()) {
        const auto match = it.next();
        parameters.insert(match.captured(1).toLower(), match.captured(2));
    }
    return parameters;
}

QString pushScope(const QString &repository)
{
    return QStringLiteral("repository:%1:pull,push").arg(repository);
}

QString oneLine(QString text)
{
    return text.simplified();
}

} // namespace

RegistryClient::RegistryClient(QString registry, std::optional<Credential> credential, QString caFile,
                               std::optional<bool> allowPlainHttp)
    : m_registry(std::move(registry))
    , m_credential(std::move(credential))
    , m_caFile(std::move(caFile))
    , m_loopback(isInsecureByDefault(m_registry))
{
    m_allowPlainHttp = allowPlainHttp.value_or(m_loopback);
}

RegistryClient::~RegistryClient() = default;

QString RegistryClient::where(const QString &repository) const
{
    if (repository.isEmpty())
        return QStringLiteral("registry %1").arg(m_registry);
    return QStringLiteral("registry %1, repository %2").arg(m_registry, repository);
}

QString RegistryClient::resolve(const QString &url) const
{
    const QUrl base(m_baseUrl + u'/');
    return base.resolved(QUrl(url)).toString();
}

Error RegistryClient::httpError(const QString &repository, const QString &what, const Reply &reply) const
{
    if (reply.status == 0)
        return Error::failed(
            QStringLiteral("%1: %2: %3").arg(where(repository), what, oneLine(reply.transportError)));
    QStringList details;
    const QJsonObject json = QJsonDocument::fromJson(reply.body).object();
    const QJsonArray errors = json.value(QStringLiteral("errors")).toArray();
    for (const QJsonValue &value : errors) {
        const QJsonObject error = value.toObject();
        const QString code = error.value(QStringLiteral("code")).toString();
        const QString message = error.value(QStringLiteral("message")).toString();
        const QString detail = message.isEmpty() ? code : code + QStringLiteral(" (") + message + u')';
        if (!details.contains(detail))
            details.append(detail);
    }
    // HEAD answers have no body: say what a 401 means.
    if (details.isEmpty() && reply.status == 401)
        details.append(m_credential ? QStringLiteral("unauthorized: the registry refused the credentials")
                                    : QStringLiteral("unauthorized: the registry requires a login and "
                                                     "there are no credentials for it"));
    QString text = QStringLiteral("%1: %2: HTTP %3").arg(where(repository), what).arg(reply.status);
    if (!details.isEmpty())
        text += QStringLiteral(": ") + details.join(QStringLiteral("; "));
    else if (!reply.body.isEmpty())
        text += QStringLiteral(" (the answer is not a registry error document)");
    return Error::failed(oneLine(text));
}

Result<RegistryClient::Reply> RegistryClient::perform(const Request &request, const QString &authorization,
                                                      bool withCredential)
{
    std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
    if (!curl)
        return Error::failed(QStringLiteral("%1: cannot initialise libcurl").arg(where({})));
    CURL *handle = curl.get();

    Transfer transfer;
    transfer.stop = &m_stop;
    QFile upload(request.uploadFile);
    const QByteArray url = resolve(request.url).toUtf8();
    char errorBuffer[CURL_ERROR_SIZE] = {};

    curl_easy_setopt(handle, CURLOPT_URL, url.constData());
    curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, errorBuffer);
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, 2L);
    const QByteArray caFile = QFile::encodeName(m_caFile);
    if (!m_caFile.isEmpty())
        curl_easy_setopt(handle, CURLOPT_CAINFO, caFile.constData());
    if (m_loopback)
        curl_easy_setopt(handle, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(handle, CURLOPT_LOW_SPEED_LIMIT, 1024L);
    curl_easy_setopt(handle, CURLOPT_LOW_SPEED_TIME, 30L);
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, onBody);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, onHeader);
    curl_easy_setopt(handle, CURLOPT_HEADERDATA, &transfer);
    curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, onProgress);
    curl_easy_setopt(handle, CURLOPT_XFERINFODATA, &transfer);

    QList<QByteArray> headers = request.headers;
    headers.append("Expect:");
    if (!authorization.isEmpty())
        headers.append("Authorization: " + authorization.toUtf8());
    QByteArray userPassword;
    if (withCredential && authorization.isEmpty() && m_credential) {
        userPassword = m_credential->username.toUtf8() + ':' + m_credential->secret.toUtf8();
        curl_easy_setopt(handle, CURLOPT_HTTPAUTH, long(CURLAUTH_BASIC));
        curl_easy_setopt(handle, CURLOPT_USERPWD, userPassword.constData());
    }

    if (request.method == "HEAD") {
        curl_easy_setopt(handle, CURLOPT_NOBODY, 1L);
    } else if (!request.uploadFile.isEmpty()) {
        if (!upload.open(QIODevice::ReadOnly))
            return Error::failed(QStringLiteral("%1: cannot read %2: %3")
                                     .arg(where({}), request.uploadFile, upload.errorString()));
        transfer.upload = &upload;
        curl_easy_setopt(handle, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(handle, CURLOPT_READFUNCTION, onRead);
        curl_easy_setopt(handle, CURLOPT_READDATA, &transfer);
        curl_easy_setopt(handle, CURLOPT_SEEKFUNCTION, onSeek);
        curl_easy_setopt(handle, CURLOPT_SEEKDATA, &transfer);
        curl_easy_setopt(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(request.uploadSize));
        curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, request.method.constData());
    } else if (request.method != "GET") {
        curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, request.method.constData());
        curl_easy_setopt(handle, CURLOPT_POSTFIELDS, request.body.constData());
        curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.size()));
    }

    curl_slist *list = nullptr;
    for (const QByteArray &header : headers)
        list = curl_slist_append(list, header.constData());
    const std::unique_ptr<curl_slist, SlistDeleter> headerList(list);
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, list);

    const CURLcode code = curl_easy_perform(handle);
    // The password lives on in libcurl's handle until cleanup; wipe our copy now.
    userPassword.fill('\0');
    if (code == CURLE_ABORTED_BY_CALLBACK && m_stop.stop_requested())
        return Error::cancelled(QStringLiteral("%1: cancelled").arg(where({})));

    Reply reply;
    if (code != CURLE_OK) {
        reply.curlCode = int(code);
        reply.transportError =
            errorBuffer[0] ? QString::fromUtf8(errorBuffer) : QString::fromUtf8(curl_easy_strerror(code));
        return reply;
    }
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &reply.status);
    reply.body = std::move(transfer.body);
    for (const QByteArray &line : std::as_const(transfer.headerLines)) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0)
            reply.headers.insert(line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed());
    }
    qCDebug(lcRegistry) << request.method << resolve(request.url) << "->" << reply.status;
    return reply;
}

Status RegistryClient::chooseScheme()
{
    if (!m_baseUrl.isEmpty())
        return success();
    m_baseUrl = QStringLiteral("https://") + m_registry;
    if (!m_allowPlainHttp)
        return success();
    // Docker's order for insecure registries: HTTPS first, plain HTTP when HTTPS gets no answer.
    Request probe;
    probe.url = QStringLiteral("/v2/");
    auto reply = perform(probe, {}, false);
    if (!reply)
        return reply.error();
    // A certificate that fails verification is a TLS registry we do not trust: say so, rather
    // than talk plain HTTP to it.
    if (reply->status == 0 && reply->curlCode != CURLE_PEER_FAILED_VERIFICATION)
        m_baseUrl = QStringLiteral("http://") + m_registry;
    return success();
}

Status RegistryClient::authenticate(const Reply &challenge, const QString &repository, const QString &scope)
{
    const QString header = QString::fromUtf8(challenge.headers.value("www-authenticate"));
    const QString scheme = header.section(u' ', 0, 0).toLower();
    if (scheme == u"basic") {
        if (!m_credential)
            return Error::failed(
                QStringLiteral("%1: the registry asks for a login and there are no credentials for it")
                    .arg(where(repository)));
        m_useBasic = true;
        return success();
    }
    if (scheme != u"bearer")
        return httpError(repository, QStringLiteral("unsupported authentication challenge"), challenge);

    const QHash<QString, QString> parameters = challengeParameters(header);
    QUrl realm(parameters.value(QStringLiteral("realm")));
    if (!realm.isValid() || realm.scheme().isEmpty())
        return Error::failed(
            QStringLiteral("%1: the registry's token challenge has no valid realm").arg(where(repository)));
    QUrlQuery query;
    if (parameters.contains(QStringLiteral("service")))
        query.addQueryItem(QStringLiteral("service"), parameters.value(QStringLiteral("service")));
    const QString tokenScope = parameters.value(QStringLiteral("scope"), scope);
    if (!tokenScope.isEmpty())
        query.addQueryItem(QStringLiteral("scope"), tokenScope);
    realm.setQuery(query);

    Request request;
    request.url = realm.toString(QUrl::FullyEncoded);
    auto reply = perform(request, {}, true);
    if (!reply)
        return reply.error();
    if (reply->status != 200)
        return httpError(repository, QStringLiteral("token request to %1").arg(realm.host()), reply.value());
    const QJsonObject json = QJsonDocument::fromJson(reply->body).object();
    QString token = json.value(QStringLiteral("token")).toString();
    if (token.isEmpty())
        token = json.value(QStringLiteral("access_token")).toString();
    if (token.isEmpty())
        return Error::failed(QStringLiteral("%1: the token server %2 answered without a token")
                                 .arg(where(repository), realm.host()));
    m_tokens.insert(scope, QStringLiteral("Bearer ") + token);
    return success();
}

Result<RegistryClient::Reply> RegistryClient::send(const Request &request, const QString &repository,
                                                   const QString &scope)
{
    if (Status scheme = chooseScheme(); !scheme)
        return scheme.error();
    for (int attempt = 0;; ++attempt) {
        auto reply = perform(request, m_tokens.value(scope), m_useBasic);
        if (!reply || reply->status != 401 || attempt > 0)
            return reply;
        if (Status authenticated = authenticate(reply.value(), repository, scope); !authenticated)
            return authenticated.error();
    }
}

Status RegistryClient::ping()
{
    Request request;
    request.url = QStringLiteral("/v2/");
    auto reply = send(request, {}, {});
    if (!reply)
        return reply.error();
    if (reply->status != 200)
        return httpError({}, QStringLiteral("ping"), reply.value());
    return success();
}

Result<bool> RegistryClient::blobExists(const QString &repository, const QString &digest)
{
    Request request;
    request.method = "HEAD";
    request.url = QStringLiteral("/v2/%1/blobs/%2").arg(repository, digest);
    auto reply = send(request, repository, pushScope(repository));
    if (!reply)
        return reply.error();
    if (reply->status == 200)
        return true;
    if (reply->status == 404)
        return false;
    return httpError(repository, QStringLiteral("checking blob %1").arg(digest), reply.value());
}

Status RegistryClient::uploadBlob(const QString &repository, const QString &digest, qint64 size,
                                  const QString &filePath)
{
    const QString scope = pushScope(repository);
    Request start;
    start.method = "POST";
    start.url = QStringLiteral("/v2/%1/blobs/uploads/").arg(repository);
    auto started = send(start, repository, scope);
    if (!started)
        return started.error();
    const QString what = QStringLiteral("uploading blob %1").arg(digest);
    if (started->status != 202)
        return httpError(repository, what, started.value());
    const QString location = QString::fromUtf8(started->headers.value("location"));
    if (location.isEmpty())
        return Error::failed(
            QStringLiteral("%1: %2: the registry gave no upload location").arg(where(repository), what));

    QUrl target(resolve(location));
    QUrlQuery query(target);
    query.addQueryItem(QStringLiteral("digest"), digest);
    target.setQuery(query);

    Request put;
    put.method = "PUT";
    put.url = target.toString(QUrl::FullyEncoded);
    put.headers = {"Content-Type: application/octet-stream"};
    put.uploadFile = filePath;
    put.uploadSize = size;
    auto done = send(put, repository, scope);
    if (!done)
        return done.error();
    if (done->status != 201)
        return httpError(repository, what, done.value());
    return success();
}

Result<QString> RegistryClient::putManifest(const QString &repository, const QString &reference,
                                            const QString &mediaType, const QByteArray &bytes)
{
    Request request;
    request.method = "PUT";
    request.url = QStringLiteral("/v2/%1/manifests/%2").arg(repository, reference);
    request.headers = {"Content-Type: " + mediaType.toUtf8()};
    request.body = bytes;
    auto reply = send(request, repository, pushScope(repository));
    const QString what = QStringLiteral("putting manifest %1").arg(reference);
    if (!reply)
        return reply.error();
    if (reply->status != 201)
        return httpError(repository, what, reply.value());
    const QString expected = Sha256::digestOf(bytes);
    const QString reported = QString::fromUtf8(reply->headers.value("docker-content-digest"));
    if (reported != expected)
        return Error::failed(QStringLiteral("%1: %2: the registry reports digest %3, expected %4")
                                 .arg(where(repository), what,
                                      reported.isEmpty() ? QStringLiteral("(none)") : reported, expected));
    return expected;
}

} // namespace slipway
