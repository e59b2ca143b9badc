#include "engine/engineconnection.h"

#include "engine/sshtunnel.h"
#include "util/curl.h"
#include "util/logging.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QVersionNumber>

#include <cerrno>

#include <curl/curl.h>
#include <sys/stat.h>

namespace slipway {
namespace {

struct Transfer
{
    const EngineConnection::Request *request = nullptr;
    const std::stop_token *stop = nullptr;
    QByteArray body;
    QByteArray apiVersion;
    QByteArray libpodVersion;
    bool consumerStopped = false;
};

size_t onBody(char *data, size_t size, size_t count, void *user)
{
    auto *transfer = static_cast<Transfer *>(user);
    const size_t n = size * count;
    if (transfer->request->onData) {
        if (!transfer->request->onData(data, qsizetype(n))) {
            transfer->consumerStopped = true;
            return 0;
        }
        return n;
    }
    if (transfer->body.size() < 16 * 1024 * 1024)
        transfer->body.append(data, qsizetype(n));
    return n;
}

size_t onHeader(char *data, size_t size, size_t count, void *user)
{
    auto *transfer = static_cast<Transfer *>(user);
    const QByteArray line = QByteArray(data, qsizetype(size * count)).trimmed();
    if (line.toLower().startsWith("api-version:"))
        transfer->apiVersion = line.mid(12).trimmed();
    else if (line.toLower().startsWith("libpod-api-version:"))
        transfer->libpodVersion = line.mid(19).trimmed();
    return size * count;
}

size_t onRead(char *buffer, size_t size, size_t count, void *user)
{
    auto *transfer = static_cast<Transfer *>(user);
    const qsizetype n = transfer->request->readBody(buffer, qsizetype(size * count));
    return n < 0 ? CURL_READFUNC_ABORT : size_t(n);
}

int onProgress(void *user, curl_off_t, curl_off_t, curl_off_t, curl_off_t)
{
    const auto *transfer = static_cast<Transfer *>(user);
    return transfer->stop->stop_requested() ? 1 : 0;
}

// The options every transfer shares: errors into errorBuffer, no signals, no proxy, HTTP(S) only, the body
// into the transfer, and the stop token watched from the progress callback.
void setCommonOptions(CURL *handle, char *errorBuffer, Transfer &transfer)
{
    curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, errorBuffer);
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, onBody);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, onProgress);
    curl_easy_setopt(handle, CURLOPT_XFERINFODATA, &transfer);
}

QString curlError(CURLcode code, const char *errorBuffer)
{
    return errorBuffer[0] ? QString::fromUtf8(errorBuffer) : QString::fromUtf8(curl_easy_strerror(code));
}

QString oneLine(const QString &text)
{
    return text.simplified();
}

// The engine's error document: {"message": "..."} (Docker and Podman alike; Podman adds "cause").
QString engineMessage(const QByteArray &body)
{
    const QJsonObject json = QJsonDocument::fromJson(body).object();
    QString message = json.value(QStringLiteral("message")).toString();
    if (message.isEmpty())
        message = QString::fromUtf8(body.left(300));
    return oneLine(message);
}

} // namespace

EngineConnection::EngineConnection(Target target, std::stop_token stop)
    : m_target(std::move(target))
    , m_stop(std::move(stop))
{}

EngineConnection::~EngineConnection() = default;

QString EngineConnection::where() const
{
    return describeTarget(m_target);
}

QString EngineConnection::baseUrl() const
{
    switch (m_endpoint.kind) {
    case EngineEndpoint::Kind::Tcp: {
        const QString host = m_endpoint.host.contains(u':') ? u'[' + m_endpoint.host + u']' : m_endpoint.host;
        return (m_endpoint.tls ? QStringLiteral("https://") : QStringLiteral("http://")) + host + u':' +
               QString::number(m_endpoint.port);
    }
    case EngineEndpoint::Kind::Unix:
    case EngineEndpoint::Kind::Ssh:
        break;
    }
    return QStringLiteral("http://localhost");
}

Error EngineConnection::httpError(const QString &what, const Reply &reply) const
{
    QString text = QStringLiteral("%1: %2: HTTP %3").arg(where(), what).arg(reply.status);
    const QString message = engineMessage(reply.body);
    if (!message.isEmpty())
        text += QStringLiteral(": ") + message;
    const Error::Code code = reply.status == 404   ? Error::Code::NotFound
                             : reply.status == 409 ? Error::Code::Conflict
                                                   : Error::Code::None;
    return Error::failed(oneLine(text), code);
}

