#pragma once

#include <QHash>
#include <QString>
#include <QStringList>

namespace slipway::cli {

// A parsed slipway-cli command line.
struct Invocation
{
    QString command;                     // "build", "target add", ...
    QStringList arguments;               // positional arguments after the command
    QHash<QString, QStringList> options; // long option name -> values (flags map to an empty list)
    bool json = false;
    bool quiet = false; // no progress on stderr, only errors
    QString dataDir;

    bool isSet(const QString &option) const { return options.contains(option); }
    QString value(const QString &option) const;
    QStringList values(const QString &option) const { return options.value(option); }
};

struct ParseOutcome
{
    enum class Action
    {
        Run,
        ShowText,
        UsageError
    };
    Action action = Action::UsageError;
    Invocation invocation;
    QString text; // help or version text for ShowText; the one-line problem for UsageError
};

// Parses argv (with the program name first). Never prints; the caller decides where text goes.
ParseOutcome parseCommandLine(const QStringList &argv);

// Seconds in "90", "90s", "10m", "2h" or "1d"; 0 when the text is none of these.
qint64 parseDuration(const QString &text);

// The commands slipway-cli knows, as "build", "target add", ..., in the order of --help.
QStringList commandNames();

} // namespace slipway::cli
