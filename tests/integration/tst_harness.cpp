// Every server of the test harness starts, answers its real protocol, and is gone after stop():
// no process, no mount, no directory. A test process killed outright takes its servers with it.

#include "dockerservice.h"
#include "gitdaemon.h"
#include "httpprobe.h"
#include "podmanservice.h"
#include "processes.h"
#include "registryserver.h"
#include "sshserver.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <cstdio>

using namespace slipway::test;

namespace {

// Checks what stop() promises; call with the pid and directory taken while it ran.
void verifyGone(qint64 pid, const QString &dir)
{
    QVERIFY(pid > 0);
    QVERIFY(!dir.isEmpty());
    QVERIFY2(!processExists(pid_t(pid)), qPrintable(QStringLiteral("process %1 still runs").arg(pid)));
    QVERIFY2(processesUnder(dir).isEmpty(), qPrintable(QStringLiteral("processes still use %1").arg(dir)));
    QVERIFY2(!QFileInfo::exists(dir), qPrintable(QStringLiteral("%1 is left behind").arg(dir)));
    QFile mountinfo(QStringLiteral("/proc/self/mountinfo"));
    QVERIFY(mountinfo.open(QIODevice::ReadOnly));
    QVERIFY2(!mountinfo.readAll().contains(dir.toLocal8Bit()),
             qPrintable(QStringLiteral("mounts under %1").arg(dir)));
}

} // namespace

