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
// expectedSize, when known (the tree's listing has it), lets the whole object inflate in one call
// into a buffer of exactly its size with libdeflate, several times faster than zlib's stream;
// any doubt falls back to the stream, which says what is wrong.
struct LooseBlob
{
    QByteArray object;        // "blob SIZE\0" + content: what the blob id is the SHA-1 of
    qsizetype headerSize = 0; // where the content starts
    const char *content() const { return object.constData() + headerSize; }
    qsizetype contentSize() const { return object.size() - headerSize; }
};
std::optional<Result<LooseBlob>> readLooseBlob(const QString &objectsDir, const QByteArray &hexId,
                                               qint64 expectedSize = -1);

} // namespace slipway
