// The Apps page on real engines (each function once on Podman and once on Docker, each started
// once): the busybox web app deployed by slipway-cli is listed with its release and state,
// its stats stream in while the page shows, the page's Stop, Start, Restart and Remove (after
// its confirmation) change what the engine reports and are recorded in the history, a
// container removed by hand shows as drift, an unreachable target is marked while the others
// are listed, and the Targets page's remove can take a target's apps with it. Behind the
// target's proxy (HAProxy from Debian's package), the page's Maintenance and Live change what
// the proxy answers, and the Targets page's Test connection shows the proxy's routes. AppModel
// runs under QAbstractItemModelTester throughout.

#include "uitestutil.h"
#include "windowtestutil.h"

#include "clirun.h"
#include "console.h"
#include "deploy/proxy.h"
#include "dockerservice.h"
#include "engine/engineclient.h"
#include "gitrepo.h"
#include "history/history.h"
#include "loadgenerator.h"
#include "podmanservice.h"
#include "processes.h"
#include "util/paths.h"
#include "webapp.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtQml/QQmlExtensionPlugin>
#include <QtQuickTest/quicktest.h>

#include <map>
#include <memory>

Q_IMPORT_QML_PLUGIN(Slipway_UiPlugin)

using namespace slipway::test;
using slipway::History;

class TestAppsPage final : public QObject
{
    Q_OBJECT

private:
    std::map<QString, std::unique_ptr<EngineService>> m_engines; // by the global data row
    EngineService *m_engine = nullptr;
    std::unique_ptr<QTemporaryDir> m_data;
    std::unique_ptr<GitRepo> m_repo;
    quint16 m_port = 0;
    std::unique_ptr<Console> m_console;
    AppModel *m_apps = nullptr;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
    std::unique_ptr<QQmlApplicationEngine> m_qml;
    QQuickWindow *m_window = nullptr;
    QStringList m_warnings;

    CliRun cli(QStringList arguments)
    {
        arguments.prepend(m_data->path());
        arguments.prepend(QStringLiteral("--data-dir"));
        return runCli(arguments);
    }
    QString deploy(const QByteArray &version)
    {
        if (!commitWebApp(*m_repo, version, true, m_port))
            return QStringLiteral("cannot commit");
        const CliRun run = cli(
            {QStringLiteral("deploy"), m_repo->path(), QStringLiteral("--target"), QStringLiteral("local")});
        return run.exitCode == 0 ? QString() : run.err + QString::fromUtf8(run.out);
    }
    // The web app's containers as the engine lists them: name -> state.
    QMap<QString, QString> engineContainers()
    {
        slipway::EngineClient client(
            slipway::Target{QStringLiteral("engine"), m_engine->endpoint(), {}, {}, {}, {}, 0, 0});
        QMap<QString, QString> found;
        if (!client.connect())
            return {{QStringLiteral("error"), QStringLiteral("cannot connect")}};
        auto list = client.listContainers({QStringLiteral("io.slipway.app=web")});
        if (!list)
            return {{QStringLiteral("error"), list.error().message}};
        for (const slipway::ContainerSummary &container : list.value())
            found.insert(container.name, container.state);
        return found;
    }
    // One request through the proxy's HTTP port for `host`: the body, or "HTTP N BODY".
    static QString ask(quint16 port, const QString &host)
    {
        return LoadGenerator::askOnce(QStringLiteral("http://127.0.0.1:%1/").arg(port), host);
    }
    QList<slipway::OperationRecord> operations()
    {
        auto history = History::open(History::defaultPath(slipway::DataDirs::resolve(m_data->path()).data));
        if (!history)
            return {};
        auto list = history.value()->operations();
        return list ? list.value() : QList<slipway::OperationRecord>{};
    }
    QVariant role(const QString &target, int role)
    {
        const int row = m_apps->indexOf(QStringLiteral("web"), target);
        return row < 0 ? QVariant() : m_apps->data(m_apps->index(row), role);
    }
    QQuickItem *inRow(const QString &name)
    {
        QQuickItem *row = findVisibleItem(m_window->contentItem(), QStringLiteral("app_web_local"));
        return row ? findVisibleItem(row, name) : nullptr;
    }
    // Clicks a button of the row as a click delivers it, and waits for the operation's answer.
    bool pressAndWait(const QString &button, QString *message)
    {
        QQuickItem *item = inRow(button);
        if (!item || !item->isEnabled())
            return false;
        QSignalSpy operated(m_apps, &AppModel::operated);
        if (!QMetaObject::invokeMethod(item, "clicked") || !operated.wait(60000))
            return false;
        *message = operated.constFirst().at(1).toString();
        return operated.constFirst().at(0).toBool() &&
               QTest::qWaitFor([&] { return !m_apps->isBusy(); }, 30000);
    }
    bool showApps()
    {
        return m_console->navigation.showPage(QStringLiteral("Apps")) &&
               QTest::qWaitFor(
                   [&] { return findItem(m_window->contentItem(), QStringLiteral("appsPage"))->isVisible(); },
                   5000) &&
               QTest::qWaitFor([&] { return !m_apps->isBusy(); }, 30000);
    }

private Q_SLOTS:
    void initTestCase_data() { addEngineRows(); }