namespace {

// The method, the body (in memory or streamed) and the headers; headerList must outlive the
// transfer.
void setMethodAndBody(CURL *handle, const EngineConnection::Request &request, Transfer &transfer,
                      CurlHeaderList &headerList)
{
    QList<QByteArray> headers = request.headers;
    headers.append("Expect:");
    if (request.readBody) {
        headers.append("Content-Type: " + request.contentType);
        curl_easy_setopt(handle, CURLOPT_POST, 1L);
        curl_easy_setopt(handle, CURLOPT_READFUNCTION, onRead);
        curl_easy_setopt(handle, CURLOPT_READDATA, &transfer);
        headers.append("Transfer-Encoding: chunked");
    } else if (request.method == "HEAD") {
        // A custom "HEAD" would wait for a body that never comes.
        curl_easy_setopt(handle, CURLOPT_NOBODY, 1L);
    } else if (request.method != "GET") {
        if (!request.body.isEmpty())
            headers.append("Content-Type: " + request.contentType);
        curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, request.method.constData());
        curl_easy_setopt(handle, CURLOPT_POSTFIELDS, request.body.constData());
        curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.size()));
    }
    headerList = curlHeaderList(headers);
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headerList.get());
}

} // namespace

Result<EngineConnection::Reply> EngineConnection::send(const Request &request, const QString &what)
{
    if (m_stop.stop_requested())
        return Error::cancelled(QStringLiteral("%1: %2: cancelled").arg(where(), what));
    CurlEasy curl(curl_easy_init());
    if (!curl)
        return Error::failed(QStringLiteral("%1: cannot initialise libcurl").arg(where()));
    CURL *handle = curl.get();

    Transfer transfer;
    transfer.request = &request;
    transfer.stop = &m_stop;
    QString path = request.path;
    if (request.versioned)
        path = QStringLiteral("/v") + m_apiVersion + path;
    const QByteArray url = (baseUrl() + path).toUtf8();
    char errorBuffer[CURL_ERROR_SIZE] = {};

    curl_easy_setopt(handle, CURLOPT_URL, url.constData());
    setCommonOptions(handle, errorBuffer, transfer);
    curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT, 10L);
    if (request.timeoutSeconds > 0)
        curl_easy_setopt(handle, CURLOPT_TIMEOUT, request.timeoutSeconds);
    const QByteArray socketPath = QFile::encodeName(m_socketPath);
    if (!m_socketPath.isEmpty())
        curl_easy_setopt(handle, CURLOPT_UNIX_SOCKET_PATH, socketPath.constData());
    const QByteArray ca = QFile::encodeName(m_target.tlsCa);
    const QByteArray cert = QFile::encodeName(m_target.tlsCert);
    const QByteArray key = QFile::encodeName(m_target.tlsKey);
    if (m_endpoint.kind == EngineEndpoint::Kind::Tcp && m_endpoint.tls) {
        curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, 2L);
        curl_easy_setopt(handle, CURLOPT_CAINFO, ca.constData());
        curl_easy_setopt(handle, CURLOPT_SSLCERT, cert.constData());
        curl_easy_setopt(handle, CURLOPT_SSLKEY, key.constData());
    }
    curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, onHeader);
    curl_easy_setopt(handle, CURLOPT_HEADERDATA, &transfer);
    CurlHeaderList headerList;
    setMethodAndBody(handle, request, transfer, headerList);

    const CURLcode code = curl_easy_perform(handle);
    if (code == CURLE_ABORTED_BY_CALLBACK && m_stop.stop_requested())
        return Error::cancelled(QStringLiteral("%1: %2: cancelled").arg(where(), what));
    Reply reply;
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &reply.status);
    if (code == CURLE_WRITE_ERROR && transfer.consumerStopped) {
        // The consumer had what it wanted: not an error.
    } else if (code != CURLE_OK) {
        QString cause = curlError(code, errorBuffer);
        // Over a unix socket libcurl speaks of "localhost port 80"; name the socket instead.
        if (code == CURLE_COULDNT_CONNECT && !m_socketPath.isEmpty())
            cause = QStringLiteral("cannot connect to the socket %1 (%2)")
                        .arg(m_socketPath, QFileInfo::exists(m_socketPath)
                                               ? QStringLiteral("nothing answers there")
                                               : QStringLiteral("no such file"));
        QString hint;
        if (code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE)
            hint = QStringLiteral(" (the engine's TLS certificate is not signed by the target's CA)");
        return Error::failed(oneLine(QStringLiteral("%1: %2: %3%4").arg(where(), what, cause, hint)),
                             Error::Code::Unreachable);
    }
    reply.body = std::move(transfer.body);
    reply.apiVersionHeader = transfer.apiVersion;
    reply.libpodVersionHeader = transfer.libpodVersion;
    // Never the headers: X-Registry-Auth carries a credential.
    qCDebug(lcEngine) << m_target.name << request.method << path << "->" << reply.status;
    return reply;
}

