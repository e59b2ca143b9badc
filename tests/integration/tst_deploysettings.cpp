// [deploy]'s container settings end to end (issue 15, item 3): volumes (named and host
// directories, read-only), memory and CPU limits, the command, labels, extra hosts, the log
// driver and a port bound to an address reach the container as the engine reports it (GET
// /containers/{id}/json, read here with a client of the test's own); an app with a volume rolls
// out stop-first and keeps its data across a redeploy and a rollback; a host directory that is
// not there stops the deploy before anything changes, on a local and on an ssh target; secrets
// set with `secret set` reach the container and nothing else, and a rollback says which changed;
// a multi-platform release runs each target's own platform's image; the sample the window
// offers deploys through a registry mirror and serves its site. Each function once on Podman and
// once on Docker.

#include "clirun.h"
#include "dockerservice.h"
#include "gitrepo.h"
#include "history/history.h"
#include "httpprobe.h"
#include "keyringsession.h"
#include "podmanservice.h"
#include "processes.h"
#include "registryserver.h"
#include "sshserver.h"
#include "testfiles.h"
#include "util/paths.h"
#include "webapp.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <map>
#include <memory>

using namespace slipway;
using slipway::test::CliRun;
using slipway::test::DockerService;
using slipway::test::EngineService;
using slipway::test::GitRepo;
using slipway::test::PodmanService;
using slipway::test::SshServer;

class TestDeploySettings final : public QObject
{
    Q_OBJECT

private:
    std::map<QString, std::unique_ptr<EngineService>> m_engines; // by the global data row
    EngineService *m_engine = nullptr;
    std::unique_ptr<SshServer> m_ssh;
    slipway::test::RegistryServer m_registry; // stands in for Docker Hub, as a configured mirror
    std::unique_ptr<QTemporaryDir> m_data;
    std::unique_ptr<GitRepo> m_repo;
    quint16 m_port = 0;
    quint16 m_hostPort = 0;
    QStringList m_env;
    QString m_printed; // all a secrets test's CLI runs printed, to search for a value

    CliRun cli(QStringList arguments, const QByteArray &input = {})
    {
        arguments.prepend(m_data->path());
        arguments.prepend(QStringLiteral("--data-dir"));
        return slipway::test::runCli(arguments, m_env, input);
    }
    // `secret set APP NAME [--env ENV]` with the value on stdin; the error, or empty.
    QString setSecret(const QString &app, const QString &name, const QByteArray &value,
                      const QString &environment = {})
    {
        QStringList arguments{QStringLiteral("secret"), QStringLiteral("set"), app, name};
        if (!environment.isEmpty())
            arguments += {QStringLiteral("--env"), environment};
        const CliRun run = cli(arguments, value + '\n');
        m_printed += QString::fromUtf8(run.out) + run.err;
        return run.exitCode == 0 ? QString() : run.err;
    }

    // The web app at `version`, with these lines added to its [deploy] table (and to [image]).
    bool commit(const QByteArray &version, const QByteArray &deployLines, const QByteArray &imageLines = {})
    {
        if (!slipway::test::commitWebApp(*m_repo, version, true, m_port))
            return false;
        QFile toml(m_repo->path() + QStringLiteral("/slipway.toml"));
        if (!toml.open(QIODevice::ReadOnly))
            return false;
        const QByteArray text =
            toml.readAll().replace("[image]\n", QByteArray("[image]\n" + imageLines)) + deployLines;
        toml.close();
        return m_repo->writeFile(QStringLiteral("slipway.toml"), text) &&
               !m_repo->commit(QString::fromUtf8(version)).isEmpty();
    }
    QString deploy(const QByteArray &version, const QByteArray &deployLines,
                   const QString &target = QStringLiteral("local"))
    {
        if (!commit(version, deployLines))
            return QStringLiteral("cannot commit");
        const CliRun run =
            cli({QStringLiteral("deploy"), m_repo->path(), QStringLiteral("--target"), target});
        m_printed += QString::fromUtf8(run.out) + run.err;
        return run.exitCode == 0 ? QString() : run.err + QString::fromUtf8(run.out);
    }

