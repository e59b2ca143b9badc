#include "registry/registrytransport.h"

#include "registry/imagereference.h"
#include "util/curl.h"
#include "util/logging.h"
#include "util/stopwait.h"
#include "util/text.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QUrl>
#include <QUrlQuery>

#include <curl/curl.h>

namespace slipway {
namespace {

struct Transfer
{
    QByteArray body;
    QList<QByteArray> headerLines;
    QFile *upload = nullptr;
    qint64 uploadOffset = 0; // where the body starts in upload
    qint64 uploadLeft = 0;   // bytes of the body not read yet
    const std::stop_token *stop = nullptr;
    const std::function<void(qint64)> *uploadProgress = nullptr;
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
    const qint64 n = transfer->upload->read(buffer, qMin(qint64(size * count), transfer->uploadLeft));
    if (n < 0)
        return CURL_READFUNC_ABORT;
    transfer->uploadLeft -= n;
    return size_t(n);
}

int onSeek(void *user, curl_off_t offset, int origin)
{
    auto *transfer = static_cast<Transfer *>(user);
    if (origin != SEEK_SET)
        return CURL_SEEKFUNC_CANTSEEK;
    const qint64 total = transfer->uploadLeft + transfer->upload->pos() - transfer->uploadOffset;
    if (!transfer->upload->seek(transfer->uploadOffset + offset))
        return CURL_SEEKFUNC_FAIL;
    transfer->uploadLeft = total - offset;
    return CURL_SEEKFUNC_OK;
}

int onProgress(void *user, curl_off_t, curl_off_t, curl_off_t, curl_off_t uploaded)
{
    const auto *transfer = static_cast<Transfer *>(user);
    if (transfer->uploadProgress && *transfer->uploadProgress && uploaded > 0)
        (*transfer->uploadProgress)(qint64(uploaded));
    return transfer->stop && transfer->stop->stop_requested() ? 1 : 0;
}

// Retry-After: delay-seconds or an HTTP date.
std::optional<std::chrono::milliseconds> retryAfter(const QByteArray &value)
{
    if (value.isEmpty())
        return std::nullopt;
    bool isNumber = false;
    const qint64 seconds = value.trimmed().toLongLong(&isNumber);
    if (isNumber)
        return std::chrono::milliseconds(qMax<qint64>(seconds, 0) * 1000);
    // An HTTP date ends in "GMT", which Qt's RFC 2822 parser does not take as a zone.
    QString date = QString::fromLatin1(value.trimmed());
    if (date.endsWith(QStringLiteral(" GMT")))
        date = date.chopped(4) + QStringLiteral(" +0000");
    const QDateTime when = QDateTime::fromString(date, Qt::RFC2822Date);
    if (!when.isValid())
        return std::nullopt;
    return std::chrono::milliseconds(qMax<qint64>(QDateTime::currentDateTimeUtc().msecsTo(when), 0));
}

// Transport errors worth another try: not a refused certificate, which will not change.
bool isRetryableTransportError(int code)
{
    switch (CURLcode(code)) {
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_COULDNT_RESOLVE_HOST:
        return false;
    default:
        return true;
    }
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

QString oneLine(QString text)
{
    return text.simplified();
}

} // namespace

RegistryTransport::RegistryTransport(QString registry, std::optional<Credential> credential, QString caFile,
                                     std::optional<bool> allowPlainHttp)
    : m_registry(std::move(registry))
    , m_credential(std::move(credential))
    , m_caFile(std::move(caFile))
    , m_loopback(isInsecureByDefault(m_registry))
{
    m_allowPlainHttp = allowPlainHttp.value_or(m_loopback);
}

RegistryTransport::~RegistryTransport() = default;

void RegistryTransport::HandleDeleter::operator()(void *handle) const
{
    curl_easy_cleanup(static_cast<CURL *>(handle));
}

std::unique_ptr<RegistryTransport> RegistryTransport::clone() const
{
    auto copy = std::make_unique<RegistryTransport>(m_registry, m_credential, m_caFile, m_allowPlainHttp);
    copy->m_baseUrl = m_baseUrl;
    copy->m_useBasic = m_useBasic;
    copy->m_tokens = m_tokens;
    copy->m_settings = m_settings;
    return copy;
}

QString RegistryTransport::where(const QString &repository) const
{
    if (repository.isEmpty())
        return QStringLiteral("registry %1").arg(m_registry);
    return QStringLiteral("registry %1, repository %2").arg(m_registry, repository);
}

QString RegistryTransport::resolve(const QString &url) const
{
    const QUrl base(m_baseUrl + u'/');
    return base.resolved(QUrl(url)).toString();
}

bool RegistryTransport::isOwnOrigin(const QString &url) const
{
    const QUrl base(m_baseUrl);
    const QUrl target(resolve(url));
    const auto port = [](const QUrl &u) { return u.port(u.scheme() == u"https" ? 443 : 80); };
    return target.scheme() == base.scheme() && target.host().compare(base.host(), Qt::CaseInsensitive) == 0 &&
           port(target) == port(base);
}

// A URL the registry handed back, absolute: http or https only (libcurl would otherwise write a
// file:// location, or speak any protocol it knows), and never from HTTPS down to HTTP.
Result<QUrl> RegistryTransport::checkedUrl(const QString &url) const
{
    const QUrl target(resolve(url));
    const QString shown = elide(url, 200);
    if (!target.isValid() || (target.scheme() != u"http" && target.scheme() != u"https"))
        return Error::failed(QStringLiteral("%1 is not an http or https URL").arg(shown));
    if (target.scheme() == u"http" && m_baseUrl.startsWith(QLatin1String("https:")))
        return Error::failed(QStringLiteral("%1 would leave HTTPS for plain HTTP").arg(shown));
    return target;
}

Result<QString> RegistryTransport::location(const Reply &reply, const QString &repository,
                                            const QString &what) const
{
    const QString given = QString::fromUtf8(reply.headers.value("location"));
    if (given.isEmpty())
        return Error::failed(
            QStringLiteral("%1: %2: the registry gave no upload location").arg(where(repository), what));
    auto checked = checkedUrl(given);
    if (!checked)
        return Error::failed(QStringLiteral("%1: %2: the registry's upload location %3")
                                 .arg(where(repository), what, checked.error().message));
    return checked->toString(QUrl::FullyEncoded);
}

Error RegistryTransport::httpError(const QString &repository, const QString &what, const Reply &reply) const
{
    if (reply.status == 0 && reply.curlCode == CURLE_OPERATION_TIMEDOUT)
        return Error::failed(QStringLiteral("%1: %2: the registry stopped answering (less than %3 bytes/s "
                                            "for %4 s)")
                                 .arg(where(repository), what)
                                 .arg(m_settings.lowSpeedLimit)
                                 .arg(m_settings.lowSpeedTime),
                             Error::Code::Unreachable);
    if (reply.status == 0)
        return Error::failed(
            QStringLiteral("%1: %2: %3").arg(where(repository), what, oneLine(reply.transportError)),
            Error::Code::Unreachable);
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
    // HEAD answers have no body: say what a 401 means. A token that lacks the scope asked for
    // means the credentials are fine but not allowed this repository.
    if (details.isEmpty() && reply.status == 401 &&
        reply.headers.value("www-authenticate").contains("error=\"insufficient_scope\""))
        details.append(
            QStringLiteral("denied: the credentials are not allowed this access to the repository"));
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

void RegistryTransport::setCommonOptions(void *curl, char *errorBuffer, bool withCa) const
{
    CURL *handle = static_cast<CURL *>(curl);
    curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, errorBuffer);
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
    // Whatever URL a registry hands back, libcurl speaks nothing but HTTP(S) to it.
    curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    // The scheme probe sends nothing but GET /v2/ and only learns whether TLS answers at all;
    // every other request verifies.
    curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, m_probing ? 0L : 1L);
    curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, m_probing ? 0L : 2L);
    // libcurl copies string options, so the path need not outlive this call.
    if (withCa && !m_caFile.isEmpty())
        curl_easy_setopt(handle, CURLOPT_CAINFO, QFile::encodeName(m_caFile).constData());
    if (m_loopback)
        curl_easy_setopt(handle, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(handle, CURLOPT_LOW_SPEED_LIMIT, m_settings.lowSpeedLimit);
    curl_easy_setopt(handle, CURLOPT_LOW_SPEED_TIME, m_settings.lowSpeedTime);
    curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
}

Result<RegistryTransport::Reply> RegistryTransport::perform(const Request &request, QString authorization,
                                                            bool withCredential, bool toRealm)
{
    // An upload location or redirect elsewhere (another host, port or scheme) gets no token and
    // no password: credentials are for the registry, and for the token realm it names.
    if (request.redirected || (!toRealm && !m_probing && !isOwnOrigin(request.url))) {
        authorization.clear();
        withCredential = false;
    }
    // One easy handle for the client's life: it keeps connections open between requests and
    // the CA store loaded, which on loopback costs more than the request itself.
    if (!m_handle)
        m_handle.reset(curl_easy_init());
    else
        curl_easy_reset(m_handle.get());
    if (!m_handle)
        return Error::failed(QStringLiteral("%1: cannot initialise libcurl").arg(where({})));
    CURL *handle = m_handle.get();

    Transfer transfer;
    transfer.stop = &m_stop;
    transfer.uploadProgress = &request.uploadProgress;
    QFile upload(request.uploadFile);
    const QByteArray url = resolve(request.url).toUtf8();
    char errorBuffer[CURL_ERROR_SIZE] = {};

    curl_easy_setopt(handle, CURLOPT_URL, url.constData());
    setCommonOptions(handle, errorBuffer, true);
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, onBody);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, onHeader);
    curl_easy_setopt(handle, CURLOPT_HEADERDATA, &transfer);
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
        if (!upload.open(QIODevice::ReadOnly) || !upload.seek(request.uploadOffset))
            return Error::failed(QStringLiteral("%1: cannot read %2: %3")
                                     .arg(where({}), request.uploadFile, upload.errorString()));
        transfer.upload = &upload;
        transfer.uploadOffset = request.uploadOffset;
        transfer.uploadLeft = request.uploadSize;
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

    const CurlHeaderList headerList = curlHeaderList(headers);
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headerList.get());

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

