#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QString>

#include <functional>
#include <memory>

class QThreadPool;

namespace slipway {

struct Compression
{
    enum class Algorithm
    {
        Gzip,
        Zstd,
        None
    };
    Algorithm algorithm = Algorithm::Gzip;
    int level = 3; // gzip: 1-12 (libdeflate), zstd: 1-19; ignored for None

    QString name() const; // "gzip", "zstd", "none"
    // OCI media type of a layer compressed this way.
    QString layerMediaType() const;
    // Part of the layer cache key: algorithm, level, chunk size, library major version.
    QString cacheKey() const;
    static Result<Compression> fromName(const QString &name, int level = -1);
};

struct EncodedBlob
{
    QString diffId; // "sha256:<hex>" of the uncompressed input
    QString digest; // "sha256:<hex>" of the compressed output
    qint64 uncompressedSize = 0;
    qint64 size = 0; // compressed bytes
};

// Receives compressed output in order; returns an error to stop.
using BlobSink = std::function<Status(const char *data, qsizetype size)>;

// Streams bytes in, compressed bytes out, with sha256 of both, in one pass.
// gzip: the input is cut into fixed 1 MiB chunks, each compressed with libdeflate into a gzip
// member of its own, on `pool` threads when free (inline otherwise), and concatenated in order:
// the same input and level give the same bytes whatever the thread count.
// zstd: libzstd with at least one worker thread (its output does not depend on the count).
// Not thread-safe: one producer thread calls write() and finish().
class BlobEncoder
{
public:
    // maxThreads: how many chunks may compress at once (1: all on the calling thread).
    BlobEncoder(Compression compression, BlobSink sink, QThreadPool *pool, int maxThreads);
    ~BlobEncoder();
    BlobEncoder(const BlobEncoder &) = delete;
    BlobEncoder &operator=(const BlobEncoder &) = delete;

    Status write(const char *data, qsizetype size);
    Result<EncodedBlob> finish();

    qint64 bytesIn() const;
    qint64 bytesOut() const;

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace slipway