    // GET /containers/NAME/json, asked by the test itself.
    QJsonObject inspect(const QString &name) const
    {
        const auto reply = slipway::test::httpRequest(
            {QStringLiteral("http://engine/containers/%1/json").arg(name), m_engine->socketPath()});
        return reply.status == 200 ? QJsonDocument::fromJson(reply.body).object() : QJsonObject();
    }
    // An app's containers (the web app's by default): name -> running.
    QMap<QString, bool> webContainers(const QString &app = QStringLiteral("web")) const
    {
        const QByteArray filter =
            QUrl::toPercentEncoding(QStringLiteral("{\"label\":[\"io.slipway.app=%1\"]}").arg(app));
        const auto reply = slipway::test::httpRequest(
            {QStringLiteral("http://engine/containers/json?all=1&filters=") + QString::fromLatin1(filter),
             m_engine->socketPath()});
        QMap<QString, bool> found;
        for (const QJsonValue &container : QJsonDocument::fromJson(reply.body).array())
            found.insert(container[QStringLiteral("Names")][0].toString().mid(1),
                         container[QStringLiteral("State")].toString() == u"running");
        return found;
    }
    // Runs a shell line in a container; its exit code, with what it printed in `output`.
    int shell(const QString &container, const QString &line, QString *output = nullptr) const
    {
        return m_engine->cli({QStringLiteral("exec"), container, QStringLiteral("/bin/busybox"),
                              QStringLiteral("sh"), QStringLiteral("-c"), line},
                             output);
    }
    QString lastDeploymentLog()
    {
        auto history = History::open(History::defaultPath(DataDirs::resolve(m_data->path()).data));
        if (!history)
            return {};
        auto list = history.value()->deployments();
        return list && !list->isEmpty() ? list->constFirst().log : QString();
    }

private Q_SLOTS:
    void initTestCase_data() { slipway::test::addEngineRows(); }

    void initTestCase()
    {
        m_engines[QStringLiteral("podman")] = std::make_unique<PodmanService>();
        m_engines[QStringLiteral("docker")] = std::make_unique<DockerService>();
        for (const auto &[name, engine] : m_engines)
            QVERIFY2(engine->start(), qPrintable(engine->errorString()));
        // Docker Hub's busybox, as a mirror would serve it: the harness's busybox under its name.
        QVERIFY2(m_registry.start(), qPrintable(m_registry.errorString()));
        EngineService &podman = *m_engines[QStringLiteral("podman")];
        QString error;
        QVERIFY2(podman.importBusybox(QStringLiteral("localhost/busybox-hub:1"), &error), qPrintable(error));
        QString output;
        QVERIFY2(podman.cli({QStringLiteral("push"), QStringLiteral("--tls-verify=false"),
                             QStringLiteral("localhost/busybox-hub:1"),
                             m_registry.address() + QStringLiteral("/library/busybox:1.36.1")},
                            &output) == 0,
                 qPrintable(output));
        m_ssh = std::make_unique<SshServer>();
        QVERIFY2(m_ssh->start(), qPrintable(m_ssh->errorString()));
        m_env = {QStringLiteral("SLIPWAY_SSH_COMMAND=ssh ") + m_ssh->clientOptions().join(u' ')};
        m_port = slipway::test::freeLoopbackPort();
        m_hostPort = slipway::test::freeLoopbackPort();
    }

    // Targets "local" (the engine's socket) and "remote" (the same engine through the harness
    // sshd); no container of an earlier function.
    void init()
    {
        QFETCH_GLOBAL(QString, engine);
        m_engine = m_engines[engine].get();
        QString error;
        QVERIFY2(m_engine->reset(QStringLiteral("localhost/slipway-"), &error), qPrintable(error));
        m_engine->cli({QStringLiteral("volume"), QStringLiteral("rm"), QStringLiteral("-f"),
                       QStringLiteral("webdata")});
        m_data = std::make_unique<QTemporaryDir>();
        m_repo = std::make_unique<GitRepo>();
        m_printed.clear();
        QVERIFY(m_data->isValid() && m_repo->isValid());
        CliRun run = cli({QStringLiteral("target"), QStringLiteral("add"), QStringLiteral("local"),
                          QStringLiteral("--endpoint"), m_engine->endpoint()});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        run = cli({QStringLiteral("target"), QStringLiteral("add"), QStringLiteral("remote"),
                   QStringLiteral("--endpoint"),
                   QStringLiteral("ssh://%1@127.0.0.1:%2%3")
                       .arg(m_ssh->user())
                       .arg(m_ssh->port())
                       .arg(m_engine->socketPath())});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    }

