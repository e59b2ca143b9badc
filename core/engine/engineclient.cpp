#include "engine/engineclient.h"

#include "engine/sshtunnel.h"
#include "util/curl.h"
#include "util/logging.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QUrl>
#include <QUrlQuery>
#include <QVersionNumber>

#include <curl/curl.h>

#include <cstring>
#include <thread>

#include <sys/socket.h>
#include <unistd.h>

namespace slipway {
namespace {

struct Transfer
{
    const EngineClient::Request *request = nullptr;
    const std::stop_token *stop = nullptr;
    QByteArray body;
    QByteArray apiVersion;
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

QByteArray toBase64Url(const QByteArray &bytes)
{
    return bytes.toBase64(QByteArray::Base64UrlEncoding);
}

QMap<QString, QString> toStringMap(const QJsonObject &object)
{
    QMap<QString, QString> map;
    for (auto it = object.begin(); it != object.end(); ++it)
        map.insert(it.key(), it.value().toString());
    return map;
}

QJsonObject toJson(const QMap<QString, QString> &map)
{
    QJsonObject object;
    for (auto it = map.begin(); it != map.end(); ++it)
        object.insert(it.key(), it.value());
    return object;
}

// Streamed progress answers (pull, load) are a series of JSON objects; an {"error": ...} in
// any of them is the failure, whatever the HTTP status said.
QString streamError(const QByteArray &body)
{
    QString error;
    for (const QByteArray &line : body.split('\n')) {
        const QJsonObject json = QJsonDocument::fromJson(line.trimmed()).object();
        if (json.contains(QStringLiteral("error"))) {
            const QJsonValue value = json.value(QStringLiteral("error"));
            error = value.isString() ? value.toString()
                                     : json.value(QStringLiteral("errorDetail"))
                                           .toObject()
                                           .value(QStringLiteral("message"))
                                           .toString();
            if (error.isEmpty())
                error = QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
        }
    }
    return oneLine(error);
}

} // namespace

EngineClient::EngineClient(Target target, std::stop_token stop)
    : m_target(std::move(target))
    , m_stop(std::move(stop))
{}

EngineClient::~EngineClient() = default;

QString EngineClient::where() const
{
    return describeTarget(m_target);
}

QString EngineClient::baseUrl() const
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

Error EngineClient::httpError(const QString &what, const Reply &reply) const
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

Result<EngineClient::Reply> EngineClient::send(const Request &request, const QString &what)
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
    curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, errorBuffer);
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle, CURLOPT_NOPROXY, "*");
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
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, onBody);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, onHeader);
    curl_easy_setopt(handle, CURLOPT_HEADERDATA, &transfer);
    curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, onProgress);
    curl_easy_setopt(handle, CURLOPT_XFERINFODATA, &transfer);

    QList<QByteArray> headers = request.headers;
    headers.append("Expect:");
    if (request.readBody) {
        headers.append("Content-Type: " + request.contentType);
        curl_easy_setopt(handle, CURLOPT_POST, 1L);
        curl_easy_setopt(handle, CURLOPT_READFUNCTION, onRead);
        curl_easy_setopt(handle, CURLOPT_READDATA, &transfer);
        headers.append("Transfer-Encoding: chunked");
    } else if (request.method != "GET") {
        if (!request.body.isEmpty())
            headers.append("Content-Type: " + request.contentType);
        curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, request.method.constData());
        curl_easy_setopt(handle, CURLOPT_POSTFIELDS, request.body.constData());
        curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.size()));
    }
    const CurlHeaderList headerList = curlHeaderList(headers);
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headerList.get());

    const CURLcode code = curl_easy_perform(handle);
    if (code == CURLE_ABORTED_BY_CALLBACK && m_stop.stop_requested())
        return Error::cancelled(QStringLiteral("%1: %2: cancelled").arg(where(), what));
    Reply reply;
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &reply.status);
    if (code == CURLE_WRITE_ERROR && transfer.consumerStopped) {
        // The consumer had what it wanted: not an error.
    } else if (code != CURLE_OK) {
        QString cause =
            errorBuffer[0] ? QString::fromUtf8(errorBuffer) : QString::fromUtf8(curl_easy_strerror(code));
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
    // Never the headers: X-Registry-Auth carries a credential.
    qCDebug(lcEngine) << m_target.name << request.method << path << "->" << reply.status;
    return reply;
}

