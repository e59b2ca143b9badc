#pragma once

#include "util/result.h"

#include <QString>

class QTextStream;

namespace slipway::cli {

// "1.2 MB", "340 kB", "12 B" (decimal units, as docker and podman print them).
QString humanSize(qint64 bytes);
// "sha256:0123456789ab" (the first 12 hex digits).
QString shortDigest(const QString &digest);
// Prints "slipway-cli COMMAND: MESSAGE" and returns the exit status for the error's kind.
int reportError(QTextStream &err, const QString &command, const Error &error);

} // namespace slipway::cli
