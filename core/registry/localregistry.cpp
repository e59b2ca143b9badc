#include "registry/localregistry.h"

#include "registry/localregistryhttp.h"
#include "store/contentstore.h"
#include "util/logging.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <cerrno>

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace slipway {
namespace {

using localregistry::head;
using localregistry::sendAll;
using localregistry::sendError;

constexpr qsizetype maxHeaderBytes = 16 * 1024;
constexpr int maxConnections = 32;

} // namespace

LocalRegistry::LocalRegistry(QString blobsDir)
    : m_blobsDir(std::move(blobsDir))
{}

LocalRegistry::~LocalRegistry()
{
    stop();
}

Status LocalRegistry::start(quint16 preferredPort)
{
    if (m_listener >= 0)
        return success();
    if (::pipe2(m_wake, O_CLOEXEC) != 0)
        return Error::failed(QStringLiteral("local registry: cannot create a pipe: %1")
                                 .arg(QString::fromLocal8Bit(strerror(errno))));
    const auto listenOn = [this](quint16 port) {
        m_listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        address.sin_port = htons(port);
        socklen_t length = sizeof address;
        // The port of an earlier run may still have connections in TIME_WAIT.
        const int reuse = 1;
        const bool listening =
            m_listener >= 0 &&
            ::setsockopt(m_listener, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof reuse) == 0 &&
            ::bind(m_listener, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0 &&
            ::listen(m_listener, 64) == 0 &&
            ::getsockname(m_listener, reinterpret_cast<sockaddr *>(&address), &length) == 0;
        if (listening)
            m_port = ntohs(address.sin_port);
        else if (m_listener >= 0) {
            ::close(m_listener);
            m_listener = -1;
        }
        return listening;
    };
    if (!(preferredPort != 0 && listenOn(preferredPort)) && !listenOn(0)) {
        const QString cause = QString::fromLocal8Bit(strerror(errno));
        stop();
        return Error::failed(QStringLiteral("local registry: cannot listen on 127.0.0.1: %1").arg(cause));
    }
    m_stopping = false;
    m_acceptor = std::thread([this] { acceptLoop(); });
    return success();
}

void LocalRegistry::stop()
{
    m_stopping = true;
    if (m_wake[1] >= 0) {
        const char byte = 's';
        [[maybe_unused]] const auto written = ::write(m_wake[1], &byte, 1);
    }
    {
        const QMutexLocker lock(&m_mutex);
        for (int fd : std::as_const(m_open))
            ::shutdown(fd, SHUT_RDWR);
    }
    if (m_acceptor.joinable())
        m_acceptor.join();
    for (int &fd : m_wake)
        if (fd >= 0) {
            ::close(fd);
            fd = -1;
        }
    if (m_listener >= 0) {
        ::close(m_listener);
        m_listener = -1;
    }
}

Status LocalRegistry::offer(const QString &digest)
{
    const ContentStore store(m_blobsDir);
    auto bytes = store.read(digest);
    if (!bytes)
        return Error::badInput(QStringLiteral("local registry: manifest %1 is not in the content store %2")
                                   .arg(digest, m_blobsDir));
    const QJsonObject json = QJsonDocument::fromJson(bytes.value()).object();
    QString mediaType = json.value(QStringLiteral("mediaType")).toString();
    QStringList blobs;
    QStringList manifests;
    if (json.contains(QStringLiteral("manifests"))) {
        if (mediaType.isEmpty())
            mediaType = QStringLiteral("application/vnd.oci.image.index.v1+json");
        for (const QJsonValue &entry : json.value(QStringLiteral("manifests")).toArray())
            manifests.append(entry.toObject().value(QStringLiteral("digest")).toString());
    } else {
        if (mediaType.isEmpty())
            mediaType = QStringLiteral("application/vnd.oci.image.manifest.v1+json");
        blobs.append(
            json.value(QStringLiteral("config")).toObject().value(QStringLiteral("digest")).toString());
        for (const QJsonValue &layer : json.value(QStringLiteral("layers")).toArray())
            blobs.append(layer.toObject().value(QStringLiteral("digest")).toString());
    }
    for (const QString &blob : std::as_const(blobs))
        if (!store.contains(blob))
            return Error::badInput(QStringLiteral("local registry: blob %1 of %2 is not in the content store")
                                       .arg(blob, digest));
    for (const QString &manifest : std::as_const(manifests))
        if (Status offeredChild = offer(manifest); !offeredChild)
            return offeredChild;
    const QMutexLocker lock(&m_mutex);
    m_manifestTypes.insert(digest, mediaType);
    m_offered.insert(digest);
    for (const QString &blob : std::as_const(blobs))
        m_offered.insert(blob);
    return success();
}

qint64 LocalRegistry::blobBytesSentTo(const QString &space) const
{
    const QMutexLocker lock(&m_mutex);
    return m_bytesBySpace.value(space);
}

bool LocalRegistry::offered(const QString &digest) const
{
    const QMutexLocker lock(&m_mutex);
    return m_offered.contains(digest);
}

void LocalRegistry::reapFinished()
{
    for (auto it = m_connections.begin(); it != m_connections.end();) {
        if (it->done) {
            it->thread.join();
            it = m_connections.erase(it);
        } else {
            ++it;
        }
    }
}

void LocalRegistry::acceptLoop()
{
    while (!m_stopping) {
        pollfd fds[2] = {{m_listener, POLLIN, 0}, {m_wake[0], POLLIN, 0}};
        if (::poll(fds, 2, 1000) < 0 && errno != EINTR)
            break;
        reapFinished();
        if (m_stopping || fds[1].revents)
            break;
        if (!(fds[0].revents & POLLIN))
            continue;
        const int fd = ::accept4(m_listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        if (m_connections.size() >= maxConnections) {
            ::close(fd);
            continue;
        }
        {
            const QMutexLocker lock(&m_mutex);
            m_open.insert(fd);
        }
        Connection &connection = m_connections.emplace_back();
        connection.thread = std::thread([this, fd, &connection] {
            serve(fd);
            {
                const QMutexLocker lock(&m_mutex);
                m_open.remove(fd);
            }
            ::close(fd);
            connection.done = true;
        });
    }
    for (Connection &connection : m_connections)
        connection.thread.join();
    m_connections.clear();
}

// More of the connection's bytes into `buffer`; false when it closed, timed out or the
// registry stops.
bool LocalRegistry::receive(int fd, QByteArray &buffer, int timeoutMs)
{
    char chunk[64 * 1024];
    pollfd fds[2] = {{fd, POLLIN, 0}, {m_wake[0], POLLIN, 0}};
    if (::poll(fds, 2, timeoutMs) <= 0 || fds[1].revents || m_stopping)
        return false;
    const ssize_t got = ::recv(fd, chunk, sizeof chunk, 0);
    if (got <= 0)
        return false;
    buffer.append(chunk, got);
    return true;
}

// One connection: requests one after another (HTTP/1.1 keep-alive) until the client closes,
// asks to close, sends something that is not a request, or the registry stops.
void LocalRegistry::serve(int fd)
{
    QByteArray buffer;
    while (!m_stopping) {
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end < 0) {
            if (buffer.size() > maxHeaderBytes || !receive(fd, buffer))
                return;
            // A TLS handshake (a client trying https first, as containers/image does): close at
            // once, so that it falls back to plain HTTP instead of waiting for its timeout.
            if (buffer.startsWith('\x16'))
                return;
            continue;
        }
        const QByteArray head = buffer.left(end);
        buffer.remove(0, end + 4);
        const QList<QByteArray> lines = head.split('\n');
        const QList<QByteArray> words = lines.constFirst().trimmed().split(' ');
        if (words.size() != 3)
            return;
        Request request;
        request.method = words.at(0);
        const QString target = QString::fromUtf8(words.at(1));
        request.path = target.section(u'?', 0, 0);
        request.query = target.section(u'?', 1);
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray &line = lines.at(i);
            const qsizetype colon = line.indexOf(':');
            if (colon > 0)
                request.headers.insert(line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed());
        }
        const bool close =
            words.at(2) == "HTTP/1.0" || request.headers.value("connection").toLower().contains("close");
        if (!respond(fd, request, buffer) || close)
            return;
    }
}

bool LocalRegistry::respond(int fd, const Request &request, QByteArray &buffer)
{
    qCDebug(lcRegistry).noquote() << "local registry:" << request.method << request.path << request.query;
    static const QRegularExpression route(
        QStringLiteral("^/v2/([a-z0-9._/-]+)/(manifests|blobs)/(sha256:[a-f0-9]{64})$"));
    const QRegularExpressionMatch match = route.match(request.path);
    const bool reading = request.method == "GET" || request.method == "HEAD";
    if (reading && (request.path == u"/v2/" || request.path == u"/v2")) {
        const QByteArray reply =
            head(200, "OK", {"Content-Type: application/json"}, 2) + (request.method == "GET" ? "{}" : "");
        return sendAll(fd, reply.constData(), reply.size());
    }
    if (reading && match.hasMatch() && offered(match.captured(3)))
        return sendBlob(fd, request, match.captured(1).section(u'/', 0, 0), match.captured(3),
                        match.captured(2) == u"manifests");
    return respondToPush(fd, request, buffer);
}

// GET or HEAD of a blob or manifest in the store, by digest.
bool LocalRegistry::sendBlob(int fd, const Request &request, const QString &space, const QString &digest,
                             bool manifest)
{
    const bool withBody = request.method == "GET";
    QString mediaType = QStringLiteral("application/octet-stream");
    if (manifest) {
        const QMutexLocker lock(&m_mutex);
        if (!m_manifestTypes.contains(digest))
            return sendError(fd, withBody, 404, "MANIFEST_UNKNOWN",
                             QStringLiteral("not a manifest: %1").arg(digest));
        mediaType = m_manifestTypes.value(digest);
    }
    QFile file(ContentStore(m_blobsDir).blobPath(digest));
    if (!file.open(QIODevice::ReadOnly))
        return sendError(fd, withBody, 404, manifest ? "MANIFEST_UNKNOWN" : "BLOB_UNKNOWN",
                         QStringLiteral("gone from the store: %1").arg(digest));
    const QByteArray reply =
        head(200, "OK",
             {"Content-Type: " + mediaType.toUtf8(), "Docker-Content-Digest: " + digest.toLatin1(),
              "Etag: \"" + digest.toLatin1() + '"'},
             file.size());
    if (!sendAll(fd, reply.constData(), reply.size()))
        return false;
    if (!withBody)
        return true;
    QByteArray data(1 << 20, Qt::Uninitialized);
    qint64 sent = 0;
    while (!m_stopping) {
        const qint64 got = file.read(data.data(), data.size());
        if (got < 0)
            return false;
        if (got == 0)
            break;
        if (!sendAll(fd, data.constData(), got))
            return false;
        sent += got;
    }
    if (!manifest) {
        m_blobBytes += sent;
        ++m_blobs;
        const QMutexLocker lock(&m_mutex);
        m_bytesBySpace[space] += sent;
    }
    qCDebug(lcRegistry).noquote() << "local registry sent" << digest << sent << "bytes";
    return sent == file.size();
}

} // namespace slipway
