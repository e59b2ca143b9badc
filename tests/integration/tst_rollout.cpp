// Health-gated rollouts on real engines of the test harness, each function once on Podman and
// once on Docker (the global data rows "podman" and "docker"): two independent targets of the
// engine, one over its unix socket (health checked over HTTP from here, at the container's
// bridge address or its published port) and one through the harness sshd (checked from inside
// the container). Release images are busybox httpd, pushed to the harness registry and pulled
// by digest; containers run on the engines' default bridge network. Every function starts with
// no container of the app on either target (init()) and deploys what it needs first itself.

#include "deploy/rollout.h"
#include "dockerservice.h"
#include "engine/engineclient.h"
#include "eventrecorder.h"
#include "httpprobe.h"
#include "podmanservice.h"
#include "processes.h"
#include "registryserver.h"
#include "releaseimage.h"
#include "sshserver.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <map>
#include <memory>

#include <csignal>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace slipway;
using slipway::test::DockerService;
using slipway::test::EngineService;
using slipway::test::EventRecorder;
using slipway::test::PodmanService;
using slipway::test::RegistryServer;
using slipway::test::SshServer;

namespace {

// A listening socket on 127.0.0.1 held by the test: "something else uses the port".
class PortSquatter
{
public:
    PortSquatter() { m_fd = slipway::test::listenOnLoopback(&m_port, 1); }
    ~PortSquatter()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    quint16 port() const { return m_port; }

private:
    int m_fd = -1;
    quint16 m_port = 0;
};

} // namespace

class TestRollout final : public QObject
{
    Q_OBJECT

private:
    // The two targets of one engine: "local" over the unix socket, "remote" through ssh.
    struct Engines
    {
        std::unique_ptr<EngineService> local;
        std::unique_ptr<EngineService> remote;
    };
    std::unique_ptr<RegistryServer> m_registry;
    std::map<QString, Engines> m_engines; // by the global data row: "podman", "docker"
    QString m_engine;                     // this row's
    std::unique_ptr<SshServer> m_ssh;
    quint16 m_port = 0;
    QMap<QString, QString> m_releases; // name -> registry reference by digest

    EngineService &localEngine() { return *m_engines[m_engine].local; }
    EngineService &remoteEngine() { return *m_engines[m_engine].remote; }

    Target localTarget()
    {
        return slipway::test::engineTarget(QStringLiteral("local"), localEngine().endpoint());
    }
    Target remoteTarget()
    {
        return slipway::test::engineTarget(QStringLiteral("remote"), QStringLiteral("ssh://%1@127.0.0.1:%2%3")
                                                                         .arg(m_ssh->user())
                                                                         .arg(m_ssh->port())
                                                                         .arg(remoteEngine().socketPath()));
    }

    // An image whose /www/index.html says `name`; /www/health exists when `healthy`; it serves
    // on m_port unless `command` replaces its program. Pushed; returns REGISTRY/app@DIGEST.
    QString makeRelease(const QString &name, bool healthy, const QStringList &command = {})
    {
        QString error;
        const QString reference = slipway::test::pushReleaseImage(
            static_cast<const PodmanService &>(*m_engines[QStringLiteral("podman")].local), *m_registry, name,
            healthy, m_port, command, &error);
        if (reference.isEmpty())
            qWarning().noquote() << error;
        return reference;
    }

    RolloutRequest request(const QString &release, const QList<Target> &targets, quint16 port = 0) const
    {
        RolloutRequest r;
        r.app = QStringLiteral("app");
        r.release = release;
        r.commit = QStringLiteral("c0ffee") + release;
        r.image.reference = m_releases.value(release);
        r.deploy.name = QStringLiteral("app");
        r.deploy.restart = QStringLiteral("no");
        // busybox httpd as PID 1 ignores SIGTERM: each retired container waits out this grace.
        r.deploy.stopTimeoutSeconds = 1;
        r.deploy.health = HealthSpec{.path = QStringLiteral("/health"),
                                     .port = port ? port : m_port,
                                     .timeoutSeconds = 6,
                                     .intervalSeconds = 1};
        r.targets = targets;
        return r;
    }

