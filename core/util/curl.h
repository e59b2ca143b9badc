#pragma once

// libcurl's handles, owned: for core's HTTP clients (registry, engine). Core links libcurl
// privately, so nothing outside core includes this.

#include <QByteArray>
#include <QList>

#include <curl/curl.h>

#include <memory>

namespace slipway {

struct CurlEasyDeleter
{
    void operator()(CURL *curl) const { curl_easy_cleanup(curl); }
};
struct CurlSlistDeleter
{
    void operator()(curl_slist *list) const { curl_slist_free_all(list); }
};
using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;
using CurlHeaderList = std::unique_ptr<curl_slist, CurlSlistDeleter>;

// The headers as CURLOPT_HTTPHEADER takes them; the list must outlive the transfer.
inline CurlHeaderList curlHeaderList(const QList<QByteArray> &headers)
{
    curl_slist *list = nullptr;
    for (const QByteArray &header : headers)
        list = curl_slist_append(list, header.constData());
    return CurlHeaderList(list);
}

} // namespace slipway
