#include "source.h"

namespace slipway {

Result<QByteArray> readWholeFile(SourceReader &reader, const SourceFile &file)
{
    QByteArray contents;
    contents.reserve(file.size);
    const Status read = reader.read(file, [&contents](const char *data, qsizetype size) {
        contents.append(data, size);
        return success();
    });
    if (!read)
        return read.error();
    return contents;
}

} // namespace slipway