    // The app's containers on a target: "release:state" each.
    QStringList appContainers(const Target &target)
    {
        EngineClient client(target);
        if (!client.connect())
            return {QStringLiteral("unreachable")};
        auto listed = client.listContainers({QStringLiteral("io.slipway.app=app")});
        if (!listed)
            return {listed.error().message};
        QStringList result;
        for (const ContainerSummary &container : listed.value())
            result.append(container.labels.value(QStringLiteral("io.slipway.release")) + u':' +
                          container.state);
        return result;
    }

    // What the app's container answers on /, asked from inside it.
    QString answer(const Target &target)
    {
        return slipway::test::answerFromInside(target, QStringLiteral("app"), m_port);
    }
    QString localAnswer() { return answer(localTarget()); }
    QString remoteAnswer() { return answer(remoteTarget()); }

    // What the local target answers on a published host port.
    static QString publishedAnswer(quint16 port)
    {
        const auto reply = slipway::test::httpRequest({QStringLiteral("http://127.0.0.1:%1/").arg(port)});
        return reply.status == 200 ? QString::fromUtf8(reply.body)
                                   : QStringLiteral("HTTP %1 %2").arg(reply.status).arg(reply.error);
    }

    static QString describe(const RolloutResult &result)
    {
        QStringList lines;
        for (const TargetOutcome &outcome : result.targets)
            lines.append(outcome.target + (outcome.healthy ? QStringLiteral(" healthy")
                                                           : QStringLiteral(" failed: ") + outcome.error));
        return lines.join(u'\n');
    }

private Q_SLOTS:
    void initTestCase_data() { slipway::test::addEngineRows(); }

    void initTestCase()
    {
        m_registry = std::make_unique<RegistryServer>();
        QVERIFY2(m_registry->start(), qPrintable(m_registry->errorString()));
        const QStringList insecure{m_registry->address()};
        Engines &podman = m_engines[QStringLiteral("podman")];
        podman.local = std::make_unique<PodmanService>(PodmanService::Listen::UnixSocket, insecure);
        podman.remote = std::make_unique<PodmanService>(PodmanService::Listen::UnixSocket, insecure);
        Engines &docker = m_engines[QStringLiteral("docker")];
        docker.local = std::make_unique<DockerService>(insecure);
        docker.remote = std::make_unique<DockerService>(insecure);
        for (const auto &[name, engines] : m_engines)
            for (EngineService *engine : {engines.local.get(), engines.remote.get()})
                QVERIFY2(engine->start(), qPrintable(engine->errorString()));
        m_ssh = std::make_unique<SshServer>();
        QVERIFY2(m_ssh->start(), qPrintable(m_ssh->errorString()));
        qputenv("SLIPWAY_SSH_COMMAND", (QStringLiteral("ssh ") + m_ssh->clientOptions().join(u' ')).toUtf8());

        m_port = slipway::test::freeLoopbackPort();
        for (const QString &name : {QStringLiteral("1"), QStringLiteral("3"), QStringLiteral("4")})
            m_releases.insert(name, makeRelease(name, true));
        m_releases.insert(QStringLiteral("2"), makeRelease(QStringLiteral("2"), false));
        // Serves like the others, but its shell (PID 1) exits with 7 on SIGTERM.
        m_releases.insert(
            QStringLiteral("term"),
            makeRelease(QStringLiteral("term"), true,
                        {QStringLiteral("/bin/busybox"), QStringLiteral("sh"), QStringLiteral("-c"),
                         QStringLiteral("trap 'exit 7' TERM; /bin/busybox httpd -f -p %1 -h /www & wait")
                             .arg(m_port)}));
        m_releases.insert(QStringLiteral("term-again"), m_releases.value(QStringLiteral("term")));
        m_releases.insert(QStringLiteral("exits"),
                          makeRelease(QStringLiteral("exits"), true,
                                      {QStringLiteral("/bin/busybox"), QStringLiteral("sh"),
                                       QStringLiteral("-c"), QStringLiteral("echo giving up >&2; exit 3")}));
        for (auto it = m_releases.begin(); it != m_releases.end(); ++it)
            QVERIFY2(!it.value().isEmpty(), qPrintable(it.key()));
    }

