// Building on a base image pulled from the real docker-registry of the test harness, checked by
// independent readers: podman pulls and runs the result, skopeo agrees on digests, podman load
// takes the docker archive. Bad input (a corrupt or truncated base layer, a manifest whose digest
// does not match) is served by a small registry of the test's own.

#include "clirun.h"
#include "podmanservice.h"
#include "processes.h"
#include "registry/imagereference.h"
#include "registry/puller.h"
#include "registry/registryclient.h"
#include "registryserver.h"
#include "store/contentstore.h"
#include "util/sha256.h"

#include <QDir>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <cctype>
#include <memory>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace slipway;
using slipway::test::CliRun;
using slipway::test::PodmanService;
using slipway::test::RegistryServer;
using slipway::test::runCli;
using slipway::test::runTool;

namespace {

bool writeFile(const QString &path, const QByteArray &contents, bool executable = false)
{
    QDir().mkpath(QFileInfo(path).path());
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(contents) != contents.size())
        return false;
    file.close();
    if (executable)
        file.setPermissions(file.permissions() | QFileDevice::ExeOwner | QFileDevice::ExeGroup |
                            QFileDevice::ExeOther);
    return true;
}

QString fileCount(const QString &dir)
{
    return QString::number(QDir(dir).entryList(QDir::Files).size());
}

// A registry of the test's own on 127.0.0.1, answering on a thread of its own (the client under
// test blocks), one connection at a time: what route() says, optionally asking for Basic auth on
// /v2/, recording each request's path and whether it carried an Authorization header.
class FakeRegistry
{
public:
    struct Response
    {
        int status = 200;
        QList<QByteArray> headers;
        QByteArray body;
        qint64 sendOnly = -1; // send this much of the body, then close (a truncated answer)
    };
    struct Seen
    {
        QByteArray method;
        QByteArray path;
        bool authorized = false;
    };

    FakeRegistry()
    {
        m_listener = slipway::test::listenOnLoopback(&m_port, 16);
        if (m_listener < 0)
            qFatal("fake registry: cannot listen on loopback");
        m_thread = std::thread([this] { run(); });
    }
    ~FakeRegistry()
    {
        m_stopping = true;
        ::shutdown(m_listener, SHUT_RDWR);
        m_thread.join();
        ::close(m_listener);
    }
    FakeRegistry(const FakeRegistry &) = delete;
    FakeRegistry &operator=(const FakeRegistry &) = delete;

    QString address() const { return QStringLiteral("127.0.0.1:%1").arg(m_port); }
    void route(const QByteArray &path, const Response &response)
    {
        const QMutexLocker lock(&m_mutex);
        m_routes.insert(path, response);
    }
    void requireBasic(const QByteArray &userColonPassword)
    {
        const QMutexLocker lock(&m_mutex);
        m_basic = "Basic " + userColonPassword.toBase64();
    }
    QList<Seen> seen() const
    {
        const QMutexLocker lock(&m_mutex);
        return m_seen;
    }

private:
    void run()
    {
        while (!m_stopping) {
            const int connection = ::accept4(m_listener, nullptr, nullptr, SOCK_CLOEXEC);
            if (connection < 0)
                continue;
            serve(connection);
            ::shutdown(connection, SHUT_WR);
            ::close(connection);
        }
    }

    static void sendAll(int connection, const QByteArray &bytes)
    {
        qsizetype done = 0;
        while (done < bytes.size()) {
            const ssize_t n =
                ::send(connection, bytes.constData() + done, size_t(bytes.size() - done), MSG_NOSIGNAL);
            if (n <= 0)
                return;
            done += n;
        }
    }

    void serve(int connection)
    {
        QByteArray request;
        char buffer[4096];
        while (!request.contains("\r\n\r\n")) {
            const ssize_t n = ::recv(connection, buffer, sizeof buffer, 0);
            if (n <= 0)
                return;
            request.append(buffer, n);
            // A TLS hello (the client tries HTTPS first on loopback) is not HTTP: hang up.
            if (!std::isalpha(static_cast<unsigned char>(request.at(0))))
                return;
        }
        const QList<QByteArray> lines = request.left(request.indexOf("\r\n\r\n")).split('\n');
        const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
        Seen seen{requestLine.value(0), requestLine.value(1), false};
        QByteArray authorization;
        for (const QByteArray &line : lines.mid(1)) {
            if (line.toLower().startsWith("authorization:")) {
                seen.authorized = true;
                authorization = line.mid(line.indexOf(':') + 1).trimmed();
            }
        }
        Response response;
        {
            const QMutexLocker lock(&m_mutex);
            m_seen.append(seen);
            if (!m_basic.isEmpty() && seen.path.startsWith("/v2/") && authorization != m_basic) {
                response.status = 401;
                response.headers = {"WWW-Authenticate: Basic realm=\"fake\""};
            } else {
                response = m_routes.value(seen.path, Response{404,
                                                              {"Content-Type: application/json"},
                                                              "{\"errors\":[{\"code\":\"NAME_UNKNOWN\"}]}",
                                                              -1});
            }
        }
        QByteArray head = "HTTP/1.1 " + QByteArray::number(response.status) + " X\r\n";
        for (const QByteArray &header : std::as_const(response.headers))
            head += header + "\r\n";
        head +=
            "Content-Length: " + QByteArray::number(response.body.size()) + "\r\nConnection: close\r\n\r\n";
        sendAll(connection, head);
        if (seen.method != "HEAD")
            sendAll(connection,
                    response.sendOnly >= 0 ? response.body.left(response.sendOnly) : response.body);
    }

