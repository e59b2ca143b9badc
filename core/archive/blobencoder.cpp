#include "blobencoder.h"

#include "util/sha256.h"

#include <QThreadPool>

#include <libdeflate.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace slipway {

namespace {

// gzip input is cut at fixed 1 MiB boundaries, whatever the writes look like, so the output is a
// function of the input and level alone. Part of the cache key: changing it changes the bytes.
constexpr qsizetype GzipChunkSize = qsizetype(1) << 20;

// The default gzip level: on real trees (a Node app's node_modules, Debian's Python) the fastest
// whose blob is no larger than umoci's; tests/bench/realtree-bench.sh measures it.
constexpr int GzipMinLevel = 1, GzipMaxLevel = 12, GzipDefaultLevel = 3;
constexpr int ZstdMinLevel = 1, ZstdMaxLevel = 19, ZstdDefaultLevel = 3;
// A 32-bit content checksum at the end of the zstd frame: `zstd -t` and every decoder can then
// tell a damaged blob by itself (4 bytes, xxhash speed), not only through the digest.
constexpr int ZstdChecksumFlag = 1;

struct CompressorDeleter
{
    void operator()(libdeflate_compressor *compressor) const { libdeflate_free_compressor(compressor); }
};

// One compressor per thread and level, kept for the life of the (pool) thread: allocating one
// costs more than compressing a small chunk.
libdeflate_compressor *deflateCompressor(int level)
{
    thread_local std::array<std::unique_ptr<libdeflate_compressor, CompressorDeleter>, GzipMaxLevel + 1>
        cache;
    auto &slot = cache[size_t(level)];
    if (!slot)
        slot.reset(libdeflate_alloc_compressor(level));
    return slot.get();
}

// One gzip member to be: compressed on any thread, emitted by the producer in order.
struct GzipChunk
{
    QByteArray input;
    QByteArray output;
    bool failed = false;
    bool done = false; // guarded by ChunkSignal::mutex
};

struct ChunkSignal
{
    std::mutex mutex;
    std::condition_variable chunkDone;
    quint64 completed = 0; // chunks done so far; guarded by mutex
};

void compressChunk(GzipChunk &chunk, int level)
{
    libdeflate_compressor *compressor = deflateCompressor(level);
    if (!compressor) {
        chunk.failed = true;
        return;
    }
    const size_t bound = libdeflate_gzip_compress_bound(compressor, size_t(chunk.input.size()));
    chunk.output = QByteArray(qsizetype(bound), Qt::Uninitialized);
    const size_t size = libdeflate_gzip_compress(compressor, chunk.input.constData(),
                                                 size_t(chunk.input.size()), chunk.output.data(), bound);
    if (size == 0) {
        chunk.failed = true;
        return;
    }
    chunk.output.truncate(qsizetype(size));
}

} // namespace

QString Compression::name() const
{
    switch (algorithm) {
    case Algorithm::Gzip:
        return QStringLiteral("gzip");
    case Algorithm::Zstd:
        return QStringLiteral("zstd");
    case Algorithm::None:
        break;
    }
    return QStringLiteral("none");
}

QString Compression::layerMediaType() const
{
    switch (algorithm) {
    case Algorithm::Gzip:
        return QStringLiteral("application/vnd.oci.image.layer.v1.tar+gzip");
    case Algorithm::Zstd:
        return QStringLiteral("application/vnd.oci.image.layer.v1.tar+zstd");
    case Algorithm::None:
        break;
    }
    return QStringLiteral("application/vnd.oci.image.layer.v1.tar");
}

QString Compression::cacheKey() const
{
    switch (algorithm) {
    case Algorithm::Gzip:
        return QStringLiteral("gzip-%1-chunk%2-libdeflate%3")
            .arg(level)
            .arg(GzipChunkSize)
            .arg(LIBDEFLATE_VERSION_MAJOR);
    case Algorithm::Zstd:
        return QStringLiteral("zstd-%1-checksum%2-zstd%3")
            .arg(level)
            .arg(ZstdChecksumFlag)
            .arg(ZSTD_VERSION_MAJOR);
    case Algorithm::None:
        break;
    }
    return QStringLiteral("none");
}

