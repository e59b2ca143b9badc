#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace slipway {

// Reads the blob a loose object file holds (zlib-deflated "blob SIZE\0" + content), checking the
// stream ends where the header says. libgit2 1.5 spins forever inflating a truncated loose
// object, so the git source reads loose objects itself and leaves packs to libgit2.
// Returns nullopt when there is no such file (the object is packed, or in an alternate).
// Errors say what is wrong with the file, for the caller to name path and blob.
std::optional<Result<QByteArray>> readLooseBlob(const QString &objectsDir, const QByteArray &hexId);

} // namespace slipway