Result<EngineConnection::Reply> EngineConnection::expect(const Request &request, const QString &what,
                                                         std::initializer_list<long> statuses)
{
    auto reply = send(request, what);
    if (!reply)
        return reply.error();
    for (long status : statuses)
        if (reply->status == status)
            return reply;
    return httpError(what, reply.value());
}

Status EngineConnection::connect()
{
    if (m_connected)
        return success();
    auto endpoint = parseEndpoint(m_target);
    if (!endpoint)
        return endpoint.error();
    m_endpoint = endpoint.value();
    m_apiVersion = QString::fromLatin1(ourApiVersion);

    if (m_endpoint.kind == EngineEndpoint::Kind::Unix)
        m_socketPath = m_endpoint.socketPath;

    if (m_endpoint.kind == EngineEndpoint::Kind::Ssh) {
        if (Status opened = openSshTunnel(); !opened)
            return opened;
    } else if (Status pinged = ping(); !pinged) {
        return pinged;
    }
    m_connected = true;
    return success();
}

Status EngineConnection::openSshTunnel()
{
    // Without a socket in the endpoint: Podman's system socket, else Docker's.
    const QStringList candidates =
        m_endpoint.socketPath.isEmpty()
            ? QStringList{QStringLiteral("/run/podman/podman.sock"), QStringLiteral("/var/run/docker.sock")}
            : QStringList{m_endpoint.socketPath};
    Error last = Error::failed({});
    for (const QString &remote : candidates) {
        m_tunnel = std::make_unique<SshTunnel>();
        if (Status opened =
                m_tunnel->open(m_endpoint.sshUser, m_endpoint.host, m_endpoint.port, remote, m_stop);
            !opened)
            return Error(opened.error().kind, QStringLiteral("%1: %2").arg(where(), opened.error().message));
        m_socketPath = m_tunnel->localSocket();
        if (Status pinged = ping(); pinged)
            break;
        else
            last = pinged.error();
        m_tunnel.reset();
    }
    if (!m_tunnel)
        return last;
    return success();
}

Status EngineConnection::ping()
{
    Request request;
    request.path = QStringLiteral("/_ping");
    request.versioned = false;
    request.timeoutSeconds = 20;
    auto reply = expect(request, QStringLiteral("ping"), {200});
    if (!reply)
        return reply.error();
    // Negotiate: the older of our version and the engine's.
    const QVersionNumber ours = QVersionNumber::fromString(QString::fromLatin1(ourApiVersion));
    const QVersionNumber theirs = QVersionNumber::fromString(QString::fromLatin1(reply->apiVersionHeader));
    if (!theirs.isNull() && theirs < ours)
        m_apiVersion = theirs.toString();
    // Podman says so on every answer; its own API does what the compatible one cannot.
    m_podman = !reply->libpodVersionHeader.isEmpty();
    return success();
}

Result<std::optional<bool>> EngineConnection::hostPathExists(const QString &path)
{
    switch (m_endpoint.kind) {
    case EngineEndpoint::Kind::Unix: {
        // Missing only when nothing is there; a path this user may not look into (the engine,
        // as root, may) is unknown.
        struct stat info;
        if (::stat(QFile::encodeName(path).constData(), &info) == 0)
            return std::optional<bool>(true);
        if (errno == ENOENT || errno == ENOTDIR)
            return std::optional<bool>(false);
        return std::optional<bool>();
    }
    case EngineEndpoint::Kind::Ssh: {
        if (!m_tunnel)
            return Error::failed(QStringLiteral("%1: not connected").arg(where()));
        auto exists = m_tunnel->pathExists(path, m_stop);
        if (!exists)
            return Error(exists.error().kind, QStringLiteral("%1: %2").arg(where(), exists.error().message));
        return exists.value();
    }
    case EngineEndpoint::Kind::Tcp:
        break;
    }
    return std::optional<bool>();
}

