#pragma once

#include "archive/blobencoder.h"
#include "projectfile/spec.h"
#include "source/source.h"
#include "util/result.h"

#include <QString>

#include <optional>

namespace slipway {

class ContentStore;

// What a built layer is, as the cache remembers it.
struct LayerBlob
{
    QString digest; // compressed blob, "sha256:..."
    QString diffId; // uncompressed tar, "sha256:..."
    QString mediaType;
    qint64 size = 0;
    qint64 uncompressedSize = 0;
    qint64 files = 0;
};

// Layers already built, by the hash of everything that decides their bytes: the spec entry,
// the (path, kind, content id) of every file it takes, the compressor settings, the tar mtime
// and the tar format version. An entry counts only while its blob is in the store.
class LayerCache
{
public:
    LayerCache(QString directory, const ContentStore &store);

    static QString key(const LayerSpec &layer, const QList<SourceFile> &files, const Compression &compression,
                       qint64 mtime);
    // An engine-built layer (importEngineImage): its uncompressed digest and the compressor
    // settings decide the compressed blob's bytes.
    static QString importKey(const QString &diffId, const Compression &compression);

    std::optional<LayerBlob> find(const QString &key) const;
    Status remember(const QString &key, const LayerBlob &blob) const;

private:
    QString m_directory;
    const ContentStore &m_store;
};

} // namespace slipway
