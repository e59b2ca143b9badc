// The History page on a real history database: deployments inserted through the History API are
// listed newest first with their project, commit, target, result and duration; the filters narrow
// the list; selecting a row shows its stored log, the release's layers and image digest.
// HistoryModel runs under QAbstractItemModelTester throughout. Each function has a data dir and
// a window of its own (init()) and inserts what it needs itself.

#include "uitestutil.h"
#include "windowtestutil.h"

#include "console.h"
#include "engineservice.h"
#include "history/history.h"
#include "util/paths.h"

#include <QAbstractItemModelTester>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QTemporaryDir>
#include <QtQml/QQmlExtensionPlugin>
#include <QtQuickTest/quicktest.h>

#include <memory>

Q_IMPORT_QML_PLUGIN(Slipway_UiPlugin)

using namespace slipway::test;
using slipway::DeploymentResult;
using slipway::History;

class TestHistoryPage final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_data; // this function's own
    QString m_historyPath;
    std::unique_ptr<Console> m_console;
    DeployController *m_controller = nullptr;
    TargetModel *m_targets = nullptr;
    HistoryModel *m_history = nullptr;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
    std::unique_ptr<QQmlApplicationEngine> m_engine;
    QQuickWindow *m_window = nullptr;
    QStringList m_warnings;
    qint64 m_failedId = 0;

    QQuickItem *item(const QString &name) { return findItem(m_window->contentItem(), name); }

    // The commit messages of the inserted releases: a short one, one too long for the row, and
    // none (as for a directory source).
    static QString messageOf(QChar commit)
    {
        if (commit == u'a')
            return QStringLiteral("Serve /healthz");
        if (commit == u'b')
            return QStringLiteral("Read the port from $PORT, ") +
                   QStringLiteral("and say so at length ").repeated(10);
        return {};
    }

    bool refreshed(const std::function<void()> &change)
    {
        QSignalSpy spy(m_history, &HistoryModel::refreshed);
        change();
        return spy.wait(20000);
    }

    // Two projects, two targets: hello@aaa → web (succeeded, 4 s), hello@bbb → web (failed, with a
    // log), api@ccc → db (succeeded). Inserted oldest first.
    bool insertDeployments()
    {
        auto history = History::open(m_historyPath);
        if (!history)
            return false;
        History &db = *history.value();
        for (const QString &name : {QStringLiteral("web"), QStringLiteral("db")})
            if (!db.addTarget(
                    slipway::test::engineTarget(name, QStringLiteral("unix:///run/%1.sock").arg(name))))
                return false;
        const auto deploy = [&](const QString &project, QChar commit, const QString &target,
                                DeploymentResult result, const QString &log) -> qint64 {
            slipway::ReleaseRecord release;
            release.project = project;
            release.commit = QString(40, commit);
            release.message = messageOf(commit);
            release.ref = QStringLiteral("main");
            release.image = QStringLiteral("127.0.0.1:5000/%1:main").arg(project);
            release.digest = QStringLiteral("sha256:") + QString(64, commit);
            release.layers = {slipway::LayerRecord{.name = QStringLiteral("deps"),
                                                   .digest = QStringLiteral("sha256:") + QString(64, u'd'),
                                                   .size = 2048},
                              slipway::LayerRecord{.name = QStringLiteral("app"),
                                                   .digest = QStringLiteral("sha256:") + QString(64, u'e'),
                                                   .size = 512}};
            auto id = db.addRelease(release);
            if (!id)
                return 0;
            auto deployment = db.startDeployment(id.value(), target);
            if (!deployment)
                return 0;
            const QString error = result == DeploymentResult::Failed
                                      ? QStringLiteral("target %1: the container exited with 1").arg(target)
                                      : QString();
            if (!db.finishDeployment(deployment.value(), result, error, log))
                return 0;
            return deployment.value();
        };
        return deploy(QStringLiteral("hello"), u'a', QStringLiteral("web"), DeploymentResult::Succeeded,
                      QStringLiteral("pulled\nstarted\nhealthy")) != 0 &&
               (m_failedId =
                    deploy(QStringLiteral("hello"), u'b', QStringLiteral("web"), DeploymentResult::Failed,
                           QStringLiteral("pulled\nstarted\nhealth check failed: exit 1"))) != 0 &&
               deploy(QStringLiteral("api"), u'c', QStringLiteral("db"), DeploymentResult::Succeeded,
                      QStringLiteral("loaded\nstarted")) != 0;
    }

    // What most functions start from: the deployments inserted and the History page showing
    // them.
    bool showingInserted()
    {
        if (!insertDeployments())
            return false;
        if (!refreshed([this] { m_console->navigation.showPage(QStringLiteral("History")); }))
            return false;
        return m_history->count() == 3;
    }