Result<Compression> Compression::fromName(const QString &name, int level)
{
    const QString key = name.trimmed().toLower();
    Compression compression;
    int minLevel = 0, maxLevel = 0;
    if (key == QLatin1String("gzip")) {
        compression.algorithm = Algorithm::Gzip;
        compression.level = level < 0 ? GzipDefaultLevel : level;
        minLevel = GzipMinLevel;
        maxLevel = GzipMaxLevel;
    } else if (key == QLatin1String("zstd")) {
        compression.algorithm = Algorithm::Zstd;
        compression.level = level < 0 ? ZstdDefaultLevel : level;
        minLevel = ZstdMinLevel;
        maxLevel = ZstdMaxLevel;
    } else if (key == QLatin1String("none")) {
        compression.algorithm = Algorithm::None;
        compression.level = 0;
        return compression;
    } else {
        return Error::badInput(
            QStringLiteral("unknown compression \"%1\" (expected gzip, zstd or none)").arg(name));
    }
    if (compression.level < minLevel || compression.level > maxLevel)
        return Error::badInput(QStringLiteral("compression level %1 is out of range for %2 (%3-%4)")
                                   .arg(level)
                                   .arg(compression.name())
                                   .arg(minLevel)
                                   .arg(maxLevel));
    return compression;
}

class BlobEncoder::Private
{
public:
    Private(Compression compression, BlobSink sink, QThreadPool *pool, int maxThreads);
    ~Private();

    Status write(const char *data, qsizetype size);
    Result<EncodedBlob> finish();

    Status fail(Error error);
    void setError(Error error) { (void)fail(std::move(error)); }
    Status deliver(const char *data, qsizetype size);

    // gzip
    Status writeGzip(const char *data, qsizetype size);
    Status submitChunk();
    Status waitForRoom();
    Status deliverFinishedChunks(bool waitForAll);
    QByteArray freshChunkBuffer();

    // zstd
    Status compressZstd(const char *data, qsizetype size, ZSTD_EndDirective directive);

    Compression m_compression;
    BlobSink m_sink;
    QThreadPool *m_pool = nullptr;
    int m_maxThreads = 1;

    Sha256 m_inputHash;
    Sha256 m_outputHash;
    qint64 m_bytesIn = 0;
    qint64 m_bytesOut = 0;
    bool m_failed = false;
    bool m_finished = false;
    Error m_error;

    QByteArray m_current; // the gzip chunk being filled
    qint64 m_chunksSubmitted = 0;
    std::deque<std::shared_ptr<GzipChunk>> m_inFlight; // submission order
    std::vector<QByteArray> m_spareBuffers;
    std::shared_ptr<ChunkSignal> m_signal = std::make_shared<ChunkSignal>();

    ZSTD_CCtx *m_zstd = nullptr;
    QByteArray m_zstdOutput;
};

BlobEncoder::Private::Private(Compression compression, BlobSink sink, QThreadPool *pool, int maxThreads)
    : m_compression(compression)
    , m_sink(std::move(sink))
    , m_pool(pool)
    , m_maxThreads(std::max(1, maxThreads))
{
    switch (m_compression.algorithm) {
    case Compression::Algorithm::Gzip:
        if (m_compression.level < GzipMinLevel || m_compression.level > GzipMaxLevel) {
            setError(Error::badInput(QStringLiteral("gzip level %1 is out of range (%2-%3)")
                                         .arg(m_compression.level)
                                         .arg(GzipMinLevel)
                                         .arg(GzipMaxLevel)));
            break;
        }
        m_current = freshChunkBuffer();
        break;
    case Compression::Algorithm::Zstd: {
        if (m_compression.level < ZstdMinLevel || m_compression.level > ZstdMaxLevel) {
            setError(Error::badInput(QStringLiteral("zstd level %1 is out of range (%2-%3)")
                                         .arg(m_compression.level)
                                         .arg(ZstdMinLevel)
                                         .arg(ZstdMaxLevel)));
            break;
        }
        m_zstd = ZSTD_createCCtx();
        if (!m_zstd) {
            setError(Error::failed(QStringLiteral("zstd: cannot create a compression context")));
            break;
        }
        // At least one worker always: libzstd's output is then the same for any worker count
        // (with none it would differ), so the digest does not depend on the machine.
        const size_t results[] = {
            ZSTD_CCtx_setParameter(m_zstd, ZSTD_c_compressionLevel, m_compression.level),
            ZSTD_CCtx_setParameter(m_zstd, ZSTD_c_checksumFlag, ZstdChecksumFlag),
            ZSTD_CCtx_setParameter(m_zstd, ZSTD_c_nbWorkers, m_maxThreads),
        };
        for (size_t result : results) {
            if (ZSTD_isError(result)) {
                setError(Error::failed(QStringLiteral("zstd: %1 (libzstd %2 needs multithreading support)")
                                           .arg(QString::fromUtf8(ZSTD_getErrorName(result)),
                                                QString::fromLatin1(ZSTD_versionString()))));
                break;
            }
        }
        m_zstdOutput = QByteArray(qsizetype(ZSTD_CStreamOutSize()), Qt::Uninitialized);
        break;
    }
    case Compression::Algorithm::None:
        break;
    }
}

