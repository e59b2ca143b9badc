#pragma once

#include <QString>

namespace slipway {

QString version();
// "slipway 0.1.0 (Qt 6.4.2, libgit2 1.5.1, libcurl 7.88.1, libarchive 3.6.2, zstd 1.5.4)"
QString versionWithLibraries(const QString &program);

} // namespace slipway
