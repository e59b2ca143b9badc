// A Swarm target's nodes and each Slipway service's replicas per node, on the harness's dockerd
// made a one-node Swarm manager: read by core's probeTarget (readSwarmOverview), printed by
// `slipway-cli target check` (text and --json), and shown on the Targets page after Test
// connection. The services are made once (initTestCase) with the Docker CLI, carrying Slipway's
// labels as a rollout's do: "web" with 2 replicas of a busybox httpd image pushed to the harness
// registry, "pending" whose one task no node can take, and "other" without Slipway's labels,
// which nothing lists.

#include "clirun.h"
#include "uitestutil.h"
#include "windowtestutil.h"

#include "console.h"
#include "dockerservice.h"
#include "engine/probe.h"
#include "history/history.h"
#include "registryserver.h"
#include "util/paths.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QtQml/QQmlExtensionPlugin>
#include <QtQuickTest/quicktest.h>

#include <memory>

Q_IMPORT_QML_PLUGIN(Slipway_UiPlugin)

using namespace slipway::test;
using slipway::EngineInfo;
using slipway::History;
using slipway::Target;

namespace {

QString describe(const CliRun &run)
{
    return QStringLiteral("exit %1, out: %2, err: %3")
        .arg(run.exitCode)
        .arg(QString::fromUtf8(run.out), run.err);
}

// The visible items called `name` under `root`, in the order they are laid out.
void collectVisible(QQuickItem *root, const QString &name, QList<QQuickItem *> &found)
{
    if (!root->isVisible())
        return;
    if (root->objectName() == name)
        found.append(root);
    for (QQuickItem *child : root->childItems())
        collectVisible(child, name, found);
}

QStringList visibleTexts(QQuickItem *root, const QString &name)
{
    QList<QQuickItem *> items;
    if (root)
        collectVisible(root, name, items);
    std::sort(items.begin(), items.end(),
              [](QQuickItem *a, QQuickItem *b) { return a->mapToScene({}).y() < b->mapToScene({}).y(); });
    QStringList texts;
    for (QQuickItem *item : items)
        texts.append(item->property("text").toString());
    return texts;
}

} // namespace