Result<EngineClient::Reply> EngineClient::expect(const Request &request, const QString &what,
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

Status EngineClient::connect()
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
        // Without a socket in the endpoint: Podman's system socket, else Docker's.
        const QStringList candidates = m_endpoint.socketPath.isEmpty()
                                           ? QStringList{QStringLiteral("/run/podman/podman.sock"),
                                                         QStringLiteral("/var/run/docker.sock")}
                                           : QStringList{m_endpoint.socketPath};
        Error last = Error::failed({});
        for (const QString &remote : candidates) {
            m_tunnel = std::make_unique<SshTunnel>();
            if (Status opened =
                    m_tunnel->open(m_endpoint.sshUser, m_endpoint.host, m_endpoint.port, remote, m_stop);
                !opened)
                return Error(opened.error().kind,
                             QStringLiteral("%1: %2").arg(where(), opened.error().message));
            m_socketPath = m_tunnel->localSocket();
            if (Status pinged = ping(); pinged)
                break;
            else
                last = pinged.error();
            m_tunnel.reset();
        }
        if (!m_tunnel)
            return last;
    } else if (Status pinged = ping(); !pinged) {
        return pinged;
    }
    m_connected = true;
    return success();
}

Status EngineClient::ping()
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
    return success();
}

Result<EngineInfo> EngineClient::version()
{
    Request request;
    request.path = QStringLiteral("/version");
    auto reply = expect(request, QStringLiteral("version"), {200});
    if (!reply)
        return reply.error();
    const QJsonObject json = QJsonDocument::fromJson(reply->body).object();
    EngineInfo info;
    info.version = json.value(QStringLiteral("Version")).toString();
    info.apiVersion = json.value(QStringLiteral("ApiVersion")).toString();
    info.os = json.value(QStringLiteral("Os")).toString();
    info.arch = json.value(QStringLiteral("Arch")).toString();
    // Both list components; Podman's is "Podman Engine", Docker's "Engine".
    info.name = QStringLiteral("Docker Engine");
    const QJsonArray components = json.value(QStringLiteral("Components")).toArray();
    for (const QJsonValue &value : components) {
        const QString name = value.toObject().value(QStringLiteral("Name")).toString();
        if (name.contains(QStringLiteral("Podman"), Qt::CaseInsensitive))
            info.name = QStringLiteral("Podman Engine");
    }
    if (info.version.isEmpty() && info.apiVersion.isEmpty())
        return Error::failed(
            QStringLiteral("%1: version: the answer is not an engine's version document").arg(where()));
    return info;
}

Status EngineClient::pull(const QString &reference, const std::optional<Credential> &credential,
                          const QString &registry)
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("fromImage"), reference);
    Request request;
    request.method = "POST";
    request.path = QStringLiteral("/images/create?") + query.toString(QUrl::FullyEncoded);
    request.timeoutSeconds = 0;
    if (credential) {
        QJsonObject auth;
        if (credential->isIdentityToken) {
            auth.insert(QStringLiteral("identitytoken"), credential->secret);
        } else {
            auth.insert(QStringLiteral("username"), credential->username);
            auth.insert(QStringLiteral("password"), credential->secret);
        }
        auth.insert(QStringLiteral("serveraddress"), registry);
        request.headers.append("X-Registry-Auth: " +
                               toBase64Url(QJsonDocument(auth).toJson(QJsonDocument::Compact)));
    }
    const QString what = QStringLiteral("pull %1").arg(reference);
    auto reply = expect(request, what, {200});
    if (!reply)
        return reply.error();
    if (const QString error = streamError(reply->body); !error.isEmpty())
        return Error::failed(QStringLiteral("%1: %2: %3").arg(where(), what, error));
    return success();
}

