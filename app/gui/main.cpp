// slipway: the window. Wiring only: parse options, make the services, hand them to QML.

#include "colorscheme.h"
#include "console.h"
#include "controllers/runnotifier.h"
#include "guioptions.h"
#include "scenegraph.h"
#include "source/gitutil.h"
#include "util/version.h"

#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QSettings>
#include <QTextStream>
#include <QTranslator>
#include <QtQml/QQmlExtensionPlugin>
// Through slipway_ui, which links Qt Widgets for the tray (the executable does not name it).
#include <QtWidgets/QApplication>

#include <atomic>
#include <cstdio>
#include <memory>

Q_IMPORT_QML_PLUGIN(Slipway_UiPlugin)

namespace {

std::atomic<int> qmlProblems{0};
QtMessageHandler previousHandler = nullptr;

// In --self-test and --screenshot runs every warning counts: a QML warning is a bug.
void countingHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (type == QtWarningMsg || type == QtCriticalMsg || type == QtFatalMsg)
        ++qmlProblems;
    previousHandler(type, context, message);
}

// The sample project offered on first launch: installed beside the executable (bin/../share,
// wherever the package put it), else next to the sources of a build tree.
QString sampleProject()
{
    const QString installed =
        QCoreApplication::applicationDirPath() + QStringLiteral("/../share/slipway/sample");
    for (const QString &path : {QDir::cleanPath(installed), QStringLiteral(SLIPWAY_SAMPLE_DIR)})
        if (QFileInfo(QDir(path).filePath(QStringLiteral("slipway.toml"))).isFile())
            return path;
    return {};
}

} // namespace

