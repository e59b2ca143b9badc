// Rollouts to a Swarm target: the harness's dockerd made a one-node Swarm manager (POST
// /swarm/init on a loopback port), and the harness registry, which the nodes pull release
// images from by digest. Release images are busybox httpd on port 8080, made and pushed by that
// same dockerd (docker import keeps a HEALTHCHECK, which an OCI image made by podman cannot
// carry) and then removed from it, so every rollout pulls. Every function starts with no
// service and no container (init()) and deploys what it needs first itself. Refusals that need
// another kind of engine (a Swarm worker, an engine in no Swarm) are told by an HttpStub that
// answers /_ping and /info as such an engine does.

#include "deploy/rollout.h"
#include "deploy/targetdriver.h"
#include "dockerservice.h"
#include "engine/engineclient.h"
#include "httpprobe.h"
#include "httpstub.h"
#include "loadgenerator.h"
#include "processes.h"
#include "registryserver.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace slipway;
using slipway::test::DockerService;
using slipway::test::HttpStub;
using slipway::test::RegistryServer;

namespace {

constexpr int appPort = 8080; // inside the task's container

const QString healthcheck =
    QStringLiteral(
        "HEALTHCHECK --interval=1s --timeout=2s --retries=2 CMD [\"/bin/busybox\", \"wget\", \"-q\", "
        "\"-O\", \"/dev/null\", \"http://127.0.0.1:%1/health\"]")
        .arg(appPort);

QString describe(const RolloutResult &result)
{
    QStringList lines;
    for (const TargetOutcome &outcome : result.targets)
        lines.append(
            outcome.target +
            (outcome.healthy ? QStringLiteral(" healthy") : QStringLiteral(" failed: ") + outcome.error) +
            u'\n' + outcome.notes.join(u'\n'));
    return lines.join(u'\n');
}

} // namespace