BlobEncoder::Private::~Private()
{
    // Chunks still compressing on the pool hold their own references; waiting for them keeps
    // an abandoned encoder from leaving work behind.
    {
        std::unique_lock lock(m_signal->mutex);
        for (const auto &chunk : m_inFlight)
            m_signal->chunkDone.wait(lock, [&] { return chunk->done; });
    }
    if (m_zstd)
        ZSTD_freeCCtx(m_zstd);
}

Status BlobEncoder::Private::fail(Error error)
{
    if (!m_failed) {
        m_failed = true;
        m_error = std::move(error);
    }
    return m_error;
}

Status BlobEncoder::Private::deliver(const char *data, qsizetype size)
{
    if (size == 0)
        return success();
    m_outputHash.update(data, size);
    m_bytesOut += size;
    Status status = m_sink(data, size);
    if (!status.ok())
        return fail(status.error());
    return success();
}

Status BlobEncoder::Private::write(const char *data, qsizetype size)
{
    if (m_failed)
        return m_error;
    if (m_finished)
        return fail(Error::failed(QStringLiteral("blob encoder: write after finish")));
    if (size <= 0)
        return success();
    m_inputHash.update(data, size);
    m_bytesIn += size;
    switch (m_compression.algorithm) {
    case Compression::Algorithm::Gzip:
        return writeGzip(data, size);
    case Compression::Algorithm::Zstd:
        return compressZstd(data, size, ZSTD_e_continue);
    case Compression::Algorithm::None:
        break;
    }
    // Pass-through: the output hash is the input hash, so only the sink is left to do.
    m_bytesOut += size;
    Status status = m_sink(data, size);
    if (!status.ok())
        return fail(status.error());
    return success();
}

QByteArray BlobEncoder::Private::freshChunkBuffer()
{
    if (!m_spareBuffers.empty()) {
        QByteArray buffer = std::move(m_spareBuffers.back());
        m_spareBuffers.pop_back();
        buffer.clear(); // keeps the capacity: the array is not shared
        return buffer;
    }
    QByteArray buffer;
    buffer.reserve(GzipChunkSize);
    return buffer;
}

Status BlobEncoder::Private::writeGzip(const char *data, qsizetype size)
{
    while (size > 0) {
        const qsizetype take = std::min(size, GzipChunkSize - m_current.size());
        m_current.append(data, take);
        data += take;
        size -= take;
        if (m_current.size() == GzipChunkSize) {
            Status status = submitChunk();
            if (!status.ok())
                return status;
        }
    }
    return success();
}

Status BlobEncoder::Private::submitChunk()
{
    Status status = waitForRoom();
    if (!status.ok())
        return status;

    auto chunk = std::make_shared<GzipChunk>();
    chunk->input = std::exchange(m_current, QByteArray());
    ++m_chunksSubmitted;
    m_inFlight.push_back(chunk);

    const int level = m_compression.level;
    bool started = false;
    // tryStart, never start(): the producer may itself run on a pool thread, and waiting for a
    // free one could wait forever. With no free thread the chunk compresses right here.
    if (m_pool && m_maxThreads > 1) {
        const auto job = [chunk, signal = m_signal, level] {
            compressChunk(*chunk, level);
            const std::lock_guard lock(signal->mutex);
            chunk->done = true;
            ++signal->completed;
            signal->chunkDone.notify_all();
        };
        // A worker that has just signalled its chunk is still running for a few microseconds:
        // try again briefly rather than compress here while that thread goes idle.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(500);
        while (!(started = m_pool->tryStart(job)) && std::chrono::steady_clock::now() < deadline)
            std::this_thread::yield();
    }
    if (!started) {
        compressChunk(*chunk, level);
        const std::lock_guard lock(m_signal->mutex);
        chunk->done = true;
        ++m_signal->completed;
    }
    m_current = freshChunkBuffer();
    return deliverFinishedChunks(false);
}

