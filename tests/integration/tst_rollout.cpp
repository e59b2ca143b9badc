// Health-gated rollouts with the real podman service of the test harness: two independent
// targets, one over its unix socket (health checked over HTTP from here, at the container's
// bridge address or its published port) and one through the harness sshd (checked from inside
// the container). Release images are busybox httpd, pushed to the harness registry and pulled
// by digest; containers run on the engines' default bridge network.

#include "deploy/rollout.h"
#include "engine/engineclient.h"
#include "events/event.h"
#include "httpprobe.h"
#include "podmanservice.h"
#include "processes.h"
#include "registryserver.h"
#include "sshserver.h"

#include <QDir>
#include <QFile>
#include <QMutex>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

#include <csignal>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace slipway;
using slipway::test::PodmanService;
using slipway::test::RegistryServer;
using slipway::test::runTool;
using slipway::test::SshServer;

namespace {

// Calls `onEvent` for each event as it is posted (from the rollout's worker threads).
class CallbackSink final : public EventSink
{
public:
    std::function<void(const Event &)> onEvent;
    void post(Event event) override
    {
        QMutexLocker locker(&m_mutex);
        m_events.append(event);
        if (onEvent)
            onEvent(event);
    }
    QList<Event> events()
    {
        QMutexLocker locker(&m_mutex);
        return m_events;
    }

private:
    QMutex m_mutex;
    QList<Event> m_events;
};

// A listening socket on 127.0.0.1 held by the test: "something else uses the port".
class PortSquatter
{
public:
    PortSquatter()
    {
        m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (m_fd < 0 || ::bind(m_fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 ||
            ::listen(m_fd, 1) != 0 ||
            ::getsockname(m_fd, reinterpret_cast<sockaddr *>(&address), &length) != 0)
            return;
        m_port = ntohs(address.sin_port);
    }
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
    QTemporaryDir m_dir;
    std::unique_ptr<RegistryServer> m_registry;
    std::unique_ptr<PodmanService> m_local;  // target "local": unix socket
    std::unique_ptr<PodmanService> m_remote; // target "remote": through ssh
    std::unique_ptr<SshServer> m_ssh;
    quint16 m_port = 0;
    QMap<QString, QString> m_releases; // name -> registry reference by digest

    Target localTarget() const
    {
        return Target{.name = QStringLiteral("local"),
                      .endpoint = m_local->endpoint(),
                      .tlsCa = {},
                      .tlsCert = {},
                      .tlsKey = {}};
    }
    Target remoteTarget() const
    {
        return Target{.name = QStringLiteral("remote"),
                      .endpoint = QStringLiteral("ssh://%1@127.0.0.1:%2%3")
                                      .arg(m_ssh->user())
                                      .arg(m_ssh->port())
                                      .arg(m_remote->socketPath()),
                      .tlsCa = {},
                      .tlsCert = {},
                      .tlsKey = {}};
    }

    // An image whose /www/index.html says `name`; /www/health exists when `healthy`; it serves
    // on `port` unless `command` replaces its program. Pushed; returns REGISTRY/app@DIGEST.
    QString makeRelease(const QString &name, bool healthy, quint16 port, const QStringList &command = {})
    {
        const QString root = m_dir.filePath(QStringLiteral("rootfs-") + name);
        QDir().mkpath(root + QStringLiteral("/bin"));
        QDir().mkpath(root + QStringLiteral("/www"));
        QFile::copy(QStringLiteral("/bin/busybox"), root + QStringLiteral("/bin/busybox"));
        const auto write = [&](const QString &file, const QByteArray &bytes) {
            QFile out(root + file);
            return out.open(QIODevice::WriteOnly) && out.write(bytes) == bytes.size();
        };
        if (!write(QStringLiteral("/www/index.html"), name.toUtf8()))
            return {};
        if (healthy && !write(QStringLiteral("/www/health"), "ok\n"))
            return {};
        const QString tarball = root + QStringLiteral(".tar");
        QString output;
        if (runTool(QStringLiteral("tar"),
                    {QStringLiteral("-C"), root, QStringLiteral("-cf"), tarball, QStringLiteral(".")},
                    &output) != 0)
            return {};
        QStringList program = command;
        if (program.isEmpty())
            program = {QStringLiteral("/bin/busybox"), QStringLiteral("httpd"), QStringLiteral("-f"),
                       QStringLiteral("-vv"),          QStringLiteral("-p"),    QString::number(port),
                       QStringLiteral("-h"),           QStringLiteral("/www")};
        QStringList quoted;
        for (const QString &word : program)
            quoted.append(u'"' + word + u'"');
        const QString local = QStringLiteral("localhost/app:") + name;
        if (m_local->podman({QStringLiteral("import"), QStringLiteral("--change"),
                             QStringLiteral("CMD [") + quoted.join(u',') + u']', tarball, local},
                            &output) != 0) {
            qWarning().noquote() << output;
            return {};
        }
        const QString digestFile = root + QStringLiteral(".digest");
        if (m_local->podman({QStringLiteral("push"), QStringLiteral("--tls-verify=false"),
                             QStringLiteral("--digestfile"), digestFile, local,
                             m_registry->address() + QStringLiteral("/app:") + name},
                            &output) != 0) {
            qWarning().noquote() << output;
            return {};
        }
        QFile digest(digestFile);
        if (!digest.open(QIODevice::ReadOnly))
            return {};
        return m_registry->address() + QStringLiteral("/app@") +
               QString::fromLatin1(digest.readAll().trimmed());
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

    // What the app's (first) container answers on /, asked from inside it.
    QString answer(const Target &target)
    {
        EngineClient client(target);
        if (!client.connect())
            return QStringLiteral("unreachable");
        auto listed = client.listContainers({QStringLiteral("io.slipway.app=app")});
        if (!listed || listed->isEmpty())
            return QStringLiteral("no container");
        QString output;
        auto code = client.exec(listed->first().id,
                                {QStringLiteral("/bin/busybox"), QStringLiteral("wget"), QStringLiteral("-q"),
                                 QStringLiteral("-O"), QStringLiteral("-"),
                                 QStringLiteral("http://127.0.0.1:%1/").arg(m_port)},
                                &output);
        return code && code.value() == 0 ? output : QStringLiteral("failed: ") + output;
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

    // How the engine says a (since removed) container ended: the exit code of its "died" event,
    // from the service's event log; -1 when it has none.
    int exitCodeOf(const QString &containerId)
    {
        QString output;
        if (m_local->podman({QStringLiteral("events"), QStringLiteral("--stream=false"),
                             QStringLiteral("--filter"), QStringLiteral("container=") + containerId,
                             QStringLiteral("--filter"), QStringLiteral("event=died"),
                             QStringLiteral("--format"), QStringLiteral("{{.ContainerExitCode}}")},
                            &output) != 0) {
            qWarning().noquote() << output;
            return -1;
        }
        const QStringList lines = output.trimmed().split(u'\n', Qt::SkipEmptyParts);
        bool ok = false;
        const int code = lines.isEmpty() ? -1 : lines.constLast().trimmed().toInt(&ok);
        return ok ? code : -1;
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
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_registry = std::make_unique<RegistryServer>();
        QVERIFY2(m_registry->start(), qPrintable(m_registry->errorString()));
        m_local = std::make_unique<PodmanService>(PodmanService::Listen::UnixSocket,
                                                  QStringList{m_registry->address()});
        QVERIFY2(m_local->start(), qPrintable(m_local->errorString()));
        m_remote = std::make_unique<PodmanService>(PodmanService::Listen::UnixSocket,
                                                   QStringList{m_registry->address()});
        QVERIFY2(m_remote->start(), qPrintable(m_remote->errorString()));
        m_ssh = std::make_unique<SshServer>();
        QVERIFY2(m_ssh->start(), qPrintable(m_ssh->errorString()));
        qputenv("SLIPWAY_SSH_COMMAND", (QStringLiteral("ssh ") + m_ssh->clientOptions().join(u' ')).toUtf8());

        m_port = slipway::test::freeLoopbackPort();
        for (const QString &name : {QStringLiteral("1"), QStringLiteral("3"), QStringLiteral("4")})
            m_releases.insert(name, makeRelease(name, true, m_port));
        m_releases.insert(QStringLiteral("2"), makeRelease(QStringLiteral("2"), false, m_port));
        // Serves like the others, but its shell (PID 1) exits with 7 on SIGTERM.
        m_releases.insert(
            QStringLiteral("term"),
            makeRelease(QStringLiteral("term"), true, m_port,
                        {QStringLiteral("/bin/busybox"), QStringLiteral("sh"), QStringLiteral("-c"),
                         QStringLiteral("trap 'exit 7' TERM; /bin/busybox httpd -f -p %1 -h /www & wait")
                             .arg(m_port)}));
        m_releases.insert(QStringLiteral("term-again"), m_releases.value(QStringLiteral("term")));
        m_releases.insert(QStringLiteral("exits"),
                          makeRelease(QStringLiteral("exits"), true, m_port,
                                      {QStringLiteral("/bin/busybox"), QStringLiteral("sh"),
                                       QStringLiteral("-c"), QStringLiteral("echo giving up >&2; exit 3")}));
        for (auto it = m_releases.begin(); it != m_releases.end(); ++it)
            QVERIFY2(!it.value().isEmpty(), qPrintable(it.key()));
    }

    void deploysHealthyToBothTargets()
    {
        CallbackSink events;
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
        CallbackSink events;
        bool killed = false;
        events.onEvent = [&](const Event &event) {
            const auto *target = std::get_if<TargetEvent>(&event);
            if (target && target->state == TargetState::WaitingHealthy && !killed) {
                killed = true;
                m_local->killService();
            }
        };
        RolloutRequest r = request(QStringLiteral("4"), {localTarget()});
        r.events = &events;
        RolloutResult result = rollout(r);
        QVERIFY(killed);
        QVERIFY(!result.allHealthy());
        QVERIFY2(result.targets.at(0).error.startsWith(QStringLiteral("target local (unix://")),
                 qPrintable(result.targets.at(0).error));

        QVERIFY(m_local->restartService());
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
        const Target gone{.name = QStringLiteral("gone"),
                          .endpoint = QStringLiteral("unix:///nonexistent/podman.sock"),
                          .tlsCa = {},
                          .tlsCert = {},
                          .tlsKey = {}};
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
        // Release 4 again, now published on a host port: checked through it.
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
        const Target gone{.name = QStringLiteral("gone"),
                          .endpoint = QStringLiteral("unix:///nonexistent/podman.sock"),
                          .tlsCa = {},
                          .tlsCert = {},
                          .tlsKey = {}};
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
        std::stop_source stop;
        CallbackSink events;
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
        QCOMPARE(exitCodeOf(httpd), 128 + SIGKILL);

        // Ample time, and the old container handles SIGTERM: it ends on its own, with its status.
        r = request(QStringLiteral("3"), {localTarget()});
        r.deploy.stopTimeoutSeconds = 3600;
        result = rollout(r);
        QVERIFY2(result.allHealthy(), qPrintable(describe(result)));
        QCOMPARE(appContainers(localTarget()), QStringList{QStringLiteral("3:running")});
        QCOMPARE(exitCodeOf(term), 7);

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
        QCOMPARE(exitCodeOf(termAgain), 128 + SIGKILL);
        QCOMPARE(localAnswer(), QStringLiteral("4"));
    }
};

QTEST_GUILESS_MAIN(TestRollout)
#include "tst_rollout.moc"
