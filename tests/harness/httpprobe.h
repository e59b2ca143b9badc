#pragma once

#include <QByteArray>
#include <QString>

namespace slipway::test {

// One HTTP request through libcurl, for tests that check a server answers. Not the product's
// HTTP client: tests use it to look at servers independently of the code under test.
struct HttpRequest
{
    HttpRequest(QString url_, QString unixSocket_ = {})
        : url(std::move(url_))
        , unixSocket(std::move(unixSocket_))
    {}

    QString url;
    QString unixSocket;   // talk HTTP over this socket instead of TCP
    QString caFile;       // trust this CA (TLS verification stays on)
    QString userPassword; // "user:password" for Basic auth
    QByteArray method = "GET";
    QByteArray body; // sent when not empty
};

struct HttpReply
{
    long status = 0;    // 0: no HTTP answer at all
    QString error;      // libcurl's message when status is 0
    QByteArray headers; // raw header block
    QByteArray body;
};

HttpReply httpRequest(const HttpRequest &request);

} // namespace slipway::test
