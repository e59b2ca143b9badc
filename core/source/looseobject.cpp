#include "source/looseobject.h"

#include <QFile>

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

Result<QByteArray> broken(const char *why)
{
    return Error::failed(QString::fromLatin1(why));
}

} // namespace

std::optional<Result<QByteArray>> readLooseBlob(const QString &objectsDir, const QByteArray &hexId)
{
    QFile file(objectsDir + u'/' + QString::fromLatin1(hexId.left(2)) + u'/' +
               QString::fromLatin1(hexId.mid(2)));
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QByteArray compressed = file.readAll();
    if (file.error() != QFileDevice::NoError)
        return Result<QByteArray>(Error::failed(file.errorString()));

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
    raw.remove(0, headerLength);
    return Result<QByteArray>(std::move(raw));
}

} // namespace slipway