    // Each function starts with no container on either target of its engine, whatever the
    // function before it left (or an engine it killed and did not get to restart).
    void init()
    {
        QFETCH_GLOBAL(QString, engine);
        m_engine = engine;
        for (EngineService *service : {&localEngine(), &remoteEngine()}) {
            if (!service->answers())
                QVERIFY(service->restartService());
            QString error;
            QVERIFY2(service->reset({}, &error), qPrintable(error));
        }
    }

    void deploysHealthyToBothTargets()
    {
        EventRecorder events;
        RolloutRequest r = request(QStringLiteral("1"), {localTarget(), remoteTarget()});
        r.events = &events;
        const RolloutResult result = rollout(r);
        QVERIFY2(result.allHealthy(), qPrintable(describe(result)));
        QCOMPARE(result.targets.size(), 2);
        QCOMPARE(result.targets.at(0).containerName, QStringLiteral("app-1"));
        QCOMPARE(localAnswer(), QStringLiteral("1"));
        QCOMPARE(remoteAnswer(), QStringLiteral("1"));
        QCOMPARE(appContainers(localTarget()), QStringList{QStringLiteral("1:running")});
        QCOMPARE(appContainers(remoteTarget()), QStringList{QStringLiteral("1:running")});

        // Each target went Pulling -> Starting -> WaitingHealthy -> Healthy, and logged as "deploy".
        QMap<QString, QList<TargetState>> states;
        int logs = 0;
        for (const Event &event : events.events()) {
            if (const auto *target = std::get_if<TargetEvent>(&event))
                states[target->target].append(target->state);
            if (const auto *log = std::get_if<LogEvent>(&event)) {
                QCOMPARE(log->stage, QStringLiteral("deploy"));
                QVERIFY(log->target == u"local" || log->target == u"remote");
                ++logs;
            }
        }
        const QList<TargetState> expected{TargetState::Pulling, TargetState::Starting,
                                          TargetState::WaitingHealthy, TargetState::Healthy};
        QCOMPARE(states.value(QStringLiteral("local")), expected);
        QCOMPARE(states.value(QStringLiteral("remote")), expected);
        QVERIFY(logs > 0);
    }

    void failingHealthCheckKeepsTheOldRelease()
    {
        // Serving before: release 1.
        const RolloutResult before = rollout(request(QStringLiteral("1"), {localTarget(), remoteTarget()}));
        QVERIFY2(before.allHealthy(), qPrintable(describe(before)));
        const RolloutResult result = rollout(request(QStringLiteral("2"), {localTarget(), remoteTarget()}));
        QVERIFY(!result.allHealthy());
        for (const TargetOutcome &outcome : result.targets) {
            QVERIFY(!outcome.healthy);
            QVERIFY2(
                outcome.error.startsWith(QStringLiteral("target ") + outcome.target + QStringLiteral(" (")),
                qPrintable(outcome.error));
            QVERIFY2(outcome.error.contains(QStringLiteral("not healthy after 6 s")),
                     qPrintable(outcome.error));
            // httpd -vv logged the failing requests: the new container's last lines are kept.
            QVERIFY2(outcome.logs.join(u'\n').contains(QStringLiteral("/health")),
                     qPrintable(outcome.logs.join(u'\n')));
        }
        QCOMPARE(localAnswer(), QStringLiteral("1"));
        QCOMPARE(remoteAnswer(), QStringLiteral("1"));
        QCOMPARE(appContainers(localTarget()), QStringList{QStringLiteral("1:running")});
        QCOMPARE(appContainers(remoteTarget()), QStringList{QStringLiteral("1:running")});
    }

