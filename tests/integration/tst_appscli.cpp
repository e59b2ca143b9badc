// slipway-cli app list|stop|start|restart|remove|maintenance|live and target remove
// --remove-apps end to end, on a real engine (each function once on Podman and once on Docker):
// the busybox web app is deployed by slipway-cli, what the engine reports (GET
// /containers/json, through EngineClient) is the proof of each operation, and the history
// database has each one recorded. Behind the target's proxy (HAProxy from Debian's package as
// its image), requests through the proxy's published port are the proof.
#include "clirun.h"
#include "deploy/proxy.h"
#include "dockerservice.h"
#include "engine/engineclient.h"
#include "gitrepo.h"
#include "history/history.h"
#include "loadgenerator.h"
#include "podmanservice.h"
#include "processes.h"
#include "util/paths.h"
#include "webapp.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <map>
#include <memory>

using namespace slipway;
using slipway::test::CliRun;
using slipway::test::DockerService;
using slipway::test::EngineService;
using slipway::test::GitRepo;
using slipway::test::LoadGenerator;
using slipway::test::PodmanService;

class TestAppsCli final : public QObject
{
    Q_OBJECT

private:
    std::map<QString, std::unique_ptr<EngineService>> m_engines; // by the global data row
    EngineService *m_engine = nullptr;
    std::unique_ptr<QTemporaryDir> m_data;
    std::unique_ptr<GitRepo> m_repo;
    quint16 m_port = 0;

    CliRun cli(QStringList arguments)
    {
        arguments.prepend(m_data->path());
        arguments.prepend(QStringLiteral("--data-dir"));
        return slipway::test::runCli(arguments);
    }
    static QJsonDocument json(const CliRun &run) { return QJsonDocument::fromJson(run.out); }

    // The app's containers as the engine lists them (GET /containers/json?all=1): name -> state.
    QMap<QString, QString> engineContainers(const QString &app = QStringLiteral("web"))
    {
        EngineClient client(Target{QStringLiteral("engine"), m_engine->endpoint(), {}, {}, {}, {}, 0, 0});
        QMap<QString, QString> found;
        if (!client.connect())
            return {{QStringLiteral("error"), QStringLiteral("cannot connect")}};
        auto list = client.listContainers({QStringLiteral("io.slipway.app=") + app});
        if (!list)
            return {{QStringLiteral("error"), list.error().message}};
        for (const ContainerSummary &container : list.value())
            found.insert(container.name, container.state);
        return found;
    }
    QString startedAt(const QString &name)
    {
        EngineClient client(Target{QStringLiteral("engine"), m_engine->endpoint(), {}, {}, {}, {}, 0, 0});
        if (!client.connect())
            return {};
        auto state = client.inspectContainer(name);
        return state ? state->startedAt : QString();
    }
    // The app "web" as `app list --json` shows it; an empty object when it is not listed.
    QJsonObject listed(const QString &target = QStringLiteral("local"))
    {
        const CliRun run = cli({QStringLiteral("app"), QStringLiteral("list"), QStringLiteral("--json")});
        const QJsonArray apps = json(run).object().value(QStringLiteral("apps")).toArray();
        for (const QJsonValue &app : apps)
            if (app[QStringLiteral("app")].toString() == u"web" &&
                app[QStringLiteral("target")].toString() == target)
                return app.toObject();
        return {};
    }
    QString deploy(const QByteArray &version)
    {
        if (!slipway::test::commitWebApp(*m_repo, version, true, m_port))
            return QStringLiteral("cannot commit");
        const CliRun run = cli(
            {QStringLiteral("deploy"), m_repo->path(), QStringLiteral("--target"), QStringLiteral("local")});
        return run.exitCode == 0 ? QString() : run.err + QString::fromUtf8(run.out);
    }
    // Commits the web app `version` to `repo` as app `name` (its [deploy] name), with
    // [deploy.proxy] for `host` when one is given, and deploys it to the target local.
    QString deployApp(GitRepo &repo, const QByteArray &name, const QByteArray &version, quint16 port,
                      const QByteArray &host = {})
    {
        const QByteArray proxy = host.isEmpty()
                                     ? QByteArray()
                                     : QByteArray("[deploy.proxy]\nhosts = [\"" + host +
                                                  "\"]\nport = " + QByteArray::number(port) + '\n');
        if (!slipway::test::commitWebApp(repo, version, true, port, {}, 0, "6s", proxy))
            return QStringLiteral("cannot commit");
        if (name != "web") {
            QFile toml(repo.path() + QStringLiteral("/slipway.toml"));
            if (!toml.open(QIODevice::ReadOnly))
                return QStringLiteral("cannot read slipway.toml");
            const QByteArray text =
                toml.readAll().replace("name = \"web\"", QByteArray("name = \"" + name + '"'));
            toml.close();
            if (!repo.writeFile(QStringLiteral("slipway.toml"), text) ||
                repo.commit(QString::fromUtf8(version + " as " + name)).isEmpty())
                return QStringLiteral("cannot commit slipway.toml");
        }
        const CliRun run =
            cli({QStringLiteral("deploy"), repo.path(), QStringLiteral("--target"), QStringLiteral("local")});
        return run.exitCode == 0 ? QString() : run.err + QString::fromUtf8(run.out);
    }
    // One request through the proxy's HTTP port for `host`: the body, or "HTTP N BODY".
    static QString ask(quint16 port, const QString &host)
    {
        return LoadGenerator::askOnce(QStringLiteral("http://127.0.0.1:%1/").arg(port), host);
    }
    // What `target check local` prints: its lines, else the error.
    QStringList checked()
    {
        const CliRun run = cli({QStringLiteral("target"), QStringLiteral("check"), QStringLiteral("local")});
        if (run.exitCode != 0)
            return {QStringLiteral("exit %1: %2").arg(run.exitCode).arg(run.err)};
        return QString::fromUtf8(run.out).split(u'\n', Qt::SkipEmptyParts);
    }
    QList<OperationRecord> operations()
    {
        auto history = History::open(History::defaultPath(DataDirs::resolve(m_data->path()).data));
        if (!history)
            return {};
        auto list = history.value()->operations();
        return list ? list.value() : QList<OperationRecord>{};
    }

private Q_SLOTS:
    void initTestCase_data() { slipway::test::addEngineRows(); }

