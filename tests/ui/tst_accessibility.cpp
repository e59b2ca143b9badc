// Every page of the window can be used without a mouse and without sight: each control a user
// can act on is reached by Tab, and each has a name a screen reader can say (its text, or
// Accessible.name where it shows none).

#include "console.h"
#include "engineservice.h"
#include "history/history.h"
#include "uitestutil.h"
#include "util/paths.h"
#include "windowtestutil.h"

#include <QAccessible>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickStyle>
#include <QSet>
#include <QTemporaryDir>
#include <QtQml/QQmlExtensionPlugin>
#include <QtQuickTest/quicktest.h>

#include <memory>

Q_IMPORT_QML_PLUGIN(Slipway_UiPlugin)

using slipway::History;

class TestAccessibility final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_data;
    std::unique_ptr<Console> m_console;
    std::unique_ptr<QQmlApplicationEngine> m_engine;
    QQuickWindow *m_window = nullptr;
    QStringList m_warnings;

    // A control a user acts on: a button of any kind, a field, a box to pick from.
    static bool isControl(const QQuickItem *item)
    {
        for (const char *type : {"QQuickAbstractButton", "QQuickTextField", "QQuickTextArea",
                                 "QQuickComboBox", "QQuickSpinBox", "QQuickSlider"})
            if (item->inherits(type))
                return true;
        return false;
    }

    // One line to tell a control by in a failure: its type, objectName and text.
    static QString describe(const QQuickItem *item)
    {
        return QStringLiteral("%1 \"%2\" (text \"%3\")")
            .arg(QString::fromLatin1(item->metaObject()->className()), item->objectName(),
                 item->property("text").toString());
    }

    // The controls of the page on screen that a user can act on now: shown (with every parent),
    // enabled, with a size, and not scrolled out of their view.
    void usableControls(QQuickItem *item, QList<QQuickItem *> &found) const
    {
        if (!item->isVisible() || !item->isEnabled() || item->opacity() == 0)
            return;
        if (isControl(item) && item->width() > 0 && item->height() > 0) {
            const QRectF onWindow = item->mapRectToScene(QRectF(0, 0, item->width(), item->height()));
            const QRectF window(0, 0, m_window->width(), m_window->height());
            if (window.intersects(onWindow))
                found.append(item);
            return; // a control's own parts (a spin box's field) are the control
        }
        for (QQuickItem *child : item->childItems())
            usableControls(child, found);
    }

    // The control an item with focus belongs to (a spin box's inner field belongs to the box).
    static QQuickItem *controlOf(QQuickItem *item)
    {
        QQuickItem *control = nullptr;
        for (QQuickItem *at = item; at; at = at->parentItem())
            if (isControl(at))
                control = at;
        return control;
    }

    // Targets, releases and deployments for the pages to list: rows with their own buttons.
    bool fillHistory()
    {
        const slipway::DataDirs dirs = slipway::DataDirs::resolve(m_data->path());
        auto history = History::open(History::defaultPath(dirs.data));
        if (!history)
            return false;
        History &db = *history.value();
        if (!db.addTarget(slipway::test::engineTarget(QStringLiteral("web"),
                                                      QStringLiteral("unix://") +
                                                          m_data->filePath(QStringLiteral("web.sock")))))
            return false;
        slipway::ReleaseRecord release;
        release.project = QStringLiteral("hello");
        release.commit = QString(40, u'a');
        release.ref = QStringLiteral("main");
        release.image = QStringLiteral("127.0.0.1:5000/hello:main");
        release.digest = QStringLiteral("sha256:") + QString(64, u'a');
        auto id = db.addRelease(release);
        if (!id)
            return false;
        auto deployment = db.startDeployment(id.value(), QStringLiteral("web"));
        return deployment && db.finishDeployment(deployment.value(), slipway::DeploymentResult::Succeeded, {},
                                                 QStringLiteral("started"));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QQuickStyle::setStyle(QStringLiteral("Fusion"));
        slipway::test::isolateSettings();
        m_data = std::make_unique<QTemporaryDir>();
        QVERIFY(m_data->isValid());
        QVERIFY(fillHistory());
        m_console = std::make_unique<Console>(m_data->path());
        QVERIFY(slipway::test::loadWindow(*m_console, m_engine, m_warnings, m_window));
        m_console->targets.refresh();
        m_console->history.refresh();
        QTRY_VERIFY_WITH_TIMEOUT(m_console->targets.count() == 1 && m_console->history.count() == 1, 20000);
    }

    void everyPage_data()
    {
        QTest::addColumn<QString>("page");
        for (const QString &page : m_console->navigation.pages())
            QTest::newRow(qPrintable(page)) << page;
    }

    // On each page: every usable control has an accessible name, and Tab, from the rail, goes
    // through every one of them.
    void everyPage()
    {
        QFETCH(QString, page);
        QVERIFY(m_console->navigation.showPage(page));
        if (page == u"History") {
            m_console->history.select(0); // the detail and its buttons
            QTRY_VERIFY_WITH_TIMEOUT(!m_console->history.detailApp().isEmpty(), 20000);
        }
        if (page == u"Apps") // the apps the history names on the target that cannot be reached
            QTRY_VERIFY_WITH_TIMEOUT(!m_console->apps.isBusy() && m_console->apps.count() > 0, 20000);
        QVERIFY(QQuickTest::qWaitForPolish(m_window));

        QList<QQuickItem *> controls;
        usableControls(m_window->contentItem(), controls);
        QVERIFY2(controls.size() >= 7,
                 qPrintable(QString::number(controls.size()))); // the rail's six and more

        // A button's name is its text unless Accessible.name gives one (Qt Quick names it so when
        // a screen reader runs); a field's or a box's text is its value, so it needs
        // Accessible.name, which the item's accessible interface gives as its name.
        QStringList unnamed;
        for (QQuickItem *control : std::as_const(controls)) {
            QAccessibleInterface *accessible = QAccessible::queryAccessibleInterface(control);
            const bool named = accessible && !accessible->text(QAccessible::Name).trimmed().isEmpty();
            const bool labelled = control->inherits("QQuickAbstractButton") &&
                                  !control->property("text").toString().trimmed().isEmpty();
            if (!named && !labelled)
                unnamed.append(describe(control));
        }
        QVERIFY2(unnamed.isEmpty(), qPrintable(QStringLiteral("no accessible name: ") + unnamed.join(u"; ")));

        // Tab from the page's own entry in the rail round the whole window, and once more.
        QQuickItem *start = nullptr;
        for (QQuickItem *control : std::as_const(controls))
            if (control->objectName() == u"nav" + page)
                start = control;
        QVERIFY(start);
        start->forceActiveFocus(Qt::TabFocusReason);
        QSet<QQuickItem *> reached;
        for (int press = 0; press < 3 * controls.size() + 10; ++press) {
            if (QQuickItem *control = controlOf(m_window->activeFocusItem()))
                reached.insert(control);
            QTest::keyClick(m_window, Qt::Key_Tab);
        }
        QStringList missed;
        for (QQuickItem *control : std::as_const(controls))
            if (!reached.contains(control))
                missed.append(describe(control));
        QVERIFY2(missed.isEmpty(), qPrintable(QStringLiteral("not reached by Tab: ") + missed.join(u"; ")));
    }

    void noQmlWarnings() { QVERIFY2(m_warnings.isEmpty(), qPrintable(m_warnings.join(u'\n'))); }
};

QTEST_MAIN(TestAccessibility)
#include "tst_accessibility.moc"