    void rollsBackToAnEarlierRelease()
    {
        // Serving before: release 1.
        const RolloutResult before = rollout(request(QStringLiteral("1"), {localTarget(), remoteTarget()}));
        QVERIFY2(before.allHealthy(), qPrintable(describe(before)));
        RolloutResult result = rollout(request(QStringLiteral("3"), {localTarget(), remoteTarget()}));
        QVERIFY2(result.allHealthy(), qPrintable(describe(result)));
        QCOMPARE(localAnswer(), QStringLiteral("3"));
        QCOMPARE(remoteAnswer(), QStringLiteral("3"));
        // Rollback: release 1's recorded digest, through the same rollout; its image is still there.
        result = rollout(request(QStringLiteral("1"), {localTarget(), remoteTarget()}));
        QVERIFY2(result.allHealthy(), qPrintable(describe(result)));
        QVERIFY2(result.targets.at(0).notes.join(u'\n').contains(QStringLiteral("already on the target")),
                 qPrintable(result.targets.at(0).notes.join(u'\n')));
        QCOMPARE(localAnswer(), QStringLiteral("1"));
        QCOMPARE(remoteAnswer(), QStringLiteral("1"));
        QCOMPARE(appContainers(localTarget()), QStringList{QStringLiteral("1:running")});
        QCOMPARE(appContainers(remoteTarget()), QStringList{QStringLiteral("1:running")});
    }

    void engineKilledMidRolloutThenRetryConverges()
    {
        EventRecorder events;
        bool killed = false;
        events.onEvent = [&](const Event &event) {
            const auto *target = std::get_if<TargetEvent>(&event);
            if (target && target->state == TargetState::WaitingHealthy && !killed) {
                killed = true;
                localEngine().killService();
            }
        };
        RolloutRequest r = request(QStringLiteral("4"), {localTarget()});
        r.events = &events;
        RolloutResult result = rollout(r);
        QVERIFY(killed);
        QVERIFY(!result.allHealthy());
        QVERIFY2(result.targets.at(0).error.startsWith(QStringLiteral("target local (unix://")),
                 qPrintable(result.targets.at(0).error));

        QVERIFY(localEngine().restartService());
        result = rollout(request(QStringLiteral("4"), {localTarget()}));
        QVERIFY2(result.allHealthy(), qPrintable(describe(result)));
        QCOMPARE(appContainers(localTarget()), QStringList{QStringLiteral("4:running")});
        QCOMPARE(localAnswer(), QStringLiteral("4"));
        // And once more: the same release again replaces, never duplicates.
        result = rollout(request(QStringLiteral("4"), {localTarget()}));
        QVERIFY2(result.allHealthy(), qPrintable(describe(result)));
        QCOMPARE(appContainers(localTarget()), QStringList{QStringLiteral("4:running")});
        qInfo("redeploy of a cached image to the local target: healthy after %.2f s",
              result.targets.at(0).seconds);
    }

    void unreachableAndRefusedTargetsFailNamingTheCause()
    {
        const Target gone = slipway::test::engineTarget(QStringLiteral("gone"),
                                                        QStringLiteral("unix:///nonexistent/podman.sock"));
        // Serving before: release 1.
        const RolloutResult before = rollout(request(QStringLiteral("1"), {remoteTarget()}));
        QVERIFY2(before.allHealthy(), qPrintable(describe(before)));
        QTemporaryDir empty;
        const QString knownHosts = empty.filePath(QStringLiteral("known_hosts"));
        QFile(knownHosts).open(QIODevice::WriteOnly);
        QStringList options = m_ssh->clientOptions();
        options.replaceInStrings(QStringLiteral("UserKnownHostsFile=") + m_ssh->knownHostsPath(),
                                 QStringLiteral("UserKnownHostsFile=") + knownHosts);
        const QByteArray saved = qgetenv("SLIPWAY_SSH_COMMAND");
        qputenv("SLIPWAY_SSH_COMMAND", (QStringLiteral("ssh ") + options.join(u' ')).toUtf8());
        const RolloutResult result = rollout(request(QStringLiteral("3"), {gone, remoteTarget()}));
        qputenv("SLIPWAY_SSH_COMMAND", saved);
        QCOMPARE(result.targets.size(), 2);
        QVERIFY(!result.targets.at(0).healthy);
        QVERIFY2(result.targets.at(0).error.startsWith(
                     QStringLiteral("target gone (unix:///nonexistent/podman.sock): ping: ")),
                 qPrintable(result.targets.at(0).error));
        QVERIFY(!result.targets.at(1).healthy);
        QVERIFY2(result.targets.at(1).error.startsWith(QStringLiteral("target remote (ssh://")),
                 qPrintable(result.targets.at(1).error));
        QVERIFY2(result.targets.at(1).error.contains(QStringLiteral("Host key verification failed")),
                 qPrintable(result.targets.at(1).error));
        QCOMPARE(remoteAnswer(), QStringLiteral("1"));
    }

