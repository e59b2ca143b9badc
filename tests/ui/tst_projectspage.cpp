// The Projects page: a folder without slipway.toml shows "No slipway.toml" and "Suggest one"; the
// suggestion opens in a dialog (the why line, the text) whose "Write to the folder" writes it and
// whose "Copy" puts it on the clipboard; for a git URL there is no writing, and the dialog says to
// commit it. No QML warning on the way.

#include "uitestutil.h"
#include "windowtestutil.h"

#include "console.h"
#include "projectfile/spec.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QTemporaryDir>
#include <QtQml/QQmlExtensionPlugin>

#include <memory>

Q_IMPORT_QML_PLUGIN(Slipway_UiPlugin)

using namespace slipway::test;

class TestProjectsPage final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_data;
    QTemporaryDir m_work;
    std::unique_ptr<Console> m_console;
    std::unique_ptr<QQmlApplicationEngine> m_engine;
    QQuickWindow *m_window = nullptr;
    QStringList m_warnings;

    QQuickItem *visible(const QString &name) { return findVisibleItem(m_window->contentItem(), name); }

    // Clicks the row's "Suggest one" and waits for the dialog.
    void openSuggestion(const QString &projectName)
    {
        QTRY_VERIFY_WITH_TIMEOUT(visible(QStringLiteral("suggestSpecButton_") + projectName), 30000);
        QVERIFY(clickItem(m_window, visible(QStringLiteral("suggestSpecButton_") + projectName)));
        QTRY_VERIFY_WITH_TIMEOUT(visible(QStringLiteral("suggestionText")), 20000);
    }

    void closeDialog()
    {
        QQuickItem *dialog = findItem(m_window->contentItem(), QStringLiteral("suggestionText"));
        if (dialog)
            QTest::keyClick(m_window, Qt::Key_Escape);
        QTRY_VERIFY(!visible(QStringLiteral("suggestionText")));
    }

private Q_SLOTS:
    void initTestCase()
    {
        isolateSettings();
        QQuickStyle::setStyle(QStringLiteral("Fusion"));
        QVERIFY(m_data.isValid() && m_work.isValid());
        m_console = std::make_unique<Console>(m_data.path());
        QVERIFY(slipway::test::loadWindow(*m_console, m_engine, m_warnings, m_window));
        QVERIFY(m_console->navigation.showPage(QStringLiteral("Projects")));
        QTRY_VERIFY(visible(QStringLiteral("projectsPage")));
    }

    void suggestAndWriteIntoAFolder()
    {
        const QString folder = m_work.filePath(QStringLiteral("site"));
        QVERIFY(QDir().mkpath(folder));
        {
            QFile index(folder + QStringLiteral("/index.html"));
            QVERIFY(index.open(QIODevice::WriteOnly));
            index.write("<h1>hi</h1>");
        }
        QVERIFY(m_console->projects.add(folder));
        openSuggestion(QStringLiteral("site"));
        if (QTest::currentTestFailed())
            return;
        const QString why = visible(QStringLiteral("suggestionWhy"))->property("text").toString();
        QVERIFY2(why.contains(QStringLiteral("index.html")), qPrintable(why));
        const QString text = visible(QStringLiteral("suggestionText"))->property("text").toString();
        QVERIFY(slipway::parseSpec(text.toUtf8()));
        QVERIFY(visible(QStringLiteral("suggestionText"))->property("readOnly").toBool());

        // The picture docs/console.md can show, regenerated under BUILD/screenshots/.
        const QDir shots(QStringLiteral(SLIPWAY_BINARY_DIR "/screenshots"));
        QVERIFY(shots.mkpath(QStringLiteral(".")));
        QVERIFY(m_window->grabWindow().save(shots.filePath(QStringLiteral("projects-suggestion.png"))));

        QVERIFY(clickItem(m_window, visible(QStringLiteral("copySpecButton"))));
        QTRY_COMPARE(QGuiApplication::clipboard()->text(), text);

        QVERIFY(clickItem(m_window, visible(QStringLiteral("writeSpecButton"))));
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(folder + QStringLiteral("/slipway.toml")), 20000);
        QTRY_VERIFY(visible(QStringLiteral("suggestionResult"))
                        ->property("text")
                        .toString()
                        .contains(folder + QStringLiteral("/slipway.toml")));
        // Written once: the button goes, and so does the row's "No slipway.toml".
        QTRY_VERIFY(!visible(QStringLiteral("writeSpecButton")));
        QFile written(folder + QStringLiteral("/slipway.toml"));
        QVERIFY(written.open(QIODevice::ReadOnly));
        QCOMPARE(written.readAll(), text.toUtf8());
        closeDialog();
        QTRY_VERIFY(!visible(QStringLiteral("suggestSpecButton_site")));
    }

    void urlIsToBeCommitted()
    {
        GitRepo repo;
        QVERIFY(repo.isValid());
        QVERIFY(repo.writeFile(QStringLiteral("go.mod"), "module example.com/tool\n"));
        QVERIFY(repo.writeFile(QStringLiteral("main.go"), "package main\n"));
        QVERIFY(!repo.commit(QStringLiteral("go")).isEmpty());
        QVERIFY(m_console->projects.add(QStringLiteral("file://") + repo.path()));
        openSuggestion(QFileInfo(repo.path()).fileName());
        if (QTest::currentTestFailed())
            return;
        QVERIFY(visible(QStringLiteral("suggestionWhy"))
                    ->property("text")
                    .toString()
                    .contains(QStringLiteral("go.mod")));
        QVERIFY(visible(QStringLiteral("suggestionNote"))
                    ->property("text")
                    .toString()
                    .contains(QStringLiteral("commit")));
        QVERIFY(!visible(QStringLiteral("writeSpecButton")));
        QVERIFY(visible(QStringLiteral("copySpecButton")));
        closeDialog();
    }

    void noQmlWarnings() { QVERIFY2(m_warnings.isEmpty(), qPrintable(m_warnings.join(u'\n'))); }
};

QTEST_MAIN(TestProjectsPage)
#include "tst_projectspage.moc"
