// The window: the QML loads without a warning, the navigation switches pages, and the
// slipway executable's --self-test and --screenshot work offscreen.

#include "console.h"
#include "gitrepo.h"
#include "history/history.h"
#include "navigation.h"
#include "podmanservice.h"
#include "scenegraph.h"
#include "uitestutil.h"
#include "util/paths.h"

#include <QDir>
#include <QImage>
#include <QProcess>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QtQml/QQmlExtensionPlugin>

Q_IMPORT_QML_PLUGIN(Slipway_UiPlugin)

using slipway::test::findItem;

class TestWindow final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_home; // the GUI processes' settings and data: never the user's

    int runGui(const QStringList &arguments, QString *errorOutput = nullptr)
    {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_home.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("SLIPWAY_HOME"), m_home.filePath(QStringLiteral("slipway")));
        process.setProcessEnvironment(env);
        process.start(QStringLiteral(SLIPWAY_GUI), arguments);
        if (!process.waitForFinished(60000) || process.exitStatus() != QProcess::NormalExit)
            return -1;
        if (errorOutput)
            *errorOutput = QString::fromUtf8(process.readAllStandardError());
        return process.exitCode();
    }

private Q_SLOTS:
    void initTestCase()
    {
        slipway::test::isolateSettings();
        QVERIFY(m_home.isValid());
        QQuickStyle::setStyle(QStringLiteral("Fusion"));
    }

    void navigationSwitchesPages()
    {
        QStringList warnings;
        Console console(m_home.filePath(QStringLiteral("data"))); // outlives the engine, as in main()
        Navigation &navigation = console.navigation;
        QQmlApplicationEngine engine;
        connect(&engine, &QQmlEngine::warnings, this, [&](const QList<QQmlError> &errors) {
            for (const QQmlError &error : errors)
                warnings += error.toString();
        });
        engine.setInitialProperties(console.windowProperties());
        engine.load(Console::windowUrl());
        QCOMPARE(engine.rootObjects().size(), 1);
        auto *window = qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
        QVERIFY(window);
        QVERIFY(QTest::qWaitForWindowExposed(window));

        auto *stack = findItem(window->contentItem(), QStringLiteral("pageStack"));
        QVERIFY(stack);
        QCOMPARE(stack->property("currentIndex").toInt(), 0);
        QVERIFY(window->title().contains(QStringLiteral("Deploy")));

        const QStringList pages = navigation.pages();
        for (int index = pages.size() - 1; index >= 0; --index) {
            auto *entry = findItem(window->contentItem(), QStringLiteral("nav") + pages.at(index));
            QVERIFY2(entry, qPrintable(pages.at(index)));
            const QPointF centre = entry->mapToScene(QPointF(entry->width() / 2, entry->height() / 2));
            QTest::mouseClick(window, Qt::LeftButton, {}, centre.toPoint());
            QTRY_COMPARE(navigation.currentIndex(), index);
            QCOMPARE(stack->property("currentIndex").toInt(), index);
            QVERIFY(window->title().contains(pages.at(index)));
        }

        // Ctrl+N goes to page N.
        QTest::keyClick(window, Qt::Key_5, Qt::ControlModifier);
        QTRY_COMPARE(navigation.currentPage(), QStringLiteral("Projects"));
        QVERIFY2(warnings.isEmpty(), qPrintable(warnings.join(u'\n')));
    }

    void softwareOpenGlIsRecognised()
    {
        // What Mesa reports without a GPU: Qt Quick's own software renderer is chosen instead.
        QVERIFY(isSoftwareOpenGl("llvmpipe (LLVM 15.0.6, 256 bits)"));
        QVERIFY(isSoftwareOpenGl("softpipe"));
        QVERIFY(isSoftwareOpenGl("Software Rasterizer"));
        QVERIFY(!isSoftwareOpenGl("Mesa Intel(R) UHD Graphics 620 (KBL GT2)"));
        QVERIFY(!isSoftwareOpenGl("NVIDIA GeForce RTX 3060/PCIe/SSE2"));
        QVERIFY(!isSoftwareOpenGl(""));
    }

    void showPageByName()
    {
        Navigation navigation;
        QVERIFY(navigation.showPage(QStringLiteral("targets")));
        QCOMPARE(navigation.currentPage(), QStringLiteral("Targets"));
        QVERIFY(!navigation.showPage(QStringLiteral("Nowhere")));
        QCOMPARE(navigation.currentPage(), QStringLiteral("Targets"));
    }

    void selfTest()
    {
        QString errors;
        QCOMPARE(runGui({QStringLiteral("--self-test")}, &errors), 0);
        QVERIFY2(!errors.contains(QStringLiteral("qml"), Qt::CaseInsensitive), qPrintable(errors));
    }

    // The targets and deployments the History and Targets screenshots show: "local" is a real
    // Podman service (its connection test answers), "staging" a socket nobody listens on.
    bool fillHistory(const QString &endpoint)
    {
        qputenv("SLIPWAY_HOME", m_home.filePath(QStringLiteral("slipway")).toUtf8());
        auto history =
            slipway::History::open(slipway::History::defaultPath(slipway::DataDirs::resolve({}).data));
        qunsetenv("SLIPWAY_HOME");
        if (!history)
            return false;
        slipway::History &db = *history.value();
        if (!db.addTarget({.name = QStringLiteral("local"),
                           .endpoint = endpoint,
                           .tlsCa = {},
                           .tlsCert = {},
                           .tlsKey = {},
                           .proxyImage = {},
                           .proxyHttpPort = 0,
                           .proxyHttpsPort = 0}) ||
            !db.addTarget(
                {.name = QStringLiteral("staging"),
                 .endpoint = QStringLiteral("unix://") + m_home.filePath(QStringLiteral("staging.sock")),
                 .tlsCa = {},
                 .tlsCert = {},
                 .tlsKey = {},
                 .proxyImage = {},
                 .proxyHttpPort = 0,
                 .proxyHttpsPort = 0}))
            return false;
        struct Run
        {
            const char *project;
            const char *commit;
            const char *target;
            slipway::DeploymentResult result;
            const char *log;
        };
        const Run runs[] = {
            {"hello", "3f9c2e1a7b", "local", slipway::DeploymentResult::Succeeded,
             "pull 127.0.0.1:5000/hello@sha256:3f9c2e1a\ncreate hello-1\nstart hello-1\nhealthy after 1.2 s"},
            {"hello", "8d04b6c2f1", "staging", slipway::DeploymentResult::Failed,
             "connect: no engine at the socket"},
            {"api", "c0ffee1234", "local", slipway::DeploymentResult::Succeeded,
             "load image (docker-archive, 4.1 MB)\ncreate api-3\nstart api-3\nhealth check passed\nretire "
             "api-2"},
        };
        for (const Run &run : runs) {
            slipway::ReleaseRecord release;
            release.project = QString::fromLatin1(run.project);
            release.commit = QString::fromLatin1(run.commit).leftJustified(40, u'0');
            release.ref = QStringLiteral("main");
            release.image = QStringLiteral("127.0.0.1:5000/%1:main").arg(release.project);
            release.digest = QStringLiteral("sha256:") + release.commit + release.commit.left(24);
            release.layers = {{.name = QStringLiteral("deps"),
                               .digest = QStringLiteral("sha256:") + QString(64, u'd'),
                               .size = 1843200},
                              {.name = QStringLiteral("app"),
                               .digest = QStringLiteral("sha256:") + QString(64, u'a'),
                               .size = 20480}};
            auto id = db.addRelease(release);
            if (!id)
                return false;
            auto deployment = db.startDeployment(id.value(), QString::fromLatin1(run.target));
            const bool failed = run.result == slipway::DeploymentResult::Failed;
            if (!deployment ||
                !db.finishDeployment(deployment.value(), run.result,
                                     failed ? QStringLiteral("target staging: no engine answers") : QString(),
                                     QString::fromLatin1(run.log)))
                return false;
        }
        return true;
    }

    // The mean brightness of an image, 0 to 255.
    static double brightness(const QImage &image)
    {
        double sum = 0;
        int samples = 0;
        for (int y = 0; y < image.height(); y += 5)
            for (int x = 0; x < image.width(); x += 5, ++samples)
                sum += qGray(image.pixel(x, y));
        return samples > 0 ? sum / samples : 0;
    }

    // The pictures docs/console.md shows, every page in Slipway's light and dark palettes,
    // regenerated here under BUILD/screenshots/ (or $SLIPWAY_SCREENSHOTS: `./slipway.sh screenshots`
    // writes docs/screenshots/). The Deploy page is shot after a real build of a test repository;
    // Projects lists it; History, Targets and Apps show what fillHistory() stored, Targets with its
    // connection tests done, Apps with each target read.
    void screenshotOfEachPage()
    {
        slipway::test::PodmanService podman;
        QVERIFY2(podman.start(), qPrintable(podman.errorString()));
        QVERIFY(fillHistory(podman.endpoint()));
        slipway::test::GitRepo repo;
        QVERIFY(slipway::test::makeSampleRepository(repo));
        const QString target = qEnvironmentVariable("SLIPWAY_SCREENSHOTS");
        const QDir dir(target.isEmpty() ? QStringLiteral(SLIPWAY_BINARY_DIR "/screenshots") : target);
        QVERIFY(dir.mkpath(QStringLiteral(".")));
        for (const QString &page : Navigation().pages()) {
            QHash<QString, double> shade;
            for (const QString &scheme : {QStringLiteral("light"), QStringLiteral("dark")}) {
                const QString file = dir.filePath(page.toLower() + u'-' + scheme + QStringLiteral(".png"));
                QFile::remove(file);
                QStringList arguments{QStringLiteral("--screenshot"),   file,  QStringLiteral("--page"), page,
                                      QStringLiteral("--color-scheme"), scheme};
                if (page == u"Deploy")
                    arguments << QStringLiteral("--demo-build") << repo.path();
                QString errors;
                QCOMPARE(runGui(arguments, &errors), 0);
                const QImage image(file);
                QVERIFY2(!image.isNull(), qPrintable(errors));
                QVERIFY(image.width() >= 800 && image.height() >= 500);
                // Something was drawn: not a single flat colour.
                const QRgb first = image.pixel(0, 0);
                bool varied = false;
                for (int y = 0; y < image.height() && !varied; y += 7)
                    for (int x = 0; x < image.width() && !varied; x += 7)
                        varied = image.pixel(x, y) != first;
                QVERIFY(varied);
                shade.insert(scheme, brightness(image));
            }
            // Each palette reached the whole page, the rail and the controls: light is light
            // and dark is dark (a page left in the other palette would be half of each).
            QVERIFY2(shade.value(QStringLiteral("light")) > 200 && shade.value(QStringLiteral("dark")) < 70,
                     qPrintable(QStringLiteral("%1: light %2, dark %3")
                                    .arg(page)
                                    .arg(shade.value(QStringLiteral("light")))
                                    .arg(shade.value(QStringLiteral("dark")))));
        }
    }

    void badOptionsExitTwo()
    {
        QString errors;
        QCOMPARE(runGui({QStringLiteral("--page"), QStringLiteral("Nowhere")}, &errors), 2);
        QVERIFY2(errors.contains(QStringLiteral("no page named 'Nowhere'")), qPrintable(errors));
        QCOMPARE(runGui({QStringLiteral("--color-scheme"), QStringLiteral("purple")}, &errors), 2);
        QVERIFY2(errors.contains(QStringLiteral("--color-scheme: 'purple' is not light, dark or system")),
                 qPrintable(errors));
        QCOMPARE(runGui({QStringLiteral("--frobnicate")}, &errors), 2);
        QVERIFY2(errors.contains(QStringLiteral("frobnicate")), qPrintable(errors));
    }

    void screenshotToUnwritablePathFails()
    {
        QString errors;
        QCOMPARE(
            runGui({QStringLiteral("--screenshot"), QStringLiteral("/nonexistent-dir/shot.png")}, &errors),
            1);
        QVERIFY2(errors.contains(QStringLiteral("/nonexistent-dir/shot.png")), qPrintable(errors));
    }
};

QTEST_MAIN(TestWindow)
#include "tst_window.moc"