Status RegistryTransport::chooseScheme()
{
    if (!m_baseUrl.isEmpty())
        return success();
    m_baseUrl = QStringLiteral("https://") + m_registry;
    if (!m_allowPlainHttp)
        return success();
    // Docker's order for insecure registries: HTTPS first, plain HTTP when HTTPS gets no answer.
    Request probe;
    probe.url = QStringLiteral("/v2/");
    m_probing = true;
    auto reply = perform(probe, {}, false);
    m_probing = false;
    if (!reply)
        return reply.error();
    // Any TLS answer, even with a certificate we will refuse, keeps HTTPS: a TLS registry we do
    // not trust is an error to report, not a reason to talk plain HTTP to it.
    if (reply->status == 0 && reply->curlCode != CURLE_PEER_FAILED_VERIFICATION)
        m_baseUrl = QStringLiteral("http://") + m_registry;
    return success();
}

Status RegistryTransport::authenticate(const Reply &challenge, const QString &repository,
                                       const QString &scope)
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
    // The password goes to the realm as Docker sends it, but only over HTTP(S), and never from an
    // HTTPS registry to a plain HTTP realm.
    if (auto checked = checkedUrl(realm.toString()); !checked)
        return Error::failed(QStringLiteral("%1: the registry's token realm %2")
                                 .arg(where(repository), checked.error().message));
    QUrlQuery query;
    if (parameters.contains(QStringLiteral("service")))
        query.addQueryItem(QStringLiteral("service"), parameters.value(QStringLiteral("service")));
    // Our scope, not the challenge's: a HEAD is challenged for pull only, and the token should
    // serve the push that follows too. Several scopes go as several parameters.
    const QString tokenScope = scope.isEmpty() ? parameters.value(QStringLiteral("scope")) : scope;
    const QStringList scopes = tokenScope.split(u' ', Qt::SkipEmptyParts);
    for (const QString &item : scopes)
        query.addQueryItem(QStringLiteral("scope"), item);
    realm.setQuery(query);

    Request request;
    request.url = realm.toString(QUrl::FullyEncoded);
    auto reply = perform(request, {}, true, true);
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
    // Tokens without expires_in last 60 s (the distribution spec's default).
    const int lifetime = json.value(QStringLiteral("expires_in")).toInt(60);
    m_tokens.insert(scope, QStringLiteral("Bearer ") + token,
                    QDateTime::currentDateTimeUtc().addSecs(qMax(lifetime, 1)));
    return success();
}