    // Nothing of this function runs on while the other engine's rows go (a published port).
    void cleanup()
    {
        QString error;
        QVERIFY2(m_engine->reset(QStringLiteral("localhost/slipway-"), &error), qPrintable(error));
    }

    void limitsCommandLabelsHostsLogAndAddressReachTheEngine()
    {
        const QString problem = deploy("v1", QStringLiteral("memory = \"64m\"\n"
                                                            "cpus = 0.5\n"
                                                            "command = [\"-v\"]\n"
                                                            "labels = { team = \"web\" }\n"
                                                            "extra_hosts = [\"db.internal:10.1.2.3\"]\n"
                                                            "ports = [\"127.0.0.1:%1:%2\"]\n")
                                                 .arg(m_hostPort)
                                                 .arg(m_port)
                                                 .toUtf8());
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        const QJsonObject web = inspect(QStringLiteral("web-1"));
        QVERIFY2(!web.isEmpty(), "no web-1");
        const QJsonObject host = web[QStringLiteral("HostConfig")].toObject();
        const QJsonObject config = web[QStringLiteral("Config")].toObject();
        QCOMPARE(host[QStringLiteral("Memory")].toInteger(), qint64(64) * 1024 * 1024);
        QCOMPARE(host[QStringLiteral("NanoCpus")].toInteger(), qint64(500000000));
        QCOMPARE(config[QStringLiteral("Cmd")].toArray(), QJsonArray{QStringLiteral("-v")});
        QCOMPARE(config[QStringLiteral("Labels")][QStringLiteral("team")].toString(), QStringLiteral("web"));
        QCOMPARE(config[QStringLiteral("Labels")][QStringLiteral("io.slipway.app")].toString(),
                 QStringLiteral("web"));
        QVERIFY2(
            host[QStringLiteral("ExtraHosts")].toArray().contains(QStringLiteral("db.internal:10.1.2.3")),
            QJsonDocument(host[QStringLiteral("ExtraHosts")].toArray()).toJson().constData());
        QCOMPARE(host[QStringLiteral("LogConfig")][QStringLiteral("Type")].toString(),
                 QStringLiteral("json-file"));
        if (m_engine->kind() == EngineService::Kind::Docker) // Podman keeps log options to itself
            QCOMPARE(host[QStringLiteral("LogConfig")][QStringLiteral("Config")][QStringLiteral("max-size")]
                         .toString(),
                     QStringLiteral("10m"));
        const QJsonObject binding =
            host[QStringLiteral("PortBindings")][QStringLiteral("%1/tcp").arg(m_port)][0].toObject();
        QCOMPARE(binding[QStringLiteral("HostIp")].toString(), QStringLiteral("127.0.0.1"));
        QCOMPARE(binding[QStringLiteral("HostPort")].toString(), QString::number(m_hostPort));

        // A rollback deploys the settings its release was recorded with.
        QString again = deploy("v2", "memory = \"128m\"\n");
        QVERIFY2(again.isEmpty(), qPrintable(again));
        QCOMPARE(inspect(QStringLiteral("web-2"))[QStringLiteral("HostConfig")][QStringLiteral("Memory")]
                     .toInteger(),
                 qint64(128) * 1024 * 1024);
        const CliRun back =
            cli({QStringLiteral("rollback"), QStringLiteral("--target"), QStringLiteral("local")});
        QVERIFY2(back.exitCode == 0, qPrintable(back.err));
        const QJsonObject rolledBack = inspect(QStringLiteral("web-1"));
        QCOMPARE(rolledBack[QStringLiteral("HostConfig")][QStringLiteral("Memory")].toInteger(),
                 qint64(64) * 1024 * 1024);
        QCOMPARE(rolledBack[QStringLiteral("Config")][QStringLiteral("Cmd")].toArray(),
                 QJsonArray{QStringLiteral("-v")});
    }

