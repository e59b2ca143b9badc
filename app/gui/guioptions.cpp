#include "guioptions.h"

#include "util/version.h"

#include <QCommandLineParser>
#include <QTextStream>

GuiOptions parseGuiOptions(const QStringList &arguments, const QStringList &pages)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Slipway: build a git commit into an image, push it, and roll it out to Docker or Podman hosts."));
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")},
                                  QStringLiteral("Show this help."));
    const QCommandLineOption version(QStringLiteral("version"), QStringLiteral("Show the version."));
    const QCommandLineOption selfTest(
        QStringLiteral("self-test"),
        QStringLiteral("Load the window, fail on any QML warning or error, quit."));
    const QCommandLineOption screenshot(
        QStringLiteral("screenshot"),
        QStringLiteral("Save a PNG of the window to FILE once drawn, and quit."), QStringLiteral("FILE"));
    const QCommandLineOption page(
        QStringLiteral("page"),
        QStringLiteral("Open on this page (%1).").arg(pages.join(QStringLiteral(", "))),
        QStringLiteral("NAME"));
    const QCommandLineOption dataDir(
        QStringLiteral("data-dir"),
        QStringLiteral("Keep the cache, data and built layouts in DIR (default: $SLIPWAY_HOME or the XDG "
                       "directories)."),
        QStringLiteral("DIR"));
    const QCommandLineOption demoBuild(
        QStringLiteral("demo-build"),
        QStringLiteral("Start a build of PROJECT at once; with --screenshot, shoot when it has ended."),
        QStringLiteral("PROJECT"));
    const QCommandLineOption colorScheme(
        QStringLiteral("color-scheme"),
        QStringLiteral(
            "Colours: the system's palette (system, the default), or Slipway's own light or dark."),
        QStringLiteral("light|dark|system"), QStringLiteral("system"));
    parser.addOptions({help, version, selfTest, screenshot, page, dataDir, demoBuild, colorScheme});

    GuiOptions options;
    if (!parser.parse(arguments)) {
        options.error = parser.errorText();
        return options;
    }
    if (parser.isSet(help)) {
        QTextStream(stdout) << parser.helpText();
        options.exitNow = true;
        return options;
    }
    if (parser.isSet(version)) {
        QTextStream(stdout) << slipway::versionWithLibraries(QStringLiteral("slipway")) << '\n';
        options.exitNow = true;
        return options;
    }
    if (!parser.positionalArguments().isEmpty()) {
        options.error =
            QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().constFirst());
        return options;
    }
    options.selfTest = parser.isSet(selfTest);
    options.screenshotPath = parser.value(screenshot);
    options.page = parser.value(page);
    options.dataDir = parser.value(dataDir);
    options.demoBuild = parser.value(demoBuild);
    if (const auto scheme = parseColorScheme(parser.value(colorScheme)))
        options.colorScheme = *scheme;
    else
        options.error = QStringLiteral("--color-scheme: '%1' is not light, dark or system")
                            .arg(parser.value(colorScheme));
    if (!options.page.isEmpty() && !pages.contains(options.page, Qt::CaseInsensitive))
        options.error = QStringLiteral("--page: no page named '%1' (pages: %2)")
                            .arg(options.page, pages.join(QStringLiteral(", ")));
    return options;
}