    int m_listener = -1;
    quint16 m_port = 0;
    std::atomic<bool> m_stopping{false};
    std::thread m_thread;
    mutable QMutex m_mutex;
    QHash<QByteArray, Response> m_routes;
    QByteArray m_basic;
    QList<Seen> m_seen;
};

// An image for the fake registry: one layer, its config and manifest.
struct FakeImage
{
    QByteArray layer;
    QString layerDigest;
    QByteArray config;
    QString configDigest;
    QByteArray manifest;
    QString manifestDigest;
};

FakeImage fakeImage()
{
    FakeImage image;
    for (int i = 0; i < 5000; ++i)
        image.layer += QByteArray::number(i * 7919) + ',';
    image.layerDigest = Sha256::digestOf(image.layer);
    image.config =
        QJsonDocument(QJsonObject{{QStringLiteral("architecture"), QStringLiteral("amd64")},
                                  {QStringLiteral("os"), QStringLiteral("linux")},
                                  {QStringLiteral("config"),
                                   QJsonObject{{QStringLiteral("Env"), QJsonArray{QStringLiteral("A=1")}}}},
                                  {QStringLiteral("rootfs"),
                                   QJsonObject{{QStringLiteral("type"), QStringLiteral("layers")},
                                               {QStringLiteral("diff_ids"),
                                                QJsonArray{Sha256::digestOf("uncompressed")}}}}})
            .toJson(QJsonDocument::Compact);
    image.configDigest = Sha256::digestOf(image.config);
    image.manifest =
        QJsonDocument(
            QJsonObject{
                {QStringLiteral("schemaVersion"), 2},
                {QStringLiteral("mediaType"),
                 QStringLiteral("application/vnd.docker.distribution.manifest.v2+json")},
                {QStringLiteral("config"),
                 QJsonObject{{QStringLiteral("mediaType"),
                              QStringLiteral("application/vnd.docker.container.image.v1+json")},
                             {QStringLiteral("digest"), image.configDigest},
                             {QStringLiteral("size"), image.config.size()}}},
                {QStringLiteral("layers"),
                 QJsonArray{QJsonObject{{QStringLiteral("mediaType"),
                                         QStringLiteral("application/vnd.docker.image.rootfs.diff.tar.gzip")},
                                        {QStringLiteral("digest"), image.layerDigest},
                                        {QStringLiteral("size"), image.layer.size()}}}}})
            .toJson(QJsonDocument::Compact);
    image.manifestDigest = Sha256::digestOf(image.manifest);
    return image;
}

QByteArray blobPath(const QString &repository, const QString &digest)
{
    return QStringLiteral("/v2/%1/blobs/%2").arg(repository, digest).toUtf8();
}

QByteArray manifestPath(const QString &repository, const QString &reference)
{
    return QStringLiteral("/v2/%1/manifests/%2").arg(repository, reference).toUtf8();
}

// Serves image as REPOSITORY:latest (and by digest) on registry.
void serveImage(FakeRegistry &registry, const QString &repository, const FakeImage &image)
{
    registry.route("/v2/", FakeRegistry::Response{200, {}, "{}", -1});
    const FakeRegistry::Response manifest{
        200,
        {"Content-Type: application/vnd.docker.distribution.manifest.v2+json",
         "Docker-Content-Digest: " + image.manifestDigest.toUtf8()},
        image.manifest,
        -1};
    registry.route(manifestPath(repository, QStringLiteral("latest")), manifest);
    registry.route(manifestPath(repository, image.manifestDigest), manifest);
    registry.route(blobPath(repository, image.configDigest),
                   FakeRegistry::Response{200, {}, image.config, -1});
    registry.route(blobPath(repository, image.layerDigest), FakeRegistry::Response{200, {}, image.layer, -1});
}

} // namespace

class TestBaseImage final : public QObject
{
    Q_OBJECT

private:
    RegistryServer m_registry;
    std::unique_ptr<PodmanService> m_podman;
    QTemporaryDir m_work;

    QString work(const QString &name) const { return m_work.filePath(name); }

    CliRun cli(const QStringList &arguments, const QString &dataDir, const QStringList &environment = {})
    {
        return runCli(QStringList{QStringLiteral("--data-dir"), dataDir} + arguments, environment);
    }

    int podman(const QStringList &arguments, QString *output = nullptr)
    {
        return m_podman->podman(arguments, output);
    }

    // The JSON skopeo prints for docker://reference (plain HTTP), empty on failure.
    static QJsonObject skopeo(const QString &reference, const QStringList &options = {})
    {
        QString output;
        const int exitCode =
            runTool(QStringLiteral("skopeo"),
                    QStringList{QStringLiteral("inspect"), QStringLiteral("--tls-verify=false")} + options +
                        QStringList{QStringLiteral("docker://") + reference},
                    &output);
        if (exitCode != 0) {
            qWarning().noquote() << "skopeo:" << output;
            return {};
        }
        return QJsonDocument::fromJson(output.toUtf8()).object();
    }

