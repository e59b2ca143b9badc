// A Dockerfile built by a real engine, Podman and Docker (each function runs on both): the
// context is a tar of a git commit's files streamed from the objects (writeBuildContext, with
// .dockerignore), POST /build runs it through the engine's classic builder, and BuildSteps
// reads the steps from what the engine streams, the cache of a second build among them. A
// private base is pulled with the login slipway-cli saved in the system keychain, so the tests
// run on a D-Bus session of their own with an unlocked gnome-keyring.

#include "clirun.h"
#include "dockerservice.h"
#include "engine/buildsteps.h"
#include "engine/engineclient.h"
#include "eventrecorder.h"
#include "gitdaemon.h"
#include "gitrepo.h"
#include "httpprobe.h"
#include "imagebuilder/buildcontext.h"
#include "imagebuilder/engineimport.h"
#include "imagebuilder/imagebuilder.h"
#include "keyringsession.h"
#include "oci/ocilayout.h"
#include "podmanservice.h"
#include "processes.h"
#include "registryserver.h"
#include "source/opensource.h"
#include "store/contentstore.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <thread>

using namespace slipway;
using slipway::test::DockerService;
using slipway::test::EngineService;
using slipway::test::GitDaemon;
using slipway::test::GitRepo;
using slipway::test::PodmanService;
using slipway::test::RegistryServer;

namespace {

const QString baseImage = QStringLiteral("localhost/slipway-base:1");

// A build stage whose RUNs make files from the context, and a final stage that copies them.
const QByteArray multiStage = R"(FROM localhost/slipway-base:1 AS build
COPY deps.txt /src/deps.txt
RUN sha256sum /src/deps.txt > /deps.sum
COPY . /ctx
RUN test ! -e /ctx/notes/secret.txt && cat /ctx/app.txt > /app.out
FROM localhost/slipway-base:1
COPY --from=build /deps.sum /app.out /srv/
CMD ["cat", "/srv/app.out"]
)";

struct Built
{
    Result<QString> image = QString();
    QList<BuildSteps::Step> steps;
    QStringList lines;
    qint64 ms = 0;
    bool traceOk = true; // every BuildKit trace message decoded

    // The step whose instruction starts with `prefix`; null when none does.
    const BuildSteps::Step *step(const QString &prefix) const
    {
        for (const BuildSteps::Step &candidate : steps)
            if (candidate.instruction.startsWith(prefix))
                return &candidate;
        return nullptr;
    }
};

} // namespace

class TestEngineBuild final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    RegistryServer m_registry; // plain HTTP on loopback: where a build pushes, whence an engine pulls
    // TLS (its own CA) and Basic auth: a private base's registry, which both engines skip
    // verifying, as they do for any registry on 127.0.0.0/8 once it is marked insecure.
    RegistryServer m_private{RegistryServer::Mode::TlsWithBasicAuth};
    GitDaemon m_git;
    QMap<QString, std::shared_ptr<EngineService>> m_engines;

    EngineService &engine() const
    {
        QFETCH_GLOBAL(QString, engine);
        return *m_engines.value(engine);
    }

    // slipway-cli with its data in `data`.
    static slipway::test::CliRun cliIn(const QTemporaryDir &data, const QStringList &arguments)
    {
        return slipway::test::runCli(QStringList{QStringLiteral("--data-dir"), data.path()} + arguments);
    }

    // This row's engine as a target.
    Target builderTarget() const
    {
        return slipway::test::engineTarget(QStringLiteral("builder"), engine().endpoint());
    }

    // Builds `repo` at HEAD on this row's engine, its commit as a label.
    Built build(GitRepo &repo, const QString &tag = {})
    {
        Built built;
        SourceOptions sourceOptions;
        sourceOptions.location = repo.path();
        sourceOptions.cacheDir = m_dir.filePath(QStringLiteral("cache"));
        auto source = openSource(sourceOptions);
        if (!source) {
            built.image = source.error();
            return built;
        }
        EngineClient client(builderTarget());
        if (Status connected = client.connect(); !connected) {
            built.image = connected.error();
            return built;
        }
        BuildSteps steps;
        steps.onLine = [&built](int, const QString &line) { built.lines.append(line); };
        EngineClient::BuildOptions options;
        options.tag = tag;
        options.buildKit = !client.isPodman(); // as buildWithDockerfile chooses
        options.labels.insert(QStringLiteral("org.opencontainers.image.revision"),
                              source.value()->revision());
        QElapsedTimer timer;
        timer.start();
        built.image = client.build(
            [&](const EngineClient::Writer &write) {
                return writeBuildContext(*source.value(), options.dockerfile, write);
            },
            options, [&steps](const QString &text) { steps.add(text); },
            [&steps, &built](const QByteArray &trace) {
                built.traceOk = steps.addTrace(trace) && built.traceOk;
            });
        built.ms = timer.elapsed();
        steps.finish(!built.image);
        built.steps = steps.steps();
        return built;
    }

    // The steps of a --json report ({"steps": [{index, instruction, state, seconds}]}) as
    // "STATE INSTRUCTION" rows; empty when one is malformed: indexes not 0, 1, ... in order, no
    // instruction, or seconds missing or negative.
    static QStringList stepRows(const QJsonObject &report)
    {
        QStringList rows;
        const QJsonArray steps = report.value(QStringLiteral("steps")).toArray();
        for (qsizetype i = 0; i < steps.size(); ++i) {
            const QJsonObject step = steps.at(i).toObject();
            const QJsonValue seconds = step.value(QStringLiteral("seconds"));
            const QString instruction = step.value(QStringLiteral("instruction")).toString();
            if (step.value(QStringLiteral("index")).toInt(-1) != i || instruction.isEmpty() ||
                !seconds.isDouble() || seconds.toDouble() < 0)
                return {};
            rows.append(step.value(QStringLiteral("state")).toString() + u' ' + instruction);
        }
        return rows;
    }

    static QString describe(const Built &built)
    {
        QStringList rows;
        for (const BuildSteps::Step &step : built.steps)
            rows.append(QStringLiteral("%1 %2 [%3]")
                            .arg(step.number, step.instruction,
                                 QString::fromLatin1(BuildSteps::stateName(step.state))));
        return (built.image ? built.image.value() : built.image.error().message) + u'\n' + rows.join(u'\n') +
               QStringLiteral("\n--\n") + built.lines.join(u'\n');
    }