Status EngineClient::load(const std::function<Status(const Writer &write)> &produce)
{
    // The producer pushes blocks, libcurl pulls them: a socket pair between a producer thread
    // and the transfer keeps at most a socket buffer of the archive in memory. Written with
    // MSG_NOSIGNAL, so an engine that stops reading fails the write instead of raising SIGPIPE.
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
        return Error::failed(QStringLiteral("%1: load image: cannot create a socket pair").arg(where()));
    int readFd = fds[0];
    int writeFd = fds[1];
    Status produced = success();
    std::thread producer([&] {
        const Writer write = [&](const char *data, qsizetype size) -> Status {
            while (size > 0) {
                const ssize_t n = ::send(writeFd, data, size_t(size), MSG_NOSIGNAL);
                if (n < 0) {
                    if (errno == EINTR)
                        continue;
                    return Error::failed(QStringLiteral("the engine stopped reading the image"));
                }
                data += n;
                size -= n;
            }
            return success();
        };
        produced = produce(write);
        ::close(writeFd);
    });

    bool producerJoined = false;
    const auto joinProducer = [&] {
        if (!producerJoined) {
            producer.join();
            producerJoined = true;
        }
    };
    Request request;
    request.method = "POST";
    request.path = QStringLiteral("/images/load");
    request.contentType = "application/x-tar";
    request.timeoutSeconds = 0;
    request.readBody = [&](char *buffer, qsizetype size) -> qsizetype {
        for (;;) {
            const ssize_t n = ::read(readFd, buffer, size_t(size));
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                return -1;
            if (n == 0) {
                // End of the archive: only a complete one may end the body normally.
                joinProducer();
                return produced ? 0 : -1;
            }
            return qsizetype(n);
        }
    };
    auto reply = expect(request, QStringLiteral("load image"), {200});
    // Unblock a producer still writing (its write fails), then wait for it.
    ::close(readFd);
    joinProducer();
    if (!produced)
        return Error(produced.error().kind,
                     QStringLiteral("%1: load image: %2").arg(where(), produced.error().message));
    if (!reply)
        return reply.error();
    if (const QString error = streamError(reply->body); !error.isEmpty())
        return Error::failed(QStringLiteral("%1: load image: %2").arg(where(), error));
    return success();
}

Result<std::optional<QJsonObject>> EngineClient::inspectImage(const QString &name)
{
    Request request;
    request.path =
        QStringLiteral("/images/%1/json").arg(QString::fromUtf8(QUrl::toPercentEncoding(name, "/:@")));
    auto reply = expect(request, QStringLiteral("inspect image %1").arg(name), {200, 404});
    if (!reply)
        return reply.error();
    if (reply->status == 404)
        return std::optional<QJsonObject>();
    return std::optional<QJsonObject>(QJsonDocument::fromJson(reply->body).object());
}

Result<QString> EngineClient::createContainer(const ContainerSpec &spec)
{
    QJsonObject body;
    body.insert(QStringLiteral("Image"), spec.image);
    body.insert(QStringLiteral("Labels"), toJson(spec.labels));
    QJsonArray env;
    for (auto it = spec.env.begin(); it != spec.env.end(); ++it)
        env.append(QString(it.key() + u'=' + it.value()));
    if (!env.isEmpty())
        body.insert(QStringLiteral("Env"), env);

    QJsonObject hostConfig;
    QJsonObject exposed;
    QJsonObject bindings;
    for (const QString &port : spec.ports) {
        const qsizetype colon = port.lastIndexOf(u':');
        const QString hostPart = colon < 0 ? port : port.left(colon);
        QString containerPart = colon < 0 ? port : port.mid(colon + 1);
        if (!containerPart.contains(u'/'))
            containerPart += QStringLiteral("/tcp");
        QString hostIp;
        QString hostPort = hostPart;
        if (const qsizetype ipColon = hostPart.lastIndexOf(u':'); ipColon >= 0) {
            hostIp = hostPart.left(ipColon);
            hostPort = hostPart.mid(ipColon + 1);
        }
        exposed.insert(containerPart, QJsonObject());
        QJsonObject binding{{QStringLiteral("HostPort"), hostPort.section(u'/', 0, 0)}};
        if (!hostIp.isEmpty())
            binding.insert(QStringLiteral("HostIp"), hostIp);
        QJsonArray list = bindings.value(containerPart).toArray();
        list.append(binding);
        bindings.insert(containerPart, list);
    }
    if (!exposed.isEmpty()) {
        body.insert(QStringLiteral("ExposedPorts"), exposed);
        hostConfig.insert(QStringLiteral("PortBindings"), bindings);
    }
    if (!spec.network.isEmpty())
        hostConfig.insert(QStringLiteral("NetworkMode"), spec.network);
    if (!spec.restart.isEmpty())
        hostConfig.insert(QStringLiteral("RestartPolicy"),
                          QJsonObject{{QStringLiteral("Name"), spec.restart}});
    body.insert(QStringLiteral("HostConfig"), hostConfig);
    if (!spec.healthcheck.isEmpty()) {
        body.insert(QStringLiteral("Healthcheck"),
                    QJsonObject{{QStringLiteral("Test"), QJsonArray::fromStringList(spec.healthcheck)},
                                {QStringLiteral("Interval"), qint64(1000000000)},
                                {QStringLiteral("Retries"), 3}});
    }

    Request request;
    request.method = "POST";
    request.path = QStringLiteral("/containers/create");
    if (!spec.name.isEmpty())
        request.path += QStringLiteral("?name=") + QString::fromUtf8(QUrl::toPercentEncoding(spec.name));
    request.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    auto reply = expect(request, QStringLiteral("create container %1").arg(spec.name), {200, 201});
    // Docker says 409 when the name is taken; some Podman versions answer 500 "already in use".
    if (!reply && reply.error().message.contains(QStringLiteral("already in use")))
        return reply.error().withCode(Error::Code::Conflict);
    if (!reply)
        return reply.error();
    const QString id = QJsonDocument::fromJson(reply->body).object().value(QStringLiteral("Id")).toString();
    if (id.isEmpty())
        return Error::failed(QStringLiteral("%1: create container %2: the engine answered without an id")
                                 .arg(where(), spec.name));
    return id;
}

