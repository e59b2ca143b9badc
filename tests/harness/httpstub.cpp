#include "httpstub.h"

#include <QMutex>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <thread>
#include <vector>

namespace slipway::test {

struct HttpStub::Private
{
    Handler handler;
    int listener = -1;
    quint16 port = 0;
    std::atomic<bool> stopping = false;
    std::atomic<int> requests = 0;
    std::thread acceptor;
    QMutex mutex;
    std::vector<std::thread> connections;

    // Waits for fd to be readable, giving up when the stub stops.
    bool waitReadable(int fd) const
    {
        while (!stopping) {
            pollfd entry{.fd = fd, .events = POLLIN, .revents = 0};
            const int ready = ::poll(&entry, 1, 50);
            if (ready > 0)
                return true;
            if (ready < 0)
                return false;
        }
        return false;
    }

    void serve(int fd)
    {
        QByteArray data;
        qsizetype headerEnd = -1;
        char buffer[65536];
        while (headerEnd < 0) {
            if (!waitReadable(fd))
                return finish(fd);
            const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
            if (n <= 0)
                return finish(fd);
            data.append(buffer, n);
            // A TLS handshake (0x16) is no HTTP request: hang up.
            if (data.startsWith('\x16'))
                return finish(fd);
            headerEnd = data.indexOf("\r\n\r\n");
        }
        Request request;
        const QList<QByteArray> lines = data.left(headerEnd).split('\n');
        const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
        request.method = requestLine.value(0);
        request.target = requestLine.value(1);
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines.at(i).indexOf(':');
            if (colon > 0)
                request.headers.insert(lines.at(i).left(colon).trimmed().toLower(),
                                       lines.at(i).mid(colon + 1).trimmed());
        }
        const qint64 length = request.headers.value("content-length").toLongLong();
        request.body = data.mid(headerEnd + 4);
        while (request.body.size() < length) {
            if (!waitReadable(fd))
                return finish(fd);
            const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
            if (n <= 0)
                return finish(fd);
            request.body.append(buffer, n);
        }
        ++requests;
        const Response response = handler(request);
        if (response.stall) {
            while (!stopping)
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            return finish(fd);
        }
        if (response.hangUp)
            return finish(fd);
        QByteArray out = "HTTP/1.1 " + QByteArray::number(response.status) + " Stub\r\n";
        for (const QByteArray &header : response.headers)
            out += header + "\r\n";
        // A forwarded HEAD answer keeps the length of what a GET would send.
        if (HttpStub::header(response, "content-length").isEmpty())
            out += "Content-Length: " + QByteArray::number(response.body.size()) + "\r\n";
        out += "Connection: close\r\n\r\n";
        if (request.method != "HEAD")
            out += response.body;
        qsizetype sent = 0;
        while (sent < out.size()) {
            const ssize_t n = ::send(fd, out.constData() + sent, size_t(out.size() - sent), MSG_NOSIGNAL);
            if (n <= 0)
                break;
            sent += n;
        }
        finish(fd);
    }

    static void finish(int fd)
    {
        ::shutdown(fd, SHUT_RDWR);
        ::close(fd);
    }

    void acceptLoop()
    {
        while (waitReadable(listener)) {
            const int fd = ::accept(listener, nullptr, nullptr);
            if (fd < 0 && (errno == EBADF || errno == ENOTSOCK || errno == EINVAL)) {
                // Something else in the process closed this fd number (a stale close of a
                // number since reused), and maybe opened another under it: say so, the
                // clients' "connection refused" follows (seen once in CI, not explained).
                qCritical("HttpStub on port %d: its listening socket (fd %d) is gone: closed by someone else",
                          int(port), listener);
                return;
            }
            if (fd < 0)
                continue;
            const QMutexLocker lock(&mutex);
            connections.emplace_back([this, fd] { serve(fd); });
        }
    }
};

HttpStub::HttpStub(Handler handler)
    : d(std::make_unique<Private>())
{
    d->handler = std::move(handler);
    d->listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t size = sizeof address;
    if (d->listener < 0 || ::bind(d->listener, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 ||
        ::listen(d->listener, 64) != 0 ||
        ::getsockname(d->listener, reinterpret_cast<sockaddr *>(&address), &size) != 0)
        return;
    d->port = ntohs(address.sin_port);
    d->acceptor = std::thread([this] { d->acceptLoop(); });
}

HttpStub::~HttpStub()
{
    d->stopping = true;
    if (d->acceptor.joinable())
        d->acceptor.join();
    for (std::thread &connection : d->connections)
        connection.join();
    if (d->listener >= 0)
        ::close(d->listener);
}

bool HttpStub::isListening() const
{
    return d->port != 0;
}

quint16 HttpStub::port() const
{
    return d->port;
}

QString HttpStub::address() const
{
    return QStringLiteral("127.0.0.1:%1").arg(d->port);
}

int HttpStub::requestCount() const
{
    return d->requests;
}

namespace {

bool sendAll(int fd, const char *data, qsizetype size)
{
    while (size > 0) {
        const ssize_t n = ::send(fd, data, size_t(size), MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        data += n;
        size -= n;
    }
    return true;
}

} // namespace

HttpStub::Response HttpStub::forward(quint16 port, const Request &request, qsizetype bodyBytes)
{
    Response response;
    response.status = 502;
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
        if (fd >= 0)
            ::close(fd);
        return response;
    }
    // HTTP/1.0 and Connection: close: the answer ends where the connection does, never chunked.
    QByteArray out = request.method + ' ' + request.target + " HTTP/1.0\r\n";
    for (auto it = request.headers.cbegin(); it != request.headers.cend(); ++it)
        if (it.key() != "connection" && it.key() != "keep-alive" && it.key() != "expect")
            out += it.key() + ": " + it.value() + "\r\n";
    out += "Connection: close\r\n\r\n";
    const bool partial = bodyBytes >= 0 && bodyBytes < request.body.size();
    if (!sendAll(fd, out.constData(), out.size()) ||
        !sendAll(fd, request.body.constData(), partial ? bodyBytes : request.body.size()) || partial) {
        ::shutdown(fd, SHUT_RDWR);
        ::close(fd);
        response.hangUp = true;
        return response;
    }
    QByteArray answer;
    char buffer[65536];
    for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;)
        answer.append(buffer, n);
    ::close(fd);
    const qsizetype headerEnd = answer.indexOf("\r\n\r\n");
    if (headerEnd < 0)
        return response;
    const QList<QByteArray> lines = answer.left(headerEnd).split('\n');
    response.status = lines.value(0).split(' ').value(1).toInt();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const QByteArray name = line.left(line.indexOf(':')).trimmed().toLower();
        if (name.isEmpty() || name == "connection" || name == "keep-alive" ||
            (name == "content-length" && request.method != "HEAD"))
            continue;
        response.headers.append(line);
    }
    response.body = answer.mid(headerEnd + 4);
    return response;
}

QByteArray HttpStub::header(const Response &response, const QByteArray &name)
{
    for (const QByteArray &line : response.headers) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.left(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
            return line.mid(colon + 1).trimmed();
    }
    return {};
}

void HttpStub::setHeader(Response &response, const QByteArray &name, const QByteArray &value)
{
    for (QByteArray &line : response.headers) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.left(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0) {
            line = name + ": " + value;
            return;
        }
    }
    response.headers.append(name + ": " + value);
}

} // namespace slipway::test