    void initTestCase()
    {
        m_engines[QStringLiteral("podman")] =
            std::make_unique<PodmanService>(PodmanService::Listen::UnixSocket);
        m_engines[QStringLiteral("docker")] = std::make_unique<DockerService>();
        for (const auto &[name, engine] : m_engines)
            QVERIFY2(engine->start(), qPrintable(engine->errorString()));
        m_port = slipway::test::freeLoopbackPort();
    }

    void init()
    {
        QFETCH_GLOBAL(QString, engine);
        m_engine = m_engines[engine].get();
        QString error;
        QVERIFY2(m_engine->reset(QStringLiteral("localhost/slipway-"), &error), qPrintable(error));
        m_data = std::make_unique<QTemporaryDir>();
        m_repo = std::make_unique<GitRepo>();
        QVERIFY(m_data->isValid() && m_repo->isValid());
        const CliRun run = cli({QStringLiteral("target"), QStringLiteral("add"), QStringLiteral("local"),
                                QStringLiteral("--endpoint"), m_engine->endpoint()});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    }

    // Stop, start, restart: each changes what the engine reports, is recorded with who and when,
    // and the listing agrees with the history (no drift).
    void stopStartRestart()
    {
        const QString problem = deploy("v1");
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QCOMPARE(engineContainers(),
                 (QMap<QString, QString>{{QStringLiteral("web-1"), QStringLiteral("running")}}));
        QJsonObject web = listed();
        QCOMPARE(web[QStringLiteral("state")].toString(), QStringLiteral("running"));
        QCOMPARE(web[QStringLiteral("release")].toInt(), 1);
        QCOMPARE(web[QStringLiteral("message")].toString(), QStringLiteral("v1"));
        QCOMPARE(web[QStringLiteral("drift")].toString(), QString());
        QCOMPARE(web[QStringLiteral("containers")].toArray().size(), 1);

        CliRun run = cli({QStringLiteral("app"), QStringLiteral("stop"), QStringLiteral("web")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QCOMPARE(QString::fromUtf8(run.out).trimmed(), QStringLiteral("web on local: stopped web-1"));
        QCOMPARE(engineContainers().value(QStringLiteral("web-1")), QStringLiteral("exited"));
        web = listed();
        QCOMPARE(web[QStringLiteral("state")].toString(), QStringLiteral("stopped"));
        QCOMPARE(web[QStringLiteral("expected")].toString(), QStringLiteral("stopped"));
        QCOMPARE(web[QStringLiteral("drift")].toString(), QString()); // stopped with Slipway: as recorded

        run = cli({QStringLiteral("app"), QStringLiteral("start"), QStringLiteral("web"),
                   QStringLiteral("--json")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QJsonObject started = json(run).array().first().toObject();
        QCOMPARE(started[QStringLiteral("action")].toString(), QStringLiteral("start"));
        QCOMPARE(started[QStringLiteral("result")].toString(), QStringLiteral("succeeded"));
        QCOMPARE(started[QStringLiteral("releaseId")].toInt(), 1);
        QCOMPARE(engineContainers().value(QStringLiteral("web-1")), QStringLiteral("running"));
        QCOMPARE(listed()[QStringLiteral("drift")].toString(), QString());

        const QString before = startedAt(QStringLiteral("web-1"));
        run = cli({QStringLiteral("app"), QStringLiteral("restart"), QStringLiteral("web"),
                   QStringLiteral("--target"), QStringLiteral("local")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QCOMPARE(engineContainers().value(QStringLiteral("web-1")), QStringLiteral("running"));
        QVERIFY2(startedAt(QStringLiteral("web-1")) != before, qPrintable(before));

        const QList<OperationRecord> recorded = operations();
        QCOMPARE(recorded.size(), 3);
        const QList<OperationAction> actions{OperationAction::Restart, OperationAction::Start,
                                             OperationAction::Stop};
        for (qsizetype i = 0; i < recorded.size(); ++i) {
            QCOMPARE(recorded.at(i).action, actions.at(i));
            QVERIFY(recorded.at(i).succeeded);
            QCOMPARE(recorded.at(i).app, QStringLiteral("web"));
            QCOMPARE(recorded.at(i).target, QStringLiteral("local"));
            QVERIFY(!recorded.at(i).user.isEmpty());
            QVERIFY(recorded.at(i).finished >= recorded.at(i).started);
        }
        run = cli({QStringLiteral("history"), QStringLiteral("--operations")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QStringList lines = QString::fromUtf8(run.out).split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 4);
        QVERIFY2(lines.at(1).contains(QStringLiteral("restart")) &&
                     lines.at(1).contains(QStringLiteral("restarted web-1")),
                 qPrintable(lines.at(1)));
        QVERIFY2(lines.at(3).contains(QStringLiteral("stopped web-1")), qPrintable(lines.at(3)));
    }

    // What is done to the app outside Slipway shows as drift; the next deploy ends it.
    void handMadeChangesShowAsDrift()
    {
        const QString problem = deploy("v1");
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QCOMPARE(m_engine->cli({QStringLiteral("stop"), QStringLiteral("-t"), QStringLiteral("0"),
                                QStringLiteral("web-1")}),
                 0);
        QJsonObject web = listed();
        QCOMPARE(web[QStringLiteral("state")].toString(), QStringLiteral("stopped"));
        QVERIFY2(web[QStringLiteral("drift")].toString().startsWith(
                     QStringLiteral("release 1 should run, but web-1 is exited")),
                 qPrintable(web[QStringLiteral("drift")].toString()));
        // The table says it too, under the app's row.
        const CliRun table = cli({QStringLiteral("app"), QStringLiteral("list")});
        QVERIFY2(table.exitCode == 0, qPrintable(table.err));
        QVERIFY2(table.out.contains("web on local: drift: release 1 should run, but web-1 is exited"),
                 table.out.constData());

        QCOMPARE(m_engine->cli({QStringLiteral("rm"), QStringLiteral("-f"), QStringLiteral("web-1")}), 0);
        web = listed();
        QCOMPARE(web[QStringLiteral("state")].toString(), QStringLiteral("missing"));
        QCOMPARE(web[QStringLiteral("drift")].toString(),
                 QStringLiteral("removed outside Slipway: release 1 should run"));

        const QString again = deploy("v2");
        QVERIFY2(again.isEmpty(), qPrintable(again));
        web = listed();
        QCOMPARE(web[QStringLiteral("release")].toInt(), 2);
        QCOMPARE(web[QStringLiteral("state")].toString(), QStringLiteral("running"));
        QCOMPARE(web[QStringLiteral("drift")].toString(), QString());

        // Stopped with Slipway, then removed by hand: not as the history has it either.
        const CliRun stopped = cli({QStringLiteral("app"), QStringLiteral("stop"), QStringLiteral("web")});
        QVERIFY2(stopped.exitCode == 0, qPrintable(stopped.err));
        QCOMPARE(listed()[QStringLiteral("drift")].toString(), QString());
        QCOMPARE(m_engine->cli({QStringLiteral("rm"), QStringLiteral("-f"), QStringLiteral("web-2")}), 0);
        web = listed();
        QCOMPARE(web[QStringLiteral("expected")].toString(), QStringLiteral("stopped"));
        QCOMPARE(web[QStringLiteral("drift")].toString(),
                 QStringLiteral("removed outside Slipway after it was stopped with Slipway"));
    }

    // A running app's CPU and memory come from the engine's stats stream.
    void statsOfARunningApp()
    {
        const QString problem = deploy("v1");
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        const CliRun run = cli({QStringLiteral("app"), QStringLiteral("list"), QStringLiteral("--stats"),
                                QStringLiteral("--json")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QJsonObject stats =
            json(run).object()[QStringLiteral("apps")].toArray().first()[QStringLiteral("stats")].toObject();
        QVERIFY2(!stats.isEmpty(), run.out.constData());
        QVERIFY2(stats[QStringLiteral("memoryUsed")].toDouble() > 0, run.out.constData());
        QVERIFY2(stats[QStringLiteral("memoryLimit")].toDouble() >=
                     stats[QStringLiteral("memoryUsed")].toDouble(),
                 run.out.constData());
        QVERIFY2(stats[QStringLiteral("cpuPercent")].toDouble() >= 0, run.out.constData());
    }

    // Remove takes every container of the app, is recorded, and the app leaves the listing;
    // target remove --remove-apps does it to every app of the target before the target goes.
    void removeAndRemoveTarget()
    {
        QString problem = deploy("v1");
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        CliRun run = cli({QStringLiteral("app"), QStringLiteral("remove"), QStringLiteral("web")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY(engineContainers().isEmpty());
        QVERIFY(listed().isEmpty());
        QCOMPARE(operations().first().action, OperationAction::Remove);
        QCOMPARE(operations().first().detail, QStringLiteral("removed web-1"));

        problem = deploy("v2");
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QCOMPARE(engineContainers(),
                 (QMap<QString, QString>{{QStringLiteral("web-2"), QStringLiteral("running")}}));
        // Without --remove-apps the app stays, and the CLI says so.
        run = cli({QStringLiteral("target"), QStringLiteral("add"), QStringLiteral("again"),
                   QStringLiteral("--endpoint"), m_engine->endpoint()});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        run = cli({QStringLiteral("target"), QStringLiteral("remove"), QStringLiteral("local"),
                   QStringLiteral("--remove-apps")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY2(run.out.contains("web on local: removed web-2"), run.out.constData());
        QVERIFY(engineContainers().isEmpty());
        QCOMPARE(operations().first().detail, QStringLiteral("removed web-2"));
    }

    // Two apps on one target: each rolls back to its own previous release, never to the other
    // app's; without --app the rollback names both and does nothing.
    void twoAppsOnATargetRollBackApart()
    {
        QVERIFY2(deploy("web v1").isEmpty(), "web v1");
        GitRepo api;
        const quint16 apiPort = slipway::test::freeLoopbackPort();
        const auto deployApi = [&](const QByteArray &version) {
            if (!slipway::test::commitWebApp(api, version, true, apiPort))
                return QStringLiteral("cannot commit");
            QFile toml(api.path() + QStringLiteral("/slipway.toml"));
            if (!toml.open(QIODevice::ReadOnly))
                return QStringLiteral("cannot read");
            QByteArray text = toml.readAll().replace("name = \"web\"", "name = \"api\"");
            toml.close();
            if (!api.writeFile(QStringLiteral("slipway.toml"), text) ||
                api.commit(QString::fromUtf8(version)).isEmpty())
                return QStringLiteral("cannot commit");
            const CliRun run = cli(
                {QStringLiteral("deploy"), api.path(), QStringLiteral("--target"), QStringLiteral("local")});
            return run.exitCode == 0 ? QString() : run.err + QString::fromUtf8(run.out);
        };
        QString problem = deployApi("api v1"); // release 2
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        problem = deployApi("api v2"); // release 3: api's newest, the target's newest too
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QVERIFY2(deploy("web v2").isEmpty(), "web v2"); // release 4
        QCOMPARE(engineContainers(QStringLiteral("web")).keys(), QStringList{QStringLiteral("web-4")});
        QCOMPARE(engineContainers(QStringLiteral("api")).keys(), QStringList{QStringLiteral("api-3")});

        CliRun run = cli({QStringLiteral("rollback"), QStringLiteral("--target"), QStringLiteral("local")});
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(run.errors(),
                 QStringList{QStringLiteral("slipway-cli rollback: target local runs several apps "
                                            "(api, web): say which one")});

        run = cli({QStringLiteral("rollback"), QStringLiteral("--target"), QStringLiteral("local"),
                   QStringLiteral("--app"), QStringLiteral("api")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QCOMPARE(engineContainers(QStringLiteral("api")).keys(), QStringList{QStringLiteral("api-2")});
        QCOMPARE(engineContainers(QStringLiteral("web")).keys(), QStringList{QStringLiteral("web-4")});

        run = cli({QStringLiteral("rollback"), QStringLiteral("--target"), QStringLiteral("local"),
                   QStringLiteral("--app"), QStringLiteral("web")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QCOMPARE(engineContainers(QStringLiteral("web")).keys(), QStringList{QStringLiteral("web-1")});
        QCOMPARE(engineContainers(QStringLiteral("api")).keys(), QStringList{QStringLiteral("api-2")});

        run = cli({QStringLiteral("rollback"), QStringLiteral("--target"), QStringLiteral("local"),
                   QStringLiteral("--app"), QStringLiteral("web"), QStringLiteral("--to"),
                   QStringLiteral("3")});
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(run.errors(),
                 QStringList{QStringLiteral("slipway-cli rollback: release 3 is of app api, not web")});
        run = cli({QStringLiteral("rollback"), QStringLiteral("--target"), QStringLiteral("local"),
                   QStringLiteral("--app"), QStringLiteral("nope")});
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(run.errors(), QStringList{QStringLiteral(
                                   "slipway-cli rollback: target local: app nope was never deployed there")});
    }

    // Two repositories both called api, without a [deploy] name: two apps, not one that
    // replaces the other's container; each rolls back on its own.
    void twoRepositoriesOfOneNameAreTwoApps()
    {
        QTemporaryDir places;
        QVERIFY(places.isValid());
        QStringList clones;
        std::vector<std::unique_ptr<GitRepo>> origins;
        QList<quint16> ports;
        for (const char *place : {"one", "two"}) {
            origins.push_back(std::make_unique<GitRepo>());
            GitRepo &origin = *origins.back();
            ports.append(slipway::test::freeLoopbackPort());
            QVERIFY(slipway::test::commitWebApp(origin, place, true, ports.constLast()));
            QFile toml(origin.path() + QStringLiteral("/slipway.toml"));
            QVERIFY(toml.open(QIODevice::ReadOnly));
            const QByteArray text = toml.readAll().replace("name = \"web\"\n", "");
            toml.close();
            QVERIFY(origin.writeFile(QStringLiteral("slipway.toml"), text));
            QVERIFY(!origin.commit(QStringLiteral("no name")).isEmpty());
            clones.append(places.filePath(QString::fromLatin1(place) + QStringLiteral("/api")));
            QVERIFY(QDir().mkpath(clones.constLast()));
            QVERIFY(origin.gitOk(
                {QStringLiteral("clone"), QStringLiteral("-q"), origin.path(), clones.constLast()}));
        }
        const auto deployClone = [&](int which) {
            const CliRun run = cli({QStringLiteral("deploy"), clones.at(which), QStringLiteral("--target"),
                                    QStringLiteral("local"), QStringLiteral("--json")});
            return run.exitCode == 0 ? QString() : run.err + QString::fromUtf8(run.out);
        };
        QString problem = deployClone(0);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        problem = deployClone(1);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        const QString other =
            QStringLiteral("api-") +
            QString::fromLatin1(
                QCryptographicHash::hash(clones.at(1).toUtf8(), QCryptographicHash::Sha256).toHex().left(6));
        QCOMPARE(engineContainers(QStringLiteral("api")),
                 (QMap<QString, QString>{{QStringLiteral("api-1"), QStringLiteral("running")}}));
        QCOMPARE(engineContainers(other),
                 (QMap<QString, QString>{{other + QStringLiteral("-2"), QStringLiteral("running")}}));
        auto history = History::open(History::defaultPath(DataDirs::resolve(m_data->path()).data));
        QVERIFY(history);
        const auto projects = history.value()->projects();
        QVERIFY(projects.ok());
        QMap<QString, QString> sourceOf;
        for (const ProjectRecord &project : projects.value())
            sourceOf.insert(project.name, project.source);
        QCOMPARE(sourceOf,
                 (QMap<QString, QString>{{QStringLiteral("api"), clones.at(0)}, {other, clones.at(1)}}));
        history.value().reset();

        // A new commit of the first, then its rollback: the second is not touched.
        QVERIFY(origins.front()->writeFile(QStringLiteral("www/index.html"), "one v2"));
        QVERIFY(!origins.front()->commit(QStringLiteral("one v2")).isEmpty());
        QVERIFY(origins.front()->gitOk(
            {QStringLiteral("-C"), clones.at(0), QStringLiteral("pull"), QStringLiteral("-q")}));
        problem = deployClone(0);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QCOMPARE(engineContainers(QStringLiteral("api")).keys(), QStringList{QStringLiteral("api-3")});
        // Named by its repository, as deploy takes it: the app it was deployed as.
        CliRun back = cli({QStringLiteral("rollback"), clones.at(0), QStringLiteral("--target"),
                           QStringLiteral("local"), QStringLiteral("--app"), QStringLiteral("api")});
        QCOMPARE(back.exitCode, 2);
        QCOMPARE(back.errors(),
                 QStringList{QStringLiteral("slipway-cli rollback: give SOURCE or --app, not both")});
        back = cli(
            {QStringLiteral("rollback"), clones.at(0), QStringLiteral("--target"), QStringLiteral("local")});
        QVERIFY2(back.exitCode == 0, qPrintable(back.err));
        QCOMPARE(engineContainers(QStringLiteral("api")).keys(), QStringList{QStringLiteral("api-1")});
        QCOMPARE(engineContainers(other).keys(), QStringList{other + QStringLiteral("-2")});
        back = cli({QStringLiteral("rollback"), places.filePath(QStringLiteral("never")),
                    QStringLiteral("--target"), QStringLiteral("local")});
        QCOMPARE(back.exitCode, 2);
        QCOMPARE(back.errors(),
                 QStringList{QStringLiteral("slipway-cli rollback: %1 was never deployed (from this history)")
                                 .arg(places.filePath(QStringLiteral("never")))});
    }

    // An app behind the target's proxy: `app maintenance` has the proxy answer its host with 503
    // and the maintenance page while its container keeps running, `target check` and `app
    // list` say so, `app live` serves it again; each is recorded. An app the proxy does not
    // route (none there yet, or one that routes others) cannot be put in maintenance: one line
    // naming target and app, exit 2, nothing recorded. `app remove` takes the route away.
    void maintenanceBehindTheProxy()
    {
        const QString proxyImage = QStringLiteral("localhost/slipway-test/haproxy:2.6");
        QString error;
        QVERIFY2(m_engine->importHaproxy(proxyImage, &error), qPrintable(error));
        QVERIFY(m_engine->removeVolume(QString::fromLatin1(TargetProxy::volume)));
        // Ports of its own for each engine: the other engine's proxy may hold the last ones.
        const quint16 http = slipway::test::freeLoopbackPort();
        const quint16 https = slipway::test::freeLoopbackPort();
        CliRun run = cli({QStringLiteral("target"), QStringLiteral("remove"), QStringLiteral("local")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        run = cli({QStringLiteral("target"), QStringLiteral("add"), QStringLiteral("local"),
                   QStringLiteral("--endpoint"), m_engine->endpoint(), QStringLiteral("--proxy-image"),
                   proxyImage, QStringLiteral("--proxy-http-port"), QString::number(http),
                   QStringLiteral("--proxy-https-port"), QString::number(https)});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QString ports = QStringLiteral("ports %1 and %2").arg(http).arg(https);
        const QString maintenance = QStringLiteral("maintenance");

        // No proxy on the target yet: api, deployed without one, is behind none.
        GitRepo apiRepo;
        QString problem = deployApp(apiRepo, "api", "api v1", slipway::test::freeLoopbackPort());
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QCOMPARE(
            checked().value(1),
            QStringLiteral("no proxy yet (made by the first deploy with [deploy.proxy], on %1)").arg(ports));
        const auto notBehind = [&](const QString &action) {
            const CliRun refused = cli({QStringLiteral("app"), action, QStringLiteral("api"),
                                        QStringLiteral("--target"), QStringLiteral("local")});
            return refused.exitCode == 2 &&
                   refused.errors() ==
                       QStringList{QStringLiteral("slipway-cli app %1: target local: app api is "
                                                  "not behind a proxy")
                                       .arg(action)};
        };
        QVERIFY(notBehind(maintenance));

        // web behind the proxy, for the host web.test.
        problem = deployApp(*m_repo, "web", "v1", m_port, "web.test");
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QCOMPARE(ask(http, QStringLiteral("web.test")), QStringLiteral("v1"));
        QCOMPARE(checked().value(1), QStringLiteral("proxy on %1: web (web.test)").arg(ports));
        // The proxy runs now, and routes web only.
        QVERIFY(notBehind(maintenance));
        QVERIFY(notBehind(QStringLiteral("live")));
        QVERIFY(operations().isEmpty());

        run = cli({QStringLiteral("app"), maintenance, QStringLiteral("web"), QStringLiteral("--target"),
                   QStringLiteral("local")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QCOMPARE(QString::fromUtf8(run.out).trimmed(),
                 QStringLiteral("web on local: web is in maintenance: the proxy answers 503"));
        const QString down = ask(http, QStringLiteral("web.test"));
        QVERIFY2(down.startsWith(QStringLiteral("HTTP 503 ")) &&
                     down.contains(QStringLiteral("Down for maintenance")),
                 qPrintable(down));
        QCOMPARE(engineContainers().value(QStringLiteral("web-2")), QStringLiteral("running"));
        QCOMPARE(ask(http, QStringLiteral("other.test")), QStringLiteral("HTTP 404 No app is routed here."));
        QCOMPARE(checked().value(1),
                 QStringLiteral("proxy on %1: web (web.test, in maintenance)").arg(ports));
        const CliRun json = cli({QStringLiteral("target"), QStringLiteral("check"), QStringLiteral("local"),
                                 QStringLiteral("--json")});
        QVERIFY2(json.exitCode == 0, qPrintable(json.err));
        const QJsonObject proxy = QJsonDocument::fromJson(json.out).object().value(u"proxy").toObject();
        QVERIFY2(proxy.value(u"exists").toBool() && proxy.value(u"running").toBool(), json.out.constData());
        QCOMPARE(proxy.value(u"image").toString(), proxyImage);
        QCOMPARE(proxy.value(u"httpPort").toInt(), int(http));
        QCOMPARE(proxy.value(u"httpsPort").toInt(), int(https));
        const QJsonArray routes = proxy.value(u"routes").toArray();
        QCOMPARE(routes.size(), 1);
        QCOMPARE(routes.first().toObject(),
                 (QJsonObject{{QStringLiteral("app"), QStringLiteral("web")},
                              {QStringLiteral("hosts"), QJsonArray{QStringLiteral("web.test")}},
                              {QStringLiteral("pathPrefix"), QString()},
                              {QStringLiteral("tls"), false},
                              {QStringLiteral("maintenance"), true}}));
        // app list: in maintenance, and still as the history says it should run (no drift).
        QJsonObject web = listed();
        QVERIFY2(web[QStringLiteral("proxied")].toBool() && web[QStringLiteral("maintenance")].toBool(),
                 qPrintable(QString::fromUtf8(QJsonDocument(web).toJson())));
        QCOMPARE(web[QStringLiteral("state")].toString(), QStringLiteral("running"));
        QCOMPARE(web[QStringLiteral("expected")].toString(), QStringLiteral("running"));
        QCOMPARE(web[QStringLiteral("drift")].toString(), QString());
        QCOMPARE(web[QStringLiteral("lastOperation")][QStringLiteral("action")].toString(), maintenance);
        run = cli({QStringLiteral("app"), QStringLiteral("list")});
        QVERIFY2(run.out.contains("web on local: in maintenance: the proxy answers 503"),
                 run.out.constData());
        // Again, with no target named: every target that has web (local), where it was already.
        run = cli({QStringLiteral("app"), maintenance, QStringLiteral("web")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QCOMPARE(QString::fromUtf8(run.out).trimmed(),
                 QStringLiteral("web on local: web was in maintenance already"));

        run = cli({QStringLiteral("app"), QStringLiteral("live"), QStringLiteral("web"),
                   QStringLiteral("--target"), QStringLiteral("local"), QStringLiteral("--json")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QJsonObject live = QJsonDocument::fromJson(run.out).array().first().toObject();
        QCOMPARE(live[QStringLiteral("action")].toString(), QStringLiteral("live"));
        QCOMPARE(live[QStringLiteral("result")].toString(), QStringLiteral("succeeded"));
        QCOMPARE(live[QStringLiteral("detail")].toString(), QStringLiteral("web is live again"));
        QCOMPARE(ask(http, QStringLiteral("web.test")), QStringLiteral("v1"));
        QCOMPARE(checked().value(1), QStringLiteral("proxy on %1: web (web.test)").arg(ports));
        web = listed();
        QVERIFY(web[QStringLiteral("proxied")].toBool() && !web[QStringLiteral("maintenance")].toBool());

        QList<OperationRecord> recorded = operations();
        QCOMPARE(recorded.size(), 3);
        QCOMPARE(recorded.at(0).action, OperationAction::Live);
        QCOMPARE(recorded.at(1).action, OperationAction::Maintenance);
        QCOMPARE(recorded.at(1).detail, QStringLiteral("web was in maintenance already"));
        QCOMPARE(recorded.at(2).action, OperationAction::Maintenance);
        for (const OperationRecord &operation : std::as_const(recorded)) {
            QVERIFY(operation.succeeded);
            QCOMPARE(operation.app, QStringLiteral("web"));
            QCOMPARE(operation.releaseId, 2);
        }

        // Removed: its containers, and its route; the proxy answers web.test as any host it
        // does not know.
        run = cli({QStringLiteral("app"), QStringLiteral("remove"), QStringLiteral("web"),
                   QStringLiteral("--target"), QStringLiteral("local")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QCOMPARE(QString::fromUtf8(run.out).trimmed(),
                 QStringLiteral("web on local: removed web-2; the proxy no longer routes web"));
        QVERIFY(engineContainers().isEmpty());
        QCOMPARE(ask(http, QStringLiteral("web.test")), QStringLiteral("HTTP 404 No app is routed here."));
        QCOMPARE(checked().value(1), QStringLiteral("proxy on %1: no apps").arg(ports));
        QCOMPARE(operations().first().action, OperationAction::Remove);
        QCOMPARE(engineContainers(QStringLiteral("api")).value(QStringLiteral("api-1")),
                 QStringLiteral("running"));
    }

    void badInputNamesTheProblem()
    {
        CliRun run = cli({QStringLiteral("app"), QStringLiteral("stop"), QStringLiteral("nothing")});
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(run.errors(),
                 QStringList{QStringLiteral(
                     "slipway-cli app stop: app nothing has no container on any target (local)")});
        run = cli({QStringLiteral("app"), QStringLiteral("stop"), QStringLiteral("nothing"),
                   QStringLiteral("--target"), QStringLiteral("local")});
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(run.errors(),
                 QStringList{QStringLiteral(
                     "slipway-cli app stop: target local: app nothing has no container there")});
        run = cli({QStringLiteral("app"), QStringLiteral("restart"), QStringLiteral("web"),
                   QStringLiteral("--target"), QStringLiteral("nope")});
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(run.errors().size(), 1);
        QVERIFY2(run.errors().first().contains(QStringLiteral("nope")), qPrintable(run.err));
        run = cli({QStringLiteral("app")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral(
                     "needs a subcommand: list, stop, start, restart, remove, maintenance or live")),
                 qPrintable(run.err));
        QVERIFY(operations().isEmpty()); // nothing was done, nothing recorded

        // An unreachable target is marked, not waited on, and the others are still listed.
        const QString problem = deploy("v1");
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        run = cli({QStringLiteral("target"), QStringLiteral("add"), QStringLiteral("gone"),
                   QStringLiteral("--endpoint"),
                   QStringLiteral("unix://") + m_data->filePath(QStringLiteral("no-engine.sock"))});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        run = cli({QStringLiteral("app"), QStringLiteral("list")});
        QCOMPARE(run.exitCode, 1);
        QCOMPARE(run.errors().size(), 1);
        QVERIFY2(run.errors().first().startsWith(
                     QStringLiteral("slipway-cli app list: target gone: unreachable: ")),
                 qPrintable(run.err));
        QVERIFY2(run.out.contains("web  local"), run.out.constData());
    }
};

QTEST_GUILESS_MAIN(TestAppsCli)
#include "tst_appscli.moc"