Status EngineClient::startContainer(const QString &id)
{
    Request request;
    request.method = "POST";
    request.path = QStringLiteral("/containers/%1/start").arg(id);
    auto reply = expect(request, QStringLiteral("start container %1").arg(id.left(12)), {204, 304});
    if (!reply)
        return reply.error();
    return success();
}

Result<ContainerState> EngineClient::inspectContainer(const QString &id)
{
    Request request;
    request.path = QStringLiteral("/containers/%1/json").arg(id);
    auto reply = expect(request, QStringLiteral("inspect container %1").arg(id.left(12)), {200});
    if (!reply)
        return reply.error();
    const QJsonObject json = QJsonDocument::fromJson(reply->body).object();
    const QJsonObject state = json.value(QStringLiteral("State")).toObject();
    ContainerState result;
    result.id = json.value(QStringLiteral("Id")).toString();
    result.name = json.value(QStringLiteral("Name")).toString();
    if (result.name.startsWith(u'/'))
        result.name.remove(0, 1);
    result.status = state.value(QStringLiteral("Status")).toString();
    result.running = state.value(QStringLiteral("Running")).toBool();
    result.exitCode = state.value(QStringLiteral("ExitCode")).toInt();
    result.restartCount = json.value(QStringLiteral("RestartCount")).toInt();
    result.error = state.value(QStringLiteral("Error")).toString();
    result.health =
        state.value(QStringLiteral("Health")).toObject().value(QStringLiteral("Status")).toString();
    result.startedAt = state.value(QStringLiteral("StartedAt")).toString();
    const QJsonObject network = json.value(QStringLiteral("NetworkSettings")).toObject();
    result.ipAddress = network.value(QStringLiteral("IPAddress")).toString();
    const QJsonObject networks = network.value(QStringLiteral("Networks")).toObject();
    for (auto it = networks.begin(); result.ipAddress.isEmpty() && it != networks.end(); ++it)
        result.ipAddress = it.value().toObject().value(QStringLiteral("IPAddress")).toString();
    result.labels = toStringMap(
        json.value(QStringLiteral("Config")).toObject().value(QStringLiteral("Labels")).toObject());
    return result;
}

Status EngineClient::stopContainer(const QString &id, int timeoutSeconds)
{
    Request request;
    request.method = "POST";
    if (timeoutSeconds <= 0) {
        // No grace: SIGKILL alone. Docker's stop?t=0 sends SIGTERM first, and a process that
        // handles it may end on its own before the kill; Podman's kills at once. Both answer a
        // SIGKILL once the container has stopped; 409: it was not running.
        request.path = QStringLiteral("/containers/%1/kill?signal=SIGKILL").arg(id);
        request.timeoutSeconds = 30;
        auto reply = expect(request, QStringLiteral("stop container %1").arg(id.left(12)), {204, 409});
        if (!reply)
            return reply.error();
        return success();
    }
    request.path = QStringLiteral("/containers/%1/stop?t=%2").arg(id).arg(timeoutSeconds);
    request.timeoutSeconds = timeoutSeconds + 30;
    auto reply = expect(request, QStringLiteral("stop container %1").arg(id.left(12)), {204, 304});
    if (!reply)
        return reply.error();
    return success();
}

Status EngineClient::removeContainer(const QString &id, bool force)
{
    Request request;
    request.method = "DELETE";
    request.path =
        QStringLiteral("/containers/%1?force=%2").arg(id, force ? QStringLiteral("1") : QStringLiteral("0"));
    request.timeoutSeconds = 60;
    auto reply = expect(request, QStringLiteral("remove container %1").arg(id.left(12)), {200, 204, 404});
    if (!reply)
        return reply.error();
    return success();
}