    // An app directory whose slipway.toml builds on base for platforms.
    QString appDirectory(const QString &name, const QString &base, const QString &platforms)
    {
        const QString dir = work(name);
        const QByteArray toml = "[image]\nbase = \"" + base.toUtf8() + "\"\nplatforms = [" +
                                platforms.toUtf8() +
                                "]\nworkdir = \"/app\"\nenv = { APP_VAR = \"from-app\" }\n"
                                "[[layers]]\nname = \"app\"\ninclude = [\"**\"]\ndest = \"/app\"\n";
        if (!writeFile(dir + QStringLiteral("/slipway.toml"), toml) ||
            !writeFile(dir + QStringLiteral("/hello.txt"), "hello from the app\n"))
            return {};
        return dir;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_work.isValid());
        QVERIFY2(m_registry.start(), qPrintable(m_registry.errorString()));
        m_podman = std::make_unique<PodmanService>(PodmanService::Listen::UnixSocket,
                                                   QStringList{m_registry.address()});
        QVERIFY2(m_podman->start(), qPrintable(m_podman->errorString()));

        // The busybox base: one layer holding /bin/busybox, with env of its own, pushed by podman
        // (so its manifest is podman's, not ours).
        QString output;
        QVERIFY2(slipway::test::writeBusyboxTarball(work(QStringLiteral("busybox.tar")), {}, &output),
                 qPrintable(output));
        QVERIFY2(podman({QStringLiteral("import"), QStringLiteral("--change"),
                         QStringLiteral("ENV BASE_VAR=from-base"), QStringLiteral("--change"),
                         QStringLiteral("ENV PATH=/bin"), work(QStringLiteral("busybox.tar")),
                         QStringLiteral("localhost/busybox-base:latest")},
                        &output) == 0,
                 qPrintable(output));
        QVERIFY2(podman({QStringLiteral("push"), QStringLiteral("--tls-verify=false"),
                         QStringLiteral("localhost/busybox-base:latest"),
                         m_registry.address() + QStringLiteral("/busybox:latest")},
                        &output) == 0,
                 qPrintable(output));

