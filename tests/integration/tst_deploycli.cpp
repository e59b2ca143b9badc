// slipway-cli deploy and rollback end to end: a busybox httpd app built by slipway from a git
// repository, loaded into (or pulled by) two real targets of one engine, one reached through the
// harness sshd, each function once on Podman and once on Docker (the global data rows); the
// history database tells what happened. Each function has a data dir and a
// repository of its own and starts with no container or loaded release image on either
// target (init()); what it needs deployed before, it deploys itself.

#include "clirun.h"
#include "dockerservice.h"
#include "engine/engineclient.h"
#include "gitrepo.h"
#include "history/history.h"
#include "podmanservice.h"
#include "processes.h"
#include "registryserver.h"
#include "releaseimage.h"
#include "sshserver.h"
#include "util/paths.h"
#include "webapp.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QProcess>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QTest>

#include <functional>
#include <map>
#include <memory>

#include <signal.h>

using namespace slipway;
using slipway::test::CliRun;
using slipway::test::DockerService;
using slipway::test::EngineService;
using slipway::test::GitRepo;
using slipway::test::PodmanService;
using slipway::test::RegistryServer;
using slipway::test::runCli;
using slipway::test::SshServer;

class TestDeployCli final : public QObject
{
    Q_OBJECT

private:
    // This function's own, made anew by init().
    std::unique_ptr<QTemporaryDir> m_data;
    std::unique_ptr<GitRepo> m_repo;
    std::unique_ptr<RegistryServer> m_registry;
    // The targets of each engine, by the global data row: "podman", "docker"; this row's.
    std::map<QString, std::pair<std::unique_ptr<EngineService>, std::unique_ptr<EngineService>>> m_engines;
    EngineService *m_local = nullptr;
    EngineService *m_remote = nullptr;
    std::unique_ptr<SshServer> m_ssh;
    quint16 m_port = 0;
    QStringList m_env;

    CliRun cli(QStringList arguments)
    {
        arguments.prepend(m_data->path());
        arguments.prepend(QStringLiteral("--data-dir"));
        return runCli(arguments, m_env);
    }

    static QJsonObject json(const CliRun &run) { return QJsonDocument::fromJson(run.out).object(); }

    // The names of the engine's containers, running or not.
    static QStringList containers(const EngineService &engine)
    {
        QString output;
        engine.cli({QStringLiteral("ps"), QStringLiteral("-a"), QStringLiteral("--format"),
                    QStringLiteral("{{.Names}}")},
                   &output);
        return output.split(u'\n', Qt::SkipEmptyParts);
    }

    // Field 22 of /proc/PID/stat: what DeployLock tells a process by, besides its pid.
    static qint64 startTicksOf(qint64 pid)
    {
        QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
        if (!stat.open(QIODevice::ReadOnly))
            return -1;
        const QByteArray line = stat.readAll();
        return line.mid(line.lastIndexOf(')') + 2).split(' ').value(19).toLongLong();
    }