private Q_SLOTS:
    void initTestCase_data() { slipway::test::addEngineRows(); }

    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(m_registry.start(), qPrintable(m_registry.errorString()));
        QVERIFY2(m_private.start(), qPrintable(m_private.errorString()));
        QVERIFY2(m_git.start(), qPrintable(m_git.errorString()));
        const QStringList insecure{m_registry.address(), m_private.address()};
        m_engines.insert(QStringLiteral("podman"),
                         std::make_shared<PodmanService>(PodmanService::Listen::UnixSocket, insecure));
        m_engines.insert(QStringLiteral("docker"), std::make_shared<DockerService>(insecure));
        for (const auto &service : std::as_const(m_engines)) {
            QVERIFY2(service->start(), qPrintable(service->errorString()));
            QString error;
            QVERIFY2(service->importShellBase(baseImage, &error), qPrintable(error));
        }
    }

    // Every step is read from the stream, .dockerignore keeps a file out of the context, the
    // image carries the label and runs; after a change to the app file alone, the steps before
    // it come from the engine's cache.
    void multiStageBuildThenCachedRebuild()
    {
        GitRepo repo;
        QVERIFY(repo.writeFile(QStringLiteral("Dockerfile"), multiStage));
        QVERIFY(repo.writeFile(QStringLiteral(".dockerignore"), "notes/\n"));
        QVERIFY(repo.writeFile(QStringLiteral("notes/secret.txt"), "not for the image\n"));
        QVERIFY(repo.writeFile(QStringLiteral("deps.txt"), "left-pad 1.3.0\n"));
        QVERIFY(repo.writeFile(QStringLiteral("app.txt"), "v1\n"));
        const QString commit = repo.commit(QStringLiteral("v1"));
        QVERIFY(!commit.isEmpty());

        const Built first = build(repo, QStringLiteral("localhost/slipway-app:v1"));
        QVERIFY2(first.image && first.image->startsWith(QStringLiteral("sha256:")),
                 qPrintable(describe(first)));
        QVERIFY(first.traceOk);
        // Podman's buildah: the Dockerfile's eight, and its own LABEL step last (the commit's label
        // invalidates no step before it). Docker's BuildKit: its vertexes, the labels set on
        // export.
        if (engine().kind() == EngineService::Kind::Podman) {
            QVERIFY2(first.steps.size() == 9, qPrintable(describe(first)));
            QVERIFY2(first.steps.at(8).instruction.startsWith(QStringLiteral("LABEL")) &&
                         first.steps.at(8).instruction.contains(commit),
                     qPrintable(describe(first)));
            QCOMPARE(first.steps.at(0).instruction, QStringLiteral("FROM localhost/slipway-base:1 AS build"));
        } else {
            QVERIFY2(first.step(QStringLiteral("exporting to image")), qPrintable(describe(first)));
            QCOMPARE(first.step(QStringLiteral("RUN sha256sum"))->stage, QStringLiteral("build"));
        }
        for (const QString &instruction :
             {QStringLiteral("COPY deps.txt /src/deps.txt"), QStringLiteral("RUN sha256sum"),
              QStringLiteral("COPY . /ctx"), QStringLiteral("RUN test ! -e"),
              QStringLiteral("COPY --from=build /deps.sum /app.out /srv/")})
            QVERIFY2(first.step(instruction), qPrintable(instruction + u'\n' + describe(first)));
        for (const BuildSteps::Step &step : first.steps)
            QVERIFY2(step.state == BuildSteps::Step::State::Done ||
                         step.state == BuildSteps::Step::State::Cached,
                     qPrintable(describe(first)));
        // The RUN steps ran: a cold build has nothing cached for them.
        QCOMPARE(first.step(QStringLiteral("RUN sha256sum"))->state, BuildSteps::Step::State::Done);

        QString output;
        QCOMPARE(
            engine().cli({QStringLiteral("image"), QStringLiteral("inspect"), QStringLiteral("--format"),
                          QStringLiteral("{{index .Config.Labels \"org.opencontainers.image.revision\"}}"),
                          first.image.value()},
                         &output),
            0);
        QCOMPARE(output.trimmed(), commit);
        QCOMPARE(engine().cli({QStringLiteral("run"), QStringLiteral("--rm"), first.image.value()}, &output),
                 0);
        QCOMPARE(output.trimmed(), QStringLiteral("v1"));

        // Into Slipway's store and out as an OCI layout that skopeo, an independent reader, reads:
        // the engine's config as it was (its digest is the image id), two layers (the base's and
        // COPY --from's), the label.
        EngineClient client(builderTarget());
        QVERIFY(client.connect());
        const ContentStore store(m_dir.filePath(engine().kindName() + QStringLiteral("/blobs")));
        const LayerCache cache(m_dir.filePath(engine().kindName() + QStringLiteral("/layers")), store);
        auto imported =
            importEngineImage(client, first.image.value(), store, cache, Compression{}, nullptr, 1);
        QVERIFY2(imported, qPrintable(imported ? QString() : imported.error().message));
        QCOMPARE(imported->configDigest, first.image.value());
        QCOMPARE(imported->layers.size(), 2);
        // Each layer is remembered by its diff_id: the next import of it is not compressed again.
        for (const LayerBlob &layer : std::as_const(imported->layers)) {
            const std::optional<LayerBlob> known =
                cache.find(LayerCache::importKey(layer.diffId, Compression{}));
            QVERIFY(known && known->digest == layer.digest);
        }
        auto again = importEngineImage(client, first.image.value(), store, cache, Compression{}, nullptr, 1);
        QVERIFY(again && again->manifestDigest == imported->manifestDigest);
        QVERIFY(QDir(store.root() + QStringLiteral("/ingest")).entryList(QDir::Files).isEmpty());
        const QString layout = m_dir.filePath(engine().kindName() + QStringLiteral("/layout"));
        QVERIFY(oci::writeLayout({layout, QStringLiteral("v1")}, store, imported->manifestDigest,
                                 imported->manifestSize, imported->blobs));
        QCOMPARE(slipway::test::runTool(
                     QStringLiteral("skopeo"),
                     {QStringLiteral("inspect"), QStringLiteral("oci:") + layout + QStringLiteral(":v1")},
                     &output),
                 0);
        const QJsonObject inspected = QJsonDocument::fromJson(output.toUtf8()).object();
        QCOMPARE(inspected.value(QStringLiteral("Layers")).toArray().size(), 2);
        QCOMPARE(inspected.value(QStringLiteral("Labels"))
                     .toObject()
                     .value(QStringLiteral("org.opencontainers.image.revision"))
                     .toString(),
                 commit);

        QVERIFY(repo.writeFile(QStringLiteral("app.txt"), "v2\n"));
        QVERIFY(!repo.commit(QStringLiteral("v2")).isEmpty());
        const Built second = build(repo, QStringLiteral("localhost/slipway-app:v2"));
        QVERIFY2(second.image, qPrintable(describe(second)));
        QVERIFY(second.image.value() != first.image.value());
        // The dependency step is cached; the step that reads the app file runs again.
        QVERIFY2(second.step(QStringLiteral("RUN sha256sum"))->state == BuildSteps::Step::State::Cached,
                 qPrintable(describe(second)));
        QVERIFY2(second.step(QStringLiteral("RUN test ! -e"))->state == BuildSteps::Step::State::Done,
                 qPrintable(describe(second)));
        QCOMPARE(engine().cli({QStringLiteral("run"), QStringLiteral("--rm"), second.image.value()}, &output),
                 0);
        QCOMPARE(output.trimmed(), QStringLiteral("v2"));
        qInfo("%s: cold build %lld ms, after a change to app.txt %lld ms", qPrintable(engine().kindName()),
              first.ms, second.ms);
    }

    // A repository with a Dockerfile and a slipway.toml of [deploy] alone deploys through
    // slipway-cli as any other: built by the target's engine, loaded, started, healthy,
    // answering; the release records the commit. The --json report lists the steps with their
    // state and time; a redeploy after an app-only change has the dependency step cached.
    void deploysADockerfileAppWithTheCli()
    {
        QTemporaryDir data;
        QVERIFY(data.isValid());
        const auto cli = [&data](const QStringList &arguments) { return cliIn(data, arguments); };
        auto run = cli({QStringLiteral("target"), QStringLiteral("add"), QStringLiteral("local"),
                        QStringLiteral("--endpoint"), engine().endpoint()});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));

        const quint16 port = slipway::test::freeLoopbackPort();
        GitRepo repo;
        QVERIFY(repo.writeFile(QStringLiteral("Dockerfile"), R"(FROM localhost/slipway-base:1 AS build
RUN mkdir -p /www && echo ok > /www/health
FROM localhost/slipway-base:1
COPY --from=build /www /www
COPY index.html /www/index.html
CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]
)"));
        QVERIFY(repo.writeFile(QStringLiteral("index.html"), "v1\n"));
        QVERIFY(repo.writeFile(QStringLiteral("slipway.toml"),
                               "[deploy]\nname = \"dapp\"\nstop_timeout = 1\nports = [\"" +
                                   QByteArray::number(port) + ":8080\"]\nhealth = { path = \"/health\" }\n"));
        const QString commit = repo.commit(QStringLiteral("v1"));
        QVERIFY(!commit.isEmpty());
        // An engine that is no target: one line, before anything is built.
        run = cli({QStringLiteral("deploy"), repo.path(), QStringLiteral("--target"), QStringLiteral("local"),
                   QStringLiteral("--engine"), QStringLiteral("nosuch")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("build engine: ")) &&
                     run.err.contains(QStringLiteral("nosuch")),
                 qPrintable(run.err));
        const auto deploy = [&] {
            return cli({QStringLiteral("deploy"), repo.path(), QStringLiteral("--target"),
                        QStringLiteral("local"), QStringLiteral("--engine"), QStringLiteral("local"),
                        QStringLiteral("--json")});
        };
        run = deploy();
        QVERIFY2(run.exitCode == 0, qPrintable(run.err + QString::fromUtf8(run.out)));
        slipway::test::HttpReply reply =
            slipway::test::httpRequest({QStringLiteral("http://127.0.0.1:%1/index.html").arg(port)});
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.body.trimmed(), QByteArray("v1"));
        // The report's steps: the Dockerfile's instructions as the engine ran them, each ended.
        // Podman (buildah): its six, and a LABEL step for each of the two labels. Docker
        // (BuildKit): its vertexes: the context's copy, the one FROM both stages share, the RUN,
        // the two COPYs and the export.
        const QString runStep = QStringLiteral("RUN mkdir -p /www && echo ok > /www/health");
        const QString copyStep = QStringLiteral("COPY index.html /www/index.html");
        const QStringList first = stepRows(QJsonDocument::fromJson(run.out).object());
        const QString firstText = first.join(u'\n') + u'\n' + QString::fromUtf8(run.out);
        QVERIFY2(first.size() == (engine().kind() == EngineService::Kind::Podman ? 8 : 6),
                 qPrintable(firstText));
        QVERIFY2(first.contains(QStringLiteral("done ") + runStep), qPrintable(firstText));
        QVERIFY2(first.contains(QStringLiteral("done COPY --from=build /www /www")), qPrintable(firstText));
        QVERIFY2(first.contains(QStringLiteral("done ") + copyStep), qPrintable(firstText));
        for (const QString &row : first)
            QVERIFY2(row.startsWith(QStringLiteral("done ")) || row.startsWith(QStringLiteral("cached ")),
                     qPrintable(firstText));
        // A RUN that ran (a container started and ended) took some time.
        for (const QJsonValue &step :
             QJsonDocument::fromJson(run.out).object().value(QStringLiteral("steps")).toArray())
            if (step.toObject().value(QStringLiteral("instruction")).toString() == runStep)
                QVERIFY2(step.toObject().value(QStringLiteral("seconds")).toDouble() > 0,
                         qPrintable(firstText));
        // The build engine is the target: it has the image it built, nothing goes back to it.
        const QJsonObject target = QJsonDocument::fromJson(run.out)
                                       .object()
                                       .value(QStringLiteral("targets"))
                                       .toArray()
                                       .at(0)
                                       .toObject();
        QVERIFY2(target.value(QStringLiteral("imageBytesSent")).toInteger(-1) == 0,
                 QJsonDocument(target).toJson().constData());
        run = cli({QStringLiteral("history"), QStringLiteral("--json")});
        QVERIFY2(run.exitCode == 0 && run.out.contains(commit.toUtf8()),
                 qPrintable(QString::fromUtf8(run.out)));

        // After a change to index.html alone: the RUN comes from the engine's cache, the COPY of
        // the changed file runs.
        QVERIFY(repo.writeFile(QStringLiteral("index.html"), "v2\n"));
        QVERIFY(!repo.commit(QStringLiteral("v2")).isEmpty());
        run = deploy();
        QVERIFY2(run.exitCode == 0, qPrintable(run.err + QString::fromUtf8(run.out)));
        const QStringList second = stepRows(QJsonDocument::fromJson(run.out).object());
        const QString secondText = second.join(u'\n') + u'\n' + QString::fromUtf8(run.out);
        QCOMPARE(second.size(), first.size());
        QVERIFY2(second.contains(QStringLiteral("cached ") + runStep), qPrintable(secondText));
        QVERIFY2(second.contains(QStringLiteral("done ") + copyStep), qPrintable(secondText));
        reply = slipway::test::httpRequest({QStringLiteral("http://127.0.0.1:%1/index.html").arg(port)});
        QCOMPARE(reply.body.trimmed(), QByteArray("v2"));
        QCOMPARE(engine().cli({QStringLiteral("rm"), QStringLiteral("-f"), QStringLiteral("dapp-2")}), 0);
    }

    // From a git:// URL and a branch, built by the engine --engine names, pushed by Slipway's
    // pusher; the engine then pulls it by digest from the registry and has the very image it
    // built (the same config, so the same id), which runs.
    void fromAGitUrlPushedThenPulledByDigest()
    {
        QFETCH_GLOBAL(QString, engine);
        GitRepo repo;
        QVERIFY(repo.writeFile(QStringLiteral("Dockerfile"),
                               "FROM localhost/slipway-base:1 AS build\n"
                               "RUN echo built by a RUN > /built.txt\n"
                               "FROM localhost/slipway-base:1\n"
                               "COPY --from=build /built.txt /srv/\n"
                               "COPY app.txt /srv/\n"
                               "CMD [\"cat\", \"/srv/built.txt\", \"/srv/app.txt\"]\n"));
        QVERIFY(repo.writeFile(QStringLiteral("app.txt"), "from git\n"));
        QVERIFY(!repo.commit(QStringLiteral("served by git daemon")).isEmpty());
        repo.git({QStringLiteral("branch"), QStringLiteral("release")});
        QVERIFY(!repo.git({QStringLiteral("rev-parse"), QStringLiteral("release")}).isEmpty());
        const QString bare = m_git.repositoriesPath() + u'/' + engine + QStringLiteral(".git");
        QCOMPARE(slipway::test::runTool(QStringLiteral("git"), {QStringLiteral("clone"), QStringLiteral("-q"),
                                                                QStringLiteral("--bare"), repo.path(), bare}),
                 0);

        QTemporaryDir data;
        QVERIFY(data.isValid());
        const auto cli = [&data](const QStringList &arguments) { return cliIn(data, arguments); };
        auto run = cli({QStringLiteral("target"), QStringLiteral("add"), QStringLiteral("builder"),
                        QStringLiteral("--endpoint"), this->engine().endpoint()});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QString repository = m_registry.address() + QStringLiteral("/dockerfile/") + engine;
        run =
            cli({QStringLiteral("build"), m_git.url(engine + QStringLiteral(".git")), QStringLiteral("--ref"),
                 QStringLiteral("release"), QStringLiteral("--engine"), QStringLiteral("builder"),
                 QStringLiteral("--push"), repository + QStringLiteral(":v1"), QStringLiteral("--json")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QJsonObject report = QJsonDocument::fromJson(run.out).object();
        const QString manifest = report.value(QStringLiteral("manifestDigest")).toString();
        const QString config = report.value(QStringLiteral("configDigest")).toString();
        QVERIFY2(manifest.startsWith(QStringLiteral("sha256:")) &&
                     config.startsWith(QStringLiteral("sha256:")),
                 qPrintable(QString::fromUtf8(run.out)));
        const QStringList steps = stepRows(report);
        QVERIFY2(steps.contains(QStringLiteral("done RUN echo built by a RUN > /built.txt")) &&
                     steps.contains(QStringLiteral("done COPY app.txt /srv/")),
                 qPrintable(QString::fromUtf8(run.out)));

        const QString byDigest = repository + u'@' + manifest;
        QString output;
        QCOMPARE(this->engine().cli({QStringLiteral("pull"), byDigest}, &output), 0);
        QCOMPARE(this->engine().cli({QStringLiteral("image"), QStringLiteral("inspect"),
                                     QStringLiteral("--format"), QStringLiteral("{{.Id}}"), byDigest},
                                    &output),
                 0);
        QCOMPARE(output.trimmed().section(u':', -1), config.section(u':', -1));
        QCOMPARE(this->engine().cli({QStringLiteral("run"), QStringLiteral("--rm"), byDigest}, &output), 0);
        QCOMPARE(output.trimmed(), QStringLiteral("built by a RUN\nfrom git"));
    }

    // A base in a registry that wants a login (TLS with its own CA, Basic auth), which the engine
    // does not have: without a saved login the engine's own pull is refused, in one line naming
    // the base; with a wrong one Slipway's pull is, in one line naming the Dockerfile's line, the
    // base and the registry's answer; with the login `slipway-cli login` saved, Slipway pulls it
    // onto the engine with the credential in X-Registry-Auth and the build runs on it. The
    // password is in no output, no error and no event.
    void pullsAPrivateBaseWithTheSavedLogin()
    {
        const QString registry = m_private.address();
        const QString base = registry + QStringLiteral("/private/base:1");
        const QString password = m_private.password();
        const QString wrongPassword = QStringLiteral("not-the-password-7731");
        EngineService &engine = this->engine();
        PodmanService &podman = static_cast<PodmanService &>(*m_engines.value(QStringLiteral("podman")));
        QString output;
        QCOMPARE(podman.podman({QStringLiteral("push"), QStringLiteral("--tls-verify=false"),
                                QStringLiteral("--creds"), m_private.username() + u':' + password, baseImage,
                                base},
                               &output),
                 0);
        engine.cli({QStringLiteral("rmi"), base});
        EngineClient client(builderTarget());
        QVERIFY(client.connect());
        const auto engineHasBase = [&client, &base] {
            auto inspected = client.inspectImage(base);
            return inspected && inspected->has_value();
        };
        QVERIFY(!engineHasBase());

        QTemporaryDir data;
        QVERIFY(data.isValid());
        const auto cli = [&data](const QStringList &arguments) { return cliIn(data, arguments); };
        auto run = cli({QStringLiteral("target"), QStringLiteral("add"), QStringLiteral("builder"),
                        QStringLiteral("--endpoint"), engine.endpoint()});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        // As `slipway-cli login` saves a login: into the system keychain, checked against the
        // registry first (which trusts the registry's CA from the data dir's certs.d).
        const QString certs = data.filePath(QStringLiteral("certs.d/") + registry);
        QVERIFY(QDir().mkpath(certs));
        QVERIFY(QFile::copy(m_private.caCertificatePath(), certs + QStringLiteral("/ca.crt")));
        const auto login = [&](const QString &secret, const QStringList &options) {
            return slipway::test::runCli(QStringList{QStringLiteral("--data-dir"), data.path(),
                                                     QStringLiteral("login"), registry,
                                                     QStringLiteral("--username"), m_private.username(),
                                                     QStringLiteral("--password-stdin")} +
                                             options,
                                         {}, secret.toUtf8());
        };
        const auto shows = [&](const slipway::test::CliRun &shown) {
            return shown.err.contains(password) || shown.out.contains(password.toUtf8()) ||
                   shown.err.contains(wrongPassword) || shown.out.contains(wrongPassword.toUtf8());
        };

        GitRepo repo;
        // The registry through an ARG, as Dockerfiles often name it.
        QVERIFY(repo.writeFile(QStringLiteral("Dockerfile"),
                               "ARG REGISTRY=" + registry.toUtf8() +
                                   "\nFROM ${REGISTRY}/private/base:1\nRUN echo private > /built.txt\n"
                                   "CMD [\"cat\", \"/built.txt\"]\n"));
        QVERIFY(!repo.commit(QStringLiteral("on a private base")).isEmpty());
        const auto build = [&] {
            return cli({QStringLiteral("build"), repo.path(), QStringLiteral("--engine"),
                        QStringLiteral("builder"), QStringLiteral("--json")});
        };

        // No login: left to the engine, whose pull the registry refuses: one line, the engine's
        // after the Dockerfile's line and FROM (Docker's BuildKit itself names only the registry:
        // "pulling from host 127.0.0.1:PORT failed with status code [manifests 1]: 400 Bad Request").
        run = build();
        QCOMPARE(run.exitCode, 1);
        QStringList errors = run.errors();
        QVERIFY2(errors.size() == 1 &&
                     errors.at(0).startsWith(QStringLiteral("slipway-cli build: Dockerfile:2: FROM ") + base +
                                             QStringLiteral(": ")) &&
                     errors.at(0).contains(registry),
                 qPrintable(run.err));
        QVERIFY(!shows(run));
        qInfo("%s: %s", qPrintable(engine.kindName()), qPrintable(errors.at(0)));
        QVERIFY(!engineHasBase());

        // A wrong login (saved unchecked): Slipway's pull is refused, in one line.
        run = login(wrongPassword, {QStringLiteral("--no-verify")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        run = build();
        QCOMPARE(run.exitCode, 1);
        errors = run.errors();
        QVERIFY2(errors.size() == 1 &&
                     errors.at(0).startsWith(QStringLiteral("slipway-cli build: Dockerfile:2: FROM ") + base +
                                             QStringLiteral(": pull with the credential for ") + registry +
                                             QStringLiteral(": ")),
                 qPrintable(run.err));
        QVERIFY2(errors.at(0).contains(QStringLiteral("unauthorized"), Qt::CaseInsensitive) ||
                     errors.at(0).contains(QStringLiteral("authentication required"), Qt::CaseInsensitive),
                 qPrintable(errors.at(0)));
        QVERIFY2(!shows(run), qPrintable(run.err));
        QVERIFY(!engineHasBase());
        qInfo("%s: %s", qPrintable(engine.kindName()), qPrintable(errors.at(0)));

        // The right login: pulled with it, then built on it; the build's events say so, and
        // hold no secret.
        run = login(password, {});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY(!shows(run));
        slipway::test::EventRecorder events;
        BuildRequest request;
        request.source.location = repo.path();
        request.source.cacheDir = data.filePath(QStringLiteral("cache"));
        request.source.events = &events;
        request.engine = builderTarget();
        request.dataDir = data.path();
        request.jobs = 1;
        auto built = buildImage(request);
        const QStringList lines = events.logLines();
        QVERIFY2(built, qPrintable(lines.join(u'\n')));
        QVERIFY2(lines.contains(
                     QStringLiteral("pulling base %1 with the credential saved for %2").arg(base, registry)),
                 qPrintable(lines.join(u'\n')));
        for (const Event &event : events.events()) {
            QString text;
            if (const auto *log = std::get_if<LogEvent>(&event))
                text = log->text;
            else if (const auto *layer = std::get_if<LayerEvent>(&event))
                text = layer->name;
            else if (const auto *target = std::get_if<TargetEvent>(&event))
                text = target->detail;
            QVERIFY2(!text.contains(password) && !text.contains(wrongPassword), qPrintable(text));
        }
        QVERIFY(engineHasBase());
        QCOMPARE(engine.cli({QStringLiteral("run"), QStringLiteral("--rm"), built->configDigest}, &output),
                 0);
        QCOMPARE(output.trimmed(), QStringLiteral("private"));

        // And again: the engine has the base now, so it is not pulled again (as `docker build`
        // without --pull).
        slipway::test::EventRecorder again;
        request.source.events = &again;
        QVERIFY(buildImage(request));
        QVERIFY2(again.logLines().filter(QStringLiteral("pulling base")).isEmpty(),
                 qPrintable(again.logLines().join(u'\n')));

        // And through slipway-cli: the build's steps in its report.
        run = build();
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY(!shows(run));
        const QStringList steps = stepRows(QJsonDocument::fromJson(run.out).object());
        QVERIFY2(steps.contains(QStringLiteral("cached RUN echo private > /built.txt")),
                 qPrintable(QString::fromUtf8(run.out)));
        engine.cli({QStringLiteral("rmi"), QStringLiteral("--force"), base});
    }

    // A RUN that fails: the error names the engine's reason (its exit code), that step is the
    // failed one, and its output came before.
    void failingRunFailsItsStep()
    {
        GitRepo repo;
        QVERIFY(
            repo.writeFile(QStringLiteral("Dockerfile"),
                           "FROM localhost/slipway-base:1\nRUN echo compiling\nRUN echo broken >&2; exit 3\n"
                           "RUN echo never\n"));
        QVERIFY(!repo.commit(QStringLiteral("broken")).isEmpty());
        const Built built = build(repo);
        QVERIFY(!built.image);
        const QString error = built.image.error().message;
        QVERIFY2(error.contains(QStringLiteral("build Dockerfile: ")) && error.contains(u'3'),
                 qPrintable(error));
        QVERIFY2(built.step(QStringLiteral("RUN echo compiling")) &&
                     built.step(QStringLiteral("RUN echo compiling"))->state == BuildSteps::Step::State::Done,
                 qPrintable(describe(built)));
        QVERIFY2(built.step(QStringLiteral("RUN echo broken")) &&
                     built.step(QStringLiteral("RUN echo broken"))->state == BuildSteps::Step::State::Failed,
                 qPrintable(describe(built)));
        // The step after it never ran.
        const BuildSteps::Step *never = built.step(QStringLiteral("RUN echo never"));
        QVERIFY2(!never || never->state == BuildSteps::Step::State::Queued, qPrintable(describe(built)));
        QVERIFY2(built.lines.contains(QStringLiteral("broken")), qPrintable(describe(built)));
    }

    // Cancel during a long RUN: the build call ends at once. Docker then stops the step's process
    // (its sleep is gone within seconds, not after its minute). Podman's compatible /build goes on
    // without its client and its API has no way to stop it (the RUN runs under buildah's own
    // runtime, not as a container the API lists): there the step runs to its end, unseen.
    void cancelStopsTheBuildOnTheEngine()
    {
        QFETCH_GLOBAL(QString, engine);
        const QString sleeper = engine == u"podman" ? QStringLiteral("617") : QStringLiteral("619");
        GitRepo repo;
        QVERIFY(repo.writeFile(QStringLiteral("Dockerfile"),
                               "FROM localhost/slipway-base:1\nRUN echo started && sleep " +
                                   sleeper.toUtf8() + "\n"));
        QVERIFY(!repo.commit(QStringLiteral("slow")).isEmpty());
        SourceOptions sourceOptions;
        sourceOptions.location = repo.path();
        sourceOptions.cacheDir = m_dir.filePath(QStringLiteral("cache"));
        auto source = openSource(sourceOptions);
        QVERIFY(source);

        std::stop_source stop;
        std::atomic<bool> started{false};
        Result<QString> image = QString();
        std::thread builder([&] {
            EngineClient client(this->builderTarget(), stop.get_token());
            if (Status connected = client.connect(); !connected) {
                image = connected.error();
                return;
            }
            image = client.build(
                [&](const EngineClient::Writer &write) {
                    return writeBuildContext(*source.value(), QStringLiteral("Dockerfile"), write);
                },
                {},
                [&](const QString &text) {
                    if (text.contains(QStringLiteral("started")))
                        started = true;
                });
        });
        const auto running = [&sleeper] {
            QProcess pgrep;
            pgrep.setStandardOutputFile(QProcess::nullDevice());
            pgrep.start(QStringLiteral("pgrep"), {QStringLiteral("-f"), QStringLiteral("sleep ") + sleeper});
            return pgrep.waitForFinished() && pgrep.exitCode() == 0;
        };
        const bool began = QTest::qWaitFor([&] { return started.load() && running(); }, 60000);
        QElapsedTimer sinceCancel;
        sinceCancel.start();
        stop.request_stop();
        builder.join();
        QVERIFY(began);
        QVERIFY(!image);
        qInfo("%s: the build call returned %lld ms after the cancel", qPrintable(engine),
              sinceCancel.elapsed());
        if (engine == u"docker") {
            QTRY_VERIFY2_WITH_TIMEOUT(!running(), "the RUN step outlived the cancel", 10000);
        } else {
            QProcess::execute(QStringLiteral("pkill"),
                              {QStringLiteral("-f"), QStringLiteral("sleep ") + sleeper});
        }
    }

    // An instruction the engine does not know: one line naming it, no step run.
    void syntaxErrorNamesTheInstruction()
    {
        GitRepo repo;
        QVERIFY(
            repo.writeFile(QStringLiteral("Dockerfile"), "FROM localhost/slipway-base:1\nFORM nothing\n"));
        QVERIFY(!repo.commit(QStringLiteral("typo")).isEmpty());
        const Built built = build(repo);
        QVERIFY(!built.image);
        const QString error = built.image.error().message;
        QVERIFY2(error.contains(QStringLiteral("FORM"), Qt::CaseInsensitive) && !error.contains(u'\n'),
                 qPrintable(error));
    }
};

int main(int argc, char **argv)
{
    // Registry logins live in the system keychain: the tests run on a D-Bus session of their own
    // with an unlocked gnome-keyring, as tst_keychain does.
    const char modeVariable[] = "SLIPWAY_TST_ENGINEBUILD";
    if (qEnvironmentVariableIsEmpty(modeVariable))
        return slipway::test::runUnderKeyring(argc, argv, modeVariable);
    QCoreApplication app(argc, argv);
    TestEngineBuild test;
    return QTest::qExec(&test, argc, argv);
}
#include "tst_enginebuild.moc"