class TestSwarm final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<RegistryServer> m_registry;
    std::unique_ptr<DockerService> m_docker;
    quint16 m_published = 0;           // the host port the app publishes
    QMap<QString, QString> m_releases; // name -> REGISTRY/app@DIGEST

    Target target() const
    {
        return slipway::test::engineTarget(QStringLiteral("swarm"), m_docker->endpoint());
    }

    // An image whose index.html says `name`, serving on appPort; /health is there when
    // `healthy`, and the image checks it with its HEALTHCHECK when `checked`.
    QString makeRelease(const QString &name, bool healthy, bool checked, QString *error)
    {
        QMap<QString, QByteArray> files{{QStringLiteral("www/index.html"), name.toUtf8()}};
        if (healthy)
            files.insert(QStringLiteral("www/health"), "ok\n");
        QTemporaryDir work;
        const QString tarball = work.filePath(QStringLiteral("rootfs.tar"));
        if (!work.isValid() || !slipway::test::writeBusyboxTarball(tarball, files, error))
            return {};
        QStringList changes{
            QStringLiteral("CMD [\"/bin/busybox\", \"httpd\", \"-f\", \"-vv\", \"-p\", \"%1\", "
                           "\"-h\", \"/www\"]")
                .arg(appPort)};
        if (checked)
            changes.append(healthcheck);
        const QString tag = m_registry->address() + QStringLiteral("/app:") + name;
        if (!m_docker->importTarball(tarball, tag, changes, error))
            return {};
        QString output;
        if (m_docker->docker({QStringLiteral("push"), tag}, &output) != 0) {
            *error = QStringLiteral("docker push %1: %2").arg(tag, output);
            return {};
        }
        const QRegularExpressionMatch digest =
            QRegularExpression(QStringLiteral("digest: (sha256:[0-9a-f]{64})")).match(output);
        if (!digest.hasMatch()) {
            *error = QStringLiteral("docker push %1 said no digest: %2").arg(tag, output);
            return {};
        }
        // The nodes pull it from the registry, as they would from anywhere.
        m_docker->docker({QStringLiteral("rmi"), tag});
        return m_registry->address() + QStringLiteral("/app@") + digest.captured(1);
    }

    RolloutRequest request(const QString &release, const QString &image) const
    {
        RolloutRequest r;
        r.app = QStringLiteral("app");
        r.release = release;
        r.commit = QStringLiteral("c0ffee") + release;
        r.image.reference = m_releases.value(image);
        r.deploy.name = QStringLiteral("app");
        r.deploy.ports = {QStringLiteral("%1:%2").arg(m_published).arg(appPort)};
        // busybox httpd as PID 1 ignores SIGTERM: each replaced task waits out this grace.
        r.deploy.stopTimeoutSeconds = 1;
        // No health.path: the image's HEALTHCHECK gates each task; health.timeout is the monitor
        // window (5 s without [deploy] health).
        r.deploy.health = HealthSpec{.path = {}, .port = appPort, .timeoutSeconds = 2, .intervalSeconds = 1};
        r.targets = {target()};
        return r;
    }

    // GET / on the published port.
    QString published() const
    {
        const auto reply =
            slipway::test::httpRequest({QStringLiteral("http://127.0.0.1:%1/").arg(m_published)});
        return reply.status == 200 ? QString::fromUtf8(reply.body)
                                   : QStringLiteral("HTTP %1 %2").arg(reply.status).arg(reply.error);
    }

    // `docker service inspect app` through the CLI: what Swarm has, not what Slipway says.
    QString serviceField(const QString &format) const
    {
        QString output;
        if (m_docker->docker({QStringLiteral("service"), QStringLiteral("inspect"), QStringLiteral("app"),
                              QStringLiteral("--format"), format},
                             &output) != 0)
            return QStringLiteral("failed: ") + output.trimmed();
        return output.trimmed();
    }
    QString serviceRelease() const
    {
        return serviceField(QStringLiteral("{{index .Spec.Labels \"io.slipway.release\"}}"));
    }

    // The images of the tasks Swarm wants running, and what each task's container answers,
    // asked from inside it: "IMAGE ANSWER" each, sorted.
    QStringList runningTasks() const
    {
        QString output;
        m_docker->docker({QStringLiteral("ps"), QStringLiteral("--filter"),
                          QStringLiteral("label=com.docker.swarm.service.name=app"),
                          QStringLiteral("--format"), QStringLiteral("{{.ID}}")},
                         &output);
        QStringList tasks;
        for (const QString &id : output.split(u'\n', Qt::SkipEmptyParts)) {
            QString image;
            m_docker->docker({QStringLiteral("inspect"), QStringLiteral("--format"),
                              QStringLiteral("{{index .Config.Labels \"com.docker.swarm.task.name\"}} "
                                             "{{index .Config.Labels \"io.slipway.release\"}}"),
                              id.trimmed()},
                             &image);
            QString answer;
            m_docker->docker({QStringLiteral("exec"), id.trimmed(), QStringLiteral("/bin/busybox"),
                              QStringLiteral("wget"), QStringLiteral("-q"), QStringLiteral("-O"),
                              QStringLiteral("-"), QStringLiteral("http://127.0.0.1:%1/").arg(appPort)},
                             &answer);
            tasks.append(image.trimmed().section(u' ', 1) + u' ' + answer.trimmed());
        }
        tasks.sort();
        return tasks;
    }

    // What `path` holds in each running task's container, sorted.
    QStringList taskFiles(const QString &path) const
    {
        QString output;
        m_docker->docker({QStringLiteral("ps"), QStringLiteral("--filter"),
                          QStringLiteral("label=com.docker.swarm.service.name=app"),
                          QStringLiteral("--format"), QStringLiteral("{{.ID}}")},
                         &output);
        QStringList contents;
        for (const QString &id : output.split(u'\n', Qt::SkipEmptyParts)) {
            QString content;
            m_docker->docker({QStringLiteral("exec"), id.trimmed(), QStringLiteral("/bin/busybox"),
                              QStringLiteral("cat"), path},
                             &content);
            contents.append(content.trimmed());
        }
        contents.sort();
        return contents;
    }

    // "NODE STATE" of each of the service's tasks that Swarm wants running, sorted.
    QStringList runningTaskNodes() const
    {
        QString output;
        m_docker->docker({QStringLiteral("service"), QStringLiteral("ps"), QStringLiteral("app"),
                          QStringLiteral("--filter"), QStringLiteral("desired-state=running"),
                          QStringLiteral("-q")},
                         &output);
        QStringList nodes;
        for (const QString &task : output.split(u'\n', Qt::SkipEmptyParts)) {
            QString node;
            m_docker->docker({QStringLiteral("inspect"), QStringLiteral("--format"),
                              QStringLiteral("{{.NodeID}} {{.Status.State}}"), task.trimmed()},
                             &node);
            nodes.append(node.trimmed());
        }
        nodes.sort();
        return nodes;
    }

    // The Swarm's secrets, by name, sorted.
    QStringList secretNames() const
    {
        QString output;
        m_docker->docker({QStringLiteral("secret"), QStringLiteral("ls"), QStringLiteral("--format"),
                          QStringLiteral("{{.Name}}")},
                         &output);
        QStringList names = output.split(u'\n', Qt::SkipEmptyParts);
        for (QString &name : names)
            name = name.trimmed();
        names.sort();
        return names;
    }

    // An HttpStub that answers as an engine whose GET /info says `swarm`.
    static std::unique_ptr<HttpStub> fakeEngine(const QJsonObject &swarm)
    {
        const QByteArray info = QJsonDocument(QJsonObject{{QStringLiteral("Swarm"), swarm}}).toJson();
        return std::make_unique<HttpStub>([info](const HttpStub::Request &request) {
            HttpStub::Response response;
            response.headers = {"Api-Version: 1.41", "Content-Type: application/json"};
            if (request.target.startsWith("/_ping"))
                response.body = "OK";
            else if (request.target.endsWith("/info"))
                response.body = info;
            else
                response.status = 404;
            return response;
        });
    }
    static Target stubTarget(const HttpStub &stub)
    {
        return slipway::test::engineTarget(QStringLiteral("stub"), QStringLiteral("tcp://") + stub.address());
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_registry = std::make_unique<RegistryServer>();
        QVERIFY2(m_registry->start(), qPrintable(m_registry->errorString()));
        m_docker = std::make_unique<DockerService>(QStringList{m_registry->address()});
        QVERIFY2(m_docker->start(), qPrintable(m_docker->errorString()));

        // A one-node Swarm on loopback; the service's beforeStop() leaves it again.
        QString error;
        QVERIFY2(m_docker->initSwarm(&error), qPrintable(error));
        EngineClient client(target());
        QVERIFY2(client.connect(), "connect");
        auto swarm = client.swarmInfo();
        QVERIFY2(swarm && swarm->isManager(), "not a Swarm manager");

        m_published = slipway::test::freeLoopbackPort();
        for (const QString &name : {QStringLiteral("v1"), QStringLiteral("v2")}) {
            m_releases.insert(name, makeRelease(name, true, true, &error));
            QVERIFY2(!m_releases.value(name).isEmpty(), qPrintable(error));
        }
        // Serves, but has no /health, and no HEALTHCHECK of its own: only [deploy] health.path
        // can tell it is not healthy.
        m_releases.insert(QStringLiteral("bad"), makeRelease(QStringLiteral("bad"), false, false, &error));
        QVERIFY2(!m_releases.value(QStringLiteral("bad")).isEmpty(), qPrintable(error));
    }

    // No service and no container left by the function before.
    void init()
    {
        QString output;
        m_docker->docker({QStringLiteral("service"), QStringLiteral("ls"), QStringLiteral("-q")}, &output);
        for (const QString &id : output.split(u'\n', Qt::SkipEmptyParts))
            m_docker->docker({QStringLiteral("service"), QStringLiteral("rm"), id.trimmed()});
        for (int i = 0; i < 100; ++i) {
            m_docker->docker({QStringLiteral("ps"), QStringLiteral("-aq"), QStringLiteral("--filter"),
                              QStringLiteral("label=com.docker.swarm.service.name")},
                             &output);
            if (output.trimmed().isEmpty())
                break;
            QTest::qWait(200);
        }
        m_docker->docker({QStringLiteral("secret"), QStringLiteral("ls"), QStringLiteral("-q")}, &output);
        for (const QString &id : output.split(u'\n', Qt::SkipEmptyParts))
            m_docker->docker({QStringLiteral("secret"), QStringLiteral("rm"), id.trimmed()});
        QString error;
        QVERIFY2(m_docker->reset({}, &error), qPrintable(error));
    }

    void createAnswersOnItsPublishedPort()
    {
        const RolloutResult result = rollout(request(QStringLiteral("1"), QStringLiteral("v1")));
        QVERIFY2(result.allHealthy(), qPrintable(describe(result)));
        const TargetOutcome &outcome = result.targets.at(0);
        QCOMPARE(outcome.containerName, QStringLiteral("app"));
        QCOMPARE(outcome.address, QStringLiteral("http://127.0.0.1:%1/").arg(m_published));
        const QString notes = outcome.notes.join(u'\n');
        QVERIFY2(notes.contains(QStringLiteral("the engine is a Swarm manager")), qPrintable(notes));
        QVERIFY2(notes.contains(QStringLiteral("created service app")), qPrintable(notes));
        QVERIFY2(notes.contains(QStringLiteral("replica 1/1 running app@sha256:")), qPrintable(notes));
        QCOMPARE(published(), QStringLiteral("v1"));
        QCOMPARE(serviceRelease(), QStringLiteral("1"));
        QCOMPARE(serviceField(QStringLiteral("{{.Spec.TaskTemplate.ContainerSpec.Image}}")),
                 m_releases.value(QStringLiteral("v1")));
        QCOMPARE(serviceField(QStringLiteral(
                     "{{.Spec.UpdateConfig.FailureAction}} {{.Spec.UpdateConfig.Order}} "
                     "{{.Spec.EndpointSpec.Mode}} {{(index .Spec.EndpointSpec.Ports 0).PublishMode}}")),
                 QStringLiteral("rollback stop-first dnsrr host"));
    }

    // An update whose tasks get healthy ends with every slot on the new digest; a rollback to a
    // recorded release is the same rollout with that release's image again.
    void healthyUpdateEndsOnEverySlotAndRollsBack()
    {
        RolloutResult result = rollout(request(QStringLiteral("1"), QStringLiteral("v1")));
        QVERIFY2(result.allHealthy(), qPrintable(describe(result)));
        // Asked all through the update: every answer comes from a running replica, the old one
        // and then the new one, never the old one again. Host-mode ports stop first: in between
        // the port is closed, and that is no answer at all.
        slipway::test::LoadGenerator load(QStringLiteral("http://127.0.0.1:%1/").arg(m_published),
                                          QStringLiteral("127.0.0.1"), 4, 120);
        load.start();
        result = rollout(request(QStringLiteral("2"), QStringLiteral("v2")));
        QTest::qWait(500);
        load.stop();
        QVERIFY2(result.allHealthy(), qPrintable(describe(result)));
        const QList<slipway::test::LoadGenerator::Answer> answers = load.answers();
        int unanswered = 0;
        for (int client = 0; client < load.clients(); ++client) {
            bool sawNew = false;
            for (const auto &answer : slipway::test::LoadGenerator::ofClient(answers, client)) {
                if (answer.status == 0) {
                    ++unanswered;
                    continue;
                }
                QCOMPARE(answer.status, 200L);
                QVERIFY2(answer.body == (sawNew ? "v2" : "v1") || (!sawNew && answer.body == "v2"),
                         answer.body.constData());
                sawNew = sawNew || answer.body == "v2";
            }
            QVERIFY(sawNew);
        }
        qInfo("%lld requests through the update, %d without an answer (the stop-first gap)",
              qint64(answers.size()), unanswered);
        QVERIFY2(result.targets.at(0).notes.join(u'\n').contains(QStringLiteral("updating service app")),
                 qPrintable(describe(result)));
        QCOMPARE(serviceField(QStringLiteral("{{.UpdateStatus.State}}")), QStringLiteral("completed"));
        QTRY_COMPARE_WITH_TIMEOUT(runningTasks(), QStringList{QStringLiteral("2 v2")}, 15000);
        QCOMPARE(published(), QStringLiteral("v2"));

        // Back to release 1, two steps after nothing: its recorded image, by digest.
        result = rollout(request(QStringLiteral("1"), QStringLiteral("v1")));
        QVERIFY2(result.allHealthy(), qPrintable(describe(result)));
        QCOMPARE(serviceRelease(), QStringLiteral("1"));
        QTRY_COMPARE_WITH_TIMEOUT(runningTasks(), QStringList{QStringLiteral("1 v1")}, 15000);
        QCOMPARE(published(), QStringLiteral("v1"));
    }

    // [deploy] health.path as the tasks' health check (the image has busybox's wget): the new
    // release never gets healthy, Swarm rolls the update back, and the outcome says so. Without
    // published ports: on one node, a stop-first rollback can wait a minute for a task that
    // never got the port (Swarm's old-task timeout), which is no part of what is tested here.
    void failingUpdateIsRolledBackBySwarm()
    {
        const auto withHealth = [this](const QString &release, const QString &image) {
            RolloutRequest r = request(release, image);
            r.deploy.ports.clear();
            r.deploy.health = HealthSpec{.path = QStringLiteral("/health"),
                                         .port = appPort,
                                         .timeoutSeconds = 2,
                                         .intervalSeconds = 1};
            return r;
        };
        RolloutResult result = rollout(withHealth(QStringLiteral("1"), QStringLiteral("v1")));
        QVERIFY2(result.allHealthy(), qPrintable(describe(result)));
        QVERIFY2(result.targets.at(0).notes.join(u'\n').contains(
                     QStringLiteral("health check of each task: /bin/busybox wget -q -O /dev/null "
                                    "http://127.0.0.1:%1/health")
                         .arg(appPort)),
                 qPrintable(describe(result)));

        result = rollout(withHealth(QStringLiteral("2"), QStringLiteral("bad")));
        QVERIFY(!result.allHealthy());
        const TargetOutcome &outcome = result.targets.at(0);
        QVERIFY2(outcome.error.startsWith(QStringLiteral("target swarm (unix://")),
                 qPrintable(outcome.error));
        QVERIFY2(outcome.error.contains(QStringLiteral(
                     "service app: release 2 failed, Swarm rolled the update back to release 1")),
                 qPrintable(outcome.error));
        QVERIFY2(outcome.error.contains(QStringLiteral("unhealthy container")), qPrintable(outcome.error));
        QVERIFY2(!outcome.error.contains(u'\n'), qPrintable(outcome.error));
        // httpd -vv logged the health check's requests: the failed task's last lines are kept.
        QVERIFY2(outcome.logs.join(u'\n').contains(QStringLiteral("/health")),
                 qPrintable(outcome.logs.join(u'\n')));

        QCOMPARE(serviceField(QStringLiteral("{{.UpdateStatus.State}}")),
                 QStringLiteral("rollback_completed"));
        QCOMPARE(serviceRelease(), QStringLiteral("1"));
        QTRY_COMPARE_WITH_TIMEOUT(runningTasks(), QStringList{QStringLiteral("1 v1")}, 15000);
    }

    // A new service whose task never gets healthy is removed again: the target is as it was.
    void failingCreateLeavesNoService()
    {
        RolloutRequest r = request(QStringLiteral("1"), QStringLiteral("bad"));
        r.deploy.health = HealthSpec{
            .path = QStringLiteral("/health"), .port = appPort, .timeoutSeconds = 2, .intervalSeconds = 1};
        const RolloutResult result = rollout(r);
        QVERIFY(!result.allHealthy());
        const TargetOutcome &outcome = result.targets.at(0);
        QVERIFY2(outcome.error.contains(QStringLiteral("service app: release 1 failed, it never ran on every "
                                                       "replica: replica 1 (task ")),
                 qPrintable(outcome.error));
        QVERIFY2(outcome.error.contains(QStringLiteral("unhealthy container")), qPrintable(outcome.error));
        QVERIFY2(outcome.notes.join(u'\n').contains(
                     QStringLiteral("removed service app, which never ran release 1")),
                 qPrintable(describe(result)));
        QVERIFY(serviceField(QStringLiteral("{{.ID}}")).startsWith(QStringLiteral("failed:")));
    }

    // Without published ports the tasks start beside the old ones (start-first).
    void scalesFromOneToThreeReplicas()
    {
        RolloutRequest one = request(QStringLiteral("1"), QStringLiteral("v1"));
        one.deploy.ports.clear();
        RolloutResult result = rollout(one);
        QVERIFY2(result.allHealthy(), qPrintable(describe(result)));
        QCOMPARE(runningTasks(), QStringList{QStringLiteral("1 v1")});

        RolloutRequest three = request(QStringLiteral("2"), QStringLiteral("v2"));
        three.deploy.ports.clear();
        three.deploy.replicas = 3;
        EventQueue events;
        three.events = &events;
        result = rollout(three);
        QVERIFY2(result.allHealthy(), qPrintable(describe(result)));
        const QString notes = result.targets.at(0).notes.join(u'\n');
        QVERIFY2(notes.contains(QStringLiteral("3 replica(s) of app@sha256:")) &&
                     notes.contains(QStringLiteral("start-first")),
                 qPrintable(notes));
        for (int i = 1; i <= 3; ++i)
            QVERIFY2(notes.contains(QStringLiteral("replica %1/3 running app@sha256:").arg(i)),
                     qPrintable(notes));
        QTRY_COMPARE_WITH_TIMEOUT(runningTasks(), QStringList(3, QStringLiteral("2 v2")), 15000);
        QCOMPARE(serviceField(QStringLiteral("{{.Spec.Mode.Replicated.Replicas}}")), QStringLiteral("3"));

        // The window's replica rows: the last list posted has the three slots running release 2
        // on this machine's node, and an earlier one had a slot not yet so.
        QList<QList<ReplicaState>> posted;
        for (const Event &event : events.drain())
            if (const auto *target = std::get_if<TargetEvent>(&event); target && !target->replicas.isEmpty())
                posted.append(target->replicas);
        QVERIFY(posted.size() >= 2);
        const QList<ReplicaState> &last = posted.constLast();
        QCOMPARE(last.size(), 3);
        for (int slot = 1; slot <= 3; ++slot) {
            const ReplicaState &replica = last.at(slot - 1);
            QCOMPARE(replica.slot, slot);
            QCOMPARE(replica.node, QSysInfo::machineHostName());
            QCOMPARE(replica.state, QStringLiteral("running"));
            QCOMPARE(replica.release, QStringLiteral("2"));
        }
        const auto allRunTwo = [](const QList<ReplicaState> &replicas) {
            return std::all_of(replicas.begin(), replicas.end(), [](const ReplicaState &replica) {
                return replica.state == u"running" && replica.release == u"2";
            });
        };
        QVERIFY(!allRunTwo(posted.constFirst()));
    }

    // What a repair of an interrupted rollout does (core/deploy/repair.cpp drives the driver so):
    // the service runs the interrupted release, its previous spec is the serving one's, and
    // Swarm is asked to go back to it.
    void repairGoesBackToTheServingRelease()
    {
        RolloutRequest one = request(QStringLiteral("1"), QStringLiteral("v1"));
        one.deploy.ports.clear();
        RolloutResult result = rollout(one);
        QVERIFY2(result.allHealthy(), qPrintable(describe(result)));
        RolloutRequest two = request(QStringLiteral("2"), QStringLiteral("v2"));
        two.deploy.ports.clear();
        result = rollout(two);
        QVERIFY2(result.allHealthy(), qPrintable(describe(result)));

        RolloutRequest repair;
        repair.app = QStringLiteral("app");
        repair.release = QStringLiteral("2");
        repair.deploy = two.deploy;
        const Target swarm = target();
        RolloutReporter reporter(nullptr, swarm.name);
        const std::unique_ptr<TargetDriver> driver = makeTargetDriver(repair, swarm, reporter);
        const Status prepared = driver->prepare();
        QVERIFY2(prepared, prepared ? "" : qPrintable(prepared.error().message));
        const auto restored = driver->restore(QStringLiteral("1"));
        QVERIFY2(restored, restored ? "" : qPrintable(restored.error().message));
        QCOMPARE(restored->join(u'\n'),
                 QStringLiteral("asked Swarm to roll service app back from the interrupted "
                                "release 2 to release 1, its previous spec"));
        QCOMPARE(serviceRelease(), QStringLiteral("1"));
        QTRY_COMPARE_WITH_TIMEOUT(serviceField(QStringLiteral("{{.UpdateStatus.State}}")),
                                  QStringLiteral("rollback_completed"), 30000);
        QTRY_COMPARE_WITH_TIMEOUT(runningTasks(), QStringList{QStringLiteral("1 v1")}, 15000);
    }

    // [deploy] secrets as Swarm secrets: the task reads the value under /run/secrets, a new
    // value is a new secret, and a secret no spec of the service names any more is removed.
    void secretReachesTheTaskAndFollowsItsValue()
    {
        const auto withSecret = [this](const QString &release, const QString &value, const QString &hash) {
            RolloutRequest r =
                request(release, release == u"2" ? QStringLiteral("v2") : QStringLiteral("v1"));
            r.deploy.ports.clear();
            r.deploy.secrets = {QStringLiteral("API_TOKEN")};
            r.deploy.secretFiles = true;
            r.secrets = {{QStringLiteral("API_TOKEN"), value}};
            r.secretHashes = {{QStringLiteral("API_TOKEN"), hash}};
            return r;
        };
        const QString first = QString(64, u'a');
        const QString second = QString(64, u'b');
        RolloutResult result = rollout(withSecret(QStringLiteral("1"), QStringLiteral("t0ken-one"), first));
        QVERIFY2(result.allHealthy(), qPrintable(describe(result)));
        QCOMPARE(taskFiles(QStringLiteral("/run/secrets/API_TOKEN")),
                 QStringList{QStringLiteral("t0ken-one")});
        QCOMPARE(secretNames(), QStringList{QStringLiteral("app.API_TOKEN.aaaaaaaaaaaa")});
        QCOMPARE(
            serviceField(QStringLiteral("{{(index .Spec.TaskTemplate.ContainerSpec.Secrets 0).File.Name}}")),
            QStringLiteral("API_TOKEN"));
        const QString notes = describe(result);
        QVERIFY2(
            notes.contains(QStringLiteral("1 secret(s) as files under /run/secrets, from Swarm secrets (1 "
                                          "made now)")),
            qPrintable(notes));
        QVERIFY2(!notes.contains(QStringLiteral("t0ken")), qPrintable(notes));

        // A new value: a secret of its own; the first stays while the previous spec names it.
        result = rollout(withSecret(QStringLiteral("2"), QStringLiteral("t0ken-two"), second));
        QVERIFY2(result.allHealthy(), qPrintable(describe(result)));
        QTRY_COMPARE_WITH_TIMEOUT(taskFiles(QStringLiteral("/run/secrets/API_TOKEN")),
                                  QStringList{QStringLiteral("t0ken-two")}, 15000);
        QCOMPARE(secretNames(), (QStringList{QStringLiteral("app.API_TOKEN.aaaaaaaaaaaa"),
                                             QStringLiteral("app.API_TOKEN.bbbbbbbbbbbb")}));

        // The same value again (release 1's image): its secret is used as it is, and the first,
        // which no spec names now, is gone.
        result = rollout(withSecret(QStringLiteral("3"), QStringLiteral("t0ken-two"), second));
        QVERIFY2(result.allHealthy(), qPrintable(describe(result)));
        QVERIFY2(describe(result).contains(QStringLiteral("(0 made now)")), qPrintable(describe(result)));
        QVERIFY2(describe(result).contains(QStringLiteral(
                     "removed 1 Swarm secret(s) no spec of the service names: app.API_TOKEN.aaaaaaaaaaaa")),
                 qPrintable(describe(result)));
        QCOMPARE(secretNames(), QStringList{QStringLiteral("app.API_TOKEN.bbbbbbbbbbbb")});
        QTRY_COMPARE_WITH_TIMEOUT(taskFiles(QStringLiteral("/run/secrets/API_TOKEN")),
                                  QStringList{QStringLiteral("t0ken-two")}, 15000);

        // A secret of the name Slipway would give another value, made by hand: refused, and
        // the service is not touched.
        QTemporaryDir work;
        QFile data(work.filePath(QStringLiteral("data")));
        QVERIFY(data.open(QIODevice::WriteOnly) && data.write("by hand") > 0);
        data.close();
        QString output;
        QCOMPARE(m_docker->docker({QStringLiteral("secret"), QStringLiteral("create"),
                                   QStringLiteral("app.API_TOKEN.cccccccccccc"), data.fileName()},
                                  &output),
                 0);
        const QString version = serviceField(QStringLiteral("{{.Version.Index}}"));
        result = rollout(withSecret(QStringLiteral("4"), QStringLiteral("t0ken-three"), QString(64, u'c')));
        QVERIFY(!result.allHealthy());
        QCOMPARE(
            result.targets.at(0).error,
            QStringLiteral("target swarm (%1): service app: secret API_TOKEN: a Swarm secret named "
                           "app.API_TOKEN.cccccccccccc is already there, and Slipway did not make it of this "
                           "value: remove it (docker secret rm app.API_TOKEN.cccccccccccc) and deploy again")
                .arg(m_docker->endpoint()));
        QCOMPARE(serviceField(QStringLiteral("{{.Version.Index}}")), version);

        // As environment variables: Swarm has no such thing for secrets.
        RolloutRequest inEnv =
            withSecret(QStringLiteral("5"), QStringLiteral("t0ken-four"), QString(64, u'd'));
        inEnv.deploy.secretFiles = false;
        result = rollout(inEnv);
        QVERIFY(!result.allHealthy());
        QCOMPARE(
            result.targets.at(0).error,
            QStringLiteral("target swarm (%1): app app: [deploy] secrets reach a Swarm service's tasks as "
                           "files under /run/secrets only (Swarm secrets), never in its environment: set "
                           "secrets = { names = [...], files = true }")
                .arg(m_docker->endpoint()));
        QCOMPARE(serviceField(QStringLiteral("{{.Version.Index}}")), version);
    }

    // A second dockerd joined as a worker, with the manager drained so that Swarm has to place
    // every replica there (its own spreading is its business, and not always even right after
    // a join): the worker pulls the release from the registry itself, runs both replicas, and
    // an update replaces them there. No port is published: both nodes share this machine's
    // network, so a host port is one for both.
    void runsOnAWorkerNode()
    {
        DockerService worker(QStringList{m_registry->address()});
        QVERIFY2(worker.start(), qPrintable(worker.errorString()));
        QString error;
        QVERIFY2(worker.joinSwarm(*m_docker, &error), qPrintable(error));
        const QString workerNode = worker.nodeId();
        const QString managerNode = m_docker->nodeId();
        QVERIFY(!workerNode.isEmpty() && workerNode != managerNode);
        QCOMPARE(m_docker->docker({QStringLiteral("node"), QStringLiteral("update"),
                                   QStringLiteral("--availability"), QStringLiteral("drain"), managerNode}),
                 0);
        const auto restore = qScopeGuard([&] {
            m_docker->docker({QStringLiteral("node"), QStringLiteral("update"),
                              QStringLiteral("--availability"), QStringLiteral("active"), managerNode});
            worker.stop(); // leaves the Swarm
            m_docker->docker(
                {QStringLiteral("node"), QStringLiteral("rm"), QStringLiteral("--force"), workerNode});
        });
        const auto twoReplicas = [this](const QString &release, const QString &image) {
            RolloutRequest r = request(release, image);
            r.deploy.ports.clear();
            r.deploy.replicas = 2;
            return r;
        };
        const QStringList onWorker(2, workerNode + QStringLiteral(" running"));
        for (const auto &[release, image] : {std::pair{QStringLiteral("1"), QStringLiteral("v1")},
                                             std::pair{QStringLiteral("2"), QStringLiteral("v2")}}) {
            const RolloutResult result = rollout(twoReplicas(release, image));
            QVERIFY2(result.allHealthy(), qPrintable(describe(result)));
            QVERIFY2(describe(result).contains(QStringLiteral("replica 2/2 running app@sha256:")),
                     qPrintable(describe(result)));
            QTRY_COMPARE_WITH_TIMEOUT(runningTaskNodes(), onWorker, 15000);
            // The worker's own engine runs them, of the release.
            QString labels;
            worker.docker({QStringLiteral("ps"), QStringLiteral("--filter"),
                           QStringLiteral("label=com.docker.swarm.service.name=app"),
                           QStringLiteral("--format"), QStringLiteral("{{.Label \"io.slipway.release\"}}")},
                          &labels);
            QCOMPARE(labels.split(u'\n', Qt::SkipEmptyParts), QStringList(2, release));
        }
    }

    void refusesAServiceItDidNotMake()
    {
        QString output;
        QCOMPARE(m_docker->docker({QStringLiteral("service"), QStringLiteral("create"),
                                   QStringLiteral("--detach"), QStringLiteral("--name"),
                                   QStringLiteral("app"), m_releases.value(QStringLiteral("v1"))},
                                  &output),
                 0);
        const QString version = serviceField(QStringLiteral("{{.Version.Index}}"));
        const RolloutResult result = rollout(request(QStringLiteral("1"), QStringLiteral("v2")));
        QVERIFY(!result.allHealthy());
        QCOMPARE(result.targets.at(0).error,
                 QStringLiteral(
                     "target swarm (%1): a service named app is already there, and Slipway did not "
                     "make it (it has no label io.slipway.app=app): remove or rename it, or set another "
                     "[deploy] name")
                     .arg(m_docker->endpoint()));
        // Not touched.
        QCOMPARE(serviceField(QStringLiteral("{{.Version.Index}}")), version);
        QCOMPARE(serviceField(QStringLiteral("{{.Spec.TaskTemplate.ContainerSpec.Image}}")),
                 m_releases.value(QStringLiteral("v1")));
    }

    void refusesARegistrylessRelease()
    {
        RolloutRequest r = request(QStringLiteral("1"), QStringLiteral("v1"));
        r.image.reference = QStringLiteral("localhost/slipway-app:release-1-0123456789ab");
        r.image.load = [](const EngineClient::Writer &) { return success(); };
        const RolloutResult result = rollout(r);
        QVERIFY(!result.allHealthy());
        QCOMPARE(result.targets.at(0).error,
                 QStringLiteral(
                     "target swarm (%1): app app: every Swarm node pulls the image itself, from a "
                     "registry, by digest; release 1 has no image there (it was built without --image): "
                     "deploy with --image REGISTRY/REPOSITORY")
                     .arg(m_docker->endpoint()));
        QVERIFY(serviceField(QStringLiteral("{{.ID}}")).startsWith(QStringLiteral("failed:")));
    }

    // The manager pulls first: an image the nodes cannot pull fails the rollout before any
    // service is made.
    void refusesAnImageTheNodesCannotPull()
    {
        RolloutRequest r = request(QStringLiteral("1"), QStringLiteral("v1"));
        r.image.reference = m_registry->address() + QStringLiteral("/app@sha256:") + QString(64, u'0');
        const RolloutResult result = rollout(r);
        QVERIFY(!result.allHealthy());
        const QString &error = result.targets.at(0).error;
        QVERIFY2(error.startsWith(QStringLiteral("target swarm (%1)").arg(m_docker->endpoint())),
                 qPrintable(error));
        QVERIFY2(error.contains(r.image.reference), qPrintable(error));
        QVERIFY2(!error.contains(u'\n'), qPrintable(error));
        QVERIFY(serviceField(QStringLiteral("{{.ID}}")).startsWith(QStringLiteral("failed:")));
    }

    void refusesASwarmWorker()
    {
        const auto stub = fakeEngine(QJsonObject{{QStringLiteral("LocalNodeState"), QStringLiteral("active")},
                                                 {QStringLiteral("ControlAvailable"), false},
                                                 {QStringLiteral("NodeID"), QStringLiteral("w0rk3r")}});
        RolloutRequest r = request(QStringLiteral("1"), QStringLiteral("v1"));
        r.targets = {stubTarget(*stub)};
        const RolloutResult result = rollout(r);
        QVERIFY(!result.allHealthy());
        QCOMPARE(result.targets.at(0).error,
                 QStringLiteral("target stub (tcp://%1) is a Swarm worker; deploy to a manager")
                     .arg(stub->address()));
    }

    void refusesReplicasOutsideASwarm()
    {
        const auto stub =
            fakeEngine(QJsonObject{{QStringLiteral("LocalNodeState"), QStringLiteral("inactive")}});
        RolloutRequest r = request(QStringLiteral("1"), QStringLiteral("v1"));
        r.targets = {stubTarget(*stub)};
        r.deploy.replicas = 3;
        const RolloutResult result = rollout(r);
        QVERIFY(!result.allHealthy());
        QCOMPARE(result.targets.at(0).error,
                 QStringLiteral(
                     "target stub (tcp://%1): app app: [deploy] replicas = 3 needs a Swarm manager, and "
                     "this engine is not in a Swarm: it runs one container per app")
                     .arg(stub->address()));
    }
};

QTEST_GUILESS_MAIN(TestSwarm)
#include "tst_swarm.moc"