    // The app's deploy lock, made as a deploy of process `pid` on this machine would make it.
    static bool holdLock(const EngineService &engine, qint64 pid, qint64 startTicks)
    {
        if (!engine.importBusybox(QStringLiteral("localhost/lockholder:1")))
            return false;
        QStringList arguments{QStringLiteral("create"), QStringLiteral("--name"),
                              QStringLiteral("slipway-lock-web")};
        const QList<std::pair<QString, QString>> labels{
            {QStringLiteral("machine"), QString::fromLatin1(QSysInfo::machineUniqueId())},
            {QStringLiteral("host"), QSysInfo::machineHostName()},
            {QStringLiteral("pid"), QString::number(pid)},
            {QStringLiteral("start"), QString::number(startTicks)},
            {QStringLiteral("since"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
            {QStringLiteral("token"), QStringLiteral("held-by-the-test")}};
        for (const auto &[key, value] : labels)
            arguments << QStringLiteral("--label") << QStringLiteral("io.slipway.lock.%1=%2").arg(key, value);
        arguments << QStringLiteral("localhost/lockholder:1") << QStringLiteral("/bin/busybox")
                  << QStringLiteral("true");
        return engine.cli(arguments) == 0;
    }

    bool commitApp(const QByteArray &version, bool healthy)
    {
        return slipway::test::commitWebApp(*m_repo, version, healthy, m_port);
    }

    Target target(const QString &name)
    {
        auto history = History::open(History::defaultPath(DataDirs::resolve(m_data->path()).data));
        if (!history)
            return {};
        auto found = history.value()->target(name);
        return found ? found.value() : Target{};
    }

    // What the web container answers, asked from inside it; "containers: N" when not one.
    QString answer(const QString &targetName)
    {
        qputenv("SLIPWAY_SSH_COMMAND", m_env.first().section(u'=', 1).toUtf8());
        return slipway::test::answerFromInside(target(targetName), QStringLiteral("web"), m_port);
    }

    // What a function needs serving before it starts: `version` of the web app, deployed.
    QString deployedBefore(const QByteArray &version, const QStringList &targets)
    {
        if (!commitApp(version, true))
            return QStringLiteral("cannot commit ") + QString::fromUtf8(version);
        QStringList arguments{QStringLiteral("deploy"), m_repo->path()};
        for (const QString &name : targets)
            arguments << QStringLiteral("--target") << name;
        const CliRun run = cli(arguments);
        return run.exitCode == 0 ? QString() : run.err + QString::fromUtf8(run.out);
    }

    QList<DeploymentRecord> deployments()
    {
        auto history = History::open(History::defaultPath(DataDirs::resolve(m_data->path()).data));
        if (!history)
            return {};
        auto list = history.value()->deployments();
        return list ? list.value() : QList<DeploymentRecord>{};
    }

private Q_SLOTS:
    void initTestCase_data() { slipway::test::addEngineRows(); }

    void initTestCase()
    {
        m_registry = std::make_unique<RegistryServer>();
        QVERIFY2(m_registry->start(), qPrintable(m_registry->errorString()));
        const QStringList insecure{m_registry->address()};
        m_engines[QStringLiteral("podman")] = {
            std::make_unique<PodmanService>(PodmanService::Listen::UnixSocket, insecure),
            std::make_unique<PodmanService>(PodmanService::Listen::UnixSocket, insecure)};
        m_engines[QStringLiteral("docker")] = {std::make_unique<DockerService>(insecure),
                                               std::make_unique<DockerService>(insecure)};
        for (const auto &[name, engines] : m_engines)
            for (EngineService *engine : {engines.first.get(), engines.second.get()})
                QVERIFY2(engine->start(), qPrintable(engine->errorString()));
        m_ssh = std::make_unique<SshServer>();
        QVERIFY2(m_ssh->start(), qPrintable(m_ssh->errorString()));
        m_env = {QStringLiteral("SLIPWAY_SSH_COMMAND=ssh ") + m_ssh->clientOptions().join(u' ')};
        m_port = slipway::test::freeLoopbackPort();
    }

    // A data dir with the targets "local" and "remote", a repository, and targets on which
    // nothing of an earlier function runs: release ids start at 1 in every data dir, so the
    // images loaded as localhost/slipway-web:release-N go too.
    void init()
    {
        QFETCH_GLOBAL(QString, engine);
        m_local = m_engines[engine].first.get();
        m_remote = m_engines[engine].second.get();
        m_data = std::make_unique<QTemporaryDir>();
        QVERIFY(m_data->isValid());
        m_repo = std::make_unique<GitRepo>();
        QVERIFY(m_repo->isValid());
        for (EngineService *engine : {m_local, m_remote}) {
            QString error;
            QVERIFY2(engine->reset(QStringLiteral("localhost/slipway-"), &error), qPrintable(error));
        }
        CliRun run = cli({QStringLiteral("target"), QStringLiteral("add"), QStringLiteral("local"),
                          QStringLiteral("--endpoint"), m_local->endpoint()});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        run = cli({QStringLiteral("target"), QStringLiteral("add"), QStringLiteral("remote"),
                   QStringLiteral("--endpoint"),
                   QStringLiteral("ssh://%1@127.0.0.1:%2%3")
                       .arg(m_ssh->user())
                       .arg(m_ssh->port())
                       .arg(m_remote->socketPath())});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    }

    // One deploy of an app to a target at a time, across processes and machines: the lock is a
    // container on the engine that is never started (DeployLock). Held by a live process, a deploy with
    // --no-wait fails naming it, and one without waits, says so, and goes on once it is released; a holder
    // that is gone is taken over; two deploys started together both end healthy, one after the other.
    void oneDeployOfAnAppAtATime()
    {
        const QString lock = QStringLiteral("slipway-lock-web");
        QString problem = deployedBefore("v1", {QStringLiteral("local")});
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QVERIFY2(!containers(*m_local).contains(lock), "the lock outlived the deploy");

        // This test process holds it.
        const qint64 self = QCoreApplication::applicationPid();
        QVERIFY(holdLock(*m_local, self, startTicksOf(self)));
        QVERIFY(commitApp("v2", true));
        const CliRun refused = cli({QStringLiteral("deploy"), m_repo->path(), QStringLiteral("--target"),
                                    QStringLiteral("local"), QStringLiteral("--no-wait")});
        QCOMPARE(refused.exitCode, 1);
        const QString summary = QString::fromUtf8(refused.out);
        QVERIFY2(summary.contains(QStringLiteral("web is being deployed by pid %1 on ").arg(self)),
                 qPrintable(summary));
        QVERIFY2(summary.contains(QStringLiteral("without --no-wait to wait")), qPrintable(summary));
        QCOMPARE(answer(QStringLiteral("local")), QStringLiteral("v1"));

        // Without --no-wait: it waits and says so, and goes on once the holder lets go.
        QProcess waiting;
        waiting.start(QStringLiteral(SLIPWAY_CLI),
                      {QStringLiteral("--data-dir"), m_data->path(), QStringLiteral("deploy"), m_repo->path(),
                       QStringLiteral("--target"), QStringLiteral("local")});
        QVERIFY(waiting.waitForStarted());
        QByteArray said;
        QElapsedTimer clock;
        clock.start();
        while (!said.contains("waiting: web is being deployed by pid") && clock.elapsed() < 60000 &&
               waiting.state() == QProcess::Running) {
            waiting.waitForReadyRead(200);
            said += waiting.readAllStandardError();
        }
        QVERIFY2(
            said.contains(QByteArray("waiting: web is being deployed by pid " + QByteArray::number(self))),
            said.constData());
        QCOMPARE(answer(QStringLiteral("local")), QStringLiteral("v1"));
        QCOMPARE(m_local->cli({QStringLiteral("rm"), lock}), 0);
        QVERIFY(waiting.waitForFinished(120000));
        said += waiting.readAllStandardError();
        QVERIFY2(waiting.exitCode() == 0, said.constData());
        QCOMPARE(answer(QStringLiteral("local")), QStringLiteral("v2"));

        // A holder that is gone (a killed deploy on this machine) is taken over.
        QProcess gone;
        gone.start(QStringLiteral("true"), {});
        QVERIFY(gone.waitForStarted());
        const qint64 deadPid = gone.processId();
        QVERIFY(gone.waitForFinished());
        QVERIFY(holdLock(*m_local, deadPid, 12345));
        QVERIFY(commitApp("v3", true));
        const CliRun takenOver = cli({QStringLiteral("deploy"), m_repo->path(), QStringLiteral("--target"),
                                      QStringLiteral("local"), QStringLiteral("--no-wait")});
        QVERIFY2(takenOver.exitCode == 0, qPrintable(takenOver.err));
        QVERIFY2(takenOver.err.contains(
                     QStringLiteral("taking over the deploy lock of web from pid %1").arg(deadPid)),
                 qPrintable(takenOver.err));
        QCOMPARE(answer(QStringLiteral("local")), QStringLiteral("v3"));

        // Two at once: both healthy, one after the other, and one container serves.
        QVERIFY(commitApp("v4", true));
        QProcess first, second;
        for (QProcess *deploy : {&first, &second})
            deploy->start(QStringLiteral(SLIPWAY_CLI),
                          {QStringLiteral("--data-dir"), m_data->path(), QStringLiteral("deploy"),
                           m_repo->path(), QStringLiteral("--target"), QStringLiteral("local")});
        for (QProcess *deploy : {&first, &second}) {
            QVERIFY(deploy->waitForFinished(120000));
            QVERIFY2(
                deploy->exitCode() == 0,
                QByteArray(deploy->readAllStandardError() + deploy->readAllStandardOutput()).constData());
        }
        QCOMPARE(answer(QStringLiteral("local")), QStringLiteral("v4")); // "containers: 2" otherwise
        QVERIFY(!containers(*m_local).contains(lock));
    }

    void deploysWithoutARegistryToBothTargets()
    {
        QVERIFY(commitApp("v1", true));
        const CliRun run = cli({QStringLiteral("deploy"), m_repo->path(), QStringLiteral("--target"),
                                QStringLiteral("local"), QStringLiteral("--target"), QStringLiteral("remote"),
                                QStringLiteral("--json")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err + QString::fromUtf8(run.out)));
        const QJsonObject result = json(run);
        QVERIFY(result.value(QStringLiteral("healthy")).toBool());
        QVERIFY2(result.value(QStringLiteral("image"))
                     .toString()
                     .startsWith(QStringLiteral("localhost/slipway-web:release-")),
                 run.out.constData());
        const QJsonArray targets = result.value(QStringLiteral("targets")).toArray();
        QCOMPARE(targets.size(), 2);
        for (const QJsonValue &value : targets)
            QCOMPARE(value.toObject().value(QStringLiteral("result")).toString(),
                     QStringLiteral("succeeded"));
        QCOMPARE(answer(QStringLiteral("local")), QStringLiteral("v1"));
        QCOMPARE(answer(QStringLiteral("remote")), QStringLiteral("v1"));

        const QList<DeploymentRecord> recorded = deployments();
        QCOMPARE(recorded.size(), 2);
        for (const DeploymentRecord &deployment : recorded) {
            QCOMPARE(deployment.result, DeploymentResult::Succeeded);
            QVERIFY(deployment.finished.isValid());
            QCOMPARE(deployment.message, QStringLiteral("v1")); // the commit's summary line
        }
    }

    void failedHealthCheckIsRecordedWithLogs()
    {
        // Serving before: v1.
        const QString before = deployedBefore("v1", {QStringLiteral("local"), QStringLiteral("remote")});
        QVERIFY2(before.isEmpty(), qPrintable(before));
        QVERIFY(commitApp("v2", false));
        const CliRun run =
            cli({QStringLiteral("deploy"), m_repo->path(), QStringLiteral("--target"),
                 QStringLiteral("local"), QStringLiteral("--target"), QStringLiteral("remote")});
        QCOMPARE(run.exitCode, 1);
        const QString out = QString::fromUtf8(run.out);
        QVERIFY2(out.contains(QStringLiteral("failed   target local (unix://")), qPrintable(out));
        QVERIFY2(out.contains(QStringLiteral("not healthy after 6 s")), qPrintable(out));
        QVERIFY2(out.contains(QStringLiteral("url:/health")), qPrintable(out));
        QCOMPARE(answer(QStringLiteral("local")), QStringLiteral("v1"));
        QCOMPARE(answer(QStringLiteral("remote")), QStringLiteral("v1"));

        const QList<DeploymentRecord> recorded = deployments();
        QCOMPARE(recorded.size(), 4);
        for (const DeploymentRecord &deployment : recorded.mid(0, 2)) {
            QCOMPARE(deployment.result, DeploymentResult::Failed);
            QVERIFY2(deployment.error.contains(QStringLiteral("not healthy")), qPrintable(deployment.error));
            QVERIFY2(deployment.log.contains(QStringLiteral("last lines of the new container")),
                     qPrintable(deployment.log));
        }
    }

    void rollsBackToThePreviousRelease()
    {
        // Serving before: v1.
        const QString before = deployedBefore("v1", {QStringLiteral("local"), QStringLiteral("remote")});
        QVERIFY2(before.isEmpty(), qPrintable(before));
        QVERIFY(commitApp("v3", true));
        CliRun run = cli({QStringLiteral("deploy"), m_repo->path(), QStringLiteral("--target"),
                          QStringLiteral("local"), QStringLiteral("--target"), QStringLiteral("remote")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err + QString::fromUtf8(run.out)));
        QCOMPARE(answer(QStringLiteral("local")), QStringLiteral("v3"));

        QElapsedTimer timer;
        timer.start();
        run = cli({QStringLiteral("rollback"), QStringLiteral("--target"), QStringLiteral("local"),
                   QStringLiteral("--json")});
        const qint64 ms = timer.elapsed();
        QVERIFY2(run.exitCode == 0, qPrintable(run.err + QString::fromUtf8(run.out)));
        QCOMPARE(json(run).value(QStringLiteral("release")).toInteger(), 1);
        QCOMPARE(answer(QStringLiteral("local")), QStringLiteral("v1"));
        QCOMPARE(answer(QStringLiteral("remote")), QStringLiteral("v3"));
        qInfo("rollback to a release whose image is on the target: healthy after %.2f s, command done in "
              "%lld ms "
              "(the old httpd ignores SIGTERM as PID 1: its stop waits out stop_timeout = 1 s)",
              json(run)
                  .value(QStringLiteral("targets"))
                  .toArray()
                  .first()
                  .toObject()
                  .value(QStringLiteral("healthyAfter"))
                  .toDouble(),
              ms);

        run = cli({QStringLiteral("rollback"), QStringLiteral("--target"), QStringLiteral("remote"),
                   QStringLiteral("--to"), QStringLiteral("1")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err + QString::fromUtf8(run.out)));
        QCOMPARE(answer(QStringLiteral("remote")), QStringLiteral("v1"));
    }

    void deploysThroughARegistryByDigest()
    {
        QVERIFY(commitApp("v3", true));
        const QString image = m_registry->address() + QStringLiteral("/team/web:v3");
        QElapsedTimer timer;
        CliRun run;
        for (int i = 0; i < 2; ++i) {
            timer.start();
            run = cli({QStringLiteral("deploy"), m_repo->path(), QStringLiteral("--target"),
                       QStringLiteral("local"), QStringLiteral("--image"), image, QStringLiteral("--json")});
            QVERIFY2(run.exitCode == 0, qPrintable(run.err + QString::fromUtf8(run.out)));
        }
        // The second run: build cached, image already pulled.
        const qint64 ms = timer.elapsed();
        const QJsonObject outcome = json(run).value(QStringLiteral("targets")).toArray().first().toObject();
        const double retireMs = (outcome.value(QStringLiteral("seconds")).toDouble() -
                                 outcome.value(QStringLiteral("healthyAfter")).toDouble()) *
                                1000;
        qInfo("deploy of a cached build and image to the local target: command to healthy %.0f ms (whole "
              "command "
              "%lld ms, of which retiring the old container %.0f ms)",
              double(ms) - retireMs, ms, retireMs);
        const QString reference = json(run).value(QStringLiteral("image")).toString();
        QVERIFY2(reference.startsWith(m_registry->address() + QStringLiteral("/team/web@sha256:")),
                 qPrintable(reference));
        QCOMPARE(answer(QStringLiteral("local")), QStringLiteral("v3"));

        // Two platforms: the index goes up, and the target pulls its own platform's manifest.
        QVERIFY(commitApp("v4", true));
        const QString toml = m_repo->path() + QStringLiteral("/slipway.toml");
        QFile file(toml);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray text =
            file.readAll().replace("[image]\n", "[image]\nplatforms = [\"linux/arm64\", \"linux/amd64\"]\n");
        file.close();
        QVERIFY(m_repo->writeFile(QStringLiteral("slipway.toml"), text) &&
                !m_repo->commit(QStringLiteral("v4 for two platforms")).isEmpty());
        run = cli({QStringLiteral("deploy"), m_repo->path(), QStringLiteral("--target"),
                   QStringLiteral("local"), QStringLiteral("--image"),
                   m_registry->address() + QStringLiteral("/team/web:v4"), QStringLiteral("--json")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err + QString::fromUtf8(run.out)));
        auto history = History::open(History::defaultPath(DataDirs::resolve(m_data->path()).data));
        QVERIFY(history);
        auto release = history.value()->release(json(run).value(QStringLiteral("release")).toInteger());
        QVERIFY(release && release->platforms.size() == 2);
        QVERIFY2(json(run)
                     .value(QStringLiteral("image"))
                     .toString()
                     .endsWith(u'@' + release->platforms.at(1).digest),
                 qPrintable(json(run).value(QStringLiteral("image")).toString()));
        QCOMPARE(answer(QStringLiteral("local")), QStringLiteral("v4"));
    }

    void killedDeployLeavesConsistentHistoryAndTheNextConverges()
    {
        // Serving before: v4, on no host port, so it keeps serving while v5 starts beside it.
        const QString before = deployedBefore("v4", {QStringLiteral("local")});
        QVERIFY2(before.isEmpty(), qPrintable(before));
        QVERIFY(commitApp("v5", true));
        // Killed (kill -9, util/crashpoint.h) once the new container has started, as its health
        // check begins: at a crash point rather than on seeing "waiting until healthy", whose
        // window a slow machine can miss.
        const CliRun killed = runCli({QStringLiteral("--data-dir"), m_data->path(), QStringLiteral("deploy"),
                                      m_repo->path(), QStringLiteral("--target"), QStringLiteral("local")},
                                     m_env + QStringList{QStringLiteral("SLIPWAY_CRASH_AT=rollout:started")});
        QVERIFY2(killed.exitCode == -1, qPrintable(killed.err)); // killed, not exited

        {
            auto history = History::open(History::defaultPath(DataDirs::resolve(m_data->path()).data));
            QVERIFY2(history.ok(), history.ok() ? "" : qPrintable(history.error().message));
            QVERIFY(history.value()->checkIntegrity().ok());
            auto list = history.value()->deployments();
            QVERIFY(list.ok());
            QCOMPARE(list->first().result, DeploymentResult::Interrupted);
        }

        const CliRun run = cli(
            {QStringLiteral("deploy"), m_repo->path(), QStringLiteral("--target"), QStringLiteral("local")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err + QString::fromUtf8(run.out)));
        // Exactly one web container, the new release's.
        QCOMPARE(answer(QStringLiteral("local")), QStringLiteral("v5"));
    }

    // kill -9 at each crash point of a rollout (util/crashpoint.h) that publishes a host port, so
    // the old container is stopped before the new one starts; then a repair (slipway-cli repair,
    // or the next deploy, which repairs first) puts v1 back: the interrupted release's container
    // and the deploy lock are gone, v1 answers, and the history says what was done.
    void killedRolloutIsRepaired_data()
    {
        QTest::addColumn<QString>("point");
        QTest::addColumn<QString>("repairWith");
        QTest::addColumn<bool>("oldStopped"); // what the kill left: v1 down
        QTest::newRow("locked") << QStringLiteral("rollout:locked") << QStringLiteral("repair") << false;
        QTest::newRow("stopped") << QStringLiteral("rollout:stopped") << QStringLiteral("repair") << true;
        QTest::newRow("health wait") << QStringLiteral("rollout:started") << QStringLiteral("repair") << true;
        QTest::newRow("healthy") << QStringLiteral("rollout:switched") << QStringLiteral("repair") << true;
        QTest::newRow("health wait, then a failing deploy")
            << QStringLiteral("rollout:started") << QStringLiteral("deploy") << true;
    }

    void killedRolloutIsRepaired()
    {
        QFETCH(QString, point);
        QFETCH(QString, repairWith);
        QFETCH(bool, oldStopped);
        const quint16 hostPort = slipway::test::freeLoopbackPort();
        QVERIFY(slipway::test::commitWebApp(*m_repo, "v1", true, m_port, {}, hostPort));
        const QStringList deploy{QStringLiteral("deploy"), m_repo->path(), QStringLiteral("--target"),
                                 QStringLiteral("local")};
        CliRun run = cli(deploy);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err + QString::fromUtf8(run.out)));

        QVERIFY(slipway::test::commitWebApp(*m_repo, "v2", true, m_port, {}, hostPort));
        QStringList arguments = deploy;
        arguments.prepend(m_data->path());
        arguments.prepend(QStringLiteral("--data-dir"));
        const CliRun killed =
            runCli(arguments, m_env + QStringList{QStringLiteral("SLIPWAY_CRASH_AT=") + point});
        QCOMPARE(killed.exitCode, -1); // killed, not exited
        const QStringList left = containers(*m_local);
        QVERIFY2(left.contains(QStringLiteral("slipway-lock-web")), qPrintable(left.join(u' ')));
        QString state;
        m_local->cli({QStringLiteral("inspect"), QStringLiteral("--format"),
                      QStringLiteral("{{.State.Running}}"), QStringLiteral("web-1")},
                     &state);
        QCOMPARE(state.trimmed(), oldStopped ? QStringLiteral("false") : QStringLiteral("true"));
        QCOMPARE(left.contains(QStringLiteral("web-2")), point != u"rollout:locked");

        if (repairWith == u"repair") {
            run = cli({QStringLiteral("repair")});
            QVERIFY2(run.exitCode == 0, qPrintable(run.err + QString::fromUtf8(run.out)));
            QVERIFY2(run.out.startsWith("deployment 2  local  repaired: "), run.out.constData());
            // Started again, v1's httpd takes a moment to listen: the repair does not wait for it.
            QTRY_COMPARE_WITH_TIMEOUT(answer(QStringLiteral("local")), QStringLiteral("v1"), 10000);
            // Done once: a second repair finds nothing.
            run = cli({QStringLiteral("repair")});
            QCOMPARE(run.exitCode, 0);
            QCOMPARE(run.out, QByteArray("no interrupted deployment to repair\n"));
        } else {
            // The next deploy repairs first: when it fails too, v1 serves.
            QVERIFY(slipway::test::commitWebApp(*m_repo, "v3", false, m_port, {}, hostPort));
            run = cli(deploy);
            QCOMPARE(run.exitCode, 1);
            // Started again when v3 failed, v1's httpd takes a moment to listen: the deploy does not
            // wait for it.
            QTRY_COMPARE_WITH_TIMEOUT(answer(QStringLiteral("local")), QStringLiteral("v1"), 10000);
            QVERIFY2(run.err.contains(QStringLiteral("was interrupted; putting back release 1")),
                     qPrintable(run.err));
        }
        QVERIFY(!containers(*m_local).contains(QStringLiteral("slipway-lock-web")));

        auto history = History::open(History::defaultPath(DataDirs::resolve(m_data->path()).data));
        QVERIFY(history.ok());
        auto interrupted = history.value()->deployment(2);
        QVERIFY(interrupted.ok());
        QCOMPARE(interrupted->result, DeploymentResult::Interrupted);
        QVERIFY(interrupted->repaired.isValid());
        if (oldStopped)
            QVERIFY2(interrupted->log.contains(QStringLiteral("started web-1 (release 1) again")),
                     qPrintable(interrupted->log));
        if (point != u"rollout:locked")
            QVERIFY2(interrupted->log.contains(QStringLiteral("removed web-2, of the interrupted release 2")),
                     qPrintable(interrupted->log));
        const CliRun listed = cli({QStringLiteral("history")});
        QVERIFY2(QString::fromUtf8(listed.out).contains(QStringLiteral("#2 interrupted: ")),
                 listed.out.constData());
        QVERIFY2(QString::fromUtf8(listed.out).contains(QStringLiteral("; repaired ")),
                 listed.out.constData());
    }

