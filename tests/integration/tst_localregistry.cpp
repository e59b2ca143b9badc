// LocalRegistry, the read-only registry a registry-less deploy pulls from: read by skopeo (an
// independent client) and pulled by real engines, Podman and Docker (each function runs on
// both), which fetch only the layers they do not have, locally and over ssh.

#include "clirun.h"
#include "dockerservice.h"
#include "engine/engineclient.h"
#include "eventrecorder.h"
#include "gitrepo.h"
#include "httpprobe.h"
#include "imagebuilder/imagebuilder.h"
#include "podmanservice.h"
#include "processes.h"
#include "registry/localregistry.h"
#include "sshserver.h"
#include "store/contentstore.h"
#include "webapp.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <tuple>

using namespace slipway;
using slipway::test::CliRun;
using slipway::test::DockerService;
using slipway::test::EngineService;
using slipway::test::EventRecorder;
using slipway::test::GitRepo;
using slipway::test::PodmanService;
using slipway::test::runCli;
using slipway::test::runTool;
using slipway::test::SshServer;

namespace {

// A directory source: a big "dependency" layer and a small app layer on scratch.
const QByteArray specToml = "[image]\n"
                            "entrypoint = [\"/bin/busybox\", \"sleep\", \"3600\"]\n"
                            "[[layers]]\n"
                            "name = \"deps\"\n"
                            "include = [\"bin/**\", \"vendor/**\"]\n"
                            "[[layers]]\n"
                            "name = \"app\"\n"
                            "include = [\"**\"]\n";

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).path());
    QFile out(path);
    return out.open(QIODevice::WriteOnly) && out.write(bytes) == bytes.size();
}

} // namespace

class TestLocalRegistry final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    // Per engine kind ("podman", "docker"): a local target and one reached through m_ssh.
    QMap<QString, std::shared_ptr<EngineService>> m_local;
    QMap<QString, std::shared_ptr<EngineService>> m_remote;
    std::unique_ptr<SshServer> m_ssh;

    QString cacheDir() const { return m_dir.filePath(QStringLiteral("cache")); }
    QString blobsDir() const { return m_dir.filePath(QStringLiteral("cache/blobs")); }

    // Builds the project in `name` with app file contents `app`; the build's manifest digest.
    Result<BuildOutput> build(const QString &name, const QByteArray &app)
    {
        QFETCH_GLOBAL(QString, engine);
        const QString source = m_dir.filePath(engine + u'/' + name);
        if (!writeFile(source + QStringLiteral("/slipway.toml"), specToml) ||
            !QDir().mkpath(source + QStringLiteral("/bin")) ||
            !QFile::copy(QStringLiteral("/bin/busybox"), source + QStringLiteral("/bin/busybox")) ||
            !writeFile(source + QStringLiteral("/vendor/lib.js"), QByteArray(512 * 1024, 'v')) ||
            !writeFile(source + QStringLiteral("/server.js"), app))
            return Error::failed(QStringLiteral("cannot write the source"));
        BuildRequest request;
        request.source.location = source;
        request.source.cacheDir = cacheDir();
        return buildImage(request);
    }

    static qint64 layerSize(const BuildOutput &built, int index) { return built.layers.at(index).blob.size; }

    // This row's engines.
    EngineService &local() const
    {
        QFETCH_GLOBAL(QString, engine);
        return *m_local.value(engine);
    }
    EngineService &remote() const
    {
        QFETCH_GLOBAL(QString, engine);
        return *m_remote.value(engine);
    }

    // Removes every container and image of `engine`, as a user pruning by hand would.
    static bool prune(const EngineService &engine)
    {
        QString output;
        if (engine.cli({QStringLiteral("ps"), QStringLiteral("-aq")}, &output) != 0)
            return false;
        for (const QString &id : output.split(u'\n', Qt::SkipEmptyParts))
            engine.cli({QStringLiteral("rm"), QStringLiteral("-f"), id.trimmed()});
        if (engine.cli({QStringLiteral("images"), QStringLiteral("-q")}, &output) != 0)
            return false;
        for (const QString &id : output.split(u'\n', Qt::SkipEmptyParts))
            engine.cli({QStringLiteral("rmi"), QStringLiteral("-f"), id.trimmed()});
        return engine.cli({QStringLiteral("images"), QStringLiteral("-q")}, &output) == 0 &&
               output.trimmed().isEmpty();
    }

