#pragma once

#include "source/source.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace slipway {

// Decodes a file name or path that must be valid UTF-8; nullopt when it is not (overlong forms,
// surrogates and truncated sequences included).
std::optional<QString> decodeUtf8Path(const QByteArray &bytes);

// A byte string for messages: valid UTF-8 characters as they are, every other byte and control
// character as \xNN, a backslash as "\\" ("caf\xe9.txt").
QString escapedPath(const QByteArray &bytes);

// False for names that must never reach a layer: empty, ".", "..", or containing '/' or NUL.
bool isSafePathComponent(const QByteArray &name);

// Sorts files by the UTF-8 bytes of their paths, the order the Source contract promises.
// (QString's operator< compares UTF-16 code units, which orders characters above U+FFFF
// before U+E000..U+FFFF; UTF-8 byte order is code point order.)
void sortByUtf8Path(QList<SourceFile> &files);

} // namespace slipway
