#include "registry/localregistry.h"

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

constexpr qsizetype maxHeaderBytes = 16 * 1024;
constexpr int maxConnections = 32;

bool sendAll(int fd, const char *data, qsizetype size)
{
    while (size > 0) {
        const ssize_t sent = ::send(fd, data, size_t(size), MSG_NOSIGNAL);
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent <= 0)
            return false;
        data += sent;
        size -= sent;
    }
    return true;
}

QByteArray head(int status, const QByteArray &reason, const QList<QByteArray> &headers, qint64 length)
{
    QByteArray text = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason + "\r\n";
    text += "Docker-Distribution-API-Version: registry/2.0\r\n";
    for (const QByteArray &header : headers)
        text += header + "\r\n";
    text += "Content-Length: " + QByteArray::number(length) + "\r\n\r\n";
    return text;
}

bool sendError(int fd, bool withBody, int status, const QByteArray &code, const QString &message)
{
    const QByteArray body =
        QJsonDocument(QJsonObject{{QStringLiteral("errors"),
                                   QJsonArray{QJsonObject{{QStringLiteral("code"), QString::fromLatin1(code)},
                                                          {QStringLiteral("message"), message}}}}})
            .toJson(QJsonDocument::Compact);
    const QByteArray reply = head(status, status == 404 ? "Not Found" : "Method Not Allowed",
                                  {"Content-Type: application/json"}, body.size()) +
                             (withBody ? body : QByteArray());
    return sendAll(fd, reply.constData(), reply.size());
}

} // namespace

LocalRegistry::LocalRegistry(QString blobsDir)
    : m_blobsDir(std::move(blobsDir))
{}

LocalRegistry::~LocalRegistry()
{
    stop();
}

Status LocalRegistry::start()
{
    if (m_listener >= 0)
        return success();
    if (::pipe2(m_wake, O_CLOEXEC) != 0)
        return Error::failed(QStringLiteral("local registry: cannot create a pipe: %1")
                                 .arg(QString::fromLocal8Bit(strerror(errno))));
    m_listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (m_listener < 0 || ::bind(m_listener, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 ||
        ::listen(m_listener, 64) != 0 ||
        ::getsockname(m_listener, reinterpret_cast<sockaddr *>(&address), &length) != 0) {
        const QString cause = QString::fromLocal8Bit(strerror(errno));
        stop();
        return Error::failed(QStringLiteral("local registry: cannot listen on 127.0.0.1: %1").arg(cause));
    }
    m_port = ntohs(address.sin_port);
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

// One connection: requests one after another (HTTP/1.1 keep-alive) until the client closes,
// asks to close, sends something that is not a request, or the registry stops.
void LocalRegistry::serve(int fd)
{
    QByteArray buffer;
    char chunk[4096];
    while (!m_stopping) {
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end < 0) {
            if (buffer.size() > maxHeaderBytes)
                return;
            pollfd fds[2] = {{fd, POLLIN, 0}, {m_wake[0], POLLIN, 0}};
            if (::poll(fds, 2, 60000) <= 0 || fds[1].revents)
                return;
            const ssize_t got = ::recv(fd, chunk, sizeof chunk, 0);
            if (got <= 0)
                return;
            buffer.append(chunk, got);
            // A TLS handshake (a client trying https first, as containers/image does): close at
            // once, so that it falls back to plain HTTP instead of waiting for its timeout.
            if (buffer.startsWith('\x16'))
                return;
            continue;
        }
        const QByteArray request = buffer.left(end);
        buffer.remove(0, end + 4);
        const QList<QByteArray> lines = request.split('\n');
        const QList<QByteArray> words = lines.constFirst().trimmed().split(' ');
        if (words.size() != 3)
            return;
        bool close = words.at(2) == "HTTP/1.0";
        for (const QByteArray &line : lines)
            if (line.toLower().startsWith("connection:") && line.toLower().contains("close"))
                close = true;
        if (!respond(fd, words.at(0), words.at(1)) || close)
            return;
    }
}

bool LocalRegistry::respond(int fd, const QByteArray &method, const QByteArray &target)
{
    if (method != "GET" && method != "HEAD")
        return sendError(fd, true, 405, "UNSUPPORTED", QStringLiteral("this registry is read-only"));
    const bool withBody = method == "GET";
    const QString path = QString::fromUtf8(target).section(u'?', 0, 0);
    if (path == u"/v2/" || path == u"/v2") {
        const QByteArray reply =
            head(200, "OK", {"Content-Type: application/json"}, 2) + (withBody ? "{}" : "");
        return sendAll(fd, reply.constData(), reply.size());
    }
    static const QRegularExpression route(
        QStringLiteral("^/v2/([a-z0-9._/-]+)/(manifests|blobs)/(sha256:[a-f0-9]{64})$"));
    const QRegularExpressionMatch match = route.match(path);
    const QString digest = match.captured(3);
    const bool manifest = match.captured(2) == u"manifests";
    if (!match.hasMatch() || !offered(digest))
        return sendError(fd, withBody, 404, manifest ? "MANIFEST_UNKNOWN" : "BLOB_UNKNOWN",
                         QStringLiteral("not offered here: %1").arg(path));
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
        return sendError(fd, withBody, 404, "BLOB_UNKNOWN",
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
        m_bytesBySpace[match.captured(1).section(u'/', 0, 0)] += sent;
    }
    qCDebug(lcRegistry).noquote() << "local registry sent" << digest << sent << "bytes";
    return sent == file.size();
}

} // namespace slipway