class TestSwarmTargets final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<RegistryServer> m_registry;
    std::unique_ptr<DockerService> m_docker;
    QString m_hostname; // the node's, as the manager reports it
    QString m_engineVersion;

    Target target() const
    {
        return slipway::test::engineTarget(QStringLiteral("swarm"), m_docker->endpoint());
    }

    bool createService(const QStringList &options, const QString &image, QString *error)
    {
        QStringList arguments{QStringLiteral("service"), QStringLiteral("create"), QStringLiteral("--detach"),
                              QStringLiteral("--endpoint-mode"), QStringLiteral("dnsrr")};
        arguments << options << image;
        QString output;
        if (m_docker->docker(arguments, &output) == 0)
            return true;
        *error = QStringLiteral("docker service create %1: %2").arg(options.join(u' '), output);
        return false;
    }

    // `docker service ls`'s replicas of `name`: "2/2".
    QString replicas(const QString &name) const
    {
        QString output;
        m_docker->docker({QStringLiteral("service"), QStringLiteral("ls"), QStringLiteral("--filter"),
                          QStringLiteral("name=") + name, QStringLiteral("--format"),
                          QStringLiteral("{{.Name}} {{.Replicas}}")},
                         &output);
        for (const QString &line : output.split(u'\n', Qt::SkipEmptyParts))
            if (line.section(u' ', 0, 0) == name)
                return line.section(u' ', 1, 1);
        return {};
    }

    QString nodeLine() const { return m_hostname + QStringLiteral(": ready, active, manager, leader"); }
    QStringList serviceLines() const
    {
        return {QStringLiteral("pending: release 1, 0/1 replicas (no node 1 pending)"),
                QStringLiteral("web: release 3, 2/2 replicas (%1 2)").arg(m_hostname)};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QQuickStyle::setStyle(QStringLiteral("Fusion"));
        m_registry = std::make_unique<RegistryServer>();
        QVERIFY2(m_registry->start(), qPrintable(m_registry->errorString()));
        m_docker = std::make_unique<DockerService>(QStringList{m_registry->address()});
        QVERIFY2(m_docker->start(), qPrintable(m_docker->errorString()));
        QString error;
        QVERIFY2(m_docker->initSwarm(&error), qPrintable(error));

        // busybox httpd, pushed so the node pulls it as it would any release.
        QTemporaryDir work;
        const QString tarball = work.filePath(QStringLiteral("rootfs.tar"));
        QVERIFY2(writeBusyboxTarball(tarball, {{QStringLiteral("www/index.html"), "web"}}, &error),
                 qPrintable(error));
        const QString image = m_registry->address() + QStringLiteral("/web:3");
        QVERIFY2(m_docker->importTarball(
                     tarball, image,
                     {QStringLiteral(
                         "CMD [\"/bin/busybox\", \"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/www\"]")},
                     &error),
                 qPrintable(error));
        QString output;
        QVERIFY2(m_docker->docker({QStringLiteral("push"), image}, &output) == 0, qPrintable(output));

        const auto labels = [](const QString &app, const QString &release) {
            return QStringList{
                QStringLiteral("--label"),           QStringLiteral("io.slipway.app=") + app,
                QStringLiteral("--label"),           QStringLiteral("io.slipway.release=") + release,
                QStringLiteral("--container-label"), QStringLiteral("io.slipway.app=") + app,
                QStringLiteral("--container-label"), QStringLiteral("io.slipway.release=") + release};
        };
        QVERIFY2(createService(QStringList{QStringLiteral("--name"), QStringLiteral("web"),
                                           QStringLiteral("--replicas"), QStringLiteral("2")} +
                                   labels(QStringLiteral("web"), QStringLiteral("3")),
                               image, &error),
                 qPrintable(error));
        // No node has the label: its task stays pending, on no node.
        QVERIFY2(createService(QStringList{QStringLiteral("--name"), QStringLiteral("pending"),
                                           QStringLiteral("--constraint"),
                                           QStringLiteral("node.labels.slipway-test==nowhere")} +
                                   labels(QStringLiteral("pending"), QStringLiteral("1")),
                               image, &error),
                 qPrintable(error));
        QVERIFY2(createService({QStringLiteral("--name"), QStringLiteral("other")}, image, &error),
                 qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(replicas(QStringLiteral("web")), QStringLiteral("2/2"), 30000);
        QTRY_COMPARE_WITH_TIMEOUT(replicas(QStringLiteral("other")), QStringLiteral("1/1"), 30000);

        m_hostname = QSysInfo::machineHostName();
        QVERIFY(m_docker->docker({QStringLiteral("version"), QStringLiteral("--format"),
                                  QStringLiteral("{{.Server.Version}}")},
                                 &m_engineVersion) == 0);
        m_engineVersion = m_engineVersion.trimmed();
    }

    // What both front ends show, read once by core.
    void coreReadsNodesAndReplicas()
    {
        const slipway::Result<EngineInfo> info = slipway::probeTarget(target());
        QVERIFY2(info.ok(), qPrintable(info.ok() ? QString() : info.error().message));
        QVERIFY(info->swarm.isManager());
        QVERIFY(info->swarmOverview.has_value());
        QVERIFY2(info->swarmOverview->ok(),
                 qPrintable(info->swarmOverview->ok() ? QString() : info->swarmOverview->error().message));
        const slipway::SwarmOverview &overview = info->swarmOverview->value();
        QCOMPARE(overview.nodeId, info->swarm.nodeId);

        QCOMPARE(overview.nodes.size(), 1);
        const slipway::SwarmNode &node = overview.nodes.at(0);
        QCOMPARE(node.id, info->swarm.nodeId);
        QCOMPARE(node.hostname, m_hostname);
        QCOMPARE(node.state, QStringLiteral("ready"));
        QCOMPARE(node.availability, QStringLiteral("active"));
        QCOMPARE(node.role, QStringLiteral("manager"));
        QVERIFY(node.leader);
        QCOMPARE(node.reachability, QStringLiteral("reachable"));
        QCOMPARE(node.engineVersion, m_engineVersion);
        QCOMPARE(slipway::describeSwarmNode(node), nodeLine());

        // Slipway's services only ("other" carries no io.slipway.app), by name.
        QCOMPARE(overview.services.size(), 2);
        const slipway::SwarmServiceReplicas &pending = overview.services.at(0);
        QCOMPARE(pending.name, QStringLiteral("pending"));
        QCOMPARE(pending.desired, qint64(1));
        QCOMPARE(pending.running, 0);
        QCOMPARE(pending.nodes.size(), 1);
        QCOMPARE(pending.nodes.at(0).nodeId, QString());
        QCOMPARE(pending.nodes.at(0).states, QStringList{QStringLiteral("pending")});

        const slipway::SwarmServiceReplicas &web = overview.services.at(1);
        QCOMPARE(web.name, QStringLiteral("web"));
        QCOMPARE(web.app, QStringLiteral("web"));
        QCOMPARE(web.release, QStringLiteral("3"));
        QCOMPARE(web.desired, qint64(2));
        QCOMPARE(web.running, 2);
        QCOMPARE(web.nodes.size(), 1);
        QCOMPARE(web.nodes.at(0).nodeId, node.id);
        QCOMPARE(web.nodes.at(0).hostname, m_hostname);
        QCOMPARE(web.nodes.at(0).running, 2);
        QCOMPARE(web.nodes.at(0).states, (QStringList{QStringLiteral("running"), QStringLiteral("running")}));

        QCOMPARE(slipway::describeSwarmService(pending), serviceLines().at(0));
        QCOMPARE(slipway::describeSwarmService(web), serviceLines().at(1));
        QCOMPARE(slipway::describeSwarmPart(info.value()), QStringLiteral("manager, 1 node"));
    }

    void cliPrintsNodesAndReplicas()
    {
        QTemporaryDir data;
        QVERIFY(data.isValid());
        const auto cli = [&](QStringList arguments) {
            arguments << QStringLiteral("--data-dir") << data.path();
            return runCli(arguments);
        };
        CliRun run = cli({QStringLiteral("target"), QStringLiteral("add"), QStringLiteral("swarm"),
                          QStringLiteral("--endpoint"), m_docker->endpoint()});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));

        run = cli({QStringLiteral("target"), QStringLiteral("check"), QStringLiteral("swarm")});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        const QStringList lines = QString::fromUtf8(run.out).split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 6);
        QVERIFY2(lines.at(0).startsWith(QStringLiteral("target swarm (%1): Docker Engine %2, API 1.")
                                            .arg(m_docker->endpoint(), m_engineVersion)),
                 qPrintable(lines.at(0)));
        QVERIFY2(lines.at(1).startsWith(QStringLiteral("no proxy yet")), qPrintable(lines.at(1)));
        QCOMPARE(lines.at(2), QStringLiteral("swarm: manager, 1 node"));
        QCOMPARE(lines.at(3), QStringLiteral("  node ") + nodeLine());
        QCOMPARE(lines.at(4), QStringLiteral("  service ") + serviceLines().at(0));
        QCOMPARE(lines.at(5), QStringLiteral("  service ") + serviceLines().at(1));

        run = cli({QStringLiteral("target"), QStringLiteral("check"), QStringLiteral("swarm"),
                   QStringLiteral("--json")});
        QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
        const QJsonObject swarm = QJsonDocument::fromJson(run.out).object().value(u"swarm").toObject();
        QCOMPARE(swarm.value(u"state").toString(), QStringLiteral("active"));
        QVERIFY(swarm.value(u"manager").toBool());
        QVERIFY(!swarm.contains(u"error"));
        const QJsonArray nodes = swarm.value(u"nodes").toArray();
        QCOMPARE(nodes.size(), 1);
        const QJsonObject node = nodes.at(0).toObject();
        QCOMPARE(node.value(u"id").toString(), swarm.value(u"nodeId").toString());
        QCOMPARE(node.value(u"hostname").toString(), m_hostname);
        QCOMPARE(node.value(u"state").toString(), QStringLiteral("ready"));
        QCOMPARE(node.value(u"availability").toString(), QStringLiteral("active"));
        QCOMPARE(node.value(u"role").toString(), QStringLiteral("manager"));
        QVERIFY(node.value(u"leader").toBool());
        QCOMPARE(node.value(u"engineVersion").toString(), m_engineVersion);

        const QJsonArray services = swarm.value(u"services").toArray();
        QCOMPARE(services.size(), 2);
        const QJsonObject web = services.at(1).toObject();
        QCOMPARE(web.value(u"name").toString(), QStringLiteral("web"));
        QCOMPARE(web.value(u"app").toString(), QStringLiteral("web"));
        QCOMPARE(web.value(u"release").toString(), QStringLiteral("3"));
        QCOMPARE(web.value(u"replicas").toInt(), 2);
        QCOMPARE(web.value(u"running").toInt(), 2);
        const QJsonArray perNode = web.value(u"nodes").toArray();
        QCOMPARE(perNode.size(), 1);
        QCOMPARE(perNode.at(0).toObject().value(u"hostname").toString(), m_hostname);
        QCOMPARE(perNode.at(0).toObject().value(u"nodeId").toString(), node.value(u"id").toString());
        QCOMPARE(perNode.at(0).toObject().value(u"running").toInt(), 2);
        QCOMPARE(perNode.at(0).toObject().value(u"states").toArray(),
                 (QJsonArray{QStringLiteral("running"), QStringLiteral("running")}));
        const QJsonObject pending = services.at(0).toObject();
        QCOMPARE(pending.value(u"name").toString(), QStringLiteral("pending"));
        QCOMPARE(pending.value(u"running").toInt(-1), 0);
        QCOMPARE(
            pending.value(u"nodes").toArray().at(0).toObject().value(u"nodeId").toString(QStringLiteral("x")),
            QString());
    }

    void targetsPageShowsNodesAndReplicas()
    {
        isolateSettings();
        QTemporaryDir data;
        QVERIFY(data.isValid());
        {
            auto history = History::open(History::defaultPath(slipway::DataDirs::resolve(data.path()).data));
            QVERIFY2(history.ok(), qPrintable(history.ok() ? QString() : history.error().message));
            const slipway::Status added = history.value()->addTarget(target());
            QVERIFY2(added.ok(), qPrintable(added.ok() ? QString() : added.error().message));
        }
        QStringList warnings;
        Console console(data.path());
        TargetModel &targets = console.targets;
        QAbstractItemModelTester tester(&targets, QAbstractItemModelTester::FailureReportingMode::QtTest);
        std::unique_ptr<QQmlApplicationEngine> engine;
        QQuickWindow *window = nullptr;
        QVERIFY(loadWindow(console, engine, warnings, window));
        QVERIFY(console.navigation.showPage(QStringLiteral("Targets")));
        QTRY_COMPARE(targets.count(), 1);
        QTRY_VERIFY(!targets.isBusy());
        const auto row = [&] {
            return findVisibleItem(window->contentItem(), QStringLiteral("target_swarm"));
        };
        QTRY_VERIFY(row());
        QVERIFY(QQuickTest::qWaitForPolish(window));

        QSignalSpy checked(&targets, &TargetModel::checked);
        QVERIFY(clickItem(window, findItem(row(), QStringLiteral("testButton"))));
        QVERIFY(checked.wait(30000));
        const QModelIndex index = targets.index(0);
        QVERIFY2(index.data(TargetModel::CheckOkRole).toBool(),
                 qPrintable(index.data(TargetModel::CheckRole).toString()));
        QCOMPARE(index.data(TargetModel::SwarmRole).toString(), QStringLiteral("manager, 1 node"));
        QVERIFY(index.data(TargetModel::SwarmOkRole).toBool());
        QCOMPARE(index.data(TargetModel::SwarmNodesRole).toStringList(), QStringList{nodeLine()});
        QCOMPARE(index.data(TargetModel::SwarmServicesRole).toStringList(), serviceLines());

        // On the row, under the engine's and the proxy's lines.
        QTRY_COMPARE(visibleTexts(row(), QStringLiteral("swarmResult")),
                     QStringList{QStringLiteral("Swarm manager, 1 node")});
        QTRY_COMPARE(visibleTexts(row(), QStringLiteral("swarmNode")),
                     QStringList{QStringLiteral("Node ") + nodeLine()});
        QTRY_COMPARE(visibleTexts(row(), QStringLiteral("swarmService")),
                     (QStringList{QStringLiteral("Service ") + serviceLines().at(0),
                                  QStringLiteral("Service ") + serviceLines().at(1)}));
        QVERIFY(findVisibleItem(row(), QStringLiteral("proxyCheckResult")));

        // A refresh keeps them, as it keeps the connection's line.
        QSignalSpy refreshed(&targets, &TargetModel::refreshed);
        targets.refresh();
        QVERIFY(refreshed.wait(20000));
        QCOMPARE(targets.index(0).data(TargetModel::SwarmServicesRole).toStringList(), serviceLines());

        engine.reset();
        QVERIFY2(warnings.isEmpty(), qPrintable(warnings.join(u'\n')));
    }
};

QTEST_MAIN(TestSwarmTargets)
#include "tst_swarmtargets.moc"
