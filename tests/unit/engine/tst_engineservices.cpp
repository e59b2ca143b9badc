// The body of a Swarm service's create and update (EngineServices::specBody), field by field as
// the Engine API names them; and who counts as a Swarm manager. No engine needed: the rollouts
// against a real Swarm are in tests/integration/tst_swarm.cpp.

#include "deploy/swarmdriver.h"
#include "engine/engineservices.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace slipway;

class TestEngineServices final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void specBodyNamesEveryField()
    {
        ServiceSpec spec;
        spec.name = QStringLiteral("web");
        spec.labels = {{QStringLiteral("io.slipway.app"), QStringLiteral("web")}};
        spec.containerLabels = spec.labels;
        spec.image = QStringLiteral("registry:5000/web@sha256:0123");
        spec.env = {{QStringLiteral("PORT"), QStringLiteral("80")}};
        spec.args = {QStringLiteral("serve")};
        spec.mounts = {ContainerMount{.source = QStringLiteral("data"),
                                      .target = QStringLiteral("/data"),
                                      .bind = false,
                                      .readOnly = false}};
        spec.hosts = {QStringLiteral("10.0.0.5 db")};
        spec.healthTest = {QStringLiteral("CMD"), QStringLiteral("/bin/busybox"), QStringLiteral("wget")};
        spec.healthIntervalNanoseconds = 1'000'000'000;
        spec.healthRetries = 3;
        spec.memoryBytes = 512 * 1024 * 1024;
        spec.nanoCpus = 1'500'000'000;
        spec.restartCondition = QStringLiteral("none");
        spec.replicas = 3;
        spec.ports = {ServicePort{.published = 8080, .target = 80, .protocol = QStringLiteral("tcp")}};
        spec.update = ServiceUpdatePolicy{.parallelism = 1,
                                          .order = QStringLiteral("stop-first"),
                                          .failureAction = QStringLiteral("rollback"),
                                          .monitorNanoseconds = 5'000'000'000};

        const QJsonObject body = QJsonDocument::fromJson(EngineServices::specBody(spec)).object();
        QCOMPARE(body.value(QStringLiteral("Name")).toString(), QStringLiteral("web"));
        const QJsonObject task = body.value(QStringLiteral("TaskTemplate")).toObject();
        const QJsonObject container = task.value(QStringLiteral("ContainerSpec")).toObject();
        QCOMPARE(container.value(QStringLiteral("Image")).toString(), spec.image);
        QCOMPARE(container.value(QStringLiteral("Env")).toArray(), QJsonArray{QStringLiteral("PORT=80")});
        QCOMPARE(container.value(QStringLiteral("Args")).toArray(), QJsonArray{QStringLiteral("serve")});
        QCOMPARE(container.value(QStringLiteral("Hosts")).toArray(),
                 QJsonArray{QStringLiteral("10.0.0.5 db")});
        QCOMPARE(container.value(QStringLiteral("Labels")).toObject().value(QStringLiteral("io.slipway.app")),
                 QJsonValue(QStringLiteral("web")));
        QCOMPARE(container.value(QStringLiteral("Mounts"))
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(QStringLiteral("Type")),
                 QJsonValue(QStringLiteral("volume")));
        const QJsonObject health = container.value(QStringLiteral("HealthCheck")).toObject();
        QCOMPARE(health.value(QStringLiteral("Test")).toArray().size(), 3);
        QCOMPARE(health.value(QStringLiteral("Retries")).toInt(), 3);
        const QJsonObject limits =
            task.value(QStringLiteral("Resources")).toObject().value(QStringLiteral("Limits")).toObject();
        QCOMPARE(limits.value(QStringLiteral("MemoryBytes")).toDouble(), 512.0 * 1024 * 1024);
        QCOMPARE(limits.value(QStringLiteral("NanoCPUs")).toDouble(), 1.5e9);
        QCOMPARE(task.value(QStringLiteral("RestartPolicy")).toObject().value(QStringLiteral("Condition")),
                 QJsonValue(QStringLiteral("none")));
        QCOMPARE(body.value(QStringLiteral("Mode"))
                     .toObject()
                     .value(QStringLiteral("Replicated"))
                     .toObject()
                     .value(QStringLiteral("Replicas"))
                     .toInt(),
                 3);
        const QJsonObject update = body.value(QStringLiteral("UpdateConfig")).toObject();
        QCOMPARE(update.value(QStringLiteral("Order")).toString(), QStringLiteral("stop-first"));
        QCOMPARE(update.value(QStringLiteral("FailureAction")).toString(), QStringLiteral("rollback"));
        QCOMPARE(update.value(QStringLiteral("Monitor")).toDouble(), 5e9);
        // No routing mesh and no virtual IP: both need IPVS.
        const QJsonObject endpoint = body.value(QStringLiteral("EndpointSpec")).toObject();
        QCOMPARE(endpoint.value(QStringLiteral("Mode")).toString(), QStringLiteral("dnsrr"));
        const QJsonObject port = endpoint.value(QStringLiteral("Ports")).toArray().at(0).toObject();
        QCOMPARE(port.value(QStringLiteral("PublishMode")).toString(), QStringLiteral("host"));
        QCOMPARE(port.value(QStringLiteral("PublishedPort")).toInt(), 8080);
        QCOMPARE(port.value(QStringLiteral("TargetPort")).toInt(), 80);
    }

    void withoutAHealthTestTheImageDecides()
    {
        const QJsonObject body = QJsonDocument::fromJson(EngineServices::specBody(ServiceSpec{})).object();
        const QJsonObject container = body.value(QStringLiteral("TaskTemplate"))
                                          .toObject()
                                          .value(QStringLiteral("ContainerSpec"))
                                          .toObject();
        QVERIFY(!container.contains(QStringLiteral("HealthCheck")));
        QVERIFY(!container.contains(QStringLiteral("Args")));
    }

    void swarmRoles()
    {
        SwarmInfo info;
        QVERIFY(!info.isManager() && !info.isWorker());
        info.localNodeState = QStringLiteral("active");
        QVERIFY(info.isWorker() && !info.isManager());
        info.controlAvailable = true;
        QVERIFY(info.isManager() && !info.isWorker());
        info.localNodeState = QStringLiteral("locked");
        QVERIFY(!info.isManager() && !info.isWorker());
    }

    void serviceNames()
    {
        QVERIFY(SwarmDriver::isServiceName(QStringLiteral("web")));
        QVERIFY(SwarmDriver::isServiceName(QStringLiteral("web-api_2")));
        QVERIFY(!SwarmDriver::isServiceName(QStringLiteral("web.api")));
        QVERIFY(!SwarmDriver::isServiceName(QStringLiteral("web-")));
        QVERIFY(!SwarmDriver::isServiceName(QStringLiteral("-web")));
        QVERIFY(!SwarmDriver::isServiceName(QString(64, u'a')));
    }
};

QTEST_GUILESS_MAIN(TestEngineServices)
#include "tst_engineservices.moc"
