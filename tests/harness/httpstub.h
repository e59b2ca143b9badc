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
//
// With forward() in its handler it is a fault-injecting proxy in front of a real server (the
// harness registry): each request goes on as it came, or gets a 503 instead, a rewritten
// Location, half its body and a reset, as the test decides.
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
        bool stall = false;  // accept, read the request, never answer
        bool hangUp = false; // close the connection without an answer (a reset)
    };
    using Handler = std::function<Response(const Request &)>;

    explicit HttpStub(Handler handler); // handler runs on the connection threads

    // Sends request to the server on 127.0.0.1:port and returns its answer (status, headers but
    // the connection's own, body). With bodyBytes >= 0, sends only that much of the body, then
    // hangs up on the server and returns a Response with hangUp set. A 502 when it cannot connect.
    static Response forward(quint16 port, const Request &request, qsizetype bodyBytes = -1);
    // The value of header `name` (any case) in response.headers; empty when there is none.
    static QByteArray header(const Response &response, const QByteArray &name);
    static void setHeader(Response &response, const QByteArray &name, const QByteArray &value);
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