    // A named volume outlives the container: the next release and a rollback read what the
    // first wrote. With a volume, the old container stops before the new one starts.
    void namedVolumeKeepsItsDataAndRollsOutStopFirst()
    {
        const QByteArray volume = "volumes = [\"webdata:/www/data\"]\n";
        QString problem = deploy("v1", volume);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QCOMPARE(shell(QStringLiteral("web-1"), QStringLiteral("echo kept > /www/data/note")), 0);

        problem = deploy("v2", volume);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QVERIFY2(lastDeploymentLog().contains(QStringLiteral("stopping web-1: it shares the app's volumes")),
                 qPrintable(lastDeploymentLog()));
        QCOMPARE(webContainers(), (QMap<QString, bool>{{QStringLiteral("web-2"), true}}));
        QString note;
        QCOMPARE(shell(QStringLiteral("web-2"), QStringLiteral("cat /www/data/note"), &note), 0);
        QCOMPARE(note.trimmed(), QStringLiteral("kept"));
        const QJsonArray mounts = inspect(QStringLiteral("web-2"))[QStringLiteral("Mounts")].toArray();
        QCOMPARE(mounts.size(), 1);
        QCOMPARE(mounts[0][QStringLiteral("Name")].toString(), QStringLiteral("webdata"));
        QCOMPARE(mounts[0][QStringLiteral("Destination")].toString(), QStringLiteral("/www/data"));

        QCOMPARE(shell(QStringLiteral("web-2"), QStringLiteral("echo again >> /www/data/note")), 0);
        const CliRun back =
            cli({QStringLiteral("rollback"), QStringLiteral("--target"), QStringLiteral("local")});
        QVERIFY2(back.exitCode == 0, qPrintable(back.err));
        QCOMPARE(shell(QStringLiteral("web-1"), QStringLiteral("cat /www/data/note"), &note), 0);
        QCOMPARE(note.split(u'\n', Qt::SkipEmptyParts),
                 (QStringList{QStringLiteral("kept"), QStringLiteral("again")}));
    }

    // A multi-platform release runs each target's own platform's image (this machine's engines
    // are linux/amd64, listed second on purpose), and a target whose platform was not built is
    // refused before anything changes there.
    void eachTargetRunsItsOwnPlatform()
    {
        QVERIFY(commit("v1", {}, "platforms = [\"linux/arm64\", \"linux/amd64\"]\n"));
        CliRun run = cli({QStringLiteral("deploy"), m_repo->path(), QStringLiteral("--target"),
                          QStringLiteral("local"), QStringLiteral("--target"), QStringLiteral("remote")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err + QString::fromUtf8(run.out)));
        auto history = History::open(History::defaultPath(DataDirs::resolve(m_data->path()).data));
        QVERIFY(history);
        auto release = history.value()->release(1);
        QVERIFY(release);
        QCOMPARE(release->platforms.size(), 2);
        QCOMPARE(release->platforms.at(0).platform, QStringLiteral("linux/arm64"));
        const QString amd64 = release->platforms.at(1).imageId;
        QVERIFY(amd64.startsWith(QStringLiteral("sha256:")) && amd64 != release->platforms.at(0).imageId);
        QString running = inspect(QStringLiteral("web-1"))[QStringLiteral("Image")].toString();
        QVERIFY2(running.endsWith(amd64.mid(7)), qPrintable(running + u' ' + amd64));
        QVERIFY2(lastDeploymentLog().contains(
                     QStringLiteral("the engine runs linux/amd64: the linux/amd64 image")),
                 qPrintable(lastDeploymentLog()));

        // Built for arm64 alone: refused on each target, in one line, and web-1 keeps serving.
        QVERIFY(commit("v2", {}, "platforms = [\"linux/arm64\"]\n"));
        run = cli(
            {QStringLiteral("deploy"), m_repo->path(), QStringLiteral("--target"), QStringLiteral("local")});
        QCOMPARE(run.exitCode, 1);
        const QString expected =
            QStringLiteral(" runs linux/amd64, and release 2 has no image for it (built for "
                           "linux/arm64); add \"linux/amd64\" to [image] platforms");
        QVERIFY2(QString::fromUtf8(run.out).contains(expected), qPrintable(QString::fromUtf8(run.out)));
        QCOMPARE(webContainers(), (QMap<QString, bool>{{QStringLiteral("web-1"), true}}));
    }

