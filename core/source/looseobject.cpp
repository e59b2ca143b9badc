#include "source/looseobject.h"

#include <QFile>

#include <libdeflate.h>
#include <zlib.h>

#include <array>
#include <cstring>
#include <memory>

namespace slipway {

namespace {

struct InflateEnd
{
    void operator()(z_stream *stream) const { inflateEnd(stream); }
};

Result<LooseBlob> broken(const char *why)
{
    return Error::failed(QString::fromLatin1(why));
}

struct DecompressorDeleter
{
    void operator()(libdeflate_decompressor *decompressor) const
    {
        libdeflate_free_decompressor(decompressor);
    }
};

// The whole object in one call, when it is exactly a blob of expectedSize bytes; nullopt otherwise.
std::optional<LooseBlob> inflateWhole(const QByteArray &compressed, qint64 expectedSize)
{
    thread_local std::unique_ptr<libdeflate_decompressor, DecompressorDeleter> decompressor(
        libdeflate_alloc_decompressor());
    if (!decompressor)
        return std::nullopt;
    const QByteArray header = "blob " + QByteArray::number(expectedSize) + '\0';
    QByteArray object(header.size() + qsizetype(expectedSize), Qt::Uninitialized);
    size_t actual = 0;
    // With a size to report, libdeflate also accepts a stream shorter than the buffer: asking
    // for it and comparing tells a short object from a long one (INSUFFICIENT_SPACE).
    const libdeflate_result result =
        libdeflate_zlib_decompress(decompressor.get(), compressed.constData(), size_t(compressed.size()),
                                   object.data(), size_t(object.size()), &actual);
    if (result != LIBDEFLATE_SUCCESS || actual != size_t(object.size()) || !object.startsWith(header))
        return std::nullopt;
    return LooseBlob{std::move(object), header.size()};
}

} // namespace

std::optional<Result<LooseBlob>> readLooseBlob(const QString &objectsDir, const QByteArray &hexId,
                                               qint64 expectedSize)
{
    QFile file(objectsDir + u'/' + QString::fromLatin1(hexId.left(2)) + u'/' +
               QString::fromLatin1(hexId.mid(2)));
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QByteArray compressed = file.readAll();
    if (file.error() != QFileDevice::NoError)
        return Result<LooseBlob>(Error::failed(file.errorString()));
    if (expectedSize >= 0) {
        if (std::optional<LooseBlob> whole = inflateWhole(compressed, expectedSize))
            return Result<LooseBlob>(std::move(*whole));
    }

    z_stream stream;
    std::memset(&stream, 0, sizeof stream);
    if (inflateInit(&stream) != Z_OK)
        return broken("zlib could not start");
    const std::unique_ptr<z_stream, InflateEnd> guard(&stream);
    stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(compressed.constData()));
    stream.avail_in = uInt(compressed.size());

    // "blob SIZE\0" then SIZE bytes, and the stream must end exactly there.
    QByteArray raw;
    qsizetype headerLength = -1;
    qint64 size = -1;
    std::array<char, 64 * 1024> piece;
    for (;;) {
        stream.next_out = reinterpret_cast<Bytef *>(piece.data());
        stream.avail_out = uInt(piece.size());
        const int status = inflate(&stream, Z_NO_FLUSH);
        if (status != Z_OK && status != Z_STREAM_END) {
            // With room to write, Z_BUF_ERROR means the input ran out before the stream ended.
            return status == Z_BUF_ERROR ? broken("the object file is truncated")
                                         : broken("the object file is not a valid zlib stream");
        }
        raw.append(piece.data(), qsizetype(piece.size() - stream.avail_out));
        if (headerLength < 0) {
            const qsizetype nul = raw.indexOf('\0');
            if (nul < 0 && raw.size() > 32)
                return broken("the object header is not valid");
            if (nul >= 0) {
                if (!raw.startsWith("blob "))
                    return broken("the object is not a blob");
                bool ok = false;
                size = raw.mid(5, nul - 5).toLongLong(&ok);
                if (!ok || size < 0)
                    return broken("the object header is not valid");
                headerLength = nul + 1;
                raw.reserve(headerLength + qsizetype(size));
            }
        }
        if (headerLength >= 0 && raw.size() - headerLength > size)
            return broken("the object is longer than its header says");
        if (status == Z_STREAM_END)
            break;
    }
    if (headerLength < 0 || raw.size() - headerLength != size)
        return broken("the object is shorter than its header says");
    return Result<LooseBlob>(LooseBlob{std::move(raw), headerLength});
}

} // namespace slipway
