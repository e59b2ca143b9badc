#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>

namespace slipway::test {

// A tiny HTTP/1.1 server on 127.0.0.1 for behaviour a real registry cannot show on demand (garbage
// answers, 500s, stalls) and for the token server of the token-auth tests. Each connection is
// served on a thread of its own, one request per connection. TLS client hellos are hung up on,
// so a client that tries HTTPS first falls back to plain HTTP at once.
class HttpStub final
{
public:
    struct Request
    {
        QByteArray method;
        QByteArray target;                     // path and query, as sent
        QHash<QByteArray, QByteArray> headers; // lower-case names
        QByteArray body;
    };
    struct Response
    {
        int status = 200;
        QList<QByteArray> headers; // "Name: value"
        QByteArray body;
        bool stall = false; // accept, read the request, never answer
    };
    using Handler = std::function<Response(const Request &)>;

    explicit HttpStub(Handler handler); // handler runs on the connection threads
    ~HttpStub();
    HttpStub(const HttpStub &) = delete;
    HttpStub &operator=(const HttpStub &) = delete;

    bool isListening() const;
    quint16 port() const;
    QString address() const; // "127.0.0.1:PORT"
    int requestCount() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace slipway::test
