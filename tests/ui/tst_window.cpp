// The window: the QML loads without a warning, the navigation switches pages, and the
// slipway executable's --self-test and --screenshot work offscreen.

#include "navigation.h"

#include <QImage>
#include <QProcess>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QTemporaryDir>
#include <QTest>
#include <QtQml/QQmlExtensionPlugin>

Q_IMPORT_QML_PLUGIN(Slipway_UiPlugin)

namespace {

// Repeater delegates are in the visual item tree, not always in the QObject tree.
QQuickItem *findItem(QQuickItem *root, const QString &objectName)
{
    if (root->objectName() == objectName)
        return root;
    for (QQuickItem *child : root->childItems()) {
        if (QQuickItem *found = findItem(child, objectName))
            return found;
    }
    return nullptr;
}

} // namespace

class TestWindow final : public QObject
{
    Q_OBJECT

private:
    static int runGui(const QStringList &arguments, QString *errorOutput = nullptr)
    {
        QProcess process;
        process.start(QStringLiteral(SLIPWAY_GUI), arguments);
        if (!process.waitForFinished(60000) || process.exitStatus() != QProcess::NormalExit)
            return -1;
        if (errorOutput)
            *errorOutput = QString::fromUtf8(process.readAllStandardError());
        return process.exitCode();
    }

private Q_SLOTS:
    void initTestCase() { QQuickStyle::setStyle(QStringLiteral("Fusion")); }

    void navigationSwitchesPages()
    {
        QStringList warnings;
        Navigation navigation; // outlives the engine, as in main()
        QQmlApplicationEngine engine;
        connect(&engine, &QQmlEngine::warnings, this, [&](const QList<QQmlError> &errors) {
            for (const QQmlError &error : errors)
                warnings += error.toString();
        });
        engine.setInitialProperties({{QStringLiteral("navigation"), QVariant::fromValue(&navigation)}});
        engine.load(QUrl(QStringLiteral("qrc:/qt/qml/Slipway/Ui/Main.qml")));
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
        QTest::keyClick(window, Qt::Key_4, Qt::ControlModifier);
        QTRY_COMPARE(navigation.currentPage(), QStringLiteral("Projects"));
        QVERIFY2(warnings.isEmpty(), qPrintable(warnings.join(u'\n')));
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

    void screenshotOfEachPage()
    {
        QTemporaryDir dir;
        for (const QString &page : Navigation().pages()) {
            const QString file = dir.filePath(page + QStringLiteral(".png"));
            QString errors;
            QCOMPARE(runGui({QStringLiteral("--screenshot"), file, QStringLiteral("--page"), page}, &errors),
                     0);
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
        }
    }

    void badOptionsExitTwo()
    {
        QString errors;
        QCOMPARE(runGui({QStringLiteral("--page"), QStringLiteral("Nowhere")}, &errors), 2);
        QVERIFY2(errors.contains(QStringLiteral("no page named 'Nowhere'")), qPrintable(errors));
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
