#pragma once

#include "util/result.h"

#include <QList>
#include <QString>
#include <QStringList>

class QTextStream;

namespace slipway::cli {

// "1.2 MB", "340 kB", "12 B" (decimal units, as docker and podman print them).
QString humanSize(qint64 bytes);
// "sha256:0123456789ab" (the first 12 hex digits).
QString shortDigest(const QString &digest);
struct CommandContext;

// The columns to fit a table in: the terminal's, else $COLUMNS, else 0 (unknown).
qsizetype terminalWidth();
// Cut to `width` characters, the last three of them "...", as a table cell.
QString elided(const QString &text, qsizetype width);
// Prints rows (the first is the header) in columns two spaces apart, trailing spaces cut. The
// last column, when lastWidth > 0, is cut to that width.
void printColumns(QTextStream &out, const QList<QStringList> &rows, qsizetype lastWidth = 0);
// What the last column of `rows` may take to end the line at the terminal's edge; `otherwise`
// when the width is not known, and never under `minimum`.
qsizetype lastColumnWidth(const QList<QStringList> &rows, qsizetype otherwise, qsizetype minimum);

// A secret from standard input: all of it, less the line end `echo` adds; from a terminal, one
// line typed without echo after `prompt` on stderr. BadInput when it is empty. `what` names it
// in errors ("the password for registry r:5000").
Result<QString> readSecretInput(const QString &what, const QString &prompt);

// Prints "slipway-cli COMMAND: MESSAGE" to stderr and returns the exit status for the error's
// kind; with --json also {"command", "error", "exitCode"} on stdout, so that a script reading
// stdout always gets JSON.
int reportError(CommandContext &context, const QString &command, const Error &error);

} // namespace slipway::cli