        // A two-platform base (an index), built by Slipway on scratch.
        const QString multi = work(QStringLiteral("multibase"));
        QVERIFY(QDir().mkpath(multi + QStringLiteral("/bin")));
        QVERIFY(QFile::copy(QStringLiteral("/bin/busybox"), multi + QStringLiteral("/bin/busybox")));
        QVERIFY(writeFile(multi + QStringLiteral("/slipway.toml"),
                          "[image]\nplatforms = [\"linux/amd64\", \"linux/arm64\"]\n"
                          "env = { BASE_VAR = \"from-multi\", PATH = \"/bin\" }\n"
                          "[[layers]]\nname = \"busybox\"\ninclude = [\"**\"]\n"));
        const CliRun pushed = cli({QStringLiteral("build"), multi, QStringLiteral("--push"),
                                   m_registry.address() + QStringLiteral("/multibase:latest")},
                                  work(QStringLiteral("data-multibase")));
        QVERIFY2(pushed.exitCode == 0, qPrintable(pushed.err));
    }

    void buildsOnABaseAndRuns()
    {
        const QString app =
            appDirectory(QStringLiteral("app"), m_registry.address() + QStringLiteral("/busybox:latest"),
                         QStringLiteral("\"linux/amd64\""));
        QVERIFY(!app.isEmpty());
        const QString archive = work(QStringLiteral("app.tar"));
        const QString reference = m_registry.address() + QStringLiteral("/app:1");
        const CliRun run =
            cli({QStringLiteral("--json"), QStringLiteral("build"), app, QStringLiteral("--push"), reference,
                 QStringLiteral("--docker-archive"), archive + QStringLiteral(":archived/app:1")},
                work(QStringLiteral("data-app")));
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QJsonObject json = QJsonDocument::fromJson(run.out).object();
        const QString digest = json.value(QStringLiteral("digest")).toString();
        QCOMPARE(json.value(QStringLiteral("manifestDigest")).toString(), digest);

        // The base layer was mounted from the base's repository, not uploaded again.
        const QJsonObject base = skopeo(m_registry.address() + QStringLiteral("/busybox:latest"));
        const QString baseLayer = base.value(QStringLiteral("Layers")).toArray().at(0).toString();
        QVERIFY(!baseLayer.isEmpty());
        bool mounted = false;
        for (const QJsonValue &blob : json.value(QStringLiteral("blobs")).toArray())
            if (blob.toObject().value(QStringLiteral("digest")).toString() == baseLayer)
                mounted = blob.toObject().value(QStringLiteral("action")).toString() == u"mounted";
        QVERIFY2(mounted, run.out.constData());

        // skopeo agrees on the digest; base layers come first; env merged.
        const QJsonObject inspected = skopeo(reference);
        QCOMPARE(inspected.value(QStringLiteral("Digest")).toString(), digest);
        const QJsonArray layers = inspected.value(QStringLiteral("Layers")).toArray();
        QCOMPARE(layers.size(), 2);
        QCOMPARE(layers.at(0).toString(), baseLayer);
        const QJsonArray env = inspected.value(QStringLiteral("Env")).toArray();
        QVERIFY(env.contains(QStringLiteral("BASE_VAR=from-base")));
        QVERIFY(env.contains(QStringLiteral("APP_VAR=from-app")));

        // Podman pulls it from the registry and runs it: the app's file and the base's env.
        QString output;
        QVERIFY2(podman({QStringLiteral("pull"), QStringLiteral("--tls-verify=false"), reference}, &output) ==
                     0,
                 qPrintable(output));
        const QString script = QStringLiteral("cat /app/hello.txt; echo \"$BASE_VAR $APP_VAR\"; pwd");
        QVERIFY2(podman({QStringLiteral("run"), QStringLiteral("--rm"), reference,
                         QStringLiteral("/bin/busybox"), QStringLiteral("sh"), QStringLiteral("-c"), script},
                        &output) == 0,
                 qPrintable(output));
        QVERIFY2(output.contains(QStringLiteral("hello from the app")), qPrintable(output));
        QVERIFY2(output.contains(QStringLiteral("from-base from-app")), qPrintable(output));
        QVERIFY2(output.contains(QStringLiteral("/app")), qPrintable(output));

        // podman load takes the docker archive, under the tag given, and runs it.
        QVERIFY2(podman({QStringLiteral("load"), QStringLiteral("-i"), archive}, &output) == 0,
                 qPrintable(output));
        QVERIFY2(
            podman({QStringLiteral("run"), QStringLiteral("--rm"), QStringLiteral("localhost/archived/app:1"),
                    QStringLiteral("/bin/busybox"), QStringLiteral("cat"), QStringLiteral("/app/hello.txt")},
                   &output) == 0,
            qPrintable(output));
        QVERIFY2(output.contains(QStringLiteral("hello from the app")), qPrintable(output));

        // Same inputs, same digest (from a fresh cache too); the second build uses the layer cache.
        const CliRun again =
            cli({QStringLiteral("--json"), QStringLiteral("build"), app}, work(QStringLiteral("data-app")));
        QVERIFY2(again.exitCode == 0, qPrintable(again.err));
        const QJsonObject againJson = QJsonDocument::fromJson(again.out).object();
        QCOMPARE(againJson.value(QStringLiteral("manifestDigest")).toString(), digest);
        QVERIFY(againJson.value(QStringLiteral("layers"))
                    .toArray()
                    .at(0)
                    .toObject()
                    .value(QStringLiteral("cached"))
                    .toBool());
    }

    // Docker Hub's base from mirrors the user configured, as Podman (registries.conf
    // [[registry.mirror]]) and Docker (daemon.json registry-mirrors) users do, all on loopback:
    // nothing goes to docker.io. A mirror without the image is said and the next one tried.
    void baseFromConfiguredMirrors()
    {
        QString output;
        for (const QString &repository :
             {QStringLiteral("/hub/library/busybox:1.36"), QStringLiteral("/library/busybox:1.36")})
            QVERIFY2(
                podman({QStringLiteral("push"), QStringLiteral("--tls-verify=false"),
                        QStringLiteral("localhost/busybox-base:latest"), m_registry.address() + repository},
                       &output) == 0,
                qPrintable(output));
        const QString app =
            appDirectory(QStringLiteral("mirrored"), QStringLiteral("docker.io/library/busybox:1.36"),
                         QStringLiteral("\"linux/amd64\""));
        QVERIFY(!app.isEmpty());
        const QString conf = work(QStringLiteral("registries.conf"));
        QVERIFY(writeFile(conf, QStringLiteral("[[registry]]\n"
                                               "location = \"docker.io\"\n"
                                               "[[registry.mirror]]\n"
                                               "location = \"%1/empty\"\n"
                                               "[[registry.mirror]]\n"
                                               "location = \"%1/hub\"\n")
                                    .arg(m_registry.address())
                                    .toUtf8()));
        const QString noDaemon =
            QStringLiteral("SLIPWAY_DOCKER_DAEMON_JSON=") + work(QStringLiteral("none.json"));
        CliRun run = cli({QStringLiteral("build"), app}, work(QStringLiteral("data-mirror")),
                         {QStringLiteral("CONTAINERS_REGISTRIES_CONF=") + conf, noDaemon});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY2(run.err.contains(QStringLiteral("mirror %1: ").arg(m_registry.address())) &&
                     run.err.contains(QStringLiteral("trying the next")),
                 qPrintable(run.err));

        // Docker's daemon.json: registry-mirrors stand in for Docker Hub, same repository.
        const QString daemon = work(QStringLiteral("daemon.json"));
        QVERIFY(writeFile(
            daemon,
            QStringLiteral("{\"registry-mirrors\": [\"http://%1/\"]}").arg(m_registry.address()).toUtf8()));
        run = cli({QStringLiteral("build"), app}, work(QStringLiteral("data-mirror-docker")),
                  {QStringLiteral("CONTAINERS_REGISTRIES_CONF=") + work(QStringLiteral("none.conf")),
                   QStringLiteral("SLIPWAY_DOCKER_DAEMON_JSON=") + daemon});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));

        // A mirror location that names no host: one line naming the file, exit 2.
        QVERIFY(writeFile(
            conf, "[[registry]]\nlocation = \"docker.io\"\n[[registry.mirror]]\nlocation = \"hub\"\n"));
        run = cli({QStringLiteral("build"), app}, work(QStringLiteral("data-mirror")),
                  {QStringLiteral("CONTAINERS_REGISTRIES_CONF=") + conf, noDaemon});
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(run.errors(),
                 QStringList{QStringLiteral(
                                 "slipway-cli build: base image docker.io/library/busybox:1.36: %1: mirror "
                                 "location 'hub' must name a host (with a '.' or a port)")
                                 .arg(conf)});
    }

    void twoPlatformsMakeAnIndex()
    {
        const QString app = appDirectory(QStringLiteral("multiapp"),
                                         m_registry.address() + QStringLiteral("/multibase:latest"),
                                         QStringLiteral("\"linux/amd64\", \"linux/arm64\""));
        QVERIFY(!app.isEmpty());
        const QString reference = m_registry.address() + QStringLiteral("/multiapp:1");
        const QString layout = work(QStringLiteral("multiapp-layout"));
        const CliRun run = cli({QStringLiteral("--json"), QStringLiteral("build"), app,
                                QStringLiteral("--push"), reference, QStringLiteral("--oci-layout"), layout},
                               work(QStringLiteral("data-multiapp")));
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QJsonObject json = QJsonDocument::fromJson(run.out).object();
        const QString digest = json.value(QStringLiteral("digest")).toString();
        QCOMPARE(json.value(QStringLiteral("mediaType")).toString(),
                 QStringLiteral("application/vnd.oci.image.index.v1+json"));

        QString raw;
        QCOMPARE(runTool(QStringLiteral("skopeo"),
                         {QStringLiteral("inspect"), QStringLiteral("--tls-verify=false"),
                          QStringLiteral("--raw"), QStringLiteral("docker://") + reference},
                         &raw),
                 0);
        QCOMPARE(Sha256::digestOf(raw.toUtf8()), digest);
        const QJsonObject index = QJsonDocument::fromJson(raw.toUtf8()).object();
        QCOMPARE(index.value(QStringLiteral("mediaType")).toString(),
                 QStringLiteral("application/vnd.oci.image.index.v1+json"));
        const QJsonArray manifests = index.value(QStringLiteral("manifests")).toArray();
        QCOMPARE(manifests.size(), 2);
        QCOMPARE(manifests.at(1)
                     .toObject()
                     .value(QStringLiteral("platform"))
                     .toObject()
                     .value(QStringLiteral("architecture"))
                     .toString(),
                 QStringLiteral("arm64"));

        // Each platform's image is whole in the registry: skopeo resolves arm64 through the index.
        const QJsonObject arm =
            skopeo(reference, {QStringLiteral("--override-arch"), QStringLiteral("arm64")});
        QCOMPARE(arm.value(QStringLiteral("Architecture")).toString(), QStringLiteral("arm64"));
        QVERIFY(arm.value(QStringLiteral("Env")).toArray().contains(QStringLiteral("BASE_VAR=from-multi")));
        QCOMPARE(arm.value(QStringLiteral("Layers")).toArray().size(), 2);

        // The layout's index.json points at the index.
        QFile indexJson(layout + QStringLiteral("/index.json"));
        QVERIFY(indexJson.open(QIODevice::ReadOnly));
        const QJsonObject top = QJsonDocument::fromJson(indexJson.readAll())
                                    .object()
                                    .value(QStringLiteral("manifests"))
                                    .toArray()
                                    .at(0)
                                    .toObject();
        QCOMPARE(top.value(QStringLiteral("digest")).toString(), digest);
        QCOMPARE(top.value(QStringLiteral("mediaType")).toString(),
                 QStringLiteral("application/vnd.oci.image.index.v1+json"));
        QCOMPARE(runTool(QStringLiteral("skopeo"),
                         {QStringLiteral("inspect"), QStringLiteral("--raw"),
                          QStringLiteral("oci:") + layout + QStringLiteral(":latest")},
                         &raw),
                 0);
        QCOMPARE(Sha256::digestOf(raw.toUtf8()), digest);
    }

    void badBaseReferences_data()
    {
        QTest::addColumn<QString>("base");
        QTest::addColumn<QString>("platform");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("repository");
        QTest::addColumn<QString>("detail");
        QTest::newRow("unknown repository")
            << QStringLiteral("/nope:latest") << QStringLiteral("linux/amd64") << 1 << QStringLiteral("nope")
            << QStringLiteral("getting manifest latest: HTTP 404");
        QTest::newRow("unknown tag") << QStringLiteral("/busybox:nope") << QStringLiteral("linux/amd64") << 1
                                     << QStringLiteral("busybox")
                                     << QStringLiteral("getting manifest nope: HTTP 404: MANIFEST_UNKNOWN");
        QTest::newRow("platform the index lacks")
            << QStringLiteral("/multibase:latest") << QStringLiteral("linux/s390x") << 2
            << QStringLiteral("multibase")
            << QStringLiteral("no image for platform linux/s390x (the index has linux/amd64, linux/arm64)");
        QTest::newRow("platform the image is not for")
            << QStringLiteral("/busybox:latest") << QStringLiteral("linux/arm64") << 2
            << QStringLiteral("busybox") << QStringLiteral("the image is for linux/amd64, not linux/arm64");
    }

    void badBaseReferences()
    {
        QFETCH(QString, base);
        QFETCH(QString, platform);
        QFETCH(int, exitCode);
        QFETCH(QString, repository);
        QFETCH(QString, detail);
        const QString app = appDirectory(QStringLiteral("bad-") +
                                             QString::fromLatin1(QTest::currentDataTag()).replace(u' ', u'-'),
                                         m_registry.address() + base, u'"' + platform + u'"');
        QVERIFY(!app.isEmpty());
        const QString data = work(QStringLiteral("data-bad"));
        const CliRun run = cli({QStringLiteral("build"), app}, data);
        QCOMPARE(run.exitCode, exitCode);
        QVERIFY2(run.errors().size() == 1, qPrintable(run.err));
        const QString error = run.errors().constFirst();
        QVERIFY2(error.contains(QStringLiteral("registry ") + m_registry.address()), qPrintable(error));
        QVERIFY2(error.contains(QStringLiteral("repository ") + repository), qPrintable(error));
        QVERIFY2(error.contains(detail), qPrintable(error));
        // Nothing half-fetched, and no layer of the app built for a base that failed.
        QCOMPARE(fileCount(data + QStringLiteral("/cache/blobs/ingest")), QStringLiteral("0"));
        const QStringList blobs = QDir(data + QStringLiteral("/cache/blobs/sha256")).entryList(QDir::Files);
        for (const QString &blob : blobs) {
            QFile file(data + QStringLiteral("/cache/blobs/sha256/") + blob);
            QVERIFY(file.open(QIODevice::ReadOnly));
            QCOMPARE(Sha256::hexOf(file.readAll()), blob); // whatever is there is whole
        }
    }

    // A private base over TLS: the CLI finds the login in config.json and the CA in certs.d, for
    // the pull as for the push; a wrong password fails the build with no secret in the message.
    void privateBaseOverTlsWithBasicAuth()
    {
        RegistryServer registry(RegistryServer::Mode::TlsWithBasicAuth);
        QVERIFY2(registry.start(), qPrintable(registry.errorString()));
        const QString data = work(QStringLiteral("data-tls"));
        QFile ca(registry.caCertificatePath());
        QVERIFY(ca.open(QIODevice::ReadOnly));
        QVERIFY(writeFile(data + QStringLiteral("/certs.d/") + registry.address() + QStringLiteral("/ca.crt"),
                          ca.readAll()));
        const QString auth = QString::fromLatin1(
            QString(registry.username() + u':' + registry.password()).toUtf8().toBase64());
        QVERIFY(writeFile(
            work(QStringLiteral("docker-right/config.json")),
            QJsonDocument(
                QJsonObject{{QStringLiteral("auths"),
                             QJsonObject{{registry.address(), QJsonObject{{QStringLiteral("auth"), auth}}}}}})
                .toJson()));
        const QString wrongPassword = QStringLiteral("Wrong-Base-Secret-91");
        const QString wrongAuth =
            QString::fromLatin1(QString(registry.username() + u':' + wrongPassword).toUtf8().toBase64());
        QVERIFY(writeFile(
            work(QStringLiteral("docker-wrong/config.json")),
            QJsonDocument(QJsonObject{{QStringLiteral("auths"),
                                       QJsonObject{{registry.address(),
                                                    QJsonObject{{QStringLiteral("auth"), wrongAuth}}}}}})
                .toJson()));
        const QStringList right{QStringLiteral("DOCKER_CONFIG=") + work(QStringLiteral("docker-right")),
                                QStringLiteral("REGISTRY_AUTH_FILE=") + work(QStringLiteral("none.json"))};
        const QStringList wrong{QStringLiteral("DOCKER_CONFIG=") + work(QStringLiteral("docker-wrong")),
                                QStringLiteral("REGISTRY_AUTH_FILE=") + work(QStringLiteral("none.json"))};

        // The base: the two-platform busybox, pushed there by Slipway.
        const CliRun base = runCli({QStringLiteral("--data-dir"), data, QStringLiteral("build"),
                                    work(QStringLiteral("multibase")), QStringLiteral("--push"),
                                    registry.address() + QStringLiteral("/private/base:1")},
                                   right);
        QVERIFY2(base.exitCode == 0, qPrintable(base.err));

        const QString app =
            appDirectory(QStringLiteral("tls-app"), registry.address() + QStringLiteral("/private/base:1"),
                         QStringLiteral("\"linux/amd64\""));
        QVERIFY(!app.isEmpty());
        // A fresh cache, so the base really comes from the registry.
        const QString appData = work(QStringLiteral("data-tls-app"));
        QVERIFY(QDir().mkpath(appData + QStringLiteral("/certs.d/") + registry.address()));
        QVERIFY(QFile::copy(registry.caCertificatePath(), appData + QStringLiteral("/certs.d/") +
                                                              registry.address() +
                                                              QStringLiteral("/ca.crt")));

        const CliRun refused =
            runCli({QStringLiteral("--data-dir"), appData, QStringLiteral("build"), app}, wrong);
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains(QStringLiteral("registry ") + registry.address()),
                 qPrintable(refused.err));
        QVERIFY2(refused.err.contains(QStringLiteral("repository private/base")), qPrintable(refused.err));
        QVERIFY2(!refused.err.contains(wrongPassword) && !refused.err.contains(wrongAuth),
                 qPrintable(refused.err));
        QCOMPARE(refused.errors().size(), 1);

        const CliRun run =
            runCli({QStringLiteral("--data-dir"), appData, QStringLiteral("--json"), QStringLiteral("build"),
                    app, QStringLiteral("--push"), registry.address() + QStringLiteral("/private/app:1")},
                   right);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QJsonObject json = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(json.value(QStringLiteral("images")).toArray().size(), 1);
        QVERIFY(!json.value(QStringLiteral("images"))
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(QStringLiteral("baseManifestDigest"))
                     .toString()
                     .isEmpty());
        int mounted = 0;
        for (const QJsonValue &blob : json.value(QStringLiteral("blobs")).toArray())
            mounted += blob.toObject().value(QStringLiteral("action")).toString() == u"mounted";
        QCOMPARE(mounted, 1);
    }

    void dockerArchiveBadInput()
    {
        const QString app = appDirectory(QStringLiteral("archive-app"), QStringLiteral("scratch"),
                                         QStringLiteral("\"linux/amd64\""));
        QVERIFY(!app.isEmpty());
        const QString data = work(QStringLiteral("data-archive"));
        CliRun run =
            cli({QStringLiteral("build"), app, QStringLiteral("--docker-archive"), QStringLiteral(":app:1")},
                data);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("no file given")), qPrintable(run.err));

        run = cli({QStringLiteral("build"), app, QStringLiteral("--docker-archive"),
                   work(QStringLiteral("x.tar")) + QStringLiteral(":Bad Tag")},
                  data);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("--docker-archive")), qPrintable(run.err));
        QVERIFY(!QFile::exists(work(QStringLiteral("x.tar"))));

        // A directory that does not exist: exit 1, naming the file, nothing written.
        const QString nowhere = work(QStringLiteral("no/such/dir/app.tar"));
        run = cli({QStringLiteral("build"), app, QStringLiteral("--docker-archive"), nowhere}, data);
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(nowhere), qPrintable(run.err));
        QVERIFY(!QFile::exists(nowhere));
    }

    void corruptBaseLayersAreRefused_data()
    {
        QTest::addColumn<QString>("fault");
        QTest::addColumn<QString>("detail");
        QTest::newRow("truncated layer") << QStringLiteral("truncated") << QStringLiteral("fetching blob");
        QTest::newRow("wrong layer bytes") << QStringLiteral("corrupt") << QStringLiteral("fetching blob");
        QTest::newRow("longer layer") << QStringLiteral("longer") << QStringLiteral("more than");
        QTest::newRow("manifest digest header")
            << QStringLiteral("header") << QStringLiteral("the registry says");
        QTest::newRow("manifest by digest")
            << QStringLiteral("bydigest") << QStringLiteral("the registry sent a manifest with digest");
    }

    void corruptBaseLayersAreRefused()
    {
        QFETCH(QString, fault);
        QFETCH(QString, detail);
        FakeRegistry registry;
        const FakeImage image = fakeImage();
        const QString repository = QStringLiteral("team/base");
        serveImage(registry, repository, image);
        QString reference = registry.address() + u'/' + repository + QStringLiteral(":latest");

        if (fault == u"truncated") {
            registry.route(blobPath(repository, image.layerDigest),
                           FakeRegistry::Response{200, {}, image.layer, image.layer.size() / 2});
        } else if (fault == u"corrupt") {
            QByteArray wrong = image.layer;
            wrong[100] = 'X';
            registry.route(blobPath(repository, image.layerDigest),
                           FakeRegistry::Response{200, {}, wrong, -1});
        } else if (fault == u"longer") {
            registry.route(blobPath(repository, image.layerDigest),
                           FakeRegistry::Response{200, {}, image.layer + "tail", -1});
        } else if (fault == u"header") {
            registry.route(
                manifestPath(repository, QStringLiteral("latest")),
                FakeRegistry::Response{200,
                                       {"Content-Type: application/vnd.docker.distribution.manifest.v2+json",
                                        "Docker-Content-Digest: " + Sha256::digestOf("other").toUtf8()},
                                       image.manifest,
                                       -1});
        } else if (fault == u"bydigest") {
            const QString asked = Sha256::digestOf("another manifest");
            registry.route(
                manifestPath(repository, asked),
                FakeRegistry::Response{200,
                                       {"Content-Type: application/vnd.docker.distribution.manifest.v2+json"},
                                       image.manifest,
                                       -1});
            reference = registry.address() + u'/' + repository + u'@' + asked;
        }

        QTemporaryDir storeDir;
        const ContentStore store(storeDir.path());
        auto parsed = ImageReference::parse(reference);
        QVERIFY(parsed);
        RegistryClient client(registry.address());
        auto base = pullBase(parsed.value(), QStringLiteral("linux/amd64"), client, store, nullptr, {});
        QVERIFY(!base);
        const QString error = base.error().message;
        qInfo().noquote() << error;
        QVERIFY2(!error.contains(u'\n'), qPrintable(error));
        QVERIFY2(error.contains(QStringLiteral("registry ") + registry.address()), qPrintable(error));
        QVERIFY2(error.contains(QStringLiteral("repository ") + repository), qPrintable(error));
        QVERIFY2(error.contains(detail), qPrintable(error));
        // Nothing corrupt kept: no such layer, no manifest, no ingest left behind.
        QVERIFY(!store.contains(image.layerDigest));
        QVERIFY(!store.contains(image.manifestDigest));
        QCOMPARE(fileCount(storeDir.filePath(QStringLiteral("ingest"))), QStringLiteral("0"));
    }

    // Registries redirect blob downloads to their storage: followed, without the credentials.
    void redirectsDropTheCredentials()
    {
        FakeRegistry registry;
        const FakeImage image = fakeImage();
        const QString repository = QStringLiteral("private/base");
        serveImage(registry, repository, image);
        const QByteArray storage = "/storage/" + image.layerDigest.mid(7).toUtf8();
        registry.route(blobPath(repository, image.layerDigest),
                       FakeRegistry::Response{307, {"Location: " + storage}, {}, -1});
        registry.route(storage, FakeRegistry::Response{200, {}, image.layer, -1});
        const QString password = QStringLiteral("s3cret-pw-for-the-test");
        registry.requireBasic("reader:" + password.toUtf8());

        QTemporaryDir storeDir;
        const ContentStore store(storeDir.path());
        auto parsed =
            ImageReference::parse(registry.address() + u'/' + repository + QStringLiteral(":latest"));
        QVERIFY(parsed);
        RegistryClient client(registry.address(), Credential{QStringLiteral("reader"), password, false});
        auto base = pullBase(parsed.value(), QStringLiteral("linux/amd64"), client, store, nullptr, {});
        QVERIFY2(base, qPrintable(base ? QString() : base.error().message));
        QCOMPARE(base->manifestDigest, image.manifestDigest);
        QCOMPARE(base->layers.size(), 1);
        // Docker media types become OCI ones (same bytes) for our OCI manifest.
        QCOMPARE(base->layers.at(0).blob.mediaType,
                 QStringLiteral("application/vnd.oci.image.layer.v1.tar+gzip"));
        QVERIFY(store.contains(image.layerDigest));
        QVERIFY(store.contains(image.configDigest));
        QVERIFY(store.contains(image.manifestDigest));

        bool sawStorage = false;
        for (const FakeRegistry::Seen &seen : registry.seen()) {
            if (seen.path == storage) {
                sawStorage = true;
                QVERIFY2(!seen.authorized, "the credentials went to the storage the registry redirected to");
            }
        }
        QVERIFY(sawStorage);

        // A second pull fetches no layer: the store has it.
        const qsizetype before = registry.seen().size();
        auto again = pullBase(parsed.value(), QStringLiteral("linux/amd64"), client, store, nullptr, {});
        QVERIFY(again);
        for (const FakeRegistry::Seen &seen : registry.seen().mid(before))
            QVERIFY2(seen.path != storage, seen.path.constData());

        // Wrong password: a clear error, and the password in no message.
        RegistryClient wrong(registry.address(),
                             Credential{QStringLiteral("reader"), QStringLiteral("wrong-pw-1234"), false});
        QTemporaryDir otherDir;
        const ContentStore other(otherDir.path());
        auto refused = pullBase(parsed.value(), QStringLiteral("linux/amd64"), wrong, other, nullptr, {});
        QVERIFY(!refused);
        QVERIFY2(refused.error().message.contains(QStringLiteral("HTTP 401")),
                 qPrintable(refused.error().message));
        QVERIFY(!refused.error().message.contains(QStringLiteral("wrong-pw-1234")));
        QVERIFY(!refused.error().message.contains(password));
    }

    // A stop request ends the pull with Cancelled, leaving nothing in the store.
    void stopsWhenAsked()
    {
        FakeRegistry registry;
        const FakeImage image = fakeImage();
        serveImage(registry, QStringLiteral("team/base"), image);
        QTemporaryDir storeDir;
        const ContentStore store(storeDir.path());
        auto parsed = ImageReference::parse(registry.address() + QStringLiteral("/team/base:latest"));
        QVERIFY(parsed);
        RegistryClient client(registry.address());
        std::stop_source stop;
        stop.request_stop();
        auto base =
            pullBase(parsed.value(), QStringLiteral("linux/amd64"), client, store, nullptr, stop.get_token());
        QVERIFY(!base);
        QCOMPARE(base.error().kind, Error::Kind::Cancelled);
        QVERIFY(!store.contains(image.layerDigest));
        QVERIFY(!store.contains(image.configDigest));
    }

    void cleanupTestCase()
    {
        if (m_podman)
            m_podman->stop();
        m_registry.stop();
    }
};

QTEST_GUILESS_MAIN(TestBaseImage)
#include "tst_baseimage.moc"