Status BlobEncoder::Private::waitForRoom()
{
    // At most m_maxThreads chunks compress at once, and at most two more wait, compressed, for
    // an older one: a thread that finishes early starts the next chunk instead of idling, and
    // memory stays at a few chunks whatever the blob size.
    const qsizetype maxPending = qsizetype(m_maxThreads) + 2;
    for (;;) {
        Status status = deliverFinishedChunks(false);
        if (!status.ok())
            return status;
        std::unique_lock lock(m_signal->mutex);
        const auto compressing = std::count_if(m_inFlight.begin(), m_inFlight.end(),
                                               [](const auto &chunk) { return !chunk->done; });
        if (compressing < m_maxThreads && qsizetype(m_inFlight.size()) < maxPending)
            return success();
        const quint64 seen = m_signal->completed;
        m_signal->chunkDone.wait(lock, [&] { return m_signal->completed != seen; });
    }
}

Status BlobEncoder::Private::deliverFinishedChunks(bool waitForAll)
{
    while (!m_inFlight.empty()) {
        const std::shared_ptr<GzipChunk> head = m_inFlight.front();
        {
            std::unique_lock lock(m_signal->mutex);
            if (!head->done && !waitForAll)
                return success();
            m_signal->chunkDone.wait(lock, [&] { return head->done; });
        }
        m_inFlight.pop_front();
        if (head->failed)
            return fail(Error::failed(QStringLiteral("gzip: cannot compress (out of memory?)")));
        Status status = deliver(head->output.constData(), head->output.size());
        if (!status.ok())
            return status;
        if (m_spareBuffers.size() < 2)
            m_spareBuffers.push_back(std::move(head->input));
    }
    return success();
}

Status BlobEncoder::Private::compressZstd(const char *data, qsizetype size, ZSTD_EndDirective directive)
{
    ZSTD_inBuffer input{data, size_t(size), 0};
    for (;;) {
        ZSTD_outBuffer output{m_zstdOutput.data(), size_t(m_zstdOutput.size()), 0};
        const size_t remaining = ZSTD_compressStream2(m_zstd, &output, &input, directive);
        if (ZSTD_isError(remaining))
            return fail(Error::failed(
                QStringLiteral("zstd: %1").arg(QString::fromUtf8(ZSTD_getErrorName(remaining)))));
        Status status = deliver(m_zstdOutput.constData(), qsizetype(output.pos));
        if (!status.ok())
            return status;
        const bool done = directive == ZSTD_e_end ? remaining == 0 : input.pos == input.size;
        if (done)
            return success();
    }
}

Result<EncodedBlob> BlobEncoder::Private::finish()
{
    if (m_failed)
        return m_error;
    if (m_finished)
        return fail(Error::failed(QStringLiteral("blob encoder: finished twice"))).error();
    m_finished = true;

    switch (m_compression.algorithm) {
    case Compression::Algorithm::Gzip: {
        // The last, short chunk; or one empty member, so that even no input is a valid gzip file.
        if (!m_current.isEmpty() || m_chunksSubmitted == 0) {
            Status status = submitChunk();
            if (!status.ok())
                return status.error();
        }
        Status status = deliverFinishedChunks(true);
        if (!status.ok())
            return status.error();
        break;
    }
    case Compression::Algorithm::Zstd: {
        Status status = compressZstd(nullptr, 0, ZSTD_e_end);
        if (!status.ok())
            return status.error();
        break;
    }
    case Compression::Algorithm::None:
        break;
    }

    EncodedBlob blob;
    blob.diffId = m_inputHash.digest();
    blob.digest =
        m_compression.algorithm == Compression::Algorithm::None ? blob.diffId : m_outputHash.digest();
    blob.uncompressedSize = m_bytesIn;
    blob.size = m_bytesOut;
    return blob;
}

BlobEncoder::BlobEncoder(Compression compression, BlobSink sink, QThreadPool *pool, int maxThreads)
    : d(std::make_unique<Private>(compression, std::move(sink), pool, maxThreads))
{}

BlobEncoder::~BlobEncoder() = default;

Status BlobEncoder::write(const char *data, qsizetype size)
{
    return d->write(data, size);
}

Result<EncodedBlob> BlobEncoder::finish()
{
    return d->finish();
}

qint64 BlobEncoder::bytesIn() const
{
    return d->m_bytesIn;
}

qint64 BlobEncoder::bytesOut() const
{
    return d->m_bytesOut;
}

} // namespace slipway