    // The sample the window offers on first launch deploys and serves its site. Its base is
    // Docker Hub's busybox pinned by digest; the test cannot reach Docker Hub, so the copy here
    // names the same image by tag and gets it from a registries.conf mirror on loopback.
    void theSampleDeploysThroughAMirror()
    {
        const QString sample = m_data->filePath(QStringLiteral("sample"));
        const QString source = QStringLiteral(SLIPWAY_SOURCE_DIR "/resources/sample");
        QVERIFY(QDir().mkpath(sample + QStringLiteral("/site")));
        for (const QString &file : {QStringLiteral("/slipway.toml"), QStringLiteral("/README.md"),
                                    QStringLiteral("/site/index.html"), QStringLiteral("/site/style.css")})
            QVERIFY2(QFile::copy(source + file, sample + file), qPrintable(file));
        QFile toml(sample + QStringLiteral("/slipway.toml"));
        QVERIFY(toml.open(QIODevice::ReadOnly));
        QByteArray text = toml.readAll();
        toml.close();
        const qsizetype at = text.indexOf("@sha256:");
        QVERIFY2(at > 0 && text.contains("base = \"docker.io/library/busybox:1.36.1@"), text.constData());
        text.remove(at, 8 + 64);
        QVERIFY(QFile::remove(sample + QStringLiteral("/slipway.toml")));
        QVERIFY(slipway::test::writeFile(sample + QStringLiteral("/slipway.toml"), text));
        const QString conf = m_data->filePath(QStringLiteral("registries.conf"));
        QVERIFY(slipway::test::writeFile(
            conf,
            QStringLiteral("[[registry]]\nlocation = \"docker.io\"\n[[registry.mirror]]\nlocation = \"%1\"\n")
                .arg(m_registry.address())
                .toUtf8()));

        const QStringList saved = m_env;
        m_env +=
            {QStringLiteral("CONTAINERS_REGISTRIES_CONF=") + conf,
             QStringLiteral("SLIPWAY_DOCKER_DAEMON_JSON=") + m_data->filePath(QStringLiteral("none.json"))};
        const CliRun run =
            cli({QStringLiteral("deploy"), sample, QStringLiteral("--target"), QStringLiteral("local")});
        m_env = saved;
        QVERIFY2(run.exitCode == 0, qPrintable(run.err + QString::fromUtf8(run.out)));
        // It says where the app answers; the page is there.
        QVERIFY2(run.out.contains("at http://127.0.0.1:8080/"), run.out.constData());
        const auto page = slipway::test::httpRequest({QStringLiteral("http://127.0.0.1:8080/")});
        QCOMPARE(page.status, 200);
        QVERIFY2(page.body.contains("Deployed with Slipway"), page.body.constData());
    }

    // A secret named in [deploy] secrets: a deploy without its value stops before anything
    // happens; set with `secret set`, it reaches the container as a variable, or as a file under
    // /run/secrets, and its value is in no file of the data dir (the history database
    // included) and in nothing the CLI printed.
    void secretsReachTheContainerAndNothingElse()
    {
        const QByteArray value =
            "Db-Secret-" + QByteArray::number(QRandomGenerator::global()->generate64(), 16);
        const QByteArray named = "secrets = [\"DB_PASSWORD\"]\n";
        QString problem = deploy("v1", named);
        QVERIFY2(
            problem.contains(QStringLiteral("slipway-cli deploy: app web: secret DB_PASSWORD is not set; "
                                            "set it with 'slipway-cli secret set web DB_PASSWORD'")),
            qPrintable(problem));
        QCOMPARE(webContainers(), (QMap<QString, bool>()));

        QCOMPARE(setSecret(QStringLiteral("web"), QStringLiteral("DB_PASSWORD"), value), QString());
        problem = deploy("v2", named);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QString seen;
        QCOMPARE(shell(QStringLiteral("web-1"), QStringLiteral("printf %s \"$DB_PASSWORD\""), &seen), 0);
        QCOMPARE(seen, QString::fromUtf8(value));

        // As a file, copied in before the start, and no longer in the environment; over ssh.
        problem =
            deploy("v3", "secrets = { names = [\"DB_PASSWORD\"], files = true }\n", QStringLiteral("remote"));
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QCOMPARE(shell(QStringLiteral("web-2"), QStringLiteral("cat /run/secrets/DB_PASSWORD"), &seen), 0);
        QCOMPARE(seen, QString::fromUtf8(value));
        QCOMPARE(shell(QStringLiteral("web-2"), QStringLiteral("test -z \"$DB_PASSWORD\"")), 0);

        const CliRun listed = cli({QStringLiteral("secret"), QStringLiteral("list"), QStringLiteral("web")});
        QCOMPARE(listed.exitCode, 0);
        QVERIFY2(listed.out.contains("DB_PASSWORD"), listed.out.constData());
        m_printed += QString::fromUtf8(listed.out) + listed.err;

        // The history keeps the name and a keyed hash, never the value.
        auto history = History::open(History::defaultPath(DataDirs::resolve(m_data->path()).data));
        QVERIFY(history);
        auto projects = history.value()->projects();
        QVERIFY(projects && projects->size() == 1);
        auto releases = history.value()->releases(projects->constFirst().name);
        QVERIFY(releases && releases->size() == 2);
        const QJsonArray recorded = QJsonDocument::fromJson(releases->constFirst().deploySettings.toUtf8())
                                        .object()[QStringLiteral("secrets")]
                                        .toArray();
        QCOMPARE(recorded.size(), 1);
        QCOMPARE(recorded[0][QStringLiteral("name")].toString(), QStringLiteral("DB_PASSWORD"));
        QCOMPARE(recorded[0][QStringLiteral("hash")].toString().size(), 64);
        history.value().reset();
        QCOMPARE(slipway::test::filesContaining(m_data->path(), QString::fromUtf8(value)), QStringList());
        QVERIFY(!m_printed.contains(QString::fromUtf8(value)));
    }