Result<quint16> EngineConnection::exposeLocalPort(quint16 port, quint16 preferredRemotePort)
{
    switch (m_endpoint.kind) {
    case EngineEndpoint::Kind::Unix:
        return port;
    case EngineEndpoint::Kind::Tcp:
        if (m_endpoint.host == u"127.0.0.1" || m_endpoint.host == u"localhost" || m_endpoint.host == u"::1")
            return port;
        return Error::failed(
            QStringLiteral("%1: the engine's host cannot reach this machine's loopback").arg(where()));
    case EngineEndpoint::Kind::Ssh:
        break;
    }
    if (auto it = m_reverseForwards.find(port); it != m_reverseForwards.end() && isOpen(it->tunnel))
        return it->value;
    if (!m_tunnel)
        return Error::failed(QStringLiteral("%1: not connected").arg(where()));
    // Through the connection that is already there; else (a wrapper in SLIPWAY_SSH_COMMAND that
    // does not multiplex, say) through a connection of its own.
    Result<quint16> remote = Error::failed(QString());
    if (preferredRemotePort != 0)
        remote = m_tunnel->addReverse(port, m_stop, preferredRemotePort);
    if (!remote && remote.error().kind != Error::Kind::Cancelled)
        remote = m_tunnel->addReverse(port, m_stop);
    std::shared_ptr<SshTunnel> own;
    if (!remote && remote.error().kind != Error::Kind::Cancelled) {
        qCDebug(lcEngine) << "ssh -O forward failed:" << remote.error().message;
        own = std::make_shared<SshTunnel>();
        remote = own->openReverse(m_endpoint.sshUser, m_endpoint.host, m_endpoint.port, port, m_stop);
    }
    if (!remote)
        return Error(remote.error().kind, QStringLiteral("%1: %2").arg(where(), remote.error().message));
    m_reverseForwards.insert(port, {own, remote.value()});
    return remote.value();
}

Result<QString> EngineConnection::forwardTcpPort(int port)
{
    if (m_endpoint.kind != EngineEndpoint::Kind::Ssh)
        return Error::failed(QStringLiteral("%1: port forwarding is for ssh targets").arg(where()));
    if (auto it = m_portForwards.find(port); it != m_portForwards.end() && isOpen(it->tunnel))
        return it->value;
    if (!m_tunnel)
        return Error::failed(QStringLiteral("%1: not connected").arg(where()));
    const QString remote = QStringLiteral("127.0.0.1:%1").arg(port);
    auto socket = m_tunnel->addForward(remote, m_stop);
    std::shared_ptr<SshTunnel> own;
    if (!socket && socket.error().kind != Error::Kind::Cancelled) {
        qCDebug(lcEngine) << "ssh -O forward failed:" << socket.error().message;
        own = std::make_shared<SshTunnel>();
        if (Status opened = own->open(m_endpoint.sshUser, m_endpoint.host, m_endpoint.port, remote, m_stop);
            opened)
            socket = own->localSocket();
        else
            socket = opened.error();
    }
    if (!socket)
        return Error(socket.error().kind, QStringLiteral("%1: %2").arg(where(), socket.error().message));
    m_portForwards.insert(port, {own, socket.value()});
    return socket.value();
}

// A forward made through the main tunnel lasts as long as it; one of its own, as long as that.
bool EngineConnection::isOpen(const std::shared_ptr<SshTunnel> &own) const
{
    return own ? own->isRunning() : m_tunnel && m_tunnel->isRunning();
}

long EngineConnection::httpGet(const QString &givenHost, int port, const QString &path, int timeoutSeconds,
                               QString *transportError)
{
    QString host = givenHost.isEmpty() ? QStringLiteral("127.0.0.1") : givenHost;
    QString socket;
    if (!givenHost.isEmpty()) {
        if (host.contains(u':'))
            host = u'[' + host + u']';
    } else if (m_endpoint.kind == EngineEndpoint::Kind::Tcp) {
        host = m_endpoint.host.contains(u':') ? u'[' + m_endpoint.host + u']' : m_endpoint.host;
    } else if (m_endpoint.kind == EngineEndpoint::Kind::Ssh) {
        auto forwarded = forwardTcpPort(port);
        if (!forwarded) {
            *transportError = forwarded.error().message;
            return 0;
        }
        socket = forwarded.value();
    }
    CurlEasy curl(curl_easy_init());
    CURL *handle = curl.get();
    Request request;
    Transfer transfer;
    transfer.request = &request;
    transfer.stop = &m_stop;
    const QString normalizedPath = path.startsWith(u'/') ? path : u'/' + path;
    const QByteArray url = (QStringLiteral("http://%1:%2").arg(host).arg(port) + normalizedPath).toUtf8();
    const QByteArray socketPath = QFile::encodeName(socket);
    char errorBuffer[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(handle, CURLOPT_URL, url.constData());
    setCommonOptions(handle, errorBuffer, transfer);
    curl_easy_setopt(handle, CURLOPT_TIMEOUT, long(qMax(1, timeoutSeconds)));
    if (!socket.isEmpty())
        curl_easy_setopt(handle, CURLOPT_UNIX_SOCKET_PATH, socketPath.constData());
    const CURLcode code = curl_easy_perform(handle);
    if (code != CURLE_OK) {
        *transportError = curlError(code, errorBuffer);
        return 0;
    }
    long status = 0;
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
    return status;
}

} // namespace slipway