private Q_SLOTS:
    void initTestCase_data() { slipway::test::addEngineRows(); }

    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        for (auto *engines : {&m_local, &m_remote}) {
            engines->insert(QStringLiteral("podman"), std::make_shared<PodmanService>());
            engines->insert(QStringLiteral("docker"), std::make_shared<DockerService>());
            for (const auto &engine : std::as_const(*engines))
                QVERIFY2(engine->start(), qPrintable(engine->errorString()));
        }
        m_ssh = std::make_unique<SshServer>();
        QVERIFY2(m_ssh->start(), qPrintable(m_ssh->errorString()));
    }

    void skopeoReadsWhatIsOffered()
    {
        auto built = build(QStringLiteral("skopeo"), "skopeo\n");
        QVERIFY2(built, qPrintable(built ? QString() : built.error().message));
        LocalRegistry registry(blobsDir());
        QVERIFY(registry.start());
        const QString reference =
            QStringLiteral("127.0.0.1:%1/slipway/app@%2").arg(registry.port()).arg(built->manifestDigest);

        // Nothing offered yet: not found.
        QString output;
        QVERIFY(runTool(QStringLiteral("skopeo"),
                        {QStringLiteral("inspect"), QStringLiteral("--tls-verify=false"),
                         QStringLiteral("docker://") + reference},
                        &output) != 0);
        const QString beforeOffer = output;
        QVERIFY(registry.offer(built->manifestDigest));
        // skopeo's own words on a failure (once in CI, exit 1 and nothing else shown), with what
        // it said before the offer.
        const int inspected =
            runTool(QStringLiteral("skopeo"),
                    {QStringLiteral("inspect"), QStringLiteral("--raw"), QStringLiteral("--tls-verify=false"),
                     QStringLiteral("docker://") + reference},
                    &output);
        QVERIFY2(inspected == 0, qPrintable(QStringLiteral("exit %1: %2 (before the offer: %3)")
                                                .arg(inspected)
                                                .arg(output.trimmed(), beforeOffer.trimmed())));
        QCOMPARE(ContentStore(blobsDir()).read(built->manifestDigest).value(), output.toUtf8());
        QCOMPARE(registry.blobBytesSent(), 0);

        QFETCH_GLOBAL(QString, engine);
        const QString copy = m_dir.filePath(engine + QStringLiteral("/copy"));
        QCOMPARE(runTool(QStringLiteral("skopeo"),
                         {QStringLiteral("copy"), QStringLiteral("--src-tls-verify=false"),
                          QStringLiteral("docker://") + reference,
                          QStringLiteral("oci:") + copy + QStringLiteral(":v1")},
                         &output),
                 0);
        QVERIFY(QFile::exists(copy + QStringLiteral("/blobs/") +
                              QString(built->layers.at(0).blob.digest).replace(u':', u'/')));
        // Every blob went once: config and the two layers.
        QCOMPARE(registry.blobsSent(), 3);
        QVERIFY(registry.blobBytesSent() >= layerSize(built.value(), 0) + layerSize(built.value(), 1));

        // A digest that is in the store but was not offered stays hidden.
        auto other = build(QStringLiteral("other"), "other\n");
        QVERIFY(other);
        QVERIFY(runTool(QStringLiteral("skopeo"),
                        {QStringLiteral("inspect"), QStringLiteral("--tls-verify=false"),
                         QStringLiteral("docker://127.0.0.1:%1/slipway/app@%2")
                             .arg(registry.port())
                             .arg(other->manifestDigest)},
                        &output) != 0);
        QVERIFY(registry.offer(QStringLiteral("sha256:") + QString(64, u'a')).error().kind ==
                Error::Kind::BadInput);
        registry.stop();
    }

    // The push side, with skopeo as an independent pusher: only into the accepted repository,
    // each blob digest-checked (a wrong digest keeps nothing), the pushed tag's manifest known.
    void pushesAreCheckedAndOnlyIntoTheAcceptedRepository()
    {
        QFETCH_GLOBAL(QString, engine);
        auto built = build(QStringLiteral("pushed-") + engine, QByteArray("pushed ") + engine.toUtf8());
        QVERIFY2(built, qPrintable(built ? QString() : built.error().message));
        const QString layout = m_dir.filePath(engine + QStringLiteral("/push-layout"));
        QString output;
        // Out of the store as a layout, then pushed into a registry over an empty store.
        LocalRegistry source(blobsDir());
        QVERIFY(source.start());
        QVERIFY(source.offer(built->manifestDigest));
        QCOMPARE(runTool(QStringLiteral("skopeo"),
                         {QStringLiteral("copy"), QStringLiteral("--src-tls-verify=false"),
                          QStringLiteral("docker://127.0.0.1:%1/slipway/app@%2")
                              .arg(source.port())
                              .arg(built->manifestDigest),
                          QStringLiteral("oci:") + layout + QStringLiteral(":v1")},
                         &output),
                 0);
        source.stop();
        const QString emptyDir = m_dir.filePath(engine + QStringLiteral("/push-store"));
        const ContentStore empty(emptyDir);
        LocalRegistry registry(emptyDir);
        registry.acceptPushes(QStringLiteral("slipway-build/app"));
        QVERIFY(registry.start());
        const auto push = [&](const QString &repository) {
            return runTool(
                QStringLiteral("skopeo"),
                {QStringLiteral("copy"), QStringLiteral("--dest-tls-verify=false"),
                 QStringLiteral("oci:") + layout + QStringLiteral(":v1"),
                 QStringLiteral("docker://127.0.0.1:%1/%2:v1").arg(registry.port()).arg(repository)},
                &output);
        };
        QVERIFY(push(QStringLiteral("somebody/else")) != 0);
        QVERIFY(registry.pushedManifest(QStringLiteral("v1")).isEmpty());
        QCOMPARE(push(QStringLiteral("slipway-build/app")), 0);
        QCOMPARE(registry.pushedManifest(QStringLiteral("v1")), built->manifestDigest);
        for (const QString &blob : std::as_const(built->blobs))
            QVERIFY2(empty.contains(blob), qPrintable(blob));
        QVERIFY(registry.blobBytesReceived() >= layerSize(built.value(), 0));

        // An upload whose bytes are not the digest it claims: refused, nothing kept under it.
        const QString claimed = QStringLiteral("sha256:") + QString(64, u'b');
        const QString base =
            QStringLiteral("http://127.0.0.1:%1/v2/slipway-build/app/blobs/uploads/").arg(registry.port());
        slipway::test::HttpRequest begin(base);
        begin.method = "POST";
        const slipway::test::HttpReply begun = slipway::test::httpRequest(begin);
        QCOMPARE(begun.status, 202);
        static const QRegularExpression location(QStringLiteral("Location: (\\S+)"));
        const QString upload = location.match(QString::fromUtf8(begun.headers)).captured(1);
        QVERIFY2(upload.contains(QStringLiteral("/uploads/")), begun.headers.constData());
        slipway::test::HttpRequest put(
            QStringLiteral("http://127.0.0.1:%1%2?digest=%3")
                .arg(registry.port())
                .arg(upload, QString::fromLatin1(QUrl::toPercentEncoding(claimed))));
        put.method = "PUT";
        put.body = "not the claimed bytes";
        const slipway::test::HttpReply refused = slipway::test::httpRequest(put);
        QCOMPARE(refused.status, 400);
        QVERIFY2(refused.body.contains("DIGEST_INVALID"), refused.body.constData());
        QVERIFY(!empty.contains(claimed));
        registry.stop();
    }

    void engineFetchesOnlyWhatItLacks()
    {
        QFETCH_GLOBAL(QString, engine);
        const QString tag = engine.left(1);
        auto first = build(QStringLiteral("first-") + tag, QString(QStringLiteral("one ") + tag).toUtf8());
        QVERIFY2(first, qPrintable(first ? QString() : first.error().message));
        auto second = build(QStringLiteral("second-") + tag, QString(QStringLiteral("two ") + tag).toUtf8());
        QVERIFY(second);
        QCOMPARE(second->layers.at(0).blob.digest, first->layers.at(0).blob.digest);

        LocalRegistry registry(blobsDir());
        QVERIFY(registry.start());
        QVERIFY(registry.offer(first->manifestDigest));
        QVERIFY(registry.offer(second->manifestDigest));
        EngineClient client(slipway::test::engineTarget(QStringLiteral("local"), local().endpoint()));
        QVERIFY(client.connect());
        // Podman's compatible /images/create insists on TLS: the client asks Podman's own API there.
        const auto pull = [&](const QString &digest) {
            return client.pullFromLoopback(
                QStringLiteral("127.0.0.1:%1/slipway/app@%2").arg(registry.port()).arg(digest));
        };
        Status pulled = pull(first->manifestDigest);
        QVERIFY2(pulled, qPrintable(pulled ? QString() : pulled.error().message));
        const qint64 afterFirst = registry.blobBytesSent();
        QVERIFY(afterFirst >= layerSize(first.value(), 0));
        pulled = pull(second->manifestDigest);
        QVERIFY2(pulled, qPrintable(pulled ? QString() : pulled.error().message));
        const qint64 forSecond = registry.blobBytesSent() - afterFirst;
        qDebug() << "first pull" << afterFirst << "bytes; second" << forSecond << "bytes; deps layer"
                 << layerSize(first.value(), 0);
        QVERIFY(forSecond < layerSize(first.value(), 0));
    }

    // slipway-cli deploy without a registry, to a local target and one over ssh: the first
    // deploy sends the whole image, a redeploy after one app file changed sends that layer only,
    // and a target whose images were removed by hand gets everything again, and works.
    void redeploySendsOnlyTheChangedLayer()
    {
        QVERIFY(prune(local()) && prune(remote()));
        QTemporaryDir data;
        GitRepo repo;
        const QStringList env{QStringLiteral("SLIPWAY_SSH_COMMAND=ssh ") + m_ssh->clientOptions().join(u' ')};
        const auto cli = [&](QStringList arguments) {
            arguments = QStringList{QStringLiteral("--data-dir"), data.path()} + arguments;
            return runCli(arguments, env);
        };
        CliRun run = cli({QStringLiteral("target"), QStringLiteral("add"), QStringLiteral("local"),
                          QStringLiteral("--endpoint"), local().endpoint()});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        run = cli({QStringLiteral("target"), QStringLiteral("add"), QStringLiteral("remote"),
                   QStringLiteral("--endpoint"),
                   QStringLiteral("ssh://%1@127.0.0.1:%2%3")
                       .arg(m_ssh->user())
                       .arg(m_ssh->port())
                       .arg(remote().socketPath())});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const quint16 port = slipway::test::freeLoopbackPort();

        // Bytes sent to each target by one deploy of `version`.
        const auto deploy = [&](const QByteArray &version, QMap<QString, qint64> *sent) {
            if (!slipway::test::commitWebApp(repo, version, true, port))
                return QStringLiteral("cannot commit");
            const CliRun deployed = cli({QStringLiteral("deploy"), repo.path(), QStringLiteral("--target"),
                                         QStringLiteral("local"), QStringLiteral("--target"),
                                         QStringLiteral("remote"), QStringLiteral("--json")});
            const QJsonObject json = QJsonDocument::fromJson(deployed.out).object();
            if (deployed.exitCode != 0 || !json.value(QStringLiteral("healthy")).toBool())
                return QString(deployed.err + QString::fromUtf8(deployed.out));
            for (const QJsonValue &target : json.value(QStringLiteral("targets")).toArray())
                sent->insert(target.toObject().value(QStringLiteral("target")).toString(),
                             target.toObject().value(QStringLiteral("imageBytesSent")).toInteger());
            return QString();
        };
        QMap<QString, qint64> first;
        QString problem = deploy("v1", &first);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        const qint64 busybox = QFileInfo(QStringLiteral("/bin/busybox")).size();
        qDebug() << "first deploy sent" << first;
        for (const QString &target : {QStringLiteral("local"), QStringLiteral("remote")})
            QVERIFY2(first.value(target) > busybox / 3,
                     qPrintable(target)); // the compressed busybox layer at least

        QMap<QString, qint64> second;
        problem = deploy("v2", &second);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        qDebug() << "redeploy sent" << second;
        for (const QString &target : {QStringLiteral("local"), QStringLiteral("remote")}) {
            QVERIFY2(second.value(target) > 0, qPrintable(target));
            QVERIFY2(second.value(target) < 1024 * 1024, qPrintable(target));
            QVERIFY2(second.value(target) < first.value(target) / 10, qPrintable(target));
        }

        // Images removed by hand on the local target: the next deploy sends everything, and works.
        QString output;
        QVERIFY(prune(local()));
        QMap<QString, qint64> third;
        problem = deploy("v3", &third);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        qDebug() << "after the local images were removed, sent" << third;
        QVERIFY(third.value(QStringLiteral("local")) > busybox / 3);
        QVERIFY(third.value(QStringLiteral("remote")) < 1024 * 1024);
    }

    // A Dockerfile build comes back into the store by the engine's own push, to a local target
    // and one over ssh: the first build sends every layer; after one file changed, only the
    // changed layer and the config. What comes back is the engine's image (its config digest is
    // the image id), which the engine keeps under Slipway's build name.
    void dockerfileBuildSendsOnlyTheChangedLayerBack()
    {
        QFETCH_GLOBAL(QString, engine);
        qputenv("SLIPWAY_SSH_COMMAND", (QStringLiteral("ssh ") + m_ssh->clientOptions().join(u' ')).toUtf8());
        // Incompressible: its layer is as big compressed as it is.
        QByteArray vendor(768 * 1024, Qt::Uninitialized);
        QRandomGenerator(7).fillRange(reinterpret_cast<quint32 *>(vendor.data()), vendor.size() / 4);
        for (const bool overSsh : {false, true}) {
            const EngineService &service = overSsh ? remote() : local();
            const QString where = overSsh ? QStringLiteral("remote") : QStringLiteral("local");
            const Target target =
                slipway::test::engineTarget(where, overSsh ? QStringLiteral("ssh://%1@127.0.0.1:%2%3")
                                                                 .arg(m_ssh->user())
                                                                 .arg(m_ssh->port())
                                                                 .arg(service.socketPath())
                                                           : service.endpoint());
            const QString source = m_dir.filePath(engine + QStringLiteral("/dockerfile-") + where);
            QVERIFY(writeFile(source + QStringLiteral("/Dockerfile"),
                              "FROM scratch\nCOPY vendor /vendor\nCOPY server.js /server.js\n"));
            QVERIFY(writeFile(source + QStringLiteral("/vendor/lib.bin"), vendor));
            // The bytes the engine sent for one build with `app` as server.js, and its output.
            const auto build = [&](const QByteArray &app, qint64 *sent,
                                   qint64 *total) -> Result<BuildOutput> {
                if (!writeFile(source + QStringLiteral("/server.js"), app))
                    return Error::failed(QStringLiteral("cannot write server.js"));
                EventRecorder events;
                BuildRequest request;
                request.source.location = source;
                request.source.cacheDir = m_dir.filePath(engine + QStringLiteral("/dockerfile-cache"));
                request.source.events = &events;
                request.engine = target;
                auto built = buildImage(request);
                const QRegularExpression cameBack(
                    QStringLiteral("came back from %1: it sent (\\d+) of its (\\d+) bytes").arg(where));
                const QStringList lines = events.logLines();
                if (!lines.filter(QStringLiteral("exporting the whole image")).isEmpty())
                    return Error::failed(lines.join(u'\n'));
                const QRegularExpressionMatch match = cameBack.match(lines.join(u'\n'));
                if (built && !match.hasMatch())
                    return Error::failed(QStringLiteral("no line on what came back:\n") + lines.join(u'\n'));
                if (built) {
                    *sent = match.captured(1).toLongLong();
                    *total = match.captured(2).toLongLong();
                }
                return built;
            };
            qint64 sent = 0, total = 0;
            auto first = build("v1\n", &sent, &total);
            QVERIFY2(first, qPrintable(first ? QString() : first.error().message));
            qDebug() << where << "first build: the engine sent" << sent << "of" << total;
            QVERIFY2(sent >= vendor.size(), qPrintable(where));
            QVERIFY(sent <= total + 4096);
            QString output;
            QCOMPARE(
                service.cli({QStringLiteral("image"), QStringLiteral("inspect"), QStringLiteral("--format"),
                             QStringLiteral("{{.Id}}"), QStringLiteral("localhost/slipway-build/app:latest")},
                            &output),
                0);
            QCOMPARE(u"sha256:" + output.trimmed().section(u':', -1), first->configDigest);

            auto second = build("v2\n", &sent, &total);
            QVERIFY2(second, qPrintable(second ? QString() : second.error().message));
            qDebug() << where << "after a change to server.js: the engine sent" << sent << "of" << total;
            QVERIFY(second->manifestDigest != first->manifestDigest);
            QVERIFY2(sent > 0 && sent < 64 * 1024, qPrintable(where));
            QVERIFY(total > vendor.size());
            QCOMPARE(second->layers.size(), 2);
            QCOMPARE(second->layers.at(0).blob.digest, first->layers.at(0).blob.digest);
            // Every blob is in the store, and the manifest is Slipway's OCI one over them.
            const ContentStore store(m_dir.filePath(engine + QStringLiteral("/dockerfile-cache/blobs")));
            for (const QString &blob : std::as_const(second->blobs))
                QVERIFY2(store.contains(blob), qPrintable(blob));
            const QJsonObject manifest = QJsonDocument::fromJson(second->manifest).object();
            QCOMPARE(manifest.value(QStringLiteral("mediaType")).toString(),
                     QStringLiteral("application/vnd.oci.image.manifest.v1+json"));
        }
    }

    // Two histories (two machines, or two data dirs) deploy one app to one engine, each its own
    // release 1. The second must run its own image, not the first one's under the same tag.
    void twoHistoriesNeverRunEachOthersImage()
    {
        QVERIFY(prune(local()));
        const quint16 port = slipway::test::freeLoopbackPort();
        QMap<QString, QString> served; // history -> what its container serves
        QTemporaryDir dataA, dataB;
        GitRepo repoA, repoB;
        for (const auto &[data, repo, version] : {std::tuple{&dataA, &repoA, QByteArray("alpha")},
                                                  std::tuple{&dataB, &repoB, QByteArray("beta")}}) {
            const auto cli = [&](QStringList arguments) {
                return runCli(QStringList{QStringLiteral("--data-dir"), data->path()} + arguments);
            };
            CliRun run = cli({QStringLiteral("target"), QStringLiteral("add"), QStringLiteral("local"),
                              QStringLiteral("--endpoint"), local().endpoint()});
            QVERIFY2(run.exitCode == 0, qPrintable(run.err));
            QVERIFY(slipway::test::commitWebApp(*repo, version, true, port));
            run = cli({QStringLiteral("deploy"), repo->path(), QStringLiteral("--target"),
                       QStringLiteral("local"), QStringLiteral("--json")});
            QVERIFY2(run.exitCode == 0, qPrintable(run.err + QString::fromUtf8(run.out)));
            const QJsonObject json = QJsonDocument::fromJson(run.out).object();
            QCOMPARE(json.value(QStringLiteral("release")).toInt(), 1);
            const QString container = json.value(QStringLiteral("targets"))
                                          .toArray()
                                          .at(0)
                                          .toObject()
                                          .value(QStringLiteral("containerId"))
                                          .toString();
            QString output;
            QCOMPARE(local().cli({QStringLiteral("exec"), container, QStringLiteral("/bin/busybox"),
                                  QStringLiteral("cat"), QStringLiteral("/www/index.html")},
                                 &output),
                     0);
            served.insert(QString::fromUtf8(version), output.trimmed());
            qDebug() << version << "deployed as" << json.value(QStringLiteral("image")).toString() << "serves"
                     << output.trimmed();
        }
        QCOMPARE(served.value(QStringLiteral("alpha")), QStringLiteral("alpha"));
        QCOMPARE(served.value(QStringLiteral("beta")), QStringLiteral("beta"));
    }
};

QTEST_GUILESS_MAIN(TestLocalRegistry)
#include "tst_localregistry.moc"
