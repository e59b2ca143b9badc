// The Docker Engine API client against the real engines of the test harness, Podman and Docker
// (the functions with an "engine" column run on each): over the unix socket, over an ssh tunnel
// through the harness sshd, and TLS endpoints against a test-owned `openssl s_server` (the
// harness engines serve no TLS themselves).

#include "dockerservice.h"
#include "engine/endpoint.h"
#include "engine/engineclient.h"
#include "engine/probe.h"
#include "podmanservice.h"
#include "processes.h"
#include "registryserver.h"
#include "sshserver.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QVersionNumber>

#include <cstring>
#include <thread>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace slipway;
using slipway::test::DockerService;
using slipway::test::EngineService;
using slipway::test::PodmanService;
using slipway::test::RegistryServer;
using slipway::test::runTool;
using slipway::test::SshServer;

namespace {

QString sshCommand(const SshServer &ssh, const QString &knownHosts = {})
{
    QStringList options = ssh.clientOptions();
    if (!knownHosts.isEmpty())
        options.replaceInStrings(QStringLiteral("UserKnownHostsFile=") + ssh.knownHostsPath(),
                                 QStringLiteral("UserKnownHostsFile=") + knownHosts);
    return QStringLiteral("ssh ") + options.join(u' ');
}

// The ssh processes this test process runs (its tunnels).
int sshProcesses()
{
    int count = 0;
    for (const pid_t pid : slipway::test::descendantsOf(::getpid())) {
        QFile comm(QStringLiteral("/proc/%1/comm").arg(pid));
        if (comm.open(QIODevice::ReadOnly) && comm.readAll().trimmed() == "ssh")
            ++count;
    }
    return count;
}

// A connected socket to 127.0.0.1:port, or to the unix socket at path; -1 on failure.
int connectTo(quint16 port, const QString &path = {})
{
    const int fd = ::socket(path.isEmpty() ? AF_INET : AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int connected = -1;
    if (path.isEmpty()) {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        connected = ::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address);
    } else {
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        const QByteArray name = QFile::encodeName(path);
        std::memcpy(address.sun_path, name.constData(),
                    std::min(size_t(name.size()), sizeof address.sun_path - 1));
        connected = ::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address);
    }
    if (connected != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// Four bytes from fd within 10 s.
QByteArray readFour(int fd)
{
    QByteArray got;
    pollfd wait{fd, POLLIN, 0};
    while (got.size() < 4 && ::poll(&wait, 1, 10000) == 1) {
        char buffer[4];
        const ssize_t n = ::read(fd, buffer, size_t(4 - got.size()));
        if (n <= 0)
            break;
        got.append(buffer, n);
    }
    return got;
}

// True when the connection `client` made reaches the listening socket `server`, both ways.
bool carries(int server, int client)
{
    if (client < 0)
        return false;
    // The client speaks first. A connection that ends without its bytes is a tunnel's readiness
    // probe (SshTunnel::open connects to its socket once): the next one is the client's. (Telling
    // them apart by how soon one ends raced a slow ssh under load.)
    bool both = ::write(client, "ping", 4) == 4;
    int accepted = -1;
    while (both) {
        pollfd wait{server, POLLIN, 0};
        accepted = ::poll(&wait, 1, 10000) == 1 ? ::accept4(server, nullptr, nullptr, SOCK_CLOEXEC) : -1;
        if (accepted < 0 || readFour(accepted) == "ping")
            break;
        ::close(accepted);
        accepted = -1;
    }
    both = both && accepted >= 0 && ::write(accepted, "pong", 4) == 4 && readFour(client) == "pong";
    if (accepted >= 0)
        ::close(accepted);
    ::close(client);
    return both;
}

QString sshEndpoint(const SshServer &ssh, const EngineService &engine)
{
    return QStringLiteral("ssh://%1@127.0.0.1:%2%3").arg(ssh.user()).arg(ssh.port()).arg(engine.socketPath());
}

// Makes a CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA,
// in dir (ca.crt, server.crt/key, client.crt/key); and a second, unrelated CA (other-ca.crt).
bool makeCertificates(const QString &dir, QString *error)
{
    const auto openssl = [&](const QStringList &arguments) {
        QString output;
        if (runTool(QStringLiteral("openssl"), arguments, &output) != 0) {
            *error = output;
            return false;
        }
        return true;
    };
    const auto in = [&](const QString &name) -> QString { return dir + u'/' + name; };
    QFile ext(in(QStringLiteral("san.ext")));
    if (!ext.open(QIODevice::WriteOnly) || ext.write("subjectAltName=IP:127.0.0.1\n") < 0)
        return false;
    ext.close();
    for (const QString &ca : {QStringLiteral("ca"), QStringLiteral("other-ca")})
        if (!openssl({QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                      QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-keyout"),
                      in(ca + QStringLiteral(".key")), QStringLiteral("-out"),
                      in(ca + QStringLiteral(".crt")), QStringLiteral("-days"), QStringLiteral("2"),
                      QStringLiteral("-subj"), QStringLiteral("/CN=") + ca}))
            return false;
    for (const QString &leaf : {QStringLiteral("server"), QStringLiteral("client")}) {
        if (!openssl({QStringLiteral("req"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"),
                      QStringLiteral("-nodes"), QStringLiteral("-keyout"), in(leaf + QStringLiteral(".key")),
                      QStringLiteral("-out"), in(leaf + QStringLiteral(".csr")), QStringLiteral("-subj"),
                      QStringLiteral("/CN=127.0.0.1")}))
            return false;
        if (!openssl({QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"),
                      in(leaf + QStringLiteral(".csr")), QStringLiteral("-CA"), in(QStringLiteral("ca.crt")),
                      QStringLiteral("-CAkey"), in(QStringLiteral("ca.key")),
                      QStringLiteral("-CAcreateserial"), QStringLiteral("-days"), QStringLiteral("2"),
                      QStringLiteral("-extfile"), in(QStringLiteral("san.ext")), QStringLiteral("-out"),
                      in(leaf + QStringLiteral(".crt"))}))
            return false;
    }
    return true;
}

// A test-owned "engine" on 127.0.0.1 that answers every request with HTTP 500 and an engine
// error document, until destroyed.
class FailingEngine
{
public:
    FailingEngine()
    {
        m_fd = slipway::test::listenOnLoopback(&m_port);
        if (m_fd < 0)
            return;
        m_thread = std::jthread([this](std::stop_token stop) {
            while (!stop.stop_requested()) {
                const int client = ::accept(m_fd, nullptr, nullptr);
                if (client < 0)
                    return;
                char buffer[4096];
                (void)::recv(client, buffer, sizeof buffer, 0);
                const QByteArray body = "{\"message\":\"storage is on fire\"}";
                const QByteArray reply =
                    "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n"
                    "Content-Length: " +
                    QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
                (void)::send(client, reply.constData(), size_t(reply.size()), MSG_NOSIGNAL);
                ::close(client);
            }
        });
    }
    ~FailingEngine()
    {
        m_thread.request_stop();
        ::shutdown(m_fd, SHUT_RDWR);
        if (m_thread.joinable())
            m_thread.join();
        ::close(m_fd);
    }
    quint16 port() const { return m_port; }

private:
    int m_fd = -1;
    quint16 m_port = 0;
    std::jthread m_thread;
};

} // namespace

class TestEngine final : public QObject
{
    Q_OBJECT

private:
    // A registry with TLS and Basic auth, which both engines take as insecure (they skip
    // verifying its test CA).
    RegistryServer m_registry{RegistryServer::Mode::TlsWithBasicAuth};
    std::unique_ptr<PodmanService> m_podman;
    std::unique_ptr<DockerService> m_docker;
    SshServer m_ssh;
    QString m_image = QStringLiteral("localhost/busybox:engine");

    // The engine of this row's "engine" column.
    EngineService &engine()
    {
        QFETCH(QString, engine);
        return engine == u"docker" ? static_cast<EngineService &>(*m_docker) : *m_podman;
    }

    static Target targetOn(const EngineService &engine)
    {
        Target target;
        target.name = QStringLiteral("local");
        target.endpoint = engine.endpoint();
        return target;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(m_registry.start(), qPrintable(m_registry.errorString()));
        m_podman = std::make_unique<PodmanService>(PodmanService::Listen::UnixSocket,
                                                   QStringList{m_registry.address()});
        m_docker = std::make_unique<DockerService>(QStringList{m_registry.address()});
        for (EngineService *service :
             {static_cast<EngineService *>(m_podman.get()), static_cast<EngineService *>(m_docker.get())}) {
            QVERIFY2(service->start(), qPrintable(service->errorString()));
            QString error;
            QVERIFY2(service->importBusybox(m_image, &error), qPrintable(error));
        }
        QVERIFY2(m_ssh.start(), qPrintable(m_ssh.errorString()));
    }

    void parsesEndpointsWithOneLineErrors_data()
    {
        QTest::addColumn<QString>("endpoint");
        QTest::addColumn<QString>("tlsCa");
        QTest::addColumn<QString>("cause");
        QTest::newRow("no scheme") << QStringLiteral("/run/docker.sock") << QString()
                                   << QStringLiteral("expected unix://");
        QTest::newRow("unknown scheme")
            << QStringLiteral("http://host:2375") << QString() << QStringLiteral("unknown scheme 'http'");
        QTest::newRow("relative socket")
            << QStringLiteral("unix://run/docker.sock") << QString() << QStringLiteral("absolute");
        QTest::newRow("tcp without port")
            << QStringLiteral("tcp://host") << QString() << QStringLiteral("no port");
        QTest::newRow("half TLS") << QStringLiteral("tcp://host:2376") << QStringLiteral("/ca.pem")
                                  << QStringLiteral("all three");
        QTest::newRow("TLS on unix") << QStringLiteral("unix:///x.sock") << QStringLiteral("/ca.pem")
                                     << QStringLiteral("tcp:// endpoints only");
        QTest::newRow("ssh password") << QStringLiteral("ssh://u:secretpw@host") << QString()
                                      << QStringLiteral("passwords do not belong");
        QTest::newRow("ssh option host")
            << QStringLiteral("ssh://-oProxyCommand=x") << QString() << QStringLiteral("");
    }

    void parsesEndpointsWithOneLineErrors()
    {
        QFETCH(QString, endpoint);
        QFETCH(QString, tlsCa);
        QFETCH(QString, cause);
        Target target{.name = QStringLiteral("web"),
                      .endpoint = endpoint,
                      .tlsCa = tlsCa,
                      .tlsCert = {},
                      .tlsKey = {},
                      .proxyImage = {},
                      .proxyHttpPort = 0,
                      .proxyHttpsPort = 0};
        auto parsed = parseEndpoint(target);
        QVERIFY(!parsed.ok());
        const QString message = parsed.error().message;
        QCOMPARE(parsed.error().kind, Error::Kind::BadInput);
        QVERIFY2(message.startsWith(QStringLiteral("target web: endpoint '")), qPrintable(message));
        QVERIFY2(message.contains(cause), qPrintable(message));
        QVERIFY2(!message.contains(u'\n'), qPrintable(message));
        QVERIFY2(!message.contains(QStringLiteral("secretpw")), qPrintable(message));
    }

    void parsesGoodEndpoints()
    {
        auto ssh = parseEndpoint(slipway::test::engineTarget(
            QStringLiteral("a"), QStringLiteral("ssh://deploy@web1:2222/run/user/1000/podman/podman.sock")));
        QVERIFY(ssh.ok());
        QCOMPARE(ssh->kind, EngineEndpoint::Kind::Ssh);
        QCOMPARE(ssh->sshUser, QStringLiteral("deploy"));
        QCOMPARE(ssh->host, QStringLiteral("web1"));
        QCOMPARE(ssh->port, 2222);
        QCOMPARE(ssh->socketPath, QStringLiteral("/run/user/1000/podman/podman.sock"));
        auto bare =
            parseEndpoint(slipway::test::engineTarget(QStringLiteral("b"), QStringLiteral("ssh://web2")));
        QVERIFY(bare.ok());
        QCOMPARE(bare->port, 0);
        QVERIFY(bare->socketPath.isEmpty());
        auto tcp = parseEndpoint(
            slipway::test::engineTarget(QStringLiteral("c"), QStringLiteral("tcp://10.0.0.5:2375")));
        QVERIFY(tcp.ok());
        QCOMPARE(tcp->kind, EngineEndpoint::Kind::Tcp);
        QVERIFY(!tcp->tls);
        QCOMPARE(tcp->port, 2375);
    }

    void probesTheEngineOverUnixSocket_data() { slipway::test::addEngineRows(); }
    void probesTheEngineOverUnixSocket()
    {
        EngineService &service = engine();
        const Target local = targetOn(service);
        auto info = probeTarget(local);
        QVERIFY2(info.ok(), info.ok() ? "" : qPrintable(info.error().message));
        QCOMPARE(info->name, service.engineName());
        QVERIFY(!info->version.isEmpty());
        QVERIFY(!info->apiVersion.isEmpty());
        QCOMPARE(info->os, QStringLiteral("linux"));

        EngineClient client(local);
        QVERIFY(client.connect().ok());
        // Negotiated: never newer than ours.
        QVERIFY(QVersionNumber::fromString(client.apiVersion()) <=
                QVersionNumber::fromString(QStringLiteral("1.41")));
    }

    void probesOverSshAndRefusesAnUnknownHostKey_data() { slipway::test::addEngineRows(); }
    void probesOverSshAndRefusesAnUnknownHostKey()
    {
        EngineService &service = engine();
        const SshServer &ssh = m_ssh;
        const Target target =
            slipway::test::engineTarget(QStringLiteral("remote"), sshEndpoint(ssh, service));

        qputenv("SLIPWAY_SSH_COMMAND", sshCommand(ssh).toUtf8());
        auto info = probeTarget(target);
        QVERIFY2(info.ok(), info.ok() ? "" : qPrintable(info.error().message));
        QCOMPARE(info->name, service.engineName());

        // The tunnel closes with the client: no ssh left behind.
        QString socket;
        {
            EngineClient client(target);
            QVERIFY(client.connect().ok());
            auto listed = client.listContainers({QStringLiteral("io.slipway.app=nothing")});
            QVERIFY(listed.ok());
            QVERIFY(listed->isEmpty());
        }

        // An empty known_hosts: the host key is unknown and BatchMode refuses it.
        QTemporaryDir empty;
        const QString knownHosts = empty.filePath(QStringLiteral("known_hosts"));
        QFile(knownHosts).open(QIODevice::WriteOnly);
        qputenv("SLIPWAY_SSH_COMMAND", sshCommand(ssh, knownHosts).toUtf8());
        auto refused = probeTarget(target);
        qunsetenv("SLIPWAY_SSH_COMMAND");
        QVERIFY(!refused.ok());
        const QString message = refused.error().message;
        QVERIFY2(message.startsWith(QStringLiteral("target remote (ssh://")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("Host key verification failed")), qPrintable(message));
        QVERIFY2(!message.contains(u'\n'), qPrintable(message));
    }

    // The registry a target pulls from (a remote forward) and the health check's port (a local
    // one) go through the ssh connection the client already has: no new handshake, one ssh.
    void forwardsGoThroughTheOneSshConnection_data() { slipway::test::addEngineRows(); }
    void forwardsGoThroughTheOneSshConnection()
    {
        const Target target =
            slipway::test::engineTarget(QStringLiteral("remote"), sshEndpoint(m_ssh, engine()));
        const int before = sshProcesses();
        // An ssh command that will not multiplex (ControlPath=none comes first, and the first
        // value wins) still gets its forwards, each through a connection of its own.
        for (const bool multiplexed : {true, false}) {
            qputenv("SLIPWAY_SSH_COMMAND",
                    (multiplexed ? sshCommand(m_ssh)
                                 : sshCommand(m_ssh).replace(QStringLiteral("ssh "),
                                                             QStringLiteral("ssh -o ControlPath=none ")))
                        .toUtf8());
            const int tunnels = multiplexed ? 1 : 3;
            {
                EngineClient client(target);
                QVERIFY(client.connect().ok());
                QCOMPARE(sshProcesses(), before + 1);

                // The target's loopback port reaches a server here (the sshd is on this machine).
                quint16 herePort = 0;
                const int here = slipway::test::listenOnLoopback(&herePort);
                QVERIFY(here >= 0);
                auto remotePort = client.exposeLocalPort(herePort);
                QVERIFY2(remotePort, qPrintable(remotePort ? QString() : remotePort.error().message));
                QVERIFY(remotePort.value() != herePort);
                QVERIFY(carries(here, connectTo(remotePort.value())));
                QCOMPARE(client.exposeLocalPort(herePort).value(), remotePort.value()); // kept
                ::close(here);

                // A port there is a socket here.
                quint16 therePort = 0;
                const int there = slipway::test::listenOnLoopback(&therePort);
                QVERIFY(there >= 0);
                auto socket = client.forwardTcpPort(therePort);
                QVERIFY2(socket, qPrintable(socket ? QString() : socket.error().message));
                QVERIFY(carries(there, connectTo(0, socket.value())));
                ::close(there);

                QCOMPARE(sshProcesses(), before + tunnels);
            }
            QTRY_COMPARE_WITH_TIMEOUT(sshProcesses(), before, 30000);
        }
        qunsetenv("SLIPWAY_SSH_COMMAND");
    }

    void unreachableTargetsNameTargetAndCause()
    {
        const Target gone = slipway::test::engineTarget(QStringLiteral("gone"),
                                                        QStringLiteral("unix:///nonexistent/engine.sock"));
        auto info = probeTarget(gone);
        QVERIFY(!info.ok());
        QVERIFY2(info.error().message.startsWith(
                     QStringLiteral("target gone (unix:///nonexistent/engine.sock): ping: ")),
                 qPrintable(info.error().message));

        const quint16 port = slipway::test::freeLoopbackPort();
        const Target closed = slipway::test::engineTarget(QStringLiteral("closed"),
                                                          QStringLiteral("tcp://127.0.0.1:%1").arg(port));
        auto refused = probeTarget(closed);
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().message.contains(QStringLiteral("target closed (tcp://127.0.0.1:")),
                 qPrintable(refused.error().message));
        QVERIFY2(refused.error().message.contains(QStringLiteral("onnect")),
                 qPrintable(refused.error().message));
    }

    void anEngineAnswering500IsNamedWithItsMessage()
    {
        FailingEngine engine;
        QVERIFY(engine.port() != 0);
        const Target target = slipway::test::engineTarget(
            QStringLiteral("broken"), QStringLiteral("tcp://127.0.0.1:%1").arg(engine.port()));
        auto info = probeTarget(target);
        QVERIFY(!info.ok());
        QCOMPARE(info.error().message,
                 QStringLiteral("target broken (tcp://127.0.0.1:%1): ping: HTTP 500: storage is on fire")
                     .arg(engine.port()));
    }

    void tlsEndpointsVerifyTheServerWithTheTargetsCa()
    {
        QTemporaryDir dir;
        QString error;
        QVERIFY2(makeCertificates(dir.path(), &error), qPrintable(error));
        const quint16 port = slipway::test::freeLoopbackPort();
        // A TLS server that requires a client certificate from our CA and answers every GET
        // with 200 (not an engine: ping succeeds, version does not).
        QProcess server;
        server.setProcessChannelMode(QProcess::MergedChannels);
        server.start(QStringLiteral("openssl"),
                     {QStringLiteral("s_server"), QStringLiteral("-accept"),
                      QStringLiteral("127.0.0.1:%1").arg(port), QStringLiteral("-cert"),
                      dir.filePath(QStringLiteral("server.crt")), QStringLiteral("-key"),
                      dir.filePath(QStringLiteral("server.key")), QStringLiteral("-CAfile"),
                      dir.filePath(QStringLiteral("ca.crt")), QStringLiteral("-Verify"), QStringLiteral("1"),
                      QStringLiteral("-www"), QStringLiteral("-quiet")});
        QVERIFY(server.waitForStarted());
        QVERIFY(slipway::test::waitForTcp(port, 10000));

        Target target{.name = QStringLiteral("tls"),
                      .endpoint = QStringLiteral("tcp://127.0.0.1:%1").arg(port),
                      .tlsCa = dir.filePath(QStringLiteral("ca.crt")),
                      .tlsCert = dir.filePath(QStringLiteral("client.crt")),
                      .tlsKey = dir.filePath(QStringLiteral("client.key")),
                      .proxyImage = {},
                      .proxyHttpPort = 0,
                      .proxyHttpsPort = 0};
        {
            EngineClient client(target);
            const Status connected = client.connect();
            QVERIFY2(connected.ok(), connected.ok() ? "" : qPrintable(connected.error().message));
            auto version = client.version();
            QVERIFY(!version.ok());
            QVERIFY2(version.error().message.contains(QStringLiteral("not an engine's version document")),
                     qPrintable(version.error().message));
        }

        // The server's certificate is not signed by the CA the target names.
        target.tlsCa = dir.filePath(QStringLiteral("other-ca.crt"));
        auto wrong = probeTarget(target);
        QVERIFY(!wrong.ok());
        QVERIFY2(wrong.error().message.startsWith(QStringLiteral("target tls (tcp://127.0.0.1:")),
                 qPrintable(wrong.error().message));
        QVERIFY2(wrong.error().message.contains(QStringLiteral("certificate")),
                 qPrintable(wrong.error().message));
        server.kill();
        server.waitForFinished();
    }

    void runsInspectsLogsAndRemovesContainers_data() { slipway::test::addEngineRows(); }
    void runsInspectsLogsAndRemovesContainers()
    {
        EngineService &service = engine();
        const Target local = targetOn(service);
        EngineClient client(local);
        QVERIFY(client.connect().ok());
        ContainerSpec spec;
        spec.name = QStringLiteral("talker");
        spec.image = m_image;
        spec.labels.insert(QStringLiteral("io.slipway.app"), QStringLiteral("talker"));
        spec.labels.insert(QStringLiteral("io.slipway.release"), QStringLiteral("7"));
        spec.env.insert(QStringLiteral("GREETING"), QStringLiteral("hello"));
        spec.restart = QStringLiteral("no");
        spec.healthcheck = {};
        // Set as the image's command through the create body: the harness image has no CMD.
        auto missing = client.createContainer(spec);
        // Without a command the engine refuses: its message comes through, one line.
        QVERIFY(!missing.ok());
        QVERIFY2(missing.error().message.startsWith(QStringLiteral("target local (unix://")),
                 qPrintable(missing.error().message));
        QVERIFY2(missing.error().message.contains(QStringLiteral("create container talker: HTTP ")),
                 qPrintable(missing.error().message));

        // An image whose command talks on both streams.
        QString error;
        QVERIFY2(
            service.importTarball(service.directory() + QStringLiteral("/busybox.tar"),
                                  QStringLiteral("localhost/talker:1"),
                                  {QStringLiteral("ENTRYPOINT [\"/bin/busybox\",\"sh\",\"-c\",\"echo out "
                                                  "$GREETING; echo err >&2; exec /bin/busybox sleep 600\"]")},
                                  &error),
            qPrintable(error));

        spec.image = QStringLiteral("localhost/talker:1");
        auto id = client.createContainer(spec);
        QVERIFY2(id.ok(), id.ok() ? "" : qPrintable(id.error().message));
        auto duplicate = client.createContainer(spec);
        QVERIFY(!duplicate.ok());
        QVERIFY2(duplicate.error().message.contains(QStringLiteral("HTTP 409")) ||
                     duplicate.error().message.contains(QStringLiteral("already in use")),
                 qPrintable(duplicate.error().message));
        QVERIFY(client.startContainer(id.value()).ok());

        auto state = client.inspectContainer(id.value());
        QVERIFY(state.ok());
        QVERIFY(state->running);
        QCOMPARE(state->name, QStringLiteral("talker"));
        QCOMPARE(state->labels.value(QStringLiteral("io.slipway.release")), QStringLiteral("7"));

        auto listed = client.listContainers({QStringLiteral("io.slipway.app=talker")});
        QVERIFY(listed.ok());
        QCOMPARE(listed->size(), 1);
        QCOMPARE(listed->first().id, id.value());
        QCOMPARE(listed->first().state, QStringLiteral("running"));
        auto other = client.listContainers({QStringLiteral("io.slipway.app=someone-else")});
        QVERIFY(other.ok());
        QVERIFY(other->isEmpty());

        // Follow until both lines arrived, demultiplexed by stream.
        QStringList seen;
        const Status followed = client.followLogs(id.value(), [&](int stream, const QString &line) {
            seen.append(QString::number(stream) + u':' + line);
            return seen.size() < 2;
        });
        QVERIFY2(followed.ok(), followed.ok() ? "" : qPrintable(followed.error().message));
        seen.sort();
        QCOMPARE(seen, (QStringList{QStringLiteral("1:out hello"), QStringLiteral("2:err")}));
        auto tail = client.logs(id.value(), 10);
        QVERIFY(tail.ok());
        QVERIFY2(tail->contains(QStringLiteral("out hello")) && tail->contains(QStringLiteral("err")),
                 qPrintable(tail->join(u'|')));

        QString execOutput;
        auto code = client.exec(
            id.value(), {QStringLiteral("/bin/busybox"), QStringLiteral("echo"), QStringLiteral("inside")},
            &execOutput);
        QVERIFY2(code.ok(), code.ok() ? "" : qPrintable(code.error().message));
        QCOMPARE(code.value(), 0);
        QCOMPARE(execOutput.trimmed(), QStringLiteral("inside"));

        // Following a quiet container stops promptly when asked.
        std::stop_source stopSource;
        EngineClient cancellable(local, stopSource.get_token());
        QVERIFY(cancellable.connect().ok());
        std::jthread stopper([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(500));
            stopSource.request_stop();
        });
        const Status cancelled = cancellable.followLogs(
            id.value(), [](int, const QString &) { return true; }, 0);
        QVERIFY(!cancelled.ok());
        QCOMPARE(cancelled.error().kind, Error::Kind::Cancelled);

        QVERIFY(client.stopContainer(id.value(), 1).ok());
        state = client.inspectContainer(id.value());
        QVERIFY(state.ok());
        QVERIFY(!state->running);
        QVERIFY(client.removeContainer(id.value()).ok());
        listed = client.listContainers({QStringLiteral("io.slipway.app=talker")});
        QVERIFY(listed.ok());
        QVERIFY(listed->isEmpty());
        auto gone = client.inspectContainer(id.value());
        QVERIFY(!gone.ok());
        QVERIFY2(gone.error().message.contains(QStringLiteral("HTTP 404")), qPrintable(gone.error().message));
    }