    // A rollback says which secrets changed since the release it goes back to, before it runs,
    // and gives the containers the value set now.
    void rollbackSaysWhichSecretsChanged()
    {
        const QByteArray named = "secrets = [\"API_KEY\", \"TOKEN\"]\n";
        QCOMPARE(setSecret(QStringLiteral("web"), QStringLiteral("API_KEY"), "first-key"), QString());
        QCOMPARE(setSecret(QStringLiteral("web"), QStringLiteral("TOKEN"), "kept-token"), QString());
        QString problem = deploy("v1", named);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QCOMPARE(setSecret(QStringLiteral("web"), QStringLiteral("API_KEY"), "second-key"), QString());
        problem = deploy("v2", named);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QString seen;
        QCOMPARE(shell(QStringLiteral("web-2"), QStringLiteral("printf %s \"$API_KEY\""), &seen), 0);
        QCOMPARE(seen, QStringLiteral("second-key"));

        const CliRun back =
            cli({QStringLiteral("rollback"), QStringLiteral("--target"), QStringLiteral("local")});
        QVERIFY2(back.exitCode == 0, qPrintable(back.err));
        QVERIFY2(back.err.contains(QStringLiteral("secret API_KEY of app web changed since release 1")),
                 qPrintable(back.err));
        QVERIFY2(!back.err.contains(QStringLiteral("TOKEN")), qPrintable(back.err));
        QCOMPARE(shell(QStringLiteral("web-1"), QStringLiteral("printf %s \"$API_KEY\""), &seen), 0);
        QCOMPARE(seen, QStringLiteral("second-key"));

        // A secret removed since: the rollback stops before it touches anything.
        const CliRun removed = cli(
            {QStringLiteral("secret"), QStringLiteral("rm"), QStringLiteral("web"), QStringLiteral("TOKEN")});
        QCOMPARE(removed.exitCode, 0);
        const CliRun refused = cli({QStringLiteral("rollback"), QStringLiteral("--target"),
                                    QStringLiteral("local"), QStringLiteral("--to"), QStringLiteral("2")});
        QCOMPARE(refused.exitCode, 2);
        QVERIFY2(refused.errors().constLast().contains(QStringLiteral("app web: secret TOKEN is not set")),
                 qPrintable(refused.err));
        QCOMPARE(webContainers(), (QMap<QString, bool>{{QStringLiteral("web-1"), true}}));
    }