    void initTestCase()
    {
        QQuickStyle::setStyle(QStringLiteral("Fusion"));
        m_engines[QStringLiteral("podman")] =
            std::make_unique<PodmanService>(PodmanService::Listen::UnixSocket);
        m_engines[QStringLiteral("docker")] = std::make_unique<DockerService>();
        for (const auto &[name, engine] : m_engines)
            QVERIFY2(engine->start(), qPrintable(engine->errorString()));
        m_port = freeLoopbackPort();
    }

    void init()
    {
        QFETCH_GLOBAL(QString, engine);
        m_engine = m_engines[engine].get();
        QString error;
        QVERIFY2(m_engine->reset(QStringLiteral("localhost/slipway-"), &error), qPrintable(error));
        isolateSettings();
        m_data = std::make_unique<QTemporaryDir>();
        m_repo = std::make_unique<GitRepo>();
        QVERIFY(m_data->isValid() && m_repo->isValid());
        const CliRun run = cli({QStringLiteral("target"), QStringLiteral("add"), QStringLiteral("local"),
                                QStringLiteral("--endpoint"), m_engine->endpoint()});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        m_console = std::make_unique<Console>(m_data->path());
        m_apps = &m_console->apps;
        m_tester = std::make_unique<QAbstractItemModelTester>(
            m_apps, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(loadWindow(*m_console, m_qml, m_warnings, m_window));
    }

    void cleanup()
    {
        QVERIFY2(m_warnings.isEmpty(), qPrintable(m_warnings.join(u'\n')));
        m_qml.reset();
        m_tester.reset();
        m_console.reset();
    }

    void operatesFromThePage()
    {
        const QString problem = deploy("v1");
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QVERIFY(showApps());
        QCOMPARE(m_apps->count(), 1);
        QCOMPARE(role(QStringLiteral("local"), AppModel::StateRole).toString(), QStringLiteral("running"));
        QCOMPARE(role(QStringLiteral("local"), AppModel::ReleaseRole).toString(), QStringLiteral("1"));
        QCOMPARE(role(QStringLiteral("local"), AppModel::MessageRole).toString(), QStringLiteral("v1"));
        QCOMPARE(role(QStringLiteral("local"), AppModel::DriftRole).toString(), QString());
        // Stats stream in while the page shows, and stop when it goes.
        QVERIFY(m_apps->statsActive());
        QTRY_VERIFY_WITH_TIMEOUT(role(QStringLiteral("local"), AppModel::CpuRole).toDouble() >= 0, 20000);
        QVERIFY(role(QStringLiteral("local"), AppModel::MemoryRole).toLongLong() > 0);
        QTRY_VERIFY(inRow(QStringLiteral("appStats")));

        QString message;
        QVERIFY(pressAndWait(QStringLiteral("appStopButton"), &message));
        QCOMPARE(message, QStringLiteral("web on local: stopped web-1"));
        QCOMPARE(engineContainers().value(QStringLiteral("web-1")), QStringLiteral("exited"));
        QTRY_COMPARE_WITH_TIMEOUT(role(QStringLiteral("local"), AppModel::StateRole).toString(),
                                  QStringLiteral("stopped"), 30000);
        QCOMPARE(role(QStringLiteral("local"), AppModel::DriftRole).toString(), QString());
        QVERIFY(role(QStringLiteral("local"), AppModel::LastOperationRole)
                    .toString()
                    .startsWith(QStringLiteral("stopped by ")));

        QTRY_VERIFY(inRow(QStringLiteral("appStartButton")));
        QVERIFY(pressAndWait(QStringLiteral("appStartButton"), &message));
        QCOMPARE(engineContainers().value(QStringLiteral("web-1")), QStringLiteral("running"));
        QTRY_COMPARE_WITH_TIMEOUT(role(QStringLiteral("local"), AppModel::StateRole).toString(),
                                  QStringLiteral("running"), 30000);

        QVERIFY(pressAndWait(QStringLiteral("appRestartButton"), &message));
        QCOMPARE(message, QStringLiteral("web on local: restarted web-1"));

        // Remove asks first.
        QVERIFY(clickItem(m_window, inRow(QStringLiteral("appRemoveButton"))));
        auto *popup = findItem(m_window->contentItem(), QStringLiteral("appsPage"))
                          ->findChild<QObject *>(QStringLiteral("confirmRemoveApp"));
        QVERIFY(popup);
        QTRY_VERIFY(popup->property("opened").toBool());
        QCOMPARE(engineContainers().size(), 1); // nothing happened yet
        // The page's refresh while the question is open changes the row in place: the view keeps
        // its delegates and the question stays about the same app.
        QSignalSpy reset(m_apps, &QAbstractItemModel::modelReset);
        QSignalSpy refreshed(m_apps, &AppModel::refreshed);
        m_apps->refresh();
        QVERIFY(refreshed.wait(30000));
        QCOMPARE(reset.size(), 0);
        QVERIFY(popup->property("opened").toBool());
        // Another app that sorts first arrives meanwhile: web's row moves, and the question is
        // still about web.
        GitRepo api;
        QVERIFY(commitWebApp(api, "api", true, freeLoopbackPort()));
        QFile toml(api.path() + QStringLiteral("/slipway.toml"));
        QVERIFY(toml.open(QIODevice::ReadOnly));
        const QByteArray renamed = toml.readAll().replace("name = \"web\"", "name = \"api\"");
        toml.close();
        QVERIFY(api.writeFile(QStringLiteral("slipway.toml"), renamed) &&
                !api.commit(QStringLiteral("api")).isEmpty());
        const CliRun apiDeployed =
            cli({QStringLiteral("deploy"), api.path(), QStringLiteral("--target"), QStringLiteral("local")});
        QVERIFY2(apiDeployed.exitCode == 0, qPrintable(apiDeployed.err));
        m_apps->refresh();
        QTRY_COMPARE_WITH_TIMEOUT(m_apps->count(), 2, 30000);
        QCOMPARE(m_apps->indexOf(QStringLiteral("web"), QStringLiteral("local")), 1);
        QSignalSpy operated(m_apps, &AppModel::operated);
        QVERIFY(QMetaObject::invokeMethod(popup, "accept"));
        QVERIFY(operated.wait(60000));
        QVERIFY2(operated.constFirst().at(0).toBool(), qPrintable(operated.constFirst().at(1).toString()));
        QVERIFY(engineContainers().isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(m_apps->count(), 1, 30000); // api stays
        QCOMPARE(m_apps->indexOf(QStringLiteral("api"), QStringLiteral("local")), 0);

        const QList<slipway::OperationRecord> recorded = operations();
        QCOMPARE(recorded.size(), 4);
        QCOMPARE(recorded.at(0).action, slipway::OperationAction::Remove);
        QCOMPARE(recorded.at(3).action, slipway::OperationAction::Stop);

        m_console->navigation.showPage(QStringLiteral("History"));
        QTRY_VERIFY(!m_apps->statsActive());
    }

    // An app behind the target's proxy: Maintenance has the proxy answer 503 with its page (the
    // row says so and offers Live), the Targets page's Test connection shows the route in
    // maintenance, and Live serves the app again; both are recorded.
    void maintenanceFromThePage()
    {
        const QString proxyImage = QStringLiteral("localhost/slipway-test/haproxy:2.6");
        QString error;
        QVERIFY2(m_engine->importHaproxy(proxyImage, &error), qPrintable(error));
        QVERIFY(m_engine->removeVolume(QString::fromLatin1(slipway::TargetProxy::volume)));
        const quint16 http = freeLoopbackPort();
        const quint16 https = freeLoopbackPort();
        {
            auto history =
                History::open(History::defaultPath(slipway::DataDirs::resolve(m_data->path()).data));
            QVERIFY(history);
            auto local = history.value()->target(QStringLiteral("local"));
            QVERIFY(local);
            slipway::Target proxied = local.value();
            proxied.proxyImage = proxyImage;
            proxied.proxyHttpPort = http;
            proxied.proxyHttpsPort = https;
            QVERIFY(history.value()->updateTarget(proxied));
        }
        QVERIFY(commitWebApp(*m_repo, "v1", true, m_port, {}, 0, "6s",
                             "[deploy.proxy]\nhosts = [\"web.test\"]\nport = " + QByteArray::number(m_port) +
                                 '\n'));
        const CliRun deployed = cli(
            {QStringLiteral("deploy"), m_repo->path(), QStringLiteral("--target"), QStringLiteral("local")});
        QVERIFY2(deployed.exitCode == 0, qPrintable(deployed.err));
        QCOMPARE(ask(http, QStringLiteral("web.test")), QStringLiteral("v1"));

        QVERIFY(showApps());
        QCOMPARE(role(QStringLiteral("local"), AppModel::ProxiedRole).toBool(), true);
        QCOMPARE(role(QStringLiteral("local"), AppModel::MaintenanceRole).toBool(), false);
        QTRY_VERIFY(inRow(QStringLiteral("appMaintenanceButton")));
        QVERIFY(!inRow(QStringLiteral("appLiveButton")));
        QVERIFY(!inRow(QStringLiteral("appMaintenance")));

        QString message;
        QVERIFY(pressAndWait(QStringLiteral("appMaintenanceButton"), &message));
        QCOMPARE(message, QStringLiteral("web on local: web is in maintenance: the proxy answers 503"));
        const QString down = ask(http, QStringLiteral("web.test"));
        QVERIFY2(down.startsWith(QStringLiteral("HTTP 503 ")) &&
                     down.contains(QStringLiteral("Down for maintenance")),
                 qPrintable(down));
        QTRY_COMPARE_WITH_TIMEOUT(role(QStringLiteral("local"), AppModel::MaintenanceRole).toBool(), true,
                                  30000);
        QCOMPARE(role(QStringLiteral("local"), AppModel::StateRole).toString(), QStringLiteral("running"));
        QCOMPARE(role(QStringLiteral("local"), AppModel::DriftRole).toString(), QString());
        QVERIFY(role(QStringLiteral("local"), AppModel::LastOperationRole)
                    .toString()
                    .startsWith(QStringLiteral("put in maintenance by ")));
        QTRY_VERIFY(inRow(QStringLiteral("appMaintenance")));
        QTRY_VERIFY(inRow(QStringLiteral("appLiveButton")));
        QVERIFY(!inRow(QStringLiteral("appMaintenanceButton")));

        // The Targets page's Test connection reads the proxy in the same worker call.
        TargetModel &targets = m_console->targets;
        QSignalSpy refreshed(&targets, &TargetModel::refreshed);
        targets.refresh();
        QVERIFY(refreshed.wait(20000));
        QSignalSpy checked(&targets, &TargetModel::checked);
        targets.testConnection(targets.indexOf(QStringLiteral("local")));
        QVERIFY(checked.wait(30000));
        const QModelIndex target = targets.index(targets.indexOf(QStringLiteral("local")));
        QVERIFY(target.data(TargetModel::CheckOkRole).toBool());
        QCOMPARE(
            target.data(TargetModel::ProxyCheckRole).toString(),
            QStringLiteral("proxy on ports %1 and %2: web (web.test, in maintenance)").arg(http).arg(https));
        QVERIFY(target.data(TargetModel::ProxyCheckOkRole).toBool());

        QVERIFY(pressAndWait(QStringLiteral("appLiveButton"), &message));
        QCOMPARE(message, QStringLiteral("web on local: web is live again"));
        QCOMPARE(ask(http, QStringLiteral("web.test")), QStringLiteral("v1"));
        QTRY_COMPARE_WITH_TIMEOUT(role(QStringLiteral("local"), AppModel::MaintenanceRole).toBool(), false,
                                  30000);
        QTRY_VERIFY(inRow(QStringLiteral("appMaintenanceButton")));
        QVERIFY(!inRow(QStringLiteral("appMaintenance")));

        const QList<slipway::OperationRecord> recorded = operations();
        QCOMPARE(recorded.size(), 2);
        QCOMPARE(recorded.at(0).action, slipway::OperationAction::Live);
        QCOMPARE(recorded.at(1).action, slipway::OperationAction::Maintenance);
        QVERIFY(recorded.at(0).succeeded && recorded.at(1).succeeded);
    }

    void driftAndUnreachableTargets()
    {
        const QString problem = deploy("v1");
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QCOMPARE(m_engine->cli({QStringLiteral("rm"), QStringLiteral("-f"), QStringLiteral("web-1")}), 0);
        CliRun run = cli({QStringLiteral("target"), QStringLiteral("add"), QStringLiteral("gone"),
                          QStringLiteral("--endpoint"),
                          QStringLiteral("unix://") + m_data->filePath(QStringLiteral("no-engine.sock"))});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY(showApps());
        QCOMPARE(role(QStringLiteral("local"), AppModel::StateRole).toString(), QStringLiteral("missing"));
        QCOMPARE(role(QStringLiteral("local"), AppModel::DriftRole).toString(),
                 QStringLiteral("removed outside Slipway: release 1 should run"));
        QTRY_VERIFY(inRow(QStringLiteral("appDrift")));
        QCOMPARE(m_apps->unreachableTargets(), QStringList{QStringLiteral("gone")});
        QTRY_VERIFY(findVisibleItem(m_window->contentItem(), QStringLiteral("unreachableTargets")));

        // Deployed again, then the target removed from the Targets page with its apps.
        const QString again = deploy("v2");
        QVERIFY2(again.isEmpty(), qPrintable(again));
        m_apps->refresh();
        QTRY_COMPARE_WITH_TIMEOUT(role(QStringLiteral("local"), AppModel::DriftRole).toString(), QString(),
                                  30000);
        QCOMPARE(engineContainers().size(), 1);
        QSignalSpy removed(&m_console->targets, &TargetModel::removed);
        m_console->targets.remove(QStringLiteral("local"), true);
        QVERIFY(removed.wait(60000));
        QVERIFY2(removed.constFirst().at(0).toBool(), qPrintable(removed.constFirst().at(1).toString()));
        QVERIFY(engineContainers().isEmpty());
        m_apps->refresh();
        QTRY_COMPARE_WITH_TIMEOUT(m_apps->count(), 0, 30000);
    }
};

QTEST_MAIN(TestAppsPage)
#include "tst_appspage.moc"