private Q_SLOTS:
    void initTestCase() { QQuickStyle::setStyle(QStringLiteral("Fusion")); }

    void init()
    {
        isolateSettings();
        m_data = std::make_unique<QTemporaryDir>();
        QVERIFY(m_data->isValid());
        const slipway::DataDirs dirs = slipway::DataDirs::resolve(m_data->path());
        m_historyPath = History::defaultPath(dirs.data);
        m_console = std::make_unique<Console>(m_data->path());
        m_controller = &m_console->deploy;
        m_targets = &m_console->targets;
        m_history = &m_console->history;
        m_tester = std::make_unique<QAbstractItemModelTester>(
            m_history, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(slipway::test::loadWindow(*m_console, m_engine, m_warnings, m_window));
    }

    void emptyWithoutDatabase()
    {
        QVERIFY(refreshed([this] { m_history->refresh(); }));
        QCOMPARE(m_history->count(), 0);
        QVERIFY(m_history->error().isEmpty());
        QVERIFY(!QFileInfo::exists(m_historyPath)); // reading does not create the database
    }

    void showingThePageListsInsertedDeployments()
    {
        QVERIFY(insertDeployments());
        QVERIFY(refreshed([this] { QVERIFY(m_console->navigation.showPage(QStringLiteral("History"))); }));
        QCOMPARE(m_history->count(), 3);
        // Newest first.
        QCOMPARE(m_history->index(0).data(HistoryModel::ProjectRole).toString(), QStringLiteral("api"));
        QCOMPARE(m_history->index(1).data(HistoryModel::ResultRole).toString(), QStringLiteral("failed"));
        QCOMPARE(m_history->index(1).data(HistoryModel::ShortCommitRole).toString(),
                 QStringLiteral("bbbbbbb"));
        QCOMPARE(m_history->index(1).data(HistoryModel::TargetRole).toString(), QStringLiteral("web"));
        QCOMPARE(m_history->index(0).data(HistoryModel::MessageRole).toString(), QString());
        QCOMPARE(m_history->index(1).data(HistoryModel::MessageRole).toString(), messageOf(u'b'));
        QCOMPARE(m_history->index(2).data(HistoryModel::MessageRole).toString(), messageOf(u'a'));
        QVERIFY(m_history->index(2).data(HistoryModel::DurationMsRole).toLongLong() >= 0);
        QCOMPARE(m_history->projects(), (QStringList{QStringLiteral("api"), QStringLiteral("hello")}));
        QCOMPARE(m_history->targets(), (QStringList{QStringLiteral("db"), QStringLiteral("web")}));
        auto *list = item(QStringLiteral("historyList"));
        QVERIFY(list);
        QTRY_COMPARE(list->property("count").toInt(), 3);
        QTRY_VERIFY(
            findVisibleItem(m_window->contentItem(), QStringLiteral("deployment_%1").arg(m_failedId)));
        // The row shows the message beside the commit, elided when it does not fit.
        QQuickItem *message = item(QStringLiteral("message_%1").arg(m_failedId));
        QVERIFY(message);
        QCOMPARE(message->property("text").toString(), messageOf(u'b'));
        QTRY_VERIFY(message->property("truncated").toBool());
        QVERIFY(message->width() > 0);
    }

    void filtersNarrowTheList()
    {
        QVERIFY(showingInserted());
        QVERIFY(refreshed([this] { m_history->setProjectFilter(QStringLiteral("hello")); }));
        QCOMPARE(m_history->count(), 2);
        QVERIFY(refreshed([this] { m_history->setResultFilter(QStringLiteral("failed")); }));
        QCOMPARE(m_history->count(), 1);
        QCOMPARE(m_history->index(0).data(HistoryModel::IdRole).toLongLong(), m_failedId);
        QVERIFY(refreshed([this] { m_history->setResultFilter(QString()); }));
        QVERIFY(refreshed([this] { m_history->setProjectFilter(QString()); }));
        QVERIFY(refreshed([this] { m_history->setTargetFilter(QStringLiteral("db")); }));
        QCOMPARE(m_history->count(), 1);
        QCOMPARE(m_history->index(0).data(HistoryModel::ProjectRole).toString(), QStringLiteral("api"));
        // The filter box follows the model.
        auto *box = item(QStringLiteral("targetFilter"));
        QTRY_COMPARE(box->property("currentText").toString(), QStringLiteral("db"));
        QVERIFY(refreshed([this] { m_history->setTargetFilter(QString()); }));
        QCOMPARE(m_history->count(), 3);
        QTRY_COMPARE(box->property("currentIndex").toInt(), 0);
    }

    void clickingARowShowsItsLogLayersAndDigest()
    {
        QVERIFY(showingInserted());
        QQuickItem *row = nullptr;
        QTRY_VERIFY((
            row = findVisibleItem(m_window->contentItem(), QStringLiteral("deployment_%1").arg(m_failedId))));
        QVERIFY(QQuickTest::qWaitForPolish(m_window));
        QSignalSpy detail(m_history, &HistoryModel::detailChanged);
        QVERIFY(clickItem(m_window, row));
        // The detail may arrive while the click's events are still being processed.
        QVERIFY(detail.count() > 0 || detail.wait(20000));
        QCOMPARE(m_history->selectedId(), m_failedId);
        QCOMPARE(m_history->detailLog(), QStringLiteral("pulled\nstarted\nhealth check failed: exit 1"));
        QCOMPARE(m_history->detailDigest(), QStringLiteral("sha256:") + QString(64, u'b'));
        QVERIFY(m_history->detailError().contains(QStringLiteral("target web")));
        QCOMPARE(m_history->detailLayers().size(), 2);
        QCOMPARE(m_history->detailLayers().constFirst().toMap().value(QStringLiteral("name")).toString(),
                 QStringLiteral("deps"));
        QTRY_COMPARE(item(QStringLiteral("detailLog"))->property("text").toString(), m_history->detailLog());
        QCOMPARE(item(QStringLiteral("detailDigest"))->property("text").toString(),
                 m_history->detailDigest());
        // Redeploy and Roll back act on the selected deployment's release and target
        // (tst_deploywindow runs them).
        QCOMPARE(m_history->detailTarget(), QStringLiteral("web"));
        QVERIFY(m_history->detailReleaseId() > 0);
        QVERIFY(item(QStringLiteral("redeployButton"))->isEnabled());
        QVERIFY(item(QStringLiteral("rollbackButton"))->isEnabled());
    }

    void selectionGoesWhenFilteredOut()
    {
        // Before: the failed deployment selected.
        QVERIFY(showingInserted());
        {
            QSignalSpy detail(m_history, &HistoryModel::detailChanged);
            for (int row = 0; row < m_history->count(); ++row)
                if (m_history->index(row).data(HistoryModel::IdRole).toLongLong() == m_failedId)
                    m_history->select(row);
            QVERIFY(detail.count() > 0 || detail.wait(20000));
            QCOMPARE(m_history->selectedId(), m_failedId);
        }
        QVERIFY(refreshed([this] { m_history->setResultFilter(QStringLiteral("succeeded")); }));
        QTRY_COMPARE(m_history->selectedId(), 0);
        QVERIFY(m_history->detailLog().isEmpty());
        QVERIFY(refreshed([this] { m_history->setResultFilter(QString()); }));
    }

    void aFinishedRunRefreshesTheList()
    {
        QVERIFY(showingInserted());
        {
            auto history = History::open(m_historyPath);
            QVERIFY(history);
            auto releases = history.value()->releases(QStringLiteral("api"));
            QVERIFY(releases && !releases->isEmpty());
            auto id = history.value()->startDeployment(releases->constFirst().id, QStringLiteral("web"));
            QVERIFY(id);
        }
        // What Main.qml does when the DeployController's run ends.
        QVERIFY(refreshed([this] { Q_EMIT m_controller->finished(true); }));
        QCOMPARE(m_history->count(), 4);
        QCOMPARE(m_history->index(0).data(HistoryModel::ResultRole).toString(), QStringLiteral("running"));
        QCOMPARE(m_history->index(0).data(HistoryModel::DurationRole).toString(), QStringLiteral("running"));
    }

    void durations()
    {
        QCOMPARE(HistoryModel::formatDuration(-1), QStringLiteral("running"));
        QCOMPARE(HistoryModel::formatDuration(12345), QStringLiteral("12.3 s"));
        QCOMPARE(HistoryModel::formatDuration(125000), QStringLiteral("2 min 5 s"));
    }

    void noQmlWarnings() { QVERIFY2(m_warnings.isEmpty(), qPrintable(m_warnings.join(u'\n'))); }

    void cleanup()
    {
        m_engine.reset();
        m_window = nullptr;
        m_tester.reset();
        m_console.reset();
    }
};

QTEST_MAIN(TestHistoryPage)
#include "tst_historypage.moc"
