#include "version.h"

#include <archive.h>
#include <curl/curl.h>
#include <git2/common.h>
#include <libdeflate.h>
#include <openssl/opensslv.h>
#include <zstd.h>

namespace slipway {

QString version()
{
    return QStringLiteral(SLIPWAY_VERSION);
}

QString versionWithLibraries(const QString &program)
{
    int gitMajor = 0, gitMinor = 0, gitRev = 0;
    git_libgit2_version(&gitMajor, &gitMinor, &gitRev);
    const curl_version_info_data *curl = curl_version_info(CURLVERSION_NOW);
    return QStringLiteral("%1 %2 (Qt %3, libgit2 %4.%5.%6, libcurl %7, libarchive %8, libdeflate %9, "
                          "zstd %10, %11)")
        .arg(program, version(), QString::fromLatin1(qVersion()))
        .arg(gitMajor)
        .arg(gitMinor)
        .arg(gitRev)
        .arg(QString::fromLatin1(curl->version),
             QString::fromLatin1(archive_version_details()).section(u' ', 1, 1),
             QStringLiteral(LIBDEFLATE_VERSION_STRING), QString::fromLatin1(ZSTD_versionString()),
             QStringLiteral(OPENSSL_VERSION_TEXT).section(u' ', 0, 1));
}

} // namespace slipway
