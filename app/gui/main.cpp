// slipway: the window. Wiring only: parse options, make the services, hand them to QML.

#include "guioptions.h"
#include "navigation.h"
#include "util/version.h"

#include <QGuiApplication>
#include <QImage>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QTextStream>
#include <QtQml/QQmlExtensionPlugin>

#include <atomic>
#include <cstdio>

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

} // namespace

int main(int argc, char *argv[])
{
    QGuiApplication app(argc, argv);
    QGuiApplication::setApplicationName(QStringLiteral("Slipway"));
    QGuiApplication::setOrganizationName(QStringLiteral("Slipway"));
    QGuiApplication::setApplicationVersion(slipway::version());
    QGuiApplication::setDesktopFileName(QStringLiteral("io.slipway.Slipway"));

    Navigation navigation;
    const GuiOptions options = parseGuiOptions(QGuiApplication::arguments(), navigation.pages());
    if (options.exitNow)
        return 0;
    if (!options.error.isEmpty()) {
        QTextStream(stderr) << "slipway: " << options.error << '\n';
        return 2;
    }
    const bool oneShot = options.selfTest || !options.screenshotPath.isEmpty();
    if (oneShot)
        previousHandler = qInstallMessageHandler(countingHandler);
    if (!options.page.isEmpty())
        navigation.showPage(options.page);

    // Fusion follows the system palette, light or dark.
    QQuickStyle::setStyle(QStringLiteral("Fusion"));

    QQmlApplicationEngine engine;
    engine.setInitialProperties({{QStringLiteral("navigation"), QVariant::fromValue(&navigation)}});
    engine.load(QUrl(QStringLiteral("qrc:/qt/qml/Slipway/Ui/Main.qml")));
    if (engine.rootObjects().isEmpty()) {
        QTextStream(stderr) << "slipway: the window's QML did not load\n";
        return 1;
    }
    if (!oneShot)
        return QGuiApplication::exec();

    auto *window = qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
    if (!window) {
        QTextStream(stderr) << "slipway: the root QML object is not a window\n";
        return 1;
    }
    // Quit once the first frame is on screen: by then every binding has been evaluated.
    int status = 0;
    QObject::connect(
        window, &QQuickWindow::frameSwapped, &app,
        [&] {
            if (!options.screenshotPath.isEmpty()) {
                const QImage image = window->grabWindow();
                if (image.isNull() || !image.save(options.screenshotPath, "PNG")) {
                    QTextStream(stderr)
                        << "slipway: cannot write the screenshot to " << options.screenshotPath << '\n';
                    status = 1;
                }
            }
            QGuiApplication::exit(status);
        },
        Qt::SingleShotConnection);
    QGuiApplication::exec();
    if (qmlProblems > 0) {
        QTextStream(stderr) << "slipway: " << qmlProblems.load()
                            << " QML warning(s) or error(s) while loading\n";
        return 1;
    }
    return status;
}