    void publishedPortsExitingContainersAndPortsInUse()
    {
        // Release 4, published on a host port: checked through it.
        const quint16 hostPort = slipway::test::freeLoopbackPort();
        RolloutRequest published = request(QStringLiteral("4"), {localTarget()});
        published.deploy.ports = {QStringLiteral("%1:%2").arg(hostPort).arg(m_port)};
        RolloutResult result = rollout(published);
        QVERIFY2(result.allHealthy(), qPrintable(describe(result)));
        QCOMPARE(publishedAnswer(hostPort), QStringLiteral("4"));
        QCOMPARE(appContainers(localTarget()), QStringList{QStringLiteral("4:running")});

        // A release that exits at once on the same host port: the old container is stopped to
        // free the port, the new one fails, the old one is started again.
        RolloutRequest exits = request(QStringLiteral("exits"), {localTarget()});
        exits.deploy.ports = published.deploy.ports;
        result = rollout(exits);
        QVERIFY(!result.allHealthy());
        QString error = result.targets.at(0).error;
        QVERIFY2(error.startsWith(QStringLiteral("target local (unix://")), qPrintable(error));
        QVERIFY2(
            error.contains(QStringLiteral("the new container app-exits exited with status 3: giving up")),
            qPrintable(error));
        QVERIFY2(result.targets.at(0).logs.contains(QStringLiteral("giving up")),
                 qPrintable(result.targets.at(0).logs.join(u'|')));
        const QString notes = result.targets.at(0).notes.join(u'\n');
        QVERIFY2(notes.contains(QStringLiteral("stopping app-4 to free its ports")), qPrintable(notes));
        QVERIFY2(notes.contains(QStringLiteral("starting app-4 again")), qPrintable(notes));
        // Started again, its httpd takes a moment to listen: the rollout does not wait for it.
        QTRY_COMPARE_WITH_TIMEOUT(publishedAnswer(hostPort), QStringLiteral("4"), 10000);
        QCOMPARE(appContainers(localTarget()), QStringList{QStringLiteral("4:running")});

        // Something else holds the host port release 3 wants.
        PortSquatter squatter;
        QVERIFY(squatter.port() != 0);
        RolloutRequest squatted = request(QStringLiteral("3"), {localTarget()});
        squatted.deploy.ports = {QStringLiteral("%1:%2").arg(squatter.port()).arg(m_port)};
        result = rollout(squatted);
        QVERIFY(!result.allHealthy());
        error = result.targets.at(0).error;
        QVERIFY2(error.startsWith(QStringLiteral("target local (unix://")), qPrintable(error));
        QVERIFY2(error.contains(QStringLiteral("in use")), qPrintable(error));
        QCOMPARE(publishedAnswer(hostPort), QStringLiteral("4"));
        QCOMPARE(appContainers(localTarget()), QStringList{QStringLiteral("4:running")});
    }

    void batchesStopAfterTheFirstFailingBatch()
    {
        // Serving before: release 4.
        const RolloutResult before = rollout(request(QStringLiteral("4"), {localTarget()}));
        QVERIFY2(before.allHealthy(), qPrintable(describe(before)));
        const Target gone = slipway::test::engineTarget(QStringLiteral("gone"),
                                                        QStringLiteral("unix:///nonexistent/podman.sock"));
        RolloutRequest r = request(QStringLiteral("3"), {gone, localTarget()});
        r.batchSize = 1;
        const RolloutResult result = rollout(r);
        QCOMPARE(result.targets.size(), 2);
        QVERIFY(!result.targets.at(0).healthy);
        QVERIFY(!result.targets.at(0).skipped);
        QVERIFY(result.targets.at(1).skipped);
        QVERIFY2(result.targets.at(1).error.contains(QStringLiteral("not deployed: an earlier batch failed")),
                 qPrintable(result.targets.at(1).error));
        QCOMPARE(localAnswer(), QStringLiteral("4"));
    }