Result<QList<ContainerSummary>> EngineClient::listContainers(const QStringList &labels)
{
    const QJsonObject filters{{QStringLiteral("label"), QJsonArray::fromStringList(labels)}};
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("all"), QStringLiteral("1"));
    query.addQueryItem(QStringLiteral("filters"),
                       QString::fromUtf8(QJsonDocument(filters).toJson(QJsonDocument::Compact)));
    Request request;
    request.path = QStringLiteral("/containers/json?") + query.toString(QUrl::FullyEncoded);
    auto reply = expect(request, QStringLiteral("list containers"), {200});
    if (!reply)
        return reply.error();
    QList<ContainerSummary> containers;
    const QJsonArray array = QJsonDocument::fromJson(reply->body).array();
    for (const QJsonValue &value : array) {
        const QJsonObject json = value.toObject();
        ContainerSummary summary;
        summary.id = json.value(QStringLiteral("Id")).toString();
        const QJsonArray names = json.value(QStringLiteral("Names")).toArray();
        summary.name = names.isEmpty() ? QString() : names.first().toString();
        if (summary.name.startsWith(u'/'))
            summary.name.remove(0, 1);
        summary.image = json.value(QStringLiteral("Image")).toString();
        summary.state = json.value(QStringLiteral("State")).toString();
        summary.labels = toStringMap(json.value(QStringLiteral("Labels")).toObject());
        // Filter again: an engine that ignores a filter must not make us touch foreign containers.
        bool matches = true;
        for (const QString &label : labels) {
            const qsizetype eq = label.indexOf(u'=');
            const QString key = eq < 0 ? label : label.left(eq);
            if (!summary.labels.contains(key) || (eq >= 0 && summary.labels.value(key) != label.mid(eq + 1)))
                matches = false;
        }
        if (matches)
            containers.append(summary);
    }
    return containers;
}

void EngineClient::demultiplex(QByteArray &pending, QByteArray chunk,
                               const std::function<void(int stream, const QByteArray &payload)> &onFrame)
{
    pending.append(chunk);
    qsizetype offset = 0;
    while (pending.size() - offset >= 8) {
        const auto *header = reinterpret_cast<const unsigned char *>(pending.constData() + offset);
        const int stream = header[0];
        // Not a multiplexed stream (a container with a TTY): hand over the raw bytes.
        if (stream > 2 || header[1] || header[2] || header[3]) {
            onFrame(1, pending.mid(offset));
            offset = pending.size();
            break;
        }
        const quint32 size = (quint32(header[4]) << 24) | (quint32(header[5]) << 16) |
                             (quint32(header[6]) << 8) | quint32(header[7]);
        if (pending.size() - offset - 8 < qsizetype(size))
            break;
        onFrame(stream == 0 ? 1 : stream, pending.mid(offset + 8, size));
        offset += 8 + size;
    }
    pending.remove(0, offset);
}