    // [env.staging] and [env.production]: each to its own targets, with its own values, as an app
    // of its own (web-staging, web-production), so the two never retire each other even on one
    // engine; each rolls back on its own.
    void environmentsDeployApart()
    {
        const quint16 productionPort = slipway::test::freeLoopbackPort();
        const QByteArray environments =
            QStringLiteral("env = { STAGE = \"none\" }\n"
                           "secrets = [\"API_KEY\"]\n"
                           "[env.staging]\n"
                           "targets = [\"local\"]\n"
                           "env = { STAGE = \"staging\" }\n"
                           "[env.production]\n"
                           "targets = [\"remote\"]\n"
                           "env = { STAGE = \"production\" }\n"
                           "memory = \"96m\"\n"
                           // its own port: Podman's containers share the host's network
                           "command = [\"-p\", \"%1\"]\n"
                           "health = { path = \"/health\", port = %1, timeout = \"6s\" }\n"
                           "[env.nowhere]\n")
                .arg(productionPort)
                .toUtf8();
        QVERIFY(commit("v1", environments));
        // Each environment's app has its own value of the secret.
        QCOMPARE(setSecret(QStringLiteral("web"), QStringLiteral("API_KEY"), "staging-key",
                           QStringLiteral("staging")),
                 QString());
        QCOMPARE(setSecret(QStringLiteral("web-production"), QStringLiteral("API_KEY"), "production-key"),
                 QString());
        const auto deployTo = [&](const QString &environment) {
            return cli({QStringLiteral("deploy"), m_repo->path(), QStringLiteral("--env"), environment});
        };
        CliRun run = deployTo(QStringLiteral("staging"));
        QVERIFY2(run.exitCode == 0, qPrintable(run.err + QString::fromUtf8(run.out)));
        run = deployTo(QStringLiteral("production"));
        QVERIFY2(run.exitCode == 0, qPrintable(run.err + QString::fromUtf8(run.out)));
        const auto envOf = [&](const QString &container) {
            QStringList env;
            for (const QJsonValue &item :
                 inspect(container)[QStringLiteral("Config")][QStringLiteral("Env")].toArray())
                if (item.toString().startsWith(QStringLiteral("STAGE=")) ||
                    item.toString().startsWith(QStringLiteral("API_KEY=")))
                    env.append(item.toString());
            env.sort();
            return env;
        };
        QCOMPARE(envOf(QStringLiteral("web-staging-1")),
                 (QStringList{QStringLiteral("API_KEY=staging-key"), QStringLiteral("STAGE=staging")}));
        QCOMPARE(envOf(QStringLiteral("web-production-2")),
                 (QStringList{QStringLiteral("API_KEY=production-key"), QStringLiteral("STAGE=production")}));
        QCOMPARE(inspect(QStringLiteral(
                     "web-production-2"))[QStringLiteral("HostConfig")][QStringLiteral("Memory")]
                     .toInteger(),
                 qint64(96) * 1024 * 1024);
        QCOMPARE(
            inspect(QStringLiteral("web-staging-1"))[QStringLiteral("HostConfig")][QStringLiteral("Memory")]
                .toInteger(),
            qint64(0));

        // A second staging release, then its rollback: production is not touched.
        QVERIFY(commit("v2", environments));
        run = deployTo(QStringLiteral("staging"));
        QVERIFY2(run.exitCode == 0, qPrintable(run.err + QString::fromUtf8(run.out)));
        QCOMPARE(webContainers(QStringLiteral("web-production")).value(QStringLiteral("web-production-2")),
                 true);
        run = cli({QStringLiteral("rollback"), QStringLiteral("--target"), QStringLiteral("local"),
                   QStringLiteral("--app"), QStringLiteral("web"), QStringLiteral("--env"),
                   QStringLiteral("staging")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QCOMPARE(envOf(QStringLiteral("web-staging-1")),
                 (QStringList{QStringLiteral("API_KEY=staging-key"), QStringLiteral("STAGE=staging")}));
        QCOMPARE(webContainers(QStringLiteral("web-production")).value(QStringLiteral("web-production-2")),
                 true);
        // The other per-app commands take the environment the same way.
        run = cli({QStringLiteral("logs"), QStringLiteral("web"), QStringLiteral("--env"),
                   QStringLiteral("staging"), QStringLiteral("--tail"), QStringLiteral("5")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        run = cli({QStringLiteral("app"), QStringLiteral("stop"), QStringLiteral("web"),
                   QStringLiteral("--env"), QStringLiteral("production")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QCOMPARE(webContainers(QStringLiteral("web-production")).value(QStringLiteral("web-production-2")),
                 false);
        QCOMPARE(webContainers(QStringLiteral("web-staging")).value(QStringLiteral("web-staging-1")), true);

        // Bad input: one line, exit 2, nothing deployed.
        run = deployTo(QStringLiteral("qa"));
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(run.errors(),
                 QStringList{QStringLiteral("slipway-cli deploy: slipway.toml: no [env.qa] (environments: "
                                            "nowhere, production, staging)")});
        run = deployTo(QStringLiteral("nowhere"));
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(run.errors(),
                 QStringList{QStringLiteral("slipway-cli deploy: slipway.toml: [env.nowhere] has no "
                                            "targets: add targets = [\"NAME\"] or pass --target")});
        run = cli({QStringLiteral("rollback"), QStringLiteral("--target"), QStringLiteral("local"),
                   QStringLiteral("--env"), QStringLiteral("staging")});
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(run.errors(),
                 QStringList{QStringLiteral("slipway-cli rollback: a rollback in [env.staging] needs its "
                                            "app: --app APP or SOURCE")});
        run = cli({QStringLiteral("deploy"), m_repo->path()});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("--target NAME (or --env NAME) is required")),
                 qPrintable(run.err));
    }

    // A directory of the host, read-only; one that is not there stops the deploy, on a local and
    // on an ssh target, before any container changes.
    void hostDirectoriesAndOnesThatAreNotThere()
    {
        const QString shared = m_data->filePath(QStringLiteral("shared"));
        QVERIFY(QDir().mkpath(shared));
        QVERIFY(slipway::test::writeFile(shared + QStringLiteral("/greeting"), "from the host\n"));
        const QString problem =
            deploy("v1", QStringLiteral("volumes = [\"%1:/www/host:ro\"]\n").arg(shared).toUtf8());
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QString read;
        QCOMPARE(shell(QStringLiteral("web-1"), QStringLiteral("cat /www/host/greeting"), &read), 0);
        QCOMPARE(read.trimmed(), QStringLiteral("from the host"));
        QVERIFY(shell(QStringLiteral("web-1"), QStringLiteral("echo no > /www/host/written")) != 0);
        QVERIFY(!QFile::exists(shared + QStringLiteral("/written")));

        const QString missing = m_data->filePath(QStringLiteral("not-there"));
        for (const QString &target : {QStringLiteral("local"), QStringLiteral("remote")}) {
            QVERIFY(commit("v2", QStringLiteral("volumes = [\"%1:/www/host\"]\n").arg(missing).toUtf8()));
            const CliRun run =
                cli({QStringLiteral("deploy"), m_repo->path(), QStringLiteral("--target"), target});
            QVERIFY2(run.exitCode == 1, qPrintable(run.err + QString::fromUtf8(run.out)));
            // The target's line of the result table says why.
            const QString expected =
                QStringLiteral(": [deploy] volumes \"%1:/www/host\": %1 does not exist on the "
                               "target's host")
                    .arg(missing);
            QString line;
            for (const QString &printed : QString::fromUtf8(run.out).split(u'\n'))
                if (printed.startsWith(target))
                    line = printed;
            QVERIFY2(line.contains(QStringLiteral("failed   target ") + target) && line.endsWith(expected),
                     qPrintable(QString::fromUtf8(run.out)));
            QVERIFY2(!QFileInfo::exists(missing), "the engine made the missing directory");
            QCOMPARE(webContainers(), (QMap<QString, bool>{{QStringLiteral("web-1"), true}}));
        }

        // A path the remote shell must not read as anything but a path.
        const QString odd = m_data->filePath(QStringLiteral("it's a $HOME `dir`; true"));
        QVERIFY(QDir().mkpath(odd));
        QVERIFY(slipway::test::writeFile(odd + QStringLiteral("/greeting"), "odd\n"));
        const QString oddProblem =
            deploy("v3", QStringLiteral("volumes = [\"%1:/www/host:ro\"]\n").arg(odd).toUtf8(),
                   QStringLiteral("remote"));
        QVERIFY2(oddProblem.isEmpty(), qPrintable(oddProblem));
        QCOMPARE(shell(QStringLiteral("web-4"), QStringLiteral("cat /www/host/greeting"), &read), 0);
        QCOMPARE(read.trimmed(), QStringLiteral("odd"));
    }
};

int main(int argc, char **argv)
{
    // Secrets live in the system keychain: the tests run on a D-Bus session of their own with
    // an unlocked gnome-keyring, as tst_keychain does.
    const char modeVariable[] = "SLIPWAY_TST_DEPLOYSETTINGS";
    if (qEnvironmentVariableIsEmpty(modeVariable))
        return slipway::test::runUnderKeyring(argc, argv, modeVariable);
    QCoreApplication app(argc, argv);
    TestDeploySettings test;
    return QTest::qExec(&test, argc, argv);
}
#include "tst_deploysettings.moc"