class TestHarness final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void registryPlainHttp()
    {
        RegistryServer registry;
        QVERIFY2(registry.start(), qPrintable(registry.errorString()));
        const HttpReply reply = httpRequest({registry.url() + QStringLiteral("/v2/")});
        QCOMPARE(reply.status, 200L);
        QVERIFY(reply.headers.toLower().contains("docker-distribution-api-version: registry/2.0"));

        const qint64 pid = registry.processId();
        const QString dir = registry.directory();
        registry.stop();
        verifyGone(pid, dir);
    }

    void registryTlsWithBasicAuth()
    {
        RegistryServer registry(RegistryServer::Mode::TlsWithBasicAuth);
        QVERIFY2(registry.start(), qPrintable(registry.errorString()));
        QVERIFY(registry.url().startsWith(QStringLiteral("https://")));

        HttpRequest request{registry.url() + QStringLiteral("/v2/")};
        request.caFile = registry.caCertificatePath();
        HttpReply reply = httpRequest(request);
        QCOMPARE(reply.status, 401L);
        QVERIFY(reply.headers.toLower().contains("www-authenticate: basic realm=\"slipway-test\""));

        request.userPassword = registry.username() + u':' + registry.password();
        QCOMPARE(httpRequest(request).status, 200L);

        request.userPassword = registry.username() + QStringLiteral(":wrong");
        QCOMPARE(httpRequest(request).status, 401L);

        // Without the test CA, verification fails: nothing trusts the registry by accident.
        request.caFile.clear();
        reply = httpRequest(request);
        QCOMPARE(reply.status, 0L);
        QVERIFY2(reply.error.contains(QStringLiteral("certificate"), Qt::CaseInsensitive),
                 qPrintable(reply.error));
    }

    void podmanOverUnixSocketRunsContainers()
    {
        PodmanService podman;
        QVERIFY2(podman.start(), qPrintable(podman.errorString()));
        QVERIFY(podman.endpoint().startsWith(QStringLiteral("unix:///")));

        HttpReply reply = httpRequest({QStringLiteral("http://d/_ping"), podman.socketPath()});
        QCOMPARE(reply.status, 200L);
        QCOMPARE(reply.body, QByteArray("OK"));
        reply = httpRequest({QStringLiteral("http://d/v1.41/version"), podman.socketPath()});
        QCOMPARE(reply.status, 200L);
        QVERIFY2(reply.body.contains("\"Podman Engine\""), reply.body.constData());

        // A running container (conmon, runc, a shm mount) must not survive stop().
        QString error;
        QVERIFY2(podman.importBusybox(QStringLiteral("localhost/busybox:test"), &error), qPrintable(error));
        QString output;
        QCOMPARE(
            podman.podman({QStringLiteral("run"), QStringLiteral("-d"), QStringLiteral("--name"),
                           QStringLiteral("sleeper"), QStringLiteral("localhost/busybox:test"),
                           QStringLiteral("/bin/busybox"), QStringLiteral("sleep"), QStringLiteral("600")},
                          &output),
            0);
        reply = httpRequest({QStringLiteral("http://d/v1.41/containers/sleeper/json"), podman.socketPath()});
        QCOMPARE(reply.status, 200L);
        QVERIFY2(reply.body.contains("\"Running\":true"), reply.body.constData());

        const qint64 pid = podman.processId();
        const QString dir = podman.directory();
        podman.stop();
        verifyGone(pid, dir);
    }

    void podmanOverTcp()
    {
        PodmanService podman(PodmanService::Listen::Tcp);
        QVERIFY2(podman.start(), qPrintable(podman.errorString()));
        QCOMPARE(podman.endpoint(), QStringLiteral("tcp://127.0.0.1:%1").arg(podman.port()));
        const HttpReply reply = httpRequest({QStringLiteral("http://127.0.0.1:%1/_ping").arg(podman.port())});
        QCOMPARE(reply.status, 200L);
        QCOMPARE(reply.body, QByteArray("OK"));
    }

    // Two Docker daemons at once, each on a bridge of its own; a running container (containerd,
    // its shim, overlay and netns mounts) and the bridge must not survive stop().
    void dockerRunsContainersBesideAnotherAndLeavesNothing()
    {
        DockerService docker;
        QVERIFY2(docker.start(), qPrintable(docker.errorString()));
        DockerService other;
        QVERIFY2(other.start(), qPrintable(other.errorString()));
        QVERIFY(docker.endpoint().startsWith(QStringLiteral("unix:///")));
        QVERIFY(docker.bridge() != other.bridge());
        QVERIFY(docker.bridgeAddress() != other.bridgeAddress());

        HttpReply reply = httpRequest({QStringLiteral("http://d/_ping"), docker.socketPath()});
        QCOMPARE(reply.status, 200L);
        QCOMPARE(reply.body, QByteArray("OK"));
        reply = httpRequest({QStringLiteral("http://d/v1.41/version"), docker.socketPath()});
        QCOMPARE(reply.status, 200L);
        QVERIFY2(reply.body.contains("\"Name\":\"Engine\""), reply.body.constData());
        QVERIFY2(!reply.body.contains("Podman"), reply.body.constData());

        QString error;
        QVERIFY2(docker.importBusybox(QStringLiteral("localhost/busybox:test"), &error), qPrintable(error));
        QString output;
        QCOMPARE(
            docker.docker({QStringLiteral("run"), QStringLiteral("-d"), QStringLiteral("--name"),
                           QStringLiteral("sleeper"), QStringLiteral("localhost/busybox:test"),
                           QStringLiteral("/bin/busybox"), QStringLiteral("sleep"), QStringLiteral("600")},
                          &output),
            0);
        reply = httpRequest({QStringLiteral("http://d/v1.41/containers/sleeper/json"), docker.socketPath()});
        QCOMPARE(reply.status, 200L);
        const QJsonObject state = QJsonDocument::fromJson(reply.body).object().value(u"State").toObject();
        QVERIFY2(state.value(u"Running").toBool(), reply.body.constData());
        const pid_t sleeper = pid_t(state.value(u"Pid").toInteger());
        QVERIFY(sleeper > 0);
        // On its own bridge, not on the other daemon's.
        const QString address = QJsonDocument::fromJson(reply.body)
                                    .object()
                                    .value(u"NetworkSettings")
                                    .toObject()
                                    .value(u"IPAddress")
                                    .toString();
        QVERIFY2(address.startsWith(docker.bridgeAddress().section(u'.', 0, 2) + u'.'), qPrintable(address));
        // The other daemon has its own storage: it knows no such container.
        reply = httpRequest({QStringLiteral("http://d/v1.41/containers/sleeper/json"), other.socketPath()});
        QCOMPARE(reply.status, 404L);

        const QString bridge = docker.bridge();
        const qint64 pid = docker.processId();
        const QString dir = docker.directory();
        docker.stop();
        verifyGone(pid, dir);
        QVERIFY2(!processExists(sleeper), "the container's process outlived its daemon");
        QVERIFY2(runTool(QStringLiteral("ip"), {QStringLiteral("link"), QStringLiteral("show"), bridge},
                         &output) != 0,
                 qPrintable(bridge + QStringLiteral(" is left behind")));
        // The other one still serves.
        QCOMPARE(httpRequest({QStringLiteral("http://d/_ping"), other.socketPath()}).status, 200L);
    }

    void gitDaemonServesRepositories()
    {
        GitDaemon daemon;
        QVERIFY2(daemon.start(), qPrintable(daemon.errorString()));

        QTemporaryDir work;
        const QString bare = daemon.repositoriesPath() + QStringLiteral("/app.git");
        const QStringList identity{QStringLiteral("-c"), QStringLiteral("user.name=Test"),
                                   QStringLiteral("-c"), QStringLiteral("user.email=test@example.com")};
        QString output;
        QCOMPARE(runTool(QStringLiteral("git"),
                         {QStringLiteral("init"), QStringLiteral("-q"), QStringLiteral("-b"),
                          QStringLiteral("main"), work.path()},
                         &output),
                 0);
        QFile readme(work.filePath(QStringLiteral("README")));
        QVERIFY(readme.open(QIODevice::WriteOnly));
        readme.write("hello\n");
        readme.close();
        QCOMPARE(runTool(QStringLiteral("git"),
                         {QStringLiteral("-C"), work.path(), QStringLiteral("add"), QStringLiteral(".")}),
                 0);
        QCOMPARE(
            runTool(QStringLiteral("git"), QStringList{QStringLiteral("-C"), work.path()} + identity +
                                               QStringList{QStringLiteral("commit"), QStringLiteral("-qm"),
                                                           QStringLiteral("first")}),
            0);
        QCOMPARE(runTool(QStringLiteral("git"), {QStringLiteral("clone"), QStringLiteral("-q"),
                                                 QStringLiteral("--bare"), work.path(), bare}),
                 0);

        QCOMPARE(runTool(QStringLiteral("git"),
                         {QStringLiteral("ls-remote"), daemon.url(QStringLiteral("app.git"))}, &output),
                 0);
        QVERIFY2(output.contains(QStringLiteral("refs/heads/main")), qPrintable(output));
        QVERIFY(runTool(QStringLiteral("git"),
                        {QStringLiteral("ls-remote"), daemon.url(QStringLiteral("missing.git"))},
                        &output) != 0);

        const qint64 pid = daemon.processId();
        const QString dir = daemon.directory();
        daemon.stop();
        verifyGone(pid, dir);
    }

    void sshdForwardsTheEngineSocket()
    {
        PodmanService podman;
        QVERIFY2(podman.start(), qPrintable(podman.errorString()));
        SshServer sshd;
        QVERIFY2(sshd.start(), qPrintable(sshd.errorString()));

        QString output;
        QCOMPARE(runTool(QStringLiteral("ssh"),
                         sshd.clientOptions() + QStringList{sshd.destination(), QStringLiteral("echo"),
                                                            QStringLiteral("answered")},
                         &output),
                 0);
        QCOMPARE(output.trimmed(), QStringLiteral("answered"));

        // An unknown host key is refused.
        QTemporaryDir empty;
        QStringList strangers = sshd.clientOptions();
        strangers.replace(strangers.indexOf(QStringLiteral("UserKnownHostsFile=") + sshd.knownHostsPath()),
                          QStringLiteral("UserKnownHostsFile=") +
                              empty.filePath(QStringLiteral("known_hosts")));
        QCOMPARE(runTool(QStringLiteral("ssh"),
                         strangers + QStringList{sshd.destination(), QStringLiteral("true")}, &output),
                 255);
        QVERIFY2(output.contains(QStringLiteral("Host key verification failed")), qPrintable(output));

        // The way ssh:// targets reach an engine: a local socket forwarded to the remote one.
        const QString local = empty.filePath(QStringLiteral("engine.sock"));
        QProcess tunnel;
        tunnel.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        tunnel.start(QStringLiteral("ssh"),
                     sshd.clientOptions() + QStringList{QStringLiteral("-N"), QStringLiteral("-L"),
                                                        local + u':' + podman.socketPath(),
                                                        sshd.destination()});
        QVERIFY(tunnel.waitForStarted());
        QVERIFY(waitForUnixSocket(local, 15000));
        const HttpReply reply = httpRequest({QStringLiteral("http://d/_ping"), local});
        QCOMPARE(reply.status, 200L);
        QCOMPARE(reply.body, QByteArray("OK"));

        // sshd's session process for the tunnel is its child, and goes with it.
        const QList<pid_t> sessions = descendantsOf(pid_t(sshd.processId()));
        QVERIFY(!sessions.isEmpty());
        const qint64 pid = sshd.processId();
        const QString dir = sshd.directory();
        sshd.stop();
        verifyGone(pid, dir);
        for (const pid_t session : sessions)
            QVERIFY(!processExists(session));
        QVERIFY(tunnel.waitForFinished(10000)); // the client sees the server go
    }

    // A test process killed with SIGKILL cannot clean up; its servers die with it anyway.
    void killedTestLeavesNoServer()
    {
        QProcess child;
        child.start(QCoreApplication::applicationFilePath(), {QStringLiteral("--start-registry-and-die")});
        QVERIFY(child.waitForFinished(60000));
        QCOMPARE(child.exitStatus(), QProcess::CrashExit);
        const QList<QByteArray> lines = child.readAllStandardOutput().trimmed().split('\n');
        QCOMPARE(lines.size(), 2);
        const pid_t pid = lines.at(0).toInt();
        const QString dir = QString::fromLocal8Bit(lines.at(1));
        QVERIFY(pid > 0);
        QTRY_VERIFY_WITH_TIMEOUT(!processExists(pid), 10000);

        // The next server started sweeps the directory its dead owner left.
        QVERIFY(QFileInfo::exists(dir));
        RegistryServer next;
        QVERIFY2(next.start(), qPrintable(next.errorString()));
        QVERIFY2(!QFileInfo::exists(dir), qPrintable(dir));
    }

    // The same for Docker, whose containers run on under their shims: the next Docker service
    // started ends what its dead owner left running, the container too, and deletes its bridge.
    void killedTestLeavesNoDockerContainer()
    {
        QProcess child;
        child.start(QCoreApplication::applicationFilePath(), {QStringLiteral("--start-docker-and-die")});
        QVERIFY(child.waitForFinished(120000));
        QCOMPARE(child.exitStatus(), QProcess::CrashExit);
        const QList<QByteArray> lines = child.readAllStandardOutput().trimmed().split('\n');
        QCOMPARE(lines.size(), 4);
        const pid_t pid = lines.at(0).toInt();
        const QString dir = QString::fromLocal8Bit(lines.at(1));
        const pid_t sleeper = lines.at(2).toInt();
        const QString bridge = QString::fromLocal8Bit(lines.at(3));
        QVERIFY(pid > 0 && sleeper > 0);
        QTRY_VERIFY_WITH_TIMEOUT(!processExists(pid), 10000);

        DockerService next;
        QVERIFY2(next.start(), qPrintable(next.errorString()));
        QVERIFY2(!QFileInfo::exists(dir), qPrintable(dir));
        QVERIFY2(!processExists(sleeper), "the dead test's container still runs");
        QString output;
        QVERIFY2(runTool(QStringLiteral("ip"), {QStringLiteral("link"), QStringLiteral("show"), bridge},
                         &output) != 0,
                 qPrintable(bridge + QStringLiteral(" is left behind")));
    }
};