    // slipway-cli history shows each release's commit message: cut to fit the terminal (or
    // $COLUMNS), to a git summary line's 72 characters without one, whole in --json.
    void historyShowsCommitMessages()
    {
        QTemporaryDir data;
        const QString longMessage = QStringLiteral("Serve the menu from the cache, ") +
                                    QStringLiteral("and explain why at some length ").repeated(4);
        {
            auto history = History::open(History::defaultPath(DataDirs::resolve(data.path()).data));
            QVERIFY(history.ok());
            const auto deploy = [&](QChar commit, const QString &message) {
                ReleaseRecord release;
                release.project = QStringLiteral("menu");
                release.commit = commit.isNull() ? QString() : QString(40, commit);
                release.message = message;
                release.digest = QStringLiteral("sha256:") + QString(64, u'e');
                auto id = history.value()->addRelease(release);
                auto deployment = id ? history.value()->startDeployment(*id, QStringLiteral("local"))
                                     : Result<qint64>(id.error());
                return deployment &&
                       history.value()
                           ->finishDeployment(*deployment, DeploymentResult::Succeeded, QString(), QString())
                           .ok();
            };
            QVERIFY(deploy(u'a', longMessage));
            QVERIFY(deploy(u'b', QStringLiteral("Fix the health check")));
            QVERIFY(deploy(QChar(), QString())); // a directory: no commit, no message
        }
        const auto table = [&](const QString &columns) {
            const CliRun run = runCli({QStringLiteral("--data-dir"), data.path(), QStringLiteral("history")},
                                      {QStringLiteral("COLUMNS=") + columns});
            return run.exitCode == 0 ? QString::fromUtf8(run.out).split(u'\n', Qt::SkipEmptyParts)
                                     : QStringList{run.err};
        };

        QStringList lines = table(QStringLiteral("120"));
        QCOMPARE(lines.size(), 4);
        QVERIFY2(lines.at(0).simplified().endsWith(u"DURATION MESSAGE"), qPrintable(lines.at(0)));
        for (const QString &line : std::as_const(lines))
            QVERIFY2(line.size() <= 120 && !line.endsWith(u' '), qPrintable(line));
        QVERIFY2(lines.at(1).contains(u" sha256:eeeeeeeeeeee ") && !lines.at(1).contains(u"..."),
                 qPrintable(lines.at(1))); // no message to show
        QVERIFY2(lines.at(2).contains(u" bbbbbbbbbbbb ") && lines.at(2).endsWith(u"  Fix the health check"),
                 qPrintable(lines.at(2)));
        QCOMPARE(lines.at(3).size(), 120);
        QVERIFY2(lines.at(3).contains(u"  Serve the menu from the cache, and") &&
                     lines.at(3).endsWith(u"..."),
                 qPrintable(lines.at(3)));

        // No terminal and no $COLUMNS: the summary line's 72 characters.
        lines = table(QString());
        QVERIFY2(lines.value(3).endsWith(u"  " + longMessage.left(69) + QStringLiteral("...")),
                 qPrintable(lines.value(3)));

        const CliRun run = runCli(
            {QStringLiteral("--data-dir"), data.path(), QStringLiteral("history"), QStringLiteral("--json")});
        QCOMPARE(run.exitCode, 0);
        const QJsonArray rows = QJsonDocument::fromJson(run.out).array();
        QCOMPARE(rows.size(), 3);
        QCOMPARE(rows.at(0).toObject().value(u"message").toString(), QString());
        QVERIFY(rows.at(0).toObject().contains(u"message"));
        QCOMPARE(rows.at(1).toObject().value(u"message").toString(), QStringLiteral("Fix the health check"));
        QCOMPARE(rows.at(2).toObject().value(u"message").toString(), longMessage);

        // And the deployments of this test's repository: each commit's message, newest first.
        const QString before = deployedBefore("v5", {QStringLiteral("local")});
        QVERIFY2(before.isEmpty(), qPrintable(before));
        const CliRun real = cli({QStringLiteral("history"), QStringLiteral("--json"),
                                 QStringLiteral("--limit"), QStringLiteral("1")});
        QCOMPARE(real.exitCode, 0);
        const QJsonArray newest = QJsonDocument::fromJson(real.out).array();
        QCOMPARE(newest.size(), 1);
        QCOMPARE(newest.at(0).toObject().value(u"message").toString(), QStringLiteral("v5"));
    }