Result<QStringList> EngineClient::logs(const QString &id, int tail)
{
    Request request;
    request.path = QStringLiteral("/containers/%1/logs?stdout=1&stderr=1&tail=%2").arg(id).arg(tail);
    auto reply = expect(request, QStringLiteral("logs of container %1").arg(id.left(12)), {200});
    if (!reply)
        return reply.error();
    QByteArray pending;
    QByteArray text;
    demultiplex(pending, reply->body, [&](int, const QByteArray &payload) { text.append(payload); });
    text.append(pending);
    QStringList lines = QString::fromUtf8(text).split(u'\n');
    while (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast();
    return lines;
}

Status EngineClient::followLogs(const QString &id, const std::function<bool(int, const QString &)> &onLine,
                                int tail)
{
    QByteArray pending;
    QByteArray partial[3];
    bool keepGoing = true;
    Request request;
    request.path = QStringLiteral("/containers/%1/logs?stdout=1&stderr=1&follow=1&tail=%2")
                       .arg(id, tail < 0 ? QStringLiteral("all") : QString::number(tail));
    request.timeoutSeconds = 0;
    request.onData = [&](const char *data, qsizetype size) {
        demultiplex(pending, QByteArray(data, size), [&](int stream, const QByteArray &payload) {
            QByteArray &buffer = partial[stream];
            buffer.append(payload);
            qsizetype newline;
            while (keepGoing && (newline = buffer.indexOf('\n')) >= 0) {
                keepGoing = onLine(stream, QString::fromUtf8(buffer.left(newline)));
                buffer.remove(0, newline + 1);
            }
        });
        return keepGoing;
    };
    auto reply = send(request, QStringLiteral("follow logs of container %1").arg(id.left(12)));
    if (!reply)
        return reply.error();
    if (reply->status != 200)
        return httpError(QStringLiteral("follow logs of container %1").arg(id.left(12)), reply.value());
    for (int stream = 1; stream <= 2 && keepGoing; ++stream)
        if (!partial[stream].isEmpty())
            keepGoing = onLine(stream, QString::fromUtf8(partial[stream]));
    return success();
}

Result<int> EngineClient::exec(const QString &id, const QStringList &command, QString *output,
                               int timeoutSeconds)
{
    const QString what = QStringLiteral("exec in container %1").arg(id.left(12));
    Request create;
    create.method = "POST";
    create.path = QStringLiteral("/containers/%1/exec").arg(id);
    create.body = QJsonDocument(QJsonObject{{QStringLiteral("Cmd"), QJsonArray::fromStringList(command)},
                                            {QStringLiteral("AttachStdout"), true},
                                            {QStringLiteral("AttachStderr"), true}})
                      .toJson(QJsonDocument::Compact);
    auto created = expect(create, what, {200, 201});
    if (!created)
        return created.error();
    const QString execId =
        QJsonDocument::fromJson(created->body).object().value(QStringLiteral("Id")).toString();
    if (execId.isEmpty())
        return Error::failed(QStringLiteral("%1: %2: the engine answered without an id").arg(where(), what));

    Request start;
    start.method = "POST";
    start.path = QStringLiteral("/exec/%1/start").arg(execId);
    start.body = QJsonDocument(QJsonObject{{QStringLiteral("Detach"), false}, {QStringLiteral("Tty"), false}})
                     .toJson(QJsonDocument::Compact);
    start.timeoutSeconds = timeoutSeconds;
    auto started = expect(start, what, {200});
    if (!started) {
        // Podman refuses to start an exec whose program is not in the image; Docker starts it
        // and reports exit status 126 or 127.
        const QString &message = started.error().message;
        if (message.contains(QStringLiteral("not found")) || message.contains(QStringLiteral("no such file")))
            return started.error().withCode(Error::Code::NotExecutable);
        return started.error();
    }
    if (output) {
        QByteArray pending;
        QByteArray text;
        demultiplex(pending, started->body, [&](int, const QByteArray &payload) { text.append(payload); });
        *output = QString::fromUtf8(text + pending);
    }

    Request inspect;
    inspect.path = QStringLiteral("/exec/%1/json").arg(execId);
    auto inspected = expect(inspect, what, {200});
    if (!inspected)
        return inspected.error();
    const QJsonObject json = QJsonDocument::fromJson(inspected->body).object();
    return json.value(QStringLiteral("ExitCode")).toInt(-1);
}

Result<QString> EngineClient::forwardTcpPort(int port)
{
    if (m_endpoint.kind != EngineEndpoint::Kind::Ssh)
        return Error::failed(QStringLiteral("%1: port forwarding is for ssh targets").arg(where()));
    if (auto it = m_portForwards.find(port); it != m_portForwards.end() && it.value()->isRunning())
        return it.value()->localSocket();
    auto tunnel = std::make_shared<SshTunnel>();
    if (Status opened = tunnel->open(m_endpoint.sshUser, m_endpoint.host, m_endpoint.port,
                                     QStringLiteral("127.0.0.1:%1").arg(port), m_stop);
        !opened)
        return Error(opened.error().kind, QStringLiteral("%1: %2").arg(where(), opened.error().message));
    m_portForwards.insert(port, tunnel);
    return tunnel->localSocket();
}

long EngineClient::httpGet(const QString &givenHost, int port, const QString &path, int timeoutSeconds,
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
    curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, errorBuffer);
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(handle, CURLOPT_TIMEOUT, long(qMax(1, timeoutSeconds)));
    if (!socket.isEmpty())
        curl_easy_setopt(handle, CURLOPT_UNIX_SOCKET_PATH, socketPath.constData());
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, onBody);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, onProgress);
    curl_easy_setopt(handle, CURLOPT_XFERINFODATA, &transfer);
    const CURLcode code = curl_easy_perform(handle);
    if (code != CURLE_OK) {
        *transportError =
            errorBuffer[0] ? QString::fromUtf8(errorBuffer) : QString::fromUtf8(curl_easy_strerror(code));
        return 0;
    }
    long status = 0;
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
    return status;
}

} // namespace slipway
