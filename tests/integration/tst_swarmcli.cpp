// slipway-cli on a Swarm target end to end: the harness's dockerd made a one-node Swarm manager,
// the busybox web app deployed by the real slipway-cli through the harness registry (`deploy
// --image`, two replicas), and then what a user does to it: `app list` (text and --json) with a
// row per replica and its node, `app stop|start|restart|remove`, `logs`, and a rollback two
// releases back. What Swarm reports (`docker service inspect`, `docker ps` of the task
// containers, a request from inside each) is the proof, not what Slipway says. Each function
// deploys what it needs first unless the service already runs it (deployed()).
#include "clirun.h"
#include "dockerservice.h"
#include "gitrepo.h"
#include "history/history.h"
#include "processes.h"
#include "registryserver.h"
#include "util/paths.h"
#include "webapp.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <memory>

using namespace slipway;
using slipway::test::CliRun;
using slipway::test::DockerService;
using slipway::test::GitRepo;
using slipway::test::RegistryServer;

class TestSwarmCli final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<RegistryServer> m_registry;
    std::unique_ptr<DockerService> m_docker;
    std::unique_ptr<QTemporaryDir> m_data;
    std::unique_ptr<GitRepo> m_repo;
    quint16 m_port = 0;                   // the app's, inside each task's container
    QString m_node;                       // the Swarm's one node's hostname
    QMap<QByteArray, QString> m_releases; // version -> release id

    CliRun cli(QStringList arguments) const
    {
        arguments.prepend(m_data->path());
        arguments.prepend(QStringLiteral("--data-dir"));
        return slipway::test::runCli(arguments);
    }
    static QString said(const CliRun &run)
    {
        return QStringLiteral("exit %1\n%2%3").arg(run.exitCode).arg(QString::fromUtf8(run.out), run.err);
    }

    // Commits `version` of the web app (two replicas, no published port) and deploys it through
    // the registry: the release id, else empty with `problem` set.
    QString deploy(const QByteArray &version, QString *problem, CliRun *run = nullptr)
    {
        if (!slipway::test::commitWebApp(*m_repo, version, true, m_port, {}, 0, "2s", "replicas = 2\n")) {
            *problem = QStringLiteral("cannot commit ") + QString::fromUtf8(version);
            return {};
        }
        const CliRun deployed = cli({QStringLiteral("deploy"), m_repo->path(), QStringLiteral("--target"),
                                     QStringLiteral("swarm"), QStringLiteral("--image"),
                                     m_registry->address() + QStringLiteral("/team/web")});
        if (run)
            *run = deployed;
        if (deployed.exitCode != 0) {
            *problem = said(deployed);
            return {};
        }
        const QString release = QString::number(listed().value(QStringLiteral("release")).toInteger());
        m_releases.insert(version, release);
        return release;
    }

    // `version` served by both replicas: deployed now unless the service already runs it.
    QString deployed(const QByteArray &version)
    {
        const QJsonObject web = listed();
        if (m_releases.contains(version) &&
            web[QStringLiteral("service")][QStringLiteral("release")].toString() ==
                m_releases.value(version) &&
            web[QStringLiteral("service")][QStringLiteral("running")].toInt() == 2)
            return {};
        QString problem;
        deploy(version, &problem);
        return problem;
    }

    // The app "web" as `app list --json` shows it; empty when it is not listed.
    QJsonObject listed() const
    {
        const CliRun run = cli({QStringLiteral("app"), QStringLiteral("list"), QStringLiteral("--json")});
        for (const QJsonValue &app : QJsonDocument::fromJson(run.out)[QStringLiteral("apps")].toArray())
            if (app[QStringLiteral("app")].toString() == u"web")
                return app.toObject();
        return {};
    }
    static QStringList taskIds(const QJsonObject &app)
    {
        QStringList ids;
        for (const QJsonValue &task : app[QStringLiteral("containers")].toArray())
            ids.append(task[QStringLiteral("task")].toString());
        ids.sort();
        return ids;
    }

    // What Swarm has: `docker service inspect web --format FORMAT`.
    QString service(const QString &format) const
    {
        QString output;
        if (m_docker->docker({QStringLiteral("service"), QStringLiteral("inspect"), QStringLiteral("web"),
                              QStringLiteral("--format"), format},
                             &output) != 0)
            return QStringLiteral("no service: ") + output.trimmed();
        return output.trimmed();
    }
    // The containers of the tasks Swarm wants running: what each answers on / from inside,
    // sorted.
    QStringList answers() const
    {
        QString tasks;
        m_docker->docker({QStringLiteral("service"), QStringLiteral("ps"), QStringLiteral("web"),
                          QStringLiteral("-q"), QStringLiteral("--no-trunc"), QStringLiteral("--filter"),
                          QStringLiteral("desired-state=running")},
                         &tasks);
        QStringList answers;
        for (const QString &task : tasks.split(u'\n', Qt::SkipEmptyParts)) {
            QString id;
            m_docker->docker({QStringLiteral("ps"), QStringLiteral("-q"), QStringLiteral("--filter"),
                              QStringLiteral("label=com.docker.swarm.task.id=") + task.trimmed()},
                             &id);
            QString answer;
            m_docker->docker({QStringLiteral("exec"), id.trimmed(), QStringLiteral("/bin/busybox"),
                              QStringLiteral("wget"), QStringLiteral("-q"), QStringLiteral("-O"),
                              QStringLiteral("-"), QStringLiteral("http://127.0.0.1:%1/").arg(m_port)},
                             &answer);
            answers.append(answer.trimmed());
        }
        answers.sort();
        return answers;
    }
    // How many containers of the service run, old tasks' included.
    int runningContainers() const
    {
        QString output;
        m_docker->docker({QStringLiteral("ps"), QStringLiteral("-q"), QStringLiteral("--filter"),
                          QStringLiteral("label=com.docker.swarm.service.name=web")},
                         &output);
        return int(output.split(u'\n', Qt::SkipEmptyParts).size());
    }
    // `history show ID` of the last deployment: its row and its stored log.
    QString lastDeploymentLog() const
    {
        auto history = History::open(History::defaultPath(DataDirs::resolve(m_data->path()).data));
        if (!history)
            return QStringLiteral("no history");
        auto deployments = history.value()->deployments();
        if (!deployments || deployments->isEmpty())
            return QStringLiteral("no deployment");
        const CliRun run = cli(
            {QStringLiteral("history"), QStringLiteral("show"), QString::number(deployments->first().id)});
        return QString::fromUtf8(run.out) + run.err;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QElapsedTimer timer;
        timer.start();
        m_registry = std::make_unique<RegistryServer>();
        QVERIFY2(m_registry->start(), qPrintable(m_registry->errorString()));
        m_docker = std::make_unique<DockerService>(QStringList{m_registry->address()});
        QVERIFY2(m_docker->start(), qPrintable(m_docker->errorString()));
        QString error;
        QVERIFY2(m_docker->initSwarm(&error), qPrintable(error));
        QVERIFY2(m_docker->docker({QStringLiteral("node"), QStringLiteral("ls"), QStringLiteral("--format"),
                                   QStringLiteral("{{.Hostname}}")},
                                  &m_node) == 0,
                 qPrintable(m_node));
        m_node = m_node.trimmed();
        QVERIFY(!m_node.isEmpty());

        m_data = std::make_unique<QTemporaryDir>();
        m_repo = std::make_unique<GitRepo>();
        QVERIFY(m_data->isValid() && m_repo->isValid());
        m_port = slipway::test::freeLoopbackPort();
        const CliRun run = cli({QStringLiteral("target"), QStringLiteral("add"), QStringLiteral("swarm"),
                                QStringLiteral("--endpoint"), m_docker->endpoint()});
        QVERIFY2(run.exitCode == 0, qPrintable(said(run)));
        qInfo("servers up in %lld ms", timer.elapsed());
    }

    // The deploy says each replica as it runs; the listing has the service as the app, with a
    // row per replica on the node, its release from the labels.
    void deployListsEveryReplica()
    {
        QString problem;
        CliRun run;
        const QString release = deploy("v1", &problem, &run);
        QVERIFY2(!release.isEmpty(), qPrintable(problem));
        QVERIFY2(QString::fromUtf8(run.out).contains(QRegularExpression(
                     QStringLiteral("\\nswarm +healthy +web \\([0-9a-z]{12}\\) after [0-9.]+ s\\n"))),
                 qPrintable(said(run)));
        // Its progress on stderr has a line per replica as it changes, ending with both running.
        const QString node = QSysInfo::machineHostName();
        for (int slot = 1; slot <= 2; ++slot)
            QVERIFY2(run.err.contains(QStringLiteral("  swarm: replica %1 on %2: running, release %3\n")
                                          .arg(slot)
                                          .arg(node, release)),
                     qPrintable(said(run)));
        // The deployment's log (what `history show` prints of it) says each replica as it ran.
        const QString log = lastDeploymentLog();
        QVERIFY2(log.contains(QStringLiteral("the engine is a Swarm manager: the app runs as a service")),
                 qPrintable(log));
        for (const QString &replica : {QStringLiteral("1/2"), QStringLiteral("2/2")})
            QVERIFY2(log.contains(
                         QRegularExpression(QStringLiteral("replica %1 running web@sha256:").arg(replica))),
                     qPrintable(log));
        QCOMPARE(service(QStringLiteral("{{.Spec.Mode.Replicated.Replicas}} "
                                        "{{index .Spec.Labels \"io.slipway.release\"}}")),
                 QStringLiteral("2 ") + release);
        QCOMPARE(answers(), (QStringList{QStringLiteral("v1"), QStringLiteral("v1")}));

        const QJsonObject web = listed();
        QCOMPARE(web[QStringLiteral("target")].toString(), QStringLiteral("swarm"));
        QCOMPARE(web[QStringLiteral("state")].toString(), QStringLiteral("running"));
        QCOMPARE(web[QStringLiteral("drift")].toString(), QString());
        QCOMPARE(web[QStringLiteral("service")][QStringLiteral("replicas")].toInt(), 2);
        QCOMPARE(web[QStringLiteral("service")][QStringLiteral("running")].toInt(), 2);
        QCOMPARE(web[QStringLiteral("service")][QStringLiteral("release")].toString(), release);
        const QJsonArray tasks = web[QStringLiteral("containers")].toArray();
        QCOMPARE(tasks.size(), 2);
        for (int i = 0; i < 2; ++i) {
            const QJsonValue task = tasks.at(i);
            QCOMPARE(task[QStringLiteral("name")].toString(), QStringLiteral("web.%1").arg(i + 1));
            QCOMPARE(task[QStringLiteral("slot")].toInt(), i + 1);
            QCOMPARE(task[QStringLiteral("node")].toString(), m_node);
            QCOMPARE(task[QStringLiteral("state")].toString(), QStringLiteral("running"));
            QCOMPARE(task[QStringLiteral("release")].toString(), release);
            QVERIFY(!task[QStringLiteral("task")].toString().isEmpty());
            QVERIFY(!task[QStringLiteral("id")].toString().isEmpty()); // its container, on the manager
        }
        // Only the service: its task containers on the manager are not apps of their own.
        const CliRun text = cli({QStringLiteral("app"), QStringLiteral("list")});
        QVERIFY2(text.exitCode == 0, qPrintable(said(text)));
        const QStringList lines = QString::fromUtf8(text.out).split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 3);
        QVERIFY2(lines.at(1).contains(
                     QRegularExpression(QStringLiteral("^web +swarm +running 2/2 +%1 ").arg(release))),
                 qPrintable(lines.at(1)));
        QCOMPARE(lines.at(2),
                 QStringLiteral("web on swarm: Swarm service: web.1 running on %1, web.2 running on %1")
                     .arg(m_node));
    }

    // Stop scales the service to 0 and start back to 2; restart has Swarm replace each task.
    // Each is recorded, and the listing agrees with the history (no drift).
    void stopStartRestart()
    {
        const QString problem = deployed("v1");
        QVERIFY2(problem.isEmpty(), qPrintable(problem));

        CliRun run = cli({QStringLiteral("app"), QStringLiteral("stop"), QStringLiteral("web")});
        QVERIFY2(run.exitCode == 0, qPrintable(said(run)));
        QCOMPARE(QString::fromUtf8(run.out).trimmed(),
                 QStringLiteral("web on swarm: scaled service web from 2 replicas to 0"));
        QCOMPARE(service(QStringLiteral("{{.Spec.Mode.Replicated.Replicas}} "
                                        "{{index .Spec.Labels \"io.slipway.replicas\"}}")),
                 QStringLiteral("0 2"));
        QCOMPARE(runningContainers(), 0);
        QJsonObject web = listed();
        QCOMPARE(web[QStringLiteral("state")].toString(), QStringLiteral("stopped"));
        QCOMPARE(web[QStringLiteral("expected")].toString(), QStringLiteral("stopped"));
        QCOMPARE(web[QStringLiteral("drift")].toString(), QString());
        QCOMPARE(web[QStringLiteral("service")][QStringLiteral("running")].toInt(), 0);
        QCOMPARE(web[QStringLiteral("containers")].toArray().size(), 0);

        run = cli({QStringLiteral("app"), QStringLiteral("start"), QStringLiteral("web")});
        QVERIFY2(run.exitCode == 0, qPrintable(said(run)));
        QCOMPARE(QString::fromUtf8(run.out).trimmed(),
                 QStringLiteral("web on swarm: scaled service web from 0 to 2 replicas, running"));
        QCOMPARE(service(QStringLiteral("{{.Spec.Mode.Replicated.Replicas}} "
                                        "[{{index .Spec.Labels \"io.slipway.replicas\"}}]")),
                 QStringLiteral("2 []"));
        QCOMPARE(answers(), (QStringList{QStringLiteral("v1"), QStringLiteral("v1")}));
        web = listed();
        QCOMPARE(web[QStringLiteral("state")].toString(), QStringLiteral("running"));
        QCOMPARE(web[QStringLiteral("service")][QStringLiteral("running")].toInt(), 2);
        QCOMPARE(web[QStringLiteral("drift")].toString(), QString());

        const QStringList before = taskIds(web);
        QCOMPARE(before.size(), 2);
        const int forced = service(QStringLiteral("{{.Spec.TaskTemplate.ForceUpdate}}")).toInt();
        run = cli({QStringLiteral("app"), QStringLiteral("restart"), QStringLiteral("web"),
                   QStringLiteral("--json")});
        QVERIFY2(run.exitCode == 0, qPrintable(said(run)));
        const QJsonObject restart = QJsonDocument::fromJson(run.out).array().first().toObject();
        QCOMPARE(restart[QStringLiteral("action")].toString(), QStringLiteral("restart"));
        QCOMPARE(restart[QStringLiteral("result")].toString(), QStringLiteral("succeeded"));
        QCOMPARE(QString::number(restart[QStringLiteral("releaseId")].toInteger()), m_releases.value("v1"));
        QCOMPARE(restart[QStringLiteral("detail")].toString(),
                 QStringLiteral("restarted service web: Swarm replaced its 2 tasks one after another"));
        web = listed();
        const QStringList after = taskIds(web);
        QCOMPARE(after.size(), 2);
        for (const QString &id : after)
            QVERIFY2(
                !before.contains(id),
                qPrintable(QStringLiteral("%1 before, %2 after").arg(before.join(u' '), after.join(u' '))));
        QCOMPARE(web[QStringLiteral("state")].toString(), QStringLiteral("running"));
        QCOMPARE(service(QStringLiteral("{{.Spec.TaskTemplate.ForceUpdate}}")).toInt(), forced + 1);
        QCOMPARE(answers(), (QStringList{QStringLiteral("v1"), QStringLiteral("v1")}));
        QCOMPARE(runningContainers(), 2); // the old tasks have stopped

        // Each recorded, with who and what was done.
        auto history = History::open(History::defaultPath(DataDirs::resolve(m_data->path()).data));
        QVERIFY(history);
        auto operations = history.value()->operations();
        QVERIFY(operations && operations->size() >= 3);
        QCOMPARE(operationActionName(operations->at(0).action), QStringLiteral("restart"));
        QCOMPARE(operationActionName(operations->at(1).action), QStringLiteral("start"));
        QCOMPARE(operationActionName(operations->at(2).action), QStringLiteral("stop"));
        QCOMPARE(operations->at(2).detail, QStringLiteral("scaled service web from 2 replicas to 0"));

        // Maintenance needs the proxy, which a service is never behind: bad input, one line.
        run = cli({QStringLiteral("app"), QStringLiteral("maintenance"), QStringLiteral("web"),
                   QStringLiteral("--target"), QStringLiteral("swarm")});
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(run.errors(), QStringList{QStringLiteral(
                                   "slipway-cli app maintenance: target swarm: app web is not behind a "
                                   "proxy: it is a Swarm service, and those never are")});
    }

    // `logs` shows the service: the lines of both tasks (httpd -vv logs each request, the health
    // checks' too, on stderr), each with its task's name and release.
    void logsOfEveryTask()
    {
        const QString problem = deployed("v1");
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QSet<QString> tasks;
        CliRun run;
        QElapsedTimer timer;
        timer.start();
        // Two health checks a task come within a few seconds.
        while (tasks.size() < 2 && timer.elapsed() < 15000) {
            run = cli({QStringLiteral("logs"), QStringLiteral("web"), QStringLiteral("--tail"),
                       QStringLiteral("20"), QStringLiteral("--json")});
            QVERIFY2(run.exitCode == 0, qPrintable(said(run)));
            for (const QByteArray &line : run.out.split('\n')) {
                if (line.isEmpty())
                    continue;
                const QJsonObject entry = QJsonDocument::fromJson(line).object();
                QCOMPARE(entry[QStringLiteral("target")].toString(), QStringLiteral("swarm"));
                QCOMPARE(entry[QStringLiteral("release")].toString(), m_releases.value("v1"));
                QVERIFY2(entry[QStringLiteral("time")].toString().startsWith(u'2'), line.constData());
                // No details of Swarm's left in the text.
                QVERIFY2(
                    !entry[QStringLiteral("text")].toString().contains(QStringLiteral("com.docker.swarm")),
                    line.constData());
                tasks.insert(entry[QStringLiteral("container")].toString());
            }
            if (tasks.size() < 2)
                QTest::qWait(500);
        }
        QCOMPARE(tasks, (QSet<QString>{QStringLiteral("web.1"), QStringLiteral("web.2")}));

        // As text: the service's stderr on stderr.
        run = cli(
            {QStringLiteral("logs"), QStringLiteral("web"), QStringLiteral("--tail"), QStringLiteral("5")});
        QVERIFY2(run.exitCode == 0, qPrintable(said(run)));
        QVERIFY2(run.err.contains(QStringLiteral("/health")), qPrintable(said(run)));

        // --follow: the tasks a restart puts in place are in the same stream (once the restart is
        // done, the old tasks have stopped: a line stamped later is a new task's).
        QProcess follow;
        follow.start(QStringLiteral(SLIPWAY_CLI),
                     {QStringLiteral("--data-dir"), m_data->path(), QStringLiteral("logs"),
                      QStringLiteral("web"), QStringLiteral("--follow"), QStringLiteral("--json"),
                      QStringLiteral("--tail"), QStringLiteral("0")});
        QVERIFY(follow.waitForStarted());
        run = cli({QStringLiteral("app"), QStringLiteral("restart"), QStringLiteral("web")});
        QVERIFY2(run.exitCode == 0, qPrintable(said(run)));
        const QDateTime restarted = QDateTime::currentDateTimeUtc();
        QSet<QString> after;
        timer.restart();
        while (after.size() < 2 && timer.elapsed() < 15000 && follow.state() == QProcess::Running) {
            follow.waitForReadyRead(500);
            while (follow.canReadLine()) {
                const QJsonObject entry = QJsonDocument::fromJson(follow.readLine()).object();
                if (QDateTime::fromString(entry[QStringLiteral("time")].toString(), Qt::ISODateWithMs) >
                    restarted)
                    after.insert(entry[QStringLiteral("container")].toString());
            }
        }
        ::kill(pid_t(follow.processId()), SIGINT);
        QVERIFY(follow.waitForFinished(30000));
        QCOMPARE(follow.exitCode(), 0);
        QCOMPARE(after, (QSet<QString>{QStringLiteral("web.1"), QStringLiteral("web.2")}));
    }

    // A second release, then back two releases to the first: a new update of the service with
    // the first release's recorded image and settings; then remove takes the service away.
    void rollbackTwoBackThenRemove()
    {
        QString problem = deployed("v1");
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        const QString first = m_releases.value("v1");
        const QString second = deploy("v2", &problem);
        QVERIFY2(!second.isEmpty(), qPrintable(problem));
        const QString third = deploy("v3", &problem);
        QVERIFY2(!third.isEmpty(), qPrintable(problem));
        QCOMPARE(answers(), (QStringList{QStringLiteral("v3"), QStringLiteral("v3")}));

        CliRun run = cli({QStringLiteral("rollback"), QStringLiteral("--target"), QStringLiteral("swarm"),
                          QStringLiteral("--to"), first, QStringLiteral("--json")});
        QVERIFY2(run.exitCode == 0, qPrintable(said(run)));
        QCOMPARE(service(QStringLiteral("{{.Spec.Mode.Replicated.Replicas}} "
                                        "{{index .Spec.Labels \"io.slipway.release\"}}")),
                 QStringLiteral("2 ") + first);
        QCOMPARE(answers(), (QStringList{QStringLiteral("v1"), QStringLiteral("v1")}));
        QJsonObject web = listed();
        QCOMPARE(QString::number(web[QStringLiteral("release")].toInteger()), first);
        QCOMPARE(web[QStringLiteral("service")][QStringLiteral("release")].toString(), first);
        QCOMPARE(web[QStringLiteral("drift")].toString(), QString());
        for (const QJsonValue &task : web[QStringLiteral("containers")].toArray())
            QCOMPARE(task[QStringLiteral("release")].toString(), first);

        run = cli({QStringLiteral("app"), QStringLiteral("remove"), QStringLiteral("web")});
        QVERIFY2(run.exitCode == 0, qPrintable(said(run)));
        QCOMPARE(QString::fromUtf8(run.out).trimmed(),
                 QStringLiteral("web on swarm: removed service web (2 replicas)"));
        QVERIFY2(service(QStringLiteral("{{.ID}}")).startsWith(QStringLiteral("no service")),
                 qPrintable(service(QStringLiteral("{{.ID}}"))));
        QString output;
        m_docker->docker({QStringLiteral("ps"), QStringLiteral("-aq"), QStringLiteral("--filter"),
                          QStringLiteral("label=com.docker.swarm.service.name=web")},
                         &output);
        QCOMPARE(output.trimmed(), QString());
        // Removed with Slipway: no longer listed, and nothing left to operate on.
        QVERIFY(listed().isEmpty());
        run = cli({QStringLiteral("app"), QStringLiteral("stop"), QStringLiteral("web"),
                   QStringLiteral("--target"), QStringLiteral("swarm")});
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(run.errors(),
                 QStringList{QStringLiteral("slipway-cli app stop: target swarm: app web has no "
                                            "service or container there")});
        m_releases.clear();
    }
};

QTEST_GUILESS_MAIN(TestSwarmCli)
#include "tst_swarmcli.moc"