    // What the terminal shows while a deploy works: plain lines into a pipe, a status line
    // redrawn in place on a pseudo-terminal, nothing with --quiet; and `history show` prints
    // what the deployment stored.
    void deployTellsWhatHappens()
    {
        QVERIFY(commitApp("v1", true));
        CliRun run = cli(
            {QStringLiteral("deploy"), m_repo->path(), QStringLiteral("--target"), QStringLiteral("local")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        for (const QString &line :
             {QStringLiteral("building"), QStringLiteral("deploying"),
              QStringLiteral("  local: sending the image"), QStringLiteral("  local: starting"),
              QStringLiteral("  local: waiting until healthy")})
            QVERIFY2(run.err.split(u'\n').contains(line),
                     qPrintable(line + QStringLiteral(" in:\n") + run.err));
        QVERIFY2(!run.err.contains(u'\r') && !run.err.contains(u'\x1b'), qPrintable(run.err));
        QVERIFY(run.out.startsWith("release "));

        // On a pseudo-terminal (script(1) gives one), a line redrawn in place.
        QVERIFY(commitApp("v2", true));
        QStringList command{QStringLiteral(SLIPWAY_CLI),
                            QStringLiteral("--data-dir"),
                            m_data->path(),
                            QStringLiteral("deploy"),
                            m_repo->path(),
                            QStringLiteral("--target"),
                            QStringLiteral("local")};
        for (QString &word : command)
            word = u'\'' + word.replace(u'\'', QStringLiteral("'\\''")) + u'\'';
        QProcess onTerminal;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const QString &assignment : std::as_const(m_env))
            env.insert(assignment.section(u'=', 0, 0), assignment.section(u'=', 1));
        onTerminal.setProcessEnvironment(env);
        onTerminal.start(QStringLiteral("script"),
                         {QStringLiteral("-qefc"), command.join(u' '), QStringLiteral("/dev/null")});
        QVERIFY(onTerminal.waitForFinished(300000));
        const QString shown = QString::fromUtf8(onTerminal.readAllStandardOutput());
        QVERIFY2(onTerminal.exitCode() == 0, qPrintable(shown));
        QVERIFY2(shown.contains(QStringLiteral("\rdeploying local: ")), qPrintable(shown));
        QVERIFY2(shown.contains(QStringLiteral("\x1b[K")), qPrintable(shown));
        QVERIFY2(shown.contains(QStringLiteral("  local: waiting until healthy")), qPrintable(shown));
        QCOMPARE(answer(QStringLiteral("local")), QStringLiteral("v2"));

        QVERIFY(commitApp("v3", true));
        run = cli({QStringLiteral("--quiet"), QStringLiteral("deploy"), m_repo->path(),
                   QStringLiteral("--target"), QStringLiteral("local")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QCOMPARE(run.err, QString());
        QVERIFY(run.out.startsWith("release "));

        const QList<DeploymentRecord> recorded = deployments();
        QVERIFY(!recorded.isEmpty());
        run = cli(
            {QStringLiteral("history"), QStringLiteral("show"), QString::number(recorded.constFirst().id)});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QString out = QString::fromUtf8(run.out);
        QVERIFY2(out.contains(QStringLiteral("v3")), qPrintable(out));
        QVERIFY2(!recorded.constFirst().log.isEmpty() && out.contains(recorded.constFirst().log),
                 qPrintable(out));
        run = cli({QStringLiteral("--json"), QStringLiteral("history"), QStringLiteral("show"),
                   QString::number(recorded.constFirst().id)});
        QCOMPARE(json(run).value(QStringLiteral("log")).toString(), recorded.constFirst().log);
    }

    // `logs --follow` of an app whose container prints a numbered line every 100 ms: the lines
    // come in order and none is lost or repeated, across a restart of the container and into
    // the next release's container; an app that runs nowhere is one line naming it.
    void logsFollowAnAppIntoItsNextLife()
    {
        const auto run = [&](const QString &name, const QString &release, int start) {
            return slipway::test::runTicker(*m_local, name, QStringLiteral("ticker"), release, start);
        };
        QVERIFY(run(QStringLiteral("ticker-1"), QStringLiteral("1"), 0));

        QProcess follow;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const QString &assignment : std::as_const(m_env))
            env.insert(assignment.section(u'=', 0, 0), assignment.section(u'=', 1));
        // Where each stream began and ended, for a failure to show.
        env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("slipway.deploy.debug=true"));
        follow.setProcessEnvironment(env);
        follow.start(QStringLiteral(SLIPWAY_CLI),
                     {QStringLiteral("--data-dir"), m_data->path(), QStringLiteral("--json"),
                      QStringLiteral("logs"), QStringLiteral("ticker"), QStringLiteral("--target"),
                      QStringLiteral("local"), QStringLiteral("--follow")});
        QVERIFY(follow.waitForStarted());
        QList<QJsonObject> lines;
        QString streams; // its stderr: where each stream began and ended
        // Reads what has come until `enough` says so, for at most a minute.
        const auto readUntil = [&](const std::function<bool()> &enough) {
            QElapsedTimer timer;
            timer.start();
            while (timer.elapsed() < 60000) {
                follow.waitForReadyRead(200);
                while (follow.canReadLine())
                    lines.append(QJsonDocument::fromJson(follow.readLine()).object());
                streams += QString::fromUtf8(follow.readAllStandardError());
                if (enough())
                    return true;
            }
            return false;
        };
        const auto waitForLines = [&](qsizetype count, const QString &container) {
            return readUntil([&] {
                qsizetype of = 0;
                for (const QJsonObject &line : std::as_const(lines))
                    of += line.value(u"container").toString() == container;
                return of >= count;
            });
        };
        QVERIFY2(waitForLines(10, QStringLiteral("ticker-1")), qPrintable(streams));
        QCOMPARE(m_local->cli({QStringLiteral("restart"), QStringLiteral("-t"), QStringLiteral("5"),
                               QStringLiteral("ticker-1")}),
                 0);
        // Its second life has begun ("started" again on stderr) and printed on.
        QVERIFY(readUntil([&] {
            int started = 0;
            int after = 0;
            for (const QJsonObject &line : std::as_const(lines)) {
                if (line.value(u"text").toString() == u"started")
                    ++started;
                else if (started == 2)
                    ++after;
            }
            return after >= 5;
        }));
        // The next release replaces it, as a deploy does.
        QVERIFY(run(QStringLiteral("ticker-2"), QStringLiteral("2"), 1000));
        QCOMPARE(m_local->cli({QStringLiteral("stop"), QStringLiteral("-t"), QStringLiteral("5"),
                               QStringLiteral("ticker-1")}),
                 0);
        QVERIFY(waitForLines(10, QStringLiteral("ticker-2")));
        ::kill(pid_t(follow.processId()), SIGINT);
        QVERIFY(follow.waitForFinished(30000));
        QCOMPARE(follow.exitCode(), 0);
        streams += QString::fromUtf8(follow.readAllStandardError());

        // Per container: stdout numbered without a gap or a repeat, two lives of ticker-1 (two
        // "started" on stderr).
        QMap<QString, QList<int>> numbers;
        QMap<QString, int> started;
        for (const QJsonObject &line : std::as_const(lines)) {
            const QString container = line.value(u"container").toString();
            const QString text = line.value(u"text").toString();
            if (line.value(u"stream").toString() == u"stderr") {
                QCOMPARE(text, QStringLiteral("started"));
                ++started[container];
                continue;
            }
            QVERIFY2(text.startsWith(QStringLiteral("line ")), qPrintable(text));
            QVERIFY(!line.value(u"time").toString().isEmpty());
            numbers[container].append(text.mid(5).toInt());
        }
        // What was followed, for a failure to show: container, time and text of every line.
        QStringList followed;
        for (const QJsonObject &line : std::as_const(lines))
            followed.append(line.value(u"container").toString() + u' ' + line.value(u"time").toString() +
                            u' ' + line.value(u"text").toString());
        followed.append(streams);
        const auto fail = [&](const QString &what) {
            qWarning().noquote() << "followed:" << followed.join(u'\n');
            QFAIL(qPrintable(what));
        };
        if (started.value(QStringLiteral("ticker-1")) != 2)
            return fail(
                QStringLiteral("ticker-1 started %1 times").arg(started.value(QStringLiteral("ticker-1"))));
        // None lost, none repeated, in order; but a line Podman's stream skipped when the
        // container died under it (4.3 does, about once in 40 restarts) comes late, when the
        // stream is picked up again, rather than never.
        const bool podman = QTest::currentDataTag() == QByteArrayView("podman");
        for (auto it = numbers.cbegin(); it != numbers.cend(); ++it) {
            QString notes;
            const QString problem = test::tickerLinesProblem(it.value(), podman ? 2 : 0, &notes);
            if (!problem.isEmpty())
                return fail(it.key() + QStringLiteral(": ") + problem);
            if (!notes.isEmpty())
                qInfo().noquote() << it.key() << notes;
        }
        QCOMPARE(numbers.value(QStringLiteral("ticker-1")).constFirst(), 1); // from the start: all kept
        QCOMPARE(numbers.value(QStringLiteral("ticker-2")).constFirst(), 1001);
        qDebug() << "followed" << numbers.value(QStringLiteral("ticker-1")).size()
                 << "lines of ticker-1 over a restart and" << numbers.value(QStringLiteral("ticker-2")).size()
                 << "of ticker-2";

        // --tail, without --follow: the last lines, then it returns.
        CliRun tail = cli({QStringLiteral("logs"), QStringLiteral("ticker"), QStringLiteral("--tail"),
                           QStringLiteral("3")});
        QVERIFY2(tail.exitCode == 0, qPrintable(tail.err));
        QCOMPARE(QString::fromUtf8(tail.out).split(u'\n', Qt::SkipEmptyParts).size(), 3);

        CliRun nowhere = cli({QStringLiteral("logs"), QStringLiteral("nosuchapp"), QStringLiteral("--target"),
                              QStringLiteral("local")});
        QCOMPARE(nowhere.exitCode, 2);
        QCOMPARE(nowhere.errors().size(), 1);
        QVERIFY2(nowhere.err.contains(QStringLiteral("target local: app nosuchapp has no container there")),
                 qPrintable(nowhere.err));
        nowhere = cli({QStringLiteral("logs"), QStringLiteral("nosuchapp")});
        QCOMPARE(nowhere.exitCode, 2);
        QVERIFY2(nowhere.err.contains(
                     QStringLiteral("app nosuchapp has no container on any target (local, remote)")),
                 qPrintable(nowhere.err));
    }

    void badInputNamesTheProblem()
    {
        // Serving before: v5.
        const QString before = deployedBefore("v5", {QStringLiteral("local")});
        QVERIFY2(before.isEmpty(), qPrintable(before));
        CliRun run = cli({QStringLiteral("deploy"), m_repo->path(), QStringLiteral("--target"),
                          QStringLiteral("nowhere")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("nowhere")), qPrintable(run.err));
        QVERIFY2(run.errors().size() == 1, qPrintable(run.err));

        run = cli({QStringLiteral("rollback"), QStringLiteral("--target"), QStringLiteral("local"),
                   QStringLiteral("--to"), QStringLiteral("999")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("999")), qPrintable(run.err));

        // The deploy settings live in the history database, not in side files; a release
        // recorded without them (by an older Slipway) cannot be rolled back to.
        const DataDirs dirs = DataDirs::resolve(m_data->path());
        QVERIFY(!QFileInfo::exists(dirs.config + QStringLiteral("/releases")));
        qint64 bare = 0;
        {
            auto history = History::open(History::defaultPath(dirs.data));
            QVERIFY(history.ok());
            auto first = history.value()->release(1);
            QVERIFY(first.ok());
            QVERIFY2(first->deploySettings.contains(QStringLiteral("\"app\":\"web\"")),
                     qPrintable(first->deploySettings));
            ReleaseRecord old = first.value();
            old.deploySettings.clear();
            auto added = history.value()->addRelease(old);
            QVERIFY(added.ok());
            bare = added.value();
        }
        run = cli({QStringLiteral("rollback"), QStringLiteral("--target"), QStringLiteral("local"),
                   QStringLiteral("--to"), QString::number(bare)});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(
            run.err.contains(QStringLiteral("release %1 was recorded without its deploy settings").arg(bare)),
            qPrintable(run.err));
        QVERIFY2(run.errors().size() == 1, qPrintable(run.err));
        QCOMPARE(answer(QStringLiteral("local")), QStringLiteral("v5")); // untouched
    }
};

QTEST_GUILESS_MAIN(TestDeployCli)
#include "tst_deploycli.moc"
