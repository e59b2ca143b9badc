#include "httpprobe.h"

#include <curl/curl.h>

#include <memory>

namespace slipway::test {
namespace {

size_t append(char *data, size_t size, size_t count, void *target)
{
    static_cast<QByteArray *>(target)->append(data, qsizetype(size * count));
    return size * count;
}

} // namespace

HttpReply httpRequest(const HttpRequest &request)
{
    HttpReply reply;
    const std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
    const QByteArray url = request.url.toUtf8();
    const QByteArray socket = request.unixSocket.toLocal8Bit();
    const QByteArray ca = request.caFile.toLocal8Bit();
    const QByteArray credentials = request.userPassword.toUtf8();
    char error[CURL_ERROR_SIZE] = {};

    curl_easy_setopt(curl.get(), CURLOPT_URL, url.constData());
    curl_easy_setopt(curl.get(), CURLOPT_CUSTOMREQUEST, request.method.constData());
    curl_easy_setopt(curl.get(), CURLOPT_NOPROXY, "*");
    curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &append);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &reply.body);
    curl_easy_setopt(curl.get(), CURLOPT_HEADERFUNCTION, &append);
    curl_easy_setopt(curl.get(), CURLOPT_HEADERDATA, &reply.headers);
    if (!request.body.isEmpty()) {
        curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, request.body.constData());
        curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, long(request.body.size()));
    }
    if (!socket.isEmpty())
        curl_easy_setopt(curl.get(), CURLOPT_UNIX_SOCKET_PATH, socket.constData());
    if (!ca.isEmpty())
        curl_easy_setopt(curl.get(), CURLOPT_CAINFO, ca.constData());
    if (!credentials.isEmpty()) {
        curl_easy_setopt(curl.get(), CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
        curl_easy_setopt(curl.get(), CURLOPT_USERPWD, credentials.constData());
    }
    const CURLcode code = curl_easy_perform(curl.get());
    if (code != CURLE_OK) {
        reply.error = QString::fromUtf8(error[0] ? error : curl_easy_strerror(code));
        return reply;
    }
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &reply.status);
    return reply;
}

} // namespace slipway::test