    void loadsAnImageTarballStreamed_data() { slipway::test::addEngineRows(); }
    void loadsAnImageTarballStreamed()
    {
        EngineService &service = engine();
        QTemporaryDir dir;
        const QString archive = dir.filePath(QStringLiteral("image.tar"));
        QString output;
        QCOMPARE(service.cli({QStringLiteral("tag"), m_image, QStringLiteral("localhost/loaded:1")}, &output),
                 0);
        QCOMPARE(service.cli({QStringLiteral("save"), QStringLiteral("-o"), archive,
                              QStringLiteral("localhost/loaded:1")},
                             &output),
                 0);
        QCOMPARE(service.cli({QStringLiteral("rmi"), QStringLiteral("localhost/loaded:1")}, &output), 0);

        EngineClient client(targetOn(service));
        QVERIFY(client.connect().ok());
        auto before = client.inspectImage(QStringLiteral("localhost/loaded:1"));
        QVERIFY(before.ok());
        QVERIFY(!before->has_value());
        const Status loaded = client.load([&](const EngineClient::Writer &write) -> Status {
            QFile file(archive);
            if (!file.open(QIODevice::ReadOnly))
                return Error::failed(file.errorString());
            while (!file.atEnd()) {
                const QByteArray block = file.read(64 * 1024);
                if (Status written = write(block.constData(), block.size()); !written)
                    return written;
            }
            return success();
        });
        QVERIFY2(loaded.ok(), loaded.ok() ? "" : qPrintable(loaded.error().message));
        auto after = client.inspectImage(QStringLiteral("localhost/loaded:1"));
        QVERIFY(after.ok());
        QVERIFY(after->has_value());

        // A producer that fails mid-way: its error, not a half-loaded image.
        const Status broken = client.load([&](const EngineClient::Writer &write) -> Status {
            QByteArray block(4096, 'x');
            if (Status written = write(block.constData(), block.size()); !written)
                return written;
            return Error::failed(QStringLiteral("blob sha256:abc is missing"));
        });
        QVERIFY(!broken.ok());
        QVERIFY2(broken.error().message.startsWith(QStringLiteral("target local (unix://")),
                 qPrintable(broken.error().message));
        QVERIFY2(broken.error().message.contains(QStringLiteral("load image: blob sha256:abc is missing")),
                 qPrintable(broken.error().message));
    }