int main(int argc, char *argv[])
{
    // QApplication, not QGuiApplication: QSystemTrayIcon (the run-ended notification) needs it.
    QApplication app(argc, argv);
    // libgit2 (and through libssh2 OpenSSL) is set up here, on the main thread, not by whichever
    // pool thread reads refs first: OpenSSL's state then lives on the thread that outlasts the
    // others and is torn down at exit.
    slipway::git::ensureInitialized();
    QGuiApplication::setApplicationName(QStringLiteral("Slipway"));
    QGuiApplication::setOrganizationName(QStringLiteral("Slipway"));
    QGuiApplication::setApplicationVersion(slipway::version());
    QGuiApplication::setDesktopFileName(QStringLiteral("io.slipway.Slipway"));
    // The window's words in the user's language, where Slipway has a catalogue for it (English,
    // whose catalogue holds the plural forms); else as written.
    QTranslator translator;
    if (translator.load(QLocale(), QStringLiteral("slipway"), QStringLiteral("_"), QStringLiteral(":/i18n")))
        QCoreApplication::installTranslator(&translator);

    const GuiOptions options = parseGuiOptions(QGuiApplication::arguments(), Navigation().pages());
    if (options.exitNow)
        return 0;
    if (!options.error.isEmpty()) {
        QTextStream(stderr) << "slipway: " << options.error << '\n';
        return 2;
    }
    const bool oneShot = options.selfTest || !options.screenshotPath.isEmpty();
    if (oneShot)
        previousHandler = qInstallMessageHandler(countingHandler);
    Console console(options.dataDir, sampleProject());
    Navigation &navigation = console.navigation;
    ProjectModel &projects = console.projects;
    DeployController &deploy = console.deploy;
    TargetModel &targets = console.targets;
    HistoryModel &history = console.history;
    // A one-shot run shows the window as a newcomer would: default size, no remembered page.
    QSettings settings;
    if (!options.page.isEmpty())
        navigation.showPage(options.page);
    else if (!oneShot)
        navigation.showPage(
            settings.value(QStringLiteral("window/pageName")).toString()); // by name: pages move

    deploy.setProject(options.demoBuild.isEmpty() ? projects.locationAt(0) : options.demoBuild);
    targets.refresh();
    history.refresh();
    if (!oneShot) // a newcomer gets a target for the local engine; a one-shot run changes nothing
        targets.addLocalTargetOnFirstLaunch(projects.isFirstLaunch());

    // Fusion follows the system palette, light or dark, unless --color-scheme chose one.
    QQuickStyle::setStyle(QStringLiteral("Fusion"));
    chooseSceneGraph();

    QQmlApplicationEngine engine;
    engine.setInitialProperties(console.windowProperties());
    engine.load(Console::windowUrl());
    if (engine.rootObjects().isEmpty()) {
        QTextStream(stderr) << "slipway: the window's QML did not load\n";
        return 1;
    }
    auto *window = qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
    if (!window) {
        QTextStream(stderr) << "slipway: the root QML object is not a window\n";
        return 1;
    }
    applyColorScheme(options.colorScheme, window);
    if (!options.demoBuild.isEmpty() && deploy.build())
        projects.remember(options.demoBuild);
    if (!oneShot) {
        RunNotifier notifier(window, &deploy);
        const QRect geometry = settings.value(QStringLiteral("window/geometry")).toRect();
        if (geometry.isValid())
            window->setGeometry(geometry);
        QObject::connect(&app, &QGuiApplication::aboutToQuit, &app, [&] {
            settings.setValue(QStringLiteral("window/geometry"), window->geometry());
            settings.setValue(QStringLiteral("window/pageName"), navigation.currentPage());
        });
        return QGuiApplication::exec();
    }
    // Quit once the first frame is on screen: by then every binding has been evaluated. With
    // --demo-build, once the first frame after the build ended is.
    int status = 0;
    const auto shoot = [&] {
        if (!options.screenshotPath.isEmpty()) {
            const QImage image = window->grabWindow();
            if (image.isNull() || !image.save(options.screenshotPath, "PNG")) {
                QTextStream(stderr) << "slipway: cannot write the screenshot to " << options.screenshotPath
                                    << '\n';
                status = 1;
            }
        }
        QGuiApplication::exit(status);
    };
    if (options.demoBuild.isEmpty() || !deploy.isBusy()) {
        // Once the targets and the history have been read: the pages show them, not an empty state.
        // On History the newest deployment's detail is shown; on Targets each target's connection
        // is tested; on Apps every target's apps are read: a screenshot shows the page at work.
        const auto shootNextFrame = [&] {
            QObject::connect(window, &QQuickWindow::frameSwapped, &app, shoot, Qt::SingleShotConnection);
            window->update();
        };
        auto waiting = std::make_shared<int>(2);
        const auto loaded = [&, waiting, shootNextFrame] {
            if (--*waiting > 0)
                return;
            if (navigation.currentPage() == u"History" && history.count() > 0) {
                QObject::connect(&history, &HistoryModel::detailChanged, &app, shootNextFrame,
                                 Qt::SingleShotConnection);
                history.select(0);
            } else if (navigation.currentPage() == u"Targets" && targets.count() > 0) {
                auto checking = std::make_shared<int>(targets.count());
                QObject::connect(&targets, &TargetModel::checked, &app, [checking, shootNextFrame] {
                    if (--*checking == 0)
                        shootNextFrame();
                });
                for (int row = 0; row < targets.count(); ++row)
                    targets.testConnection(row);
            } else if (navigation.currentPage() == u"Apps") {
                // Once every target has answered or been found unreachable.
                AppModel &apps = console.apps;
                auto whenIdle = std::make_shared<QMetaObject::Connection>();
                *whenIdle =
                    QObject::connect(&apps, &AppModel::busyChanged, &app, [&apps, whenIdle, shootNextFrame] {
                        if (apps.isBusy())
                            return;
                        QObject::disconnect(*whenIdle);
                        shootNextFrame();
                    });
                apps.refresh();
                if (!apps.isBusy()) {
                    QObject::disconnect(*whenIdle);
                    shootNextFrame();
                }
            } else {
                shootNextFrame();
            }
        };
        QObject::connect(&targets, &TargetModel::refreshed, &app, loaded, Qt::SingleShotConnection);
        QObject::connect(&history, &HistoryModel::refreshed, &app, loaded, Qt::SingleShotConnection);
    } else {
        QObject::connect(
            &deploy, &DeployController::finished, &app,
            [&] {
                QObject::connect(window, &QQuickWindow::frameSwapped, &app, shoot, Qt::SingleShotConnection);
                window->update();
            },
            Qt::SingleShotConnection);
    }
    QGuiApplication::exec();
    if (qmlProblems > 0) {
        QTextStream(stderr) << "slipway: " << qmlProblems.load()
                            << " QML warning(s) or error(s) while loading\n";
        return 1;
    }
    return status;
}