Result<RegistryTransport::Reply> RegistryTransport::sendOnce(const Request &request,
                                                             const QString &repository, const QString &scope)
{
    for (int attempt = 0;; ++attempt) {
        auto reply = perform(request, m_tokens.value(scope), m_useBasic);
        if (!reply || reply->status != 401)
            return reply;
        // One new token after a 401; one more only when the registry says the token it got is
        // invalid (it expired on the way), never a loop.
        if (attempt > 1 ||
            (attempt == 1 && !reply->headers.value("www-authenticate").contains("error=\"invalid_token\"")))
            return reply;
        if (Status authenticated = authenticate(reply.value(), repository, scope); !authenticated)
            return authenticated.error();
    }
}

bool RegistryTransport::isRetryableStatus(long status)
{
    return status == 408 || status == 429 || status >= 500;
}

std::optional<std::chrono::milliseconds> RegistryTransport::retryDelay(const Result<Reply> &reply,
                                                                       int attempt) const
{
    if (!reply || attempt >= m_settings.retryDelays.size())
        return std::nullopt;
    if (reply->status == 0 ? !isRetryableTransportError(reply->curlCode) : !isRetryableStatus(reply->status))
        return std::nullopt;
    std::chrono::milliseconds delay = m_settings.retryDelays.at(attempt);
    if (const auto after = retryAfter(reply->headers.value("retry-after")))
        delay = qMin(after.value(), m_settings.maxRetryAfter);
    return delay;
}