    void pullsWithRegistryAuthThatIsNeverShown_data() { slipway::test::addEngineRows(); }
    void pullsWithRegistryAuthThatIsNeverShown()
    {
        const EngineService &puller = engine();
        const RegistryServer &registry = m_registry;
        QString output;
        // Pushed by podman for both engines; a tag of each engine's own.
        const QString reference = registry.address() + QStringLiteral("/team/busybox:") + puller.kindName();
        QCOMPARE(m_podman->podman({QStringLiteral("push"), QStringLiteral("--tls-verify=false"),
                                   QStringLiteral("--creds"),
                                   registry.username() + u':' + registry.password(), m_image, reference},
                                  &output),
                 0);

        const Target target = slipway::test::engineTarget(QStringLiteral("puller"), puller.endpoint());
        EngineClient client(target);
        QVERIFY(client.connect().ok());

        const QString wrongSecret = QStringLiteral("not-the-password-4711");
        const Status refused =
            client.pull(reference, Credential{registry.username(), wrongSecret, false}, registry.address());
        QVERIFY(!refused.ok());
        const QString message = refused.error().message;
        QVERIFY2(message.startsWith(QStringLiteral("target puller (unix://")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("pull ") + reference), qPrintable(message));
        QVERIFY2(!message.contains(wrongSecret), qPrintable(message));
        QVERIFY2(!message.contains(QString::fromLatin1(wrongSecret.toUtf8().toBase64())),
                 qPrintable(message));
        QVERIFY2(!message.contains(u'\n'), qPrintable(message));

        const Status pulled = client.pull(
            reference, Credential{registry.username(), registry.password(), false}, registry.address());
        QVERIFY2(pulled.ok(), pulled.ok() ? "" : qPrintable(pulled.error().message));
        auto image = client.inspectImage(reference);
        QVERIFY(image.ok());
        QVERIFY(image->has_value());

        const Status unknown =
            client.pull(registry.address() + QStringLiteral("/team/nothing:1"),
                        Credential{registry.username(), registry.password(), false}, registry.address());
        QVERIFY(!unknown.ok());
        QVERIFY2(!unknown.error().message.contains(registry.password()), qPrintable(unknown.error().message));
    }
};

QTEST_GUILESS_MAIN(TestEngine)
#include "tst_engine.moc"
