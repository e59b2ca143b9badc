#include "source/sourcepaths.h"

#include <algorithm>
#include <numeric>

namespace slipway {

namespace {

// The length of the valid UTF-8 sequence starting at data[0], or 0 if it is not one.
int validSequenceLength(const unsigned char *data, qsizetype available)
{
    const unsigned char lead = data[0];
    if (lead < 0x80)
        return 1;
    int length = 0;
    char32_t codePoint = 0;
    if (lead >= 0xc2 && lead <= 0xdf) {
        length = 2;
        codePoint = lead & 0x1f;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        length = 3;
        codePoint = lead & 0x0f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        length = 4;
        codePoint = lead & 0x07;
    } else {
        return 0;
    }
    if (available < length)
        return 0;
    for (int i = 1; i < length; ++i) {
        if ((data[i] & 0xc0) != 0x80)
            return 0;
        codePoint = (codePoint << 6) | (data[i] & 0x3f);
    }
    const bool overlong = (length == 3 && codePoint < 0x800) || (length == 4 && codePoint < 0x10000);
    const bool surrogate = codePoint >= 0xd800 && codePoint <= 0xdfff;
    if (overlong || surrogate || codePoint > 0x10ffff)
        return 0;
    return length;
}

} // namespace

std::optional<QString> decodeUtf8Path(const QByteArray &bytes)
{
    const auto *data = reinterpret_cast<const unsigned char *>(bytes.constData());
    for (qsizetype i = 0; i < bytes.size();) {
        const int length = validSequenceLength(data + i, bytes.size() - i);
        if (length == 0)
            return std::nullopt;
        i += length;
    }
    return QString::fromUtf8(bytes);
}

QString escapedPath(const QByteArray &bytes)
{
    QString out;
    out.reserve(bytes.size());
    const auto *data = reinterpret_cast<const unsigned char *>(bytes.constData());
    for (qsizetype i = 0; i < bytes.size();) {
        const int length = validSequenceLength(data + i, bytes.size() - i);
        if (length == 1 && data[i] >= 0x20 && data[i] != 0x7f) {
            if (data[i] == '\\')
                out += QLatin1Char('\\');
            out += QLatin1Char(char(data[i]));
        } else if (length > 1) {
            out += QString::fromUtf8(bytes.constData() + i, length);
        } else {
            out += QStringLiteral("\\x%1").arg(uint(data[i]), 2, 16, QLatin1Char('0'));
            i += 1;
            continue;
        }
        i += length;
    }
    return out;
}

bool isSafePathComponent(const QByteArray &name)
{
    return !name.isEmpty() && name != "." && name != ".." && !name.contains('/') && !name.contains('\0');
}

void sortByUtf8Path(QList<SourceFile> &files)
{
    QList<QByteArray> keys;
    keys.reserve(files.size());
    for (const SourceFile &file : std::as_const(files))
        keys.append(file.path.toUtf8());
    QList<qsizetype> order(files.size());
    std::iota(order.begin(), order.end(), qsizetype(0));
    // QByteArray compares with memcmp: unsigned bytes.
    std::sort(order.begin(), order.end(), [&keys](qsizetype a, qsizetype b) { return keys[a] < keys[b]; });
    QList<SourceFile> sorted;
    sorted.reserve(files.size());
    for (const qsizetype index : std::as_const(order))
        sorted.append(std::move(files[index]));
    files = std::move(sorted);
}

} // namespace slipway