bool RegistryTransport::waitFor(std::chrono::milliseconds delay) const
{
    return sleepUnlessStopped(delay, m_stop);
}

Result<RegistryTransport::Reply> RegistryTransport::send(const Request &request, const QString &repository,
                                                         const QString &scope)
{
    if (Status scheme = chooseScheme(); !scheme)
        return scheme.error();
    // A streamed upload or a PATCH moves an upload session on: the upload code restarts or resumes
    // those itself. Everything else may simply be sent again.
    const bool repeatable = request.uploadFile.isEmpty() && request.method != "PATCH";
    Request current = request;
    int redirects = 0;
    for (int attempt = 0;; ++attempt) {
        auto reply = sendOnce(current, repository, scope);
        // A GET or HEAD may be sent on (blobs to their storage); credentials stay behind, as
        // RegistryReader's streamed GET leaves them.
        if (reply && current.followRedirects && (current.method == "GET" || current.method == "HEAD") &&
            (reply->status == 301 || reply->status == 302 || reply->status == 303 || reply->status == 307 ||
             reply->status == 308) &&
            reply->headers.contains("location")) {
            if (++redirects > maxRedirects)
                return Error::failed(QStringLiteral("%1: %2 %3: more than %4 redirects")
                                         .arg(where(repository), QString::fromLatin1(request.method),
                                              QUrl(resolve(request.url)).path())
                                         .arg(maxRedirects));
            auto next = checkedUrl(QUrl(resolve(current.url))
                                       .resolved(QUrl(QString::fromUtf8(reply->headers.value("location"))))
                                       .toString());
            if (!next)
                return Error::failed(QStringLiteral("%1: %2 %3: redirected to %4")
                                         .arg(where(repository), QString::fromLatin1(request.method),
                                              QUrl(resolve(request.url)).path(), next.error().message));
            current.url = next->toString(QUrl::FullyEncoded);
            current.redirected = true; // storage, even on the registry's own host: no credentials
            --attempt;
            continue;
        }
        const auto delay = repeatable ? retryDelay(reply, attempt) : std::nullopt;
        if (!delay)
            return reply;
        qCDebug(lcRegistry) << request.method << QUrl(resolve(current.url)).path() << "try" << attempt + 1
                            << "failed with" << reply->status << "; retrying in" << delay->count() << "ms";
        if (!waitFor(delay.value()))
            return Error::cancelled(QStringLiteral("%1: cancelled").arg(where(repository)));
    }
}

void RegistryTransport::authorize(void *curl, const QString &scope, QList<QByteArray> &headers,
                                  QByteArray &userPassword) const
{
    const QString authorization = m_tokens.value(scope);
    if (!authorization.isEmpty()) {
        headers.append("Authorization: " + authorization.toUtf8());
    } else if (m_useBasic && m_credential) {
        CURL *handle = static_cast<CURL *>(curl);
        userPassword = m_credential->username.toUtf8() + ':' + m_credential->secret.toUtf8();
        curl_easy_setopt(handle, CURLOPT_HTTPAUTH, long(CURLAUTH_BASIC));
        curl_easy_setopt(handle, CURLOPT_USERPWD, userPassword.constData());
    }
}

} // namespace slipway
