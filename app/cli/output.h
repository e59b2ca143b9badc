#pragma once

#include "util/result.h"

#include <QString>

class QTextStream;

namespace slipway::cli {

// "1.2 MB", "340 kB", "12 B" (decimal units, as docker and podman print them).
QString humanSize(qint64 bytes);
// "sha256:0123456789ab" (the first 12 hex digits).
QString shortDigest(const QString &digest);
struct CommandContext;

// Prints "slipway-cli COMMAND: MESSAGE" to stderr and returns the exit status for the error's
// kind; with --json also {"command", "error", "exitCode"} on stdout, so that a script reading
// stdout always gets JSON.
int reportError(CommandContext &context, const QString &command, const Error &error);

} // namespace slipway::cli
