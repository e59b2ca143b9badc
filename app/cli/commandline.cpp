#include "commandline.h"

#include "util/version.h"

#include <QCommandLineOption>
#include <QCommandLineParser>

#include <algorithm>

namespace slipway::cli {
namespace {

enum class Check
{
    Any,
    PositiveInt,
    Level,
    Compression,
    Count,    // a whole number, 0 or more
    Duration, // "90", "90s", "10m", "2h", "1d"
    Port,     // 1 to 65535
};

struct OptionSpec
{
    QString name;
    QString valueName; // empty: a flag
    QString description;
    bool required = false;
    Check check = Check::Any;
};

struct CommandSpec
{
    QString name;
    QStringList argumentNames; // each required, in order
    QString summary;
    QList<OptionSpec> options;
};

QString s(const char *text)
{
    return QString::fromLatin1(text);
}

// What app stop|start|restart|remove|maintenance|live take.
QList<OptionSpec> appOperationOptions()
{
    return {{s("target"), s("NAME"), s("Only this target; repeat for several (default: every target).")},
            {s("env"), s("NAME"), s("The app's deploys for [env.NAME]: the app APP-NAME.")},
            {s("no-wait"), {}, s("Fail where a deploy of the app is running, instead of waiting.")}};
}

const QList<CommandSpec> &commands()
{
    static const QList<CommandSpec> table = {
        {s("build"),
         {s("SOURCE")},
         s("Build SOURCE (a git URL, a repository or a directory) into an image."),
         {{s("ref"), s("REF"), s("Branch, tag or commit to build (default: HEAD).")},
          {s("oci-layout"), s("DIR[:TAG]"), s("Write the image to an OCI image layout directory.")},
          {s("push"), s("REF"), s("Push the image to a registry, e.g. registry.example.com/app:1.2.")},
          {s("docker-archive"), s("FILE[:TAG]"),
           s("Write a tarball for docker load / podman load, tagged TAG.")},
          {s("compression"), s("gzip|zstd|none"), s("Layer compression (default: gzip)."), false,
           Check::Compression},
          {s("level"), s("N"), s("Compression level (gzip 1-12, default 3; zstd 1-19, default 3)."), false,
           Check::Level},
          {s("jobs"), s("N"), s("Worker threads (default: one per core)."), false, Check::PositiveInt},
          {s("engine"), s("TARGET"),
           s("The target whose engine builds a Dockerfile (a source without [[layers]]); default: "
             "[build] engine in slipway.toml.")}}},
        {s("push"),
         {s("REF")},
         s("Push an image from an OCI image layout to a registry."),
         {{s("oci-layout"), s("DIR[:TAG]"), s("The OCI image layout to read."), true}}},
        {s("target add"),
         {s("NAME")},
         s("Add a deployment target."),
         {{s("endpoint"), s("URL"),
           s("unix:///path/to/engine.sock, tcp://host:port, or ssh://[user@]host[:port][/socket]."), true},
          {s("tls-ca"), s("FILE"), s("CA certificate that signed the engine's certificate.")},
          {s("tls-cert"), s("FILE"), s("Client certificate for tcp:// with TLS.")},
          {s("tls-key"), s("FILE"), s("Client key for tcp:// with TLS.")},
          {s("proxy-image"), s("REF"),
           s("Image of the target's proxy for zero-downtime deploys (default: the pinned one).")},
          {s("proxy-http-port"), s("N"), s("Host port the proxy takes for HTTP (default: 80)."), false,
           Check::Port},
          {s("proxy-https-port"), s("N"), s("Host port the proxy takes for HTTPS (default: 443)."), false,
           Check::Port}}},
        {s("target list"), {}, s("List the targets."), {}},
        {s("target check"),
         {s("NAME")},
         s("Connect to a target and report its engine and version, its proxy's routes, and on a "
           "Swarm manager its nodes and the replicas of Slipway's services on each."),
         {}},
        {s("target upgrade-proxy"),
         {s("NAME")},
         s("Make the target's proxy again from the image its settings name (--proxy-image), keeping "
           "every route; its apps do not answer for a second or two."),
         {}},
        {s("target remove"),
         {s("NAME")},
         s("Remove a target; the apps there keep running unless --remove-apps."),
         {{s("remove-apps"), {}, s("Stop and remove the apps Slipway deployed there first.")}}},
        {s("deploy"),
         {s("SOURCE")},
         s("Build SOURCE and roll it out to targets behind a health check."),
         {{s("ref"), s("REF"), s("Branch, tag or commit to deploy (default: HEAD).")},
          {s("target"), s("NAME"),
           s("A target to deploy to; repeat for several. Required unless --env names an environment "
             "with targets.")},
          {s("env"), s("NAME"),
           s("Deploy with slipway.toml's [env.NAME] settings, as app <app>-NAME, to its targets "
             "(unless --target is given).")},
          {s("image"), s("REF"), s("Registry reference to push to and pull from.")},
          {s("engine"), s("TARGET"),
           s("The target whose engine builds a Dockerfile (default: [build] engine, else the first "
             "target).")},
          {s("batch"), s("N"), s("Deploy N targets at a time; a failing batch stops the rest."), false,
           Check::PositiveInt},
          {s("no-wait"),
           {},
           s("Fail a target where another deploy of the app is running, instead of waiting.")}}},
        {s("history"),
         {},
         s("List deployments, newest first: project, commit, target, result, duration."),
         {{s("project"), s("P"), s("Only this project.")},
          {s("target"), s("T"), s("Only this target.")},
          {s("limit"), s("N"), s("At most N entries (default: 20)."), false, Check::PositiveInt},
          {s("operations"), {}, s("List what was done to apps by hand (app stop, start, ...) instead.")}}},
        {s("history show"), {s("ID")}, s("Show one deployment and the log it stored."), {}},
        {s("logs"),
         {s("APP")},
         s("Print the logs of an app's container on its targets; --follow to keep following."),
         {{s("target"), s("NAME"), s("Only this target; repeat for several (default: every target).")},
          {s("env"), s("NAME"), s("The app's deploys for [env.NAME]: the app APP-NAME.")},
          {s("follow"),
           {},
           s("Keep printing lines as they come, into the container's next life, until Ctrl+C.")},
          {s("tail"), s("N"), s("Start N lines back (default: all the engine kept)."), false, Check::Count},
          {s("since"), s("DURATION"), s("Only lines of the last DURATION (90s, 10m, 2h, 1d)."), false,
           Check::Duration}}},
        {s("app list"),
         {},
         s("List the apps on the targets: state, health, release, uptime, and drift from the history."),
         {{s("target"), s("NAME"), s("Only this target; repeat for several (default: every target).")},
          {s("stats"), {}, s("Read each running app's CPU and memory use (takes a second).")}}},
        {s("app stop"), {s("APP")}, s("Stop an app's containers."), appOperationOptions()},
        {s("app start"), {s("APP")}, s("Start an app's container again."), appOperationOptions()},
        {s("app restart"), {s("APP")}, s("Restart an app's running containers."), appOperationOptions()},
        {s("app remove"),
         {s("APP")},
         s("Stop and remove an app's containers (images stay) and its route through the proxy."),
         appOperationOptions()},
        {s("app maintenance"),
         {s("APP")},
         s("Have the target's proxy answer the app's requests with 503 and a maintenance page."),
         appOperationOptions()},
        {s("app live"),
         {s("APP")},
         s("Have the target's proxy serve an app in maintenance again."),
         appOperationOptions()},
        {s("rollback"),
         {s("[SOURCE]")},
         s("Redeploy an earlier release of an app (the one deployed from SOURCE, or --app) to a target, "
           "without rebuilding."),
         {{s("target"), s("NAME"), s("The target to roll back."), true},
          {s("app"), s("APP"), s("The app to roll back (may be left out when it is the target's only one).")},
          {s("env"), s("NAME"), s("The app's deploys for [env.NAME]: with --app, the app <APP>-NAME.")},
          {s("to"), s("RELEASE_ID"),
           s("Release to return to (default: the app's release before its current image there).")},
          {s("no-wait"),
           {},
           s("Fail when another deploy of the app is running there, instead of waiting.")}}},
        {s("repair"),
         {},
         s("Put targets back as they were before a deploy that was killed half-way."),
         {{s("target"), s("NAME"), s("Only deployments to this target; repeat for several.")},
          {s("no-wait"),
           {},
           s("Leave a target where a deploy of the app is running now, instead of waiting.")}}},
        {s("login"),
         {s("[REGISTRY]")},
         s("Check a login for REGISTRY and keep it in the system keychain."),
         {{s("username"), s("USER"), s("The user name.")},
          {s("password-stdin"), {}, s("Read the password from standard input (the only way to give one).")},
          {s("password"), s("PASSWORD"), s("Not accepted (it would show in ps): use --password-stdin.")},
          {s("no-verify"), {}, s("Save without checking the login against the registry.")},
          {s("list"), {}, s("List the registries with a saved login (names only).")}}},
        {s("logout"), {s("REGISTRY")}, s("Remove the login saved for REGISTRY."), {}},
        {s("secret set"),
         {s("APP"), s("NAME")},
         s("Set an app's secret NAME from standard input; it is kept in the system keychain."),
         {{s("env"), s("NAME"), s("The secret of the app's [env.NAME] deploys: the app APP-NAME.")}}},
        {s("secret list"),
         {s("APP")},
         s("List an app's secrets and when each was set (never their values)."),
         {{s("env"), s("NAME"), s("The secrets of the app's [env.NAME] deploys.")}}},
        {s("secret rm"),
         {s("APP"), s("NAME")},
         s("Remove an app's secret from the system keychain."),
         {{s("env"), s("NAME"), s("The secret of the app's [env.NAME] deploys.")}}},
    };
    return table;
}

const QCommandLineOption &dataDirOption()
{
    static const QCommandLineOption option(
        s("data-dir"),
        s("Keep configuration, history and cache in DIR (default: $SLIPWAY_HOME, else XDG dirs)."), s("DIR"));
    return option;
}
const QCommandLineOption &jsonOption()
{
    static const QCommandLineOption option(s("json"), s("Print results (and errors) as JSON on stdout."));
    return option;
}
const QCommandLineOption &quietOption()
{
    static const QCommandLineOption option({s("q"), s("quiet")},
                                           s("Print no progress, only the result and errors."));
    return option;
}
const QCommandLineOption &helpOption()
{
    static const QCommandLineOption option({s("h"), s("help")}, s("Show help."));
    return option;
}

QString synopsis(const CommandSpec &command)
{
    QStringList parts{s("slipway-cli"), command.name};
    parts += command.argumentNames;
    for (const OptionSpec &option : command.options) {
        QString text = QStringLiteral("--") + option.name;
        if (!option.valueName.isEmpty())
            text += u' ' + option.valueName;
        parts += option.required ? text : QStringLiteral("[%1]").arg(text);
    }
    return parts.join(u' ');
}

QString overview()
{
    QString text =
        s("Usage: slipway-cli [--data-dir DIR] [--json] [--quiet] COMMAND [ARGS]\n\n"
          "Build a git commit into an OCI image, push it, and roll it out to Docker or Podman hosts.\n\n"
          "Commands:\n");
    // The summaries in one column, two spaces after the longest name.
    qsizetype width = 0;
    for (const CommandSpec &command : commands())
        width = std::max(width, command.name.size() + 2);
    for (const CommandSpec &command : commands())
        text += QStringLiteral("  %1%2\n").arg(command.name.leftJustified(width), command.summary);
    text += s("\nGlobal options:\n"
              "  --data-dir DIR  Keep configuration, history and cache in DIR (default: $SLIPWAY_HOME,\n"
              "                  else the XDG config, data and cache directories).\n"
              "  --json          Print results (and errors) as JSON on stdout.\n"
              "  -q, --quiet     Print no progress on stderr, only the result and errors.\n"
              "  -h, --help      Show help; 'slipway-cli COMMAND --help' shows a command's.\n"
              "  --version       Show the version.\n\n"
              "Exit status: 0 success, 1 the operation failed, 2 bad usage or bad input.\n");
    return text;
}

QString commandHelp(const CommandSpec &command)
{
    QString text = QStringLiteral("Usage: %1\n\n%2\n\nOptions:\n").arg(synopsis(command), command.summary);
    const auto line = [&](const QString &left, const QString &description) {
        text += QStringLiteral("  %1 %2\n").arg(left.leftJustified(30), description);
    };
    for (const OptionSpec &option : command.options)
        line(QStringLiteral("--") + option.name +
                 (option.valueName.isEmpty() ? QString() : u' ' + option.valueName),
             option.description + (option.required ? s(" Required.") : QString()));
    line(s("--data-dir DIR"), dataDirOption().description());
    line(s("--json"), jsonOption().description());
    line(s("-q, --quiet"), quietOption().description());
    line(s("-h, --help"), helpOption().description());
    return text;
}

ParseOutcome usageError(const QString &where, const QString &problem)
{
    ParseOutcome outcome;
    outcome.action = ParseOutcome::Action::UsageError;
    outcome.text = QStringLiteral("slipway-cli%1: %2 (see 'slipway-cli%1 --help')").arg(where, problem);
    return outcome;
}

ParseOutcome showText(QString text)
{
    ParseOutcome outcome;
    outcome.action = ParseOutcome::Action::ShowText;
    outcome.text = std::move(text);
    return outcome;
}

QString checkValue(const OptionSpec &option, const QString &value)
{
    bool isNumber = false;
    const int number = value.toInt(&isNumber);
    switch (option.check) {
    case Check::Any:
        return value.isEmpty() ? QStringLiteral("--%1 needs a value").arg(option.name) : QString();
    case Check::PositiveInt:
        return isNumber && number > 0
                   ? QString()
                   : QStringLiteral("--%1 takes a whole number above 0, not '%2'").arg(option.name, value);
    case Check::Level:
        return isNumber && number >= 0 && number <= 22
                   ? QString()
                   : QStringLiteral("--%1 takes a compression level from 0 to 22, not '%2'")
                         .arg(option.name, value);
    case Check::Count:
        return isNumber && number >= 0
                   ? QString()
                   : QStringLiteral("--%1 takes a whole number, 0 or more, not '%2'").arg(option.name, value);
    case Check::Duration:
        return parseDuration(value) > 0
                   ? QString()
                   : QStringLiteral("--%1 takes a duration such as 90s, 10m, 2h or 1d, not '%2'")
                         .arg(option.name, value.left(40));
    case Check::Port:
        return isNumber && number >= 1 && number <= 65535
                   ? QString()
                   : QStringLiteral("--%1 takes a port from 1 to 65535, not '%2'")
                         .arg(option.name, value.left(40));
    case Check::Compression:
        return QStringList{s("gzip"), s("zstd"), s("none")}.contains(value)
                   ? QString()
                   : QStringLiteral("--%1 takes gzip, zstd or none, not '%2'").arg(option.name, value);
    }
    return {};
}

} // namespace

qint64 parseDuration(const QString &text)
{
    static const QList<std::pair<QChar, qint64>> units{{u's', 1}, {u'm', 60}, {u'h', 3600}, {u'd', 86400}};
    qint64 factor = 1;
    QString number = text;
    for (const auto &[unit, seconds] : units)
        if (text.endsWith(unit)) {
            factor = seconds;
            number.chop(1);
        }
    bool ok = false;
    const qint64 value = number.toLongLong(&ok);
    return ok && value > 0 && value < 100LL * 365 * 86400 / factor ? value * factor : 0;
}

QString Invocation::value(const QString &option) const
{
    const QStringList list = options.value(option);
    return list.isEmpty() ? QString() : list.constLast();
}

QStringList commandNames()
{
    QStringList names;
    for (const CommandSpec &command : commands())
        names += command.name;
    return names;
}

ParseOutcome parseCommandLine(const QStringList &argv)
{
    // Find the command: the first word that is neither an option nor the value of --data-dir.
    QStringList words;
    QList<qsizetype> wordIndexes;
    for (qsizetype i = 1; i < argv.size(); ++i) {
        const QString &arg = argv.at(i);
        if (arg == u"--") {
            break;
        } else if (arg == u"--data-dir") {
            ++i;
        } else if (!arg.startsWith(u'-')) {
            words += arg;
            wordIndexes += i;
        }
    }

    if (words.value(0) == u"help") { // "slipway-cli help [COMMAND...]" is "COMMAND --help"
        QStringList asHelp = argv;
        asHelp.removeAt(wordIndexes.at(0));
        asHelp += s("--help");
        return parseCommandLine(asHelp);
    }

    QStringList rest = argv;
    QString name = words.value(0);
    if (name.isEmpty()) {
        if (rest.contains(s("--version")))
            return showText(versionWithLibraries(s("slipway-cli")) + u'\n');
        if (rest.contains(s("--help")) || rest.contains(s("-h")) || rest.size() == 1)
            return showText(overview());
        // Only options and no command: say which option, or that the command is missing.
        for (qsizetype i = 1; i < rest.size(); ++i) {
            const QString &arg = rest.at(i);
            if (arg != u"--json" && arg != u"--quiet" && arg != u"-q" && arg != u"--data-dir" &&
                !arg.startsWith(u"--data-dir="))
                return usageError(QString(), QStringLiteral("unknown option '%1'").arg(arg));
            if (arg == u"--data-dir")
                ++i;
        }
        return usageError(QString(), s("no command given"));
    }

    qsizetype commandWords = 1;
    if (name == u"target" || name == u"app") {
        if (words.size() < 2) {
            if (rest.contains(s("--help")) || rest.contains(s("-h")))
                return showText(overview());
            return usageError(u' ' + name, name == u"target"
                                               ? s("needs a subcommand: add, list, check or remove")
                                               : s("needs a subcommand: list, stop, start, restart, remove, "
                                                   "maintenance or live"));
        }
        name += u' ' + words.at(1);
        commandWords = 2;
    }
    const auto named = [](const QString &wanted) {
        return std::find_if(commands().cbegin(), commands().cend(),
                            [&](const CommandSpec &command) { return command.name == wanted; });
    };
    // "history show": a command of two words beside the one-word "history".
    if (commandWords == 1 && words.size() >= 2 && wordIndexes.at(1) == wordIndexes.at(0) + 1 &&
        named(name + u' ' + words.at(1)) != commands().cend()) {
        name += u' ' + words.at(1);
        commandWords = 2;
    }
    const auto spec = named(name);
    if (spec == commands().cend()) {
        const QString shown = commandWords == 2 ? words.at(1) : name;
        return usageError(commandWords == 2 ? u' ' + words.at(0) : QString(),
                          QStringLiteral("unknown command '%1'").arg(shown));
    }
    for (qsizetype i = commandWords - 1; i >= 0; --i)
        rest.removeAt(wordIndexes.at(i));

    const QString where = u' ' + spec->name;
    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    parser.addOption(dataDirOption());
    parser.addOption(jsonOption());
    parser.addOption(quietOption());
    parser.addOption(helpOption());
    for (const OptionSpec &option : spec->options)
        parser.addOption(option.valueName.isEmpty()
                             ? QCommandLineOption(option.name, option.description)
                             : QCommandLineOption(option.name, option.description, option.valueName));
    if (!parser.parse(rest)) {
        QString problem = parser.errorText();
        problem.replace(u'"', u'\'');
        if (problem.endsWith(u'.'))
            problem.chop(1);
        return usageError(where, problem.left(1).toLower() + problem.mid(1));
    }
    if (parser.isSet(helpOption()))
        return showText(commandHelp(*spec));

    ParseOutcome outcome;
    Invocation &invocation = outcome.invocation;
    invocation.command = spec->name;
    invocation.arguments = parser.positionalArguments();
    invocation.json = parser.isSet(jsonOption());
    invocation.quiet = parser.isSet(quietOption());
    invocation.dataDir = parser.value(dataDirOption());
    if (parser.isSet(dataDirOption()) && invocation.dataDir.isEmpty())
        return usageError(where, s("--data-dir needs a directory"));

    const qsizetype expected = spec->argumentNames.size();
    // A name in brackets ("[REGISTRY]") is optional: the command checks it.
    if (invocation.arguments.size() < expected &&
        !spec->argumentNames.at(invocation.arguments.size()).startsWith(u'['))
        return usageError(
            where, QStringLiteral("missing %1").arg(spec->argumentNames.at(invocation.arguments.size())));
    if (invocation.arguments.size() > expected)
        return usageError(where,
                          QStringLiteral("unexpected argument '%1'").arg(invocation.arguments.at(expected)));

    for (const OptionSpec &option : spec->options) {
        if (!parser.isSet(option.name)) {
            if (option.required)
                return usageError(where,
                                  QStringLiteral("--%1 %2 is required").arg(option.name, option.valueName));
            continue;
        }
        const QStringList values = option.valueName.isEmpty() ? QStringList() : parser.values(option.name);
        for (const QString &value : values) {
            if (const QString problem = checkValue(option, value); !problem.isEmpty())
                return usageError(where, problem);
        }
        invocation.options.insert(option.name, values);
    }
    if (spec->name == u"deploy" && !invocation.isSet(s("target")) && !invocation.isSet(s("env")))
        return usageError(where, s("--target NAME (or --env NAME) is required"));
    outcome.action = ParseOutcome::Action::Run;
    return outcome;
}

} // namespace slipway::cli