    void cancelledRolloutCleansUp()
    {
        // Serving before: release 4.
        const RolloutResult before = rollout(request(QStringLiteral("4"), {localTarget()}));
        QVERIFY2(before.allHealthy(), qPrintable(describe(before)));
        std::stop_source stop;
        EventRecorder events;
        events.onEvent = [&](const Event &event) {
            const auto *target = std::get_if<TargetEvent>(&event);
            if (target && target->state == TargetState::WaitingHealthy)
                stop.request_stop();
        };
        RolloutRequest r = request(QStringLiteral("2"), {localTarget()});
        r.events = &events;
        r.stop = stop.get_token();
        const RolloutResult result = rollout(r);
        QVERIFY(result.targets.at(0).cancelled);
        QCOMPARE(appContainers(localTarget()), QStringList{QStringLiteral("4:running")});
        QCOMPARE(localAnswer(), QStringLiteral("4"));
    }

    // [deploy] stop_timeout reaches the engine: the old container gets that long between SIGTERM
    // and SIGKILL. Proved by how the engine says each retired container ended, not by a clock.
    void stopTimeoutDecidesHowTheOldContainerEnds()
    {
        // Serving before: release 4.
        const RolloutResult before = rollout(request(QStringLiteral("4"), {localTarget()}));
        QVERIFY2(before.allHealthy(), qPrintable(describe(before)));
        EngineClient client(localTarget());
        QVERIFY(client.connect());
        auto listed = client.listContainers({QStringLiteral("io.slipway.app=app")});
        QVERIFY(listed && listed->size() == 1);
        const QString httpd = listed->first().id; // release 4: httpd as PID 1 ignores SIGTERM

        // 1 s, and the old httpd ignores SIGTERM: it is killed, and the rollout goes on.
        RolloutRequest r = request(QStringLiteral("term"), {localTarget()});
        r.deploy.stopTimeoutSeconds = 1;
        RolloutResult result = rollout(r);
        QVERIFY2(result.allHealthy(), qPrintable(describe(result)));
        const QString term = result.targets.at(0).containerId;
        QCOMPARE(appContainers(localTarget()), QStringList{QStringLiteral("term:running")});
        QCOMPARE(localEngine().exitCodeOf(httpd), 128 + SIGKILL);

        // Ample time, and the old container handles SIGTERM: it ends on its own, with its status.
        r = request(QStringLiteral("3"), {localTarget()});
        r.deploy.stopTimeoutSeconds = 3600;
        result = rollout(r);
        QVERIFY2(result.allHealthy(), qPrintable(describe(result)));
        QCOMPARE(appContainers(localTarget()), QStringList{QStringLiteral("3:running")});
        QCOMPARE(localEngine().exitCodeOf(term), 7);

        // 0: no grace at all. The same SIGTERM-handling image is killed before it could exit.
        r = request(QStringLiteral("term-again"), {localTarget()});
        result = rollout(r);
        QVERIFY2(result.allHealthy(), qPrintable(describe(result)));
        const QString termAgain = result.targets.at(0).containerId;
        r = request(QStringLiteral("4"), {localTarget()});
        r.deploy.stopTimeoutSeconds = 0;
        result = rollout(r);
        QVERIFY2(result.allHealthy(), qPrintable(describe(result)));
        QCOMPARE(appContainers(localTarget()), QStringList{QStringLiteral("4:running")});
        QCOMPARE(localEngine().exitCodeOf(termAgain), 128 + SIGKILL);
        QCOMPARE(localAnswer(), QStringLiteral("4"));
    }
};

QTEST_GUILESS_MAIN(TestRollout)
#include "tst_rollout.moc"