int main(int argc, char *argv[])
{
    if (argc == 2 && qstrcmp(argv[1], "--start-docker-and-die") == 0) {
        QCoreApplication app(argc, argv);
        DockerService docker;
        QString output;
        if (!docker.start() || !docker.importBusybox(QStringLiteral("localhost/busybox:test")) ||
            docker.docker({QStringLiteral("run"), QStringLiteral("-d"), QStringLiteral("--name"),
                           QStringLiteral("sleeper"), QStringLiteral("localhost/busybox:test"),
                           QStringLiteral("/bin/busybox"), QStringLiteral("sleep"), QStringLiteral("600")},
                          &output) != 0 ||
            docker.docker({QStringLiteral("inspect"), QStringLiteral("-f"), QStringLiteral("{{.State.Pid}}"),
                           QStringLiteral("sleeper")},
                          &output) != 0)
            return 1;
        std::printf("%lld\n%s\n%s\n%s\n", docker.processId(), qPrintable(docker.directory()),
                    qPrintable(output.trimmed()), qPrintable(docker.bridge()));
        std::fflush(stdout);
        std::raise(SIGKILL);
    }
    if (argc == 2 && qstrcmp(argv[1], "--start-registry-and-die") == 0) {
        QCoreApplication app(argc, argv);
        RegistryServer registry;
        if (!registry.start())
            return 1;
        std::printf("%lld\n%s\n", registry.processId(), qPrintable(registry.directory()));
        std::fflush(stdout);
        std::raise(SIGKILL);
    }
    QCoreApplication app(argc, argv);
    TestHarness test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_harness.moc"
