// Zero-downtime switches through the target's proxy ([deploy.proxy], deploy/proxy.h) on real
// engines, each function once on Podman and once on Docker (the global rows): HAProxy from
// Debian's package as the proxy image, busybox httpd releases pulled by digest from the harness
// registry, and 20 clients asking through the proxy's published port the whole time. The
// target is the engine's unix socket, or the same engine through the harness sshd.

#include "clirun.h"
#include "deploy/proxy.h"
#include "deploy/rollout.h"
#include "dockerservice.h"
#include "engine/engineclient.h"
#include "gitrepo.h"
#include "httpprobe.h"
#include "loadgenerator.h"
#include "podmanservice.h"
#include "processes.h"
#include "registryserver.h"
#include "releaseimage.h"
#include "sshserver.h"
#include "webapp.h"

#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <future>
#include <map>
#include <memory>
#include <tuple>

#include <unistd.h>

using namespace slipway;
using slipway::test::CliRun;
using slipway::test::DockerService;
using slipway::test::EngineService;
using slipway::test::GitRepo;
using slipway::test::LoadGenerator;
using slipway::test::PodmanService;
using slipway::test::RegistryServer;
using slipway::test::SshServer;

namespace {

const QString proxyImage = QStringLiteral("localhost/slipway-test/haproxy:2.6");

// What a list of answers says, in order, without repeats: "1 2" for a switch from 1 to 2.
QString versions(const QList<LoadGenerator::Answer> &answers)
{
    QStringList seen;
    for (const LoadGenerator::Answer &answer : answers) {
        const QString body =
            answer.status == 200 ? QString::fromUtf8(answer.body).trimmed() : QStringLiteral("!");
        if (seen.isEmpty() || seen.constLast() != body)
            seen.append(body);
    }
    return seen.join(u' ');
}

} // namespace

class TestProxy final : public QObject
{
    Q_OBJECT

private:
    struct Engine
    {
        std::unique_ptr<EngineService> service;
        quint16 httpPort = 0;
        quint16 httpsPort = 0;
    };
    std::unique_ptr<RegistryServer> m_registry;
    std::map<QString, Engine> m_engines; // by the global row
    QString m_engine;
    std::unique_ptr<SshServer> m_ssh;
    quint16 m_port = 0; // the apps' port inside their containers
    QMap<QString, QString> m_releases;

    Engine &engine() { return m_engines[m_engine]; }

    Target target(bool viaSsh = false)
    {
        Target t;
        t.name = viaSsh ? QStringLiteral("remote") : QStringLiteral("local");
        t.endpoint = viaSsh ? QStringLiteral("ssh://%1@127.0.0.1:%2%3")
                                  .arg(m_ssh->user())
                                  .arg(m_ssh->port())
                                  .arg(engine().service->socketPath())
                            : engine().service->endpoint();
        t.proxyImage = proxyImage;
        t.proxyHttpPort = engine().httpPort;
        t.proxyHttpsPort = engine().httpsPort;
        return t;
    }

    QString makeRelease(const QString &name, bool healthy, const QStringList &command = {})
    {
        QString error;
        const QString reference = slipway::test::pushReleaseImage(
            static_cast<const PodmanService &>(*m_engines[QStringLiteral("podman")].service), *m_registry,
            name, healthy, m_port, command, &error);
        if (reference.isEmpty())
            qWarning().noquote() << error;
        return reference;
    }

    RolloutRequest request(const QString &app, const QString &release, const QString &host, const Target &t,
                           const QString &image = {}) const
    {
        RolloutRequest r;
        r.app = app;
        r.release = release;
        r.commit = QStringLiteral("c0ffee") + release;
        r.image.reference = m_releases.value(image.isEmpty() ? release : image);
        r.deploy.name = app;
        r.deploy.restart = QStringLiteral("no");
        // busybox httpd as PID 1 ignores SIGTERM: each retired container waits out this grace,
        // after the switch.
        r.deploy.stopTimeoutSeconds = 8;
        r.deploy.health = HealthSpec{
            .path = QStringLiteral("/health"), .port = m_port, .timeoutSeconds = 8, .intervalSeconds = 1};
        ProxySpec proxy;
        proxy.hosts = {host};
        proxy.port = m_port;
        proxy.drainSeconds = 20;
        r.deploy.proxy = proxy;
        r.targets = {t};
        return r;
    }

    static QString describe(const RolloutResult &result)
    {
        QStringList lines;
        for (const TargetOutcome &outcome : result.targets)
            lines.append(
                outcome.target +
                (outcome.healthy ? QStringLiteral(" healthy") : QStringLiteral(" failed: ") + outcome.error) +
                u'\n' + outcome.notes.join(u'\n'));
        return lines.join(u'\n');
    }

    QString url() const
    {
        return QStringLiteral("http://127.0.0.1:%1/").arg(m_engines.at(m_engine).httpPort);
    }

    // One request through the proxy for `host`: the body, or "HTTP N".
    // One request through the proxy's HTTP port for `host`.
    QString ask(const QString &host, const QString &path = QStringLiteral("/"))
    {
        return LoadGenerator::askOnce(
            QStringLiteral("http://127.0.0.1:%1%2").arg(engine().httpPort).arg(path), host);
    }

    QString containerIdOf(const Target &t, const QString &app)
    {
        EngineClient client(t);
        if (!client.connect())
            return QStringLiteral("unreachable");
        auto listed = client.listContainers({QStringLiteral("io.slipway.app=") + app});
        if (!listed || listed->size() != 1)
            return QStringLiteral("containers: %1").arg(listed ? listed->size() : -1);
        return listed->first().id;
    }

    // Answers only from `after` on (ms of the generator).
    static QList<LoadGenerator::Answer> startedAfter(const QList<LoadGenerator::Answer> &answers,
                                                     qint64 after)
    {
        QList<LoadGenerator::Answer> later;
        for (const LoadGenerator::Answer &answer : answers)
            if (answer.startedMs >= after)
                later.append(answer);
        return later;
    }

private Q_SLOTS:
    void initTestCase_data() { slipway::test::addEngineRows(); }

    void initTestCase()
    {
        m_registry = std::make_unique<RegistryServer>();
        QVERIFY2(m_registry->start(), qPrintable(m_registry->errorString()));
        const QStringList insecure{m_registry->address()};
        m_engines[QStringLiteral("podman")].service =
            std::make_unique<PodmanService>(PodmanService::Listen::UnixSocket, insecure);
        m_engines[QStringLiteral("docker")].service = std::make_unique<DockerService>(insecure);
        for (auto &[name, engine] : m_engines) {
            QVERIFY2(engine.service->start(), qPrintable(engine.service->errorString()));
            QString error;
            QVERIFY2(engine.service->importHaproxy(proxyImage, &error), qPrintable(error));
            engine.httpPort = slipway::test::freeLoopbackPort();
            engine.httpsPort = slipway::test::freeLoopbackPort();
        }
        m_ssh = std::make_unique<SshServer>();
        QVERIFY2(m_ssh->start(), qPrintable(m_ssh->errorString()));
        qputenv("SLIPWAY_SSH_COMMAND", (QStringLiteral("ssh ") + m_ssh->clientOptions().join(u' ')).toUtf8());

        m_port = 8000;
        for (const QString &name : {QStringLiteral("1"), QStringLiteral("2"), QStringLiteral("b1")})
            m_releases.insert(name, makeRelease(name, true));
        m_releases.insert(QStringLiteral("3"), makeRelease(QStringLiteral("3"), false));
        // /cgi-bin/slow answers after 5 s.
        for (const QString &name : {QStringLiteral("slow1"), QStringLiteral("slow2")})
            m_releases.insert(
                name, makeRelease(
                          name, true,
                          {QStringLiteral("/bin/busybox"), QStringLiteral("sh"), QStringLiteral("-c"),
                           QStringLiteral("mkdir -p /www/cgi-bin && printf '#!/bin/busybox sh\\n/bin/busybox "
                                          "sleep 5\\necho Content-Type: text/plain\\necho\\necho slow-%1\\n' "
                                          "> /www/cgi-bin/slow && /bin/busybox chmod +x /www/cgi-bin/slow && "
                                          "exec /bin/busybox httpd -f -p %2 -h /www")
                               .arg(name)
                               .arg(m_port)}));
        // Serves "api" at /api/.
        m_releases.insert(
            QStringLiteral("api1"),
            makeRelease(QStringLiteral("api1"), true,
                        {QStringLiteral("/bin/busybox"), QStringLiteral("sh"), QStringLiteral("-c"),
                         QStringLiteral("mkdir -p /www/api && echo api > /www/api/index.html && "
                                        "exec /bin/busybox httpd -f -p %1 -h /www")
                             .arg(m_port)}));
        for (auto it = m_releases.begin(); it != m_releases.end(); ++it)
            QVERIFY2(!it.value().isEmpty(), qPrintable(it.key()));
    }

    // Each function starts with no container, no proxy and no proxy volume.
    void init()
    {
        QFETCH_GLOBAL(QString, engine);
        m_engine = engine;
        QString error;
        QVERIFY2(this->engine().service->reset({}, &error), qPrintable(error));
        QVERIFY(this->engine().service->removeVolume(QString::fromLatin1(TargetProxy::volume)));
    }

    void zeroFailedRequestsThroughRedeploys_data()
    {
        QTest::addColumn<bool>("viaSsh");
        QTest::newRow("unix socket") << false;
        QTest::newRow("ssh") << true;
    }

    // A healthy redeploy, a failing one and a rollback under 20 clients: not one request fails,
    // and every request made after a switch is answered by the release switched to.
    void zeroFailedRequestsThroughRedeploys()
    {
        QFETCH(bool, viaSsh);
        const Target t = target(viaSsh);
        RolloutResult result =
            rollout(request(QStringLiteral("web"), QStringLiteral("1"), QStringLiteral("a.test"), t));
        QVERIFY2(result.allHealthy(), qPrintable(describe(result)));
        QCOMPARE(result.targets.first().address, QStringLiteral("http://a.test:%1/").arg(t.proxyHttpPort));
        QCOMPARE(ask(QStringLiteral("a.test")), QStringLiteral("1"));
        QCOMPARE(ask(QStringLiteral("A.Test:8080")), QStringLiteral("1")); // the Host header's case and port
        QVERIFY(ask(QStringLiteral("other.test")).startsWith(QStringLiteral("HTTP 404")));

        LoadGenerator load(url(), QStringLiteral("a.test"));
        load.start();
        QTest::qWait(500);
        // Healthy: 1 -> 2. The old httpd ignores SIGTERM and is retired 8 s after the switch.
        const qint64 deploy2 = load.elapsedMs();
        result = rollout(request(QStringLiteral("web"), QStringLiteral("2"), QStringLiteral("a.test"), t));
        const qint64 deployed2 = load.elapsedMs();
        QVERIFY2(result.allHealthy(), qPrintable(describe(result)));
        QTest::qWait(300);
        // Failing: 3 never gets healthy and never gets a request.
        result = rollout(request(QStringLiteral("web"), QStringLiteral("3"), QStringLiteral("a.test"), t));
        const qint64 failed3 = load.elapsedMs();
        QVERIFY2(!result.allHealthy(), qPrintable(describe(result)));
        QVERIFY2(result.targets.first().error.contains(QStringLiteral("not healthy")),
                 qPrintable(result.targets.first().error));
        QTest::qWait(300);
        // Rollback to 1: the same switch.
        result = rollout(request(QStringLiteral("web"), QStringLiteral("1"), QStringLiteral("a.test"), t));
        const qint64 rolledBack = load.elapsedMs();
        QVERIFY2(result.allHealthy(), qPrintable(describe(result)));
        QTest::qWait(500);
        load.stop();

        const QList<LoadGenerator::Answer> answers = load.answers();
        QVERIFY2(answers.size() > 200, qPrintable(LoadGenerator::describe(answers)));
        qInfo().noquote() << "through a healthy redeploy, a failing one and a rollback:"
                          << LoadGenerator::describe(answers);
        QVERIFY2(LoadGenerator::failures(answers) == 0, qPrintable(LoadGenerator::describe(answers)));
        // Each client saw 1, then 2, then 1 again, never going back: no request after a switch
        // reached the release switched from.
        for (int client = 0; client < load.clients(); ++client)
            QCOMPARE(versions(LoadGenerator::ofClient(answers, client)), QStringLiteral("1 2 1"));
        // Every request started after a rollout returned is answered by its release.
        const auto between = [&answers](qint64 from, qint64 to) {
            QList<LoadGenerator::Answer> in;
            for (const LoadGenerator::Answer &answer : answers)
                if (answer.startedMs >= from && answer.endedMs <= to)
                    in.append(answer);
            return versions(in);
        };
        QCOMPARE(between(deployed2, rolledBack - 15000 > deployed2 ? rolledBack - 15000 : failed3),
                 QStringLiteral("2"));
        QCOMPARE(between(rolledBack, load.elapsedMs()), QStringLiteral("1"));
        // The switch did not wait for the old release to stop: 2 answered well before the
        // rollout that retired 1 (8 s of SIGTERM grace) returned.
        qint64 first2 = -1;
        for (const LoadGenerator::Answer &answer : answers)
            if (first2 < 0 && answer.status == 200 && answer.body.trimmed() == "2")
                first2 = answer.endedMs;
        QVERIFY2(first2 > deploy2 && deployed2 - first2 >= 5000,
                 qPrintable(QStringLiteral("2 first answered at %1 ms; the rollout ended at %2 ms")
                                .arg(first2)
                                .arg(deployed2)));
    }

    // A request that takes 5 s, started just before the switch, completes at the old release.
    void slowRequestFinishesAtTheOldRelease()
    {
        const Target t = target();
        RolloutResult result = rollout(request(QStringLiteral("slow"), QStringLiteral("1"),
                                               QStringLiteral("slow.test"), t, QStringLiteral("slow1")));
        QVERIFY2(result.allHealthy(), qPrintable(describe(result)));
        auto slow = std::async(std::launch::async, [this] {
            QElapsedTimer timer;
            timer.start();
            const QString body = ask(QStringLiteral("slow.test"), QStringLiteral("/cgi-bin/slow"));
            return std::pair<QString, qint64>(body, timer.elapsed());
        });
        QTest::qWait(300);
        result = rollout(request(QStringLiteral("slow"), QStringLiteral("2"), QStringLiteral("slow.test"), t,
                                 QStringLiteral("slow2")));
        QVERIFY2(result.allHealthy(), qPrintable(describe(result)));
        const auto [body, ms] = slow.get();
        QCOMPARE(body, QStringLiteral("slow-slow1"));
        QVERIFY2(ms >= 4500, qPrintable(QString::number(ms)));
        QVERIFY2(result.targets.first().notes.join(u'\n').contains(QStringLiteral("drained")),
                 qPrintable(describe(result)));
        QCOMPARE(ask(QStringLiteral("slow.test")), QStringLiteral("slow2"));
    }

    // Two apps share the proxy's port by host name; redeploying one leaves the other alone.
    void twoAppsRoutedByHost()
    {
        const Target t = target();
        RolloutResult result =
            rollout(request(QStringLiteral("web"), QStringLiteral("1"), QStringLiteral("a.test"), t));
        QVERIFY2(result.allHealthy(), qPrintable(describe(result)));
        result = rollout(request(QStringLiteral("other"), QStringLiteral("b1"), QStringLiteral("b.test"), t));
        QVERIFY2(result.allHealthy(), qPrintable(describe(result)));
        QCOMPARE(ask(QStringLiteral("a.test")), QStringLiteral("1"));
        QCOMPARE(ask(QStringLiteral("b.test")), QStringLiteral("b1"));
        const QString otherId = containerIdOf(t, QStringLiteral("other"));

        LoadGenerator loadA(url(), QStringLiteral("a.test"), 10);
        LoadGenerator loadB(url(), QStringLiteral("b.test"), 10);
        loadA.start();
        loadB.start();
        result = rollout(request(QStringLiteral("web"), QStringLiteral("2"), QStringLiteral("a.test"), t));
        QVERIFY2(result.allHealthy(), qPrintable(describe(result)));
        loadA.stop();
        loadB.stop();
        QVERIFY2(LoadGenerator::failures(loadA.answers()) == 0,
                 qPrintable(LoadGenerator::describe(loadA.answers())));
        QVERIFY2(LoadGenerator::failures(loadB.answers()) == 0,
                 qPrintable(LoadGenerator::describe(loadB.answers())));
        for (int client = 0; client < loadA.clients(); ++client)
            QCOMPARE(versions(LoadGenerator::ofClient(loadA.answers(), client)), QStringLiteral("1 2"));
        QCOMPARE(versions(loadB.answers()), QStringLiteral("b1"));
        QCOMPARE(containerIdOf(t, QStringLiteral("other")), otherId);

        // A third app under a.test/api: its path goes to it, the rest still to web.
        RolloutRequest api =
            request(QStringLiteral("api"), QStringLiteral("api1"), QStringLiteral("a.test"), t);
        api.deploy.proxy->pathPrefix = QStringLiteral("/api");
        result = rollout(api);
        QVERIFY2(result.allHealthy(), qPrintable(describe(result)));
        QCOMPARE(ask(QStringLiteral("a.test"), QStringLiteral("/api/")), QStringLiteral("api"));
        QCOMPARE(ask(QStringLiteral("a.test")), QStringLiteral("2"));
        QCOMPARE(ask(QStringLiteral("b.test"), QStringLiteral("/api/")).left(8), QStringLiteral("HTTP 404"));

        // A fourth app claiming a.test: one line naming target, app and owner; nothing changes.
        result = rollout(request(QStringLiteral("thief"), QStringLiteral("b1"), QStringLiteral("a.test"), t));
        QVERIFY(!result.allHealthy());
        const QString error = result.targets.first().error;
        QVERIFY2(error.contains(QStringLiteral("app thief")) && error.contains(QStringLiteral("a.test")) &&
                     error.contains(QStringLiteral("app web")) &&
                     error.contains(QStringLiteral("target local")) && !error.contains(u'\n'),
                 qPrintable(error));
        QCOMPARE(containerIdOf(t, QStringLiteral("thief")), QStringLiteral("containers: 0"));
        QCOMPARE(ask(QStringLiteral("a.test")), QStringLiteral("2"));
    }

    // A proxy removed by hand comes back on the next deploy, with every app's route.
    void removedProxyIsMadeAgain()
    {
        const Target t = target();
        RolloutResult result =
            rollout(request(QStringLiteral("web"), QStringLiteral("1"), QStringLiteral("a.test"), t));
        QVERIFY2(result.allHealthy(), qPrintable(describe(result)));
        result = rollout(request(QStringLiteral("other"), QStringLiteral("b1"), QStringLiteral("b.test"), t));
        QVERIFY2(result.allHealthy(), qPrintable(describe(result)));
        {
            EngineClient client(t);
            QVERIFY(client.connect());
            QVERIFY(client.removeContainer(QString::fromLatin1(TargetProxy::containerName)));
        }
        QVERIFY(ask(QStringLiteral("b.test")) != u"b1");
        result = rollout(request(QStringLiteral("web"), QStringLiteral("2"), QStringLiteral("a.test"), t));
        QVERIFY2(result.allHealthy(), qPrintable(describe(result)));
        QCOMPARE(ask(QStringLiteral("a.test")), QStringLiteral("2"));
        QCOMPARE(ask(QStringLiteral("b.test")), QStringLiteral("b1"));
    }

    // HTTPS with the certificate the app names, signed by a test CA; an expired certificate and
    // a key of another certificate are refused before anything changes.
    void servesTlsWithTheGivenCertificate()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const auto openssl = [](const QStringList &arguments) {
            QString output;
            const int code = slipway::test::runTool(QStringLiteral("openssl"), arguments, &output);
            if (code != 0)
                qWarning().noquote() << "openssl" << arguments.join(u' ') << output;
            return code == 0;
        };
        const auto file = [&dir](const QString &name) { return dir.filePath(name); };
        QVERIFY(openssl({QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                         QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-days"),
                         QStringLiteral("2"), QStringLiteral("-subj"),
                         QStringLiteral("/CN=Slipway proxy test CA"), QStringLiteral("-keyout"),
                         file(QStringLiteral("ca.key")), QStringLiteral("-out"),
                         file(QStringLiteral("ca.crt"))}));
        QVERIFY(openssl({QStringLiteral("req"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"),
                         QStringLiteral("-nodes"), QStringLiteral("-subj"), QStringLiteral("/CN=a.test"),
                         QStringLiteral("-keyout"), file(QStringLiteral("a.key")), QStringLiteral("-out"),
                         file(QStringLiteral("a.csr"))}));
        QFile ext(file(QStringLiteral("san.ext")));
        QVERIFY(ext.open(QIODevice::WriteOnly) && ext.write("subjectAltName=DNS:a.test\n") > 0);
        ext.close();
        QVERIFY(openssl({QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"),
                         file(QStringLiteral("a.csr")), QStringLiteral("-CA"), file(QStringLiteral("ca.crt")),
                         QStringLiteral("-CAkey"), file(QStringLiteral("ca.key")),
                         QStringLiteral("-CAcreateserial"), QStringLiteral("-days"), QStringLiteral("2"),
                         QStringLiteral("-extfile"), file(QStringLiteral("san.ext")), QStringLiteral("-out"),
                         file(QStringLiteral("a.crt"))}));
        // An expired one, by the CA's own book-keeping.
        QFile config(file(QStringLiteral("ca.cnf")));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write(
            "[ca]\ndefault_ca = test\n[test]\ndatabase = " + file(QStringLiteral("index.txt")).toUtf8() +
            "\nnew_certs_dir = " + dir.path().toUtf8() +
            "\nserial = " + file(QStringLiteral("serial")).toUtf8() +
            "\ndefault_md = sha256\npolicy = any\ncopy_extensions = copy\n[any]\ncommonName = supplied\n");
        config.close();
        QFile index(file(QStringLiteral("index.txt")));
        QVERIFY(index.open(QIODevice::WriteOnly));
        index.close();
        QFile serial(file(QStringLiteral("serial")));
        QVERIFY(serial.open(QIODevice::WriteOnly) && serial.write("1000\n") > 0);
        serial.close();
        QVERIFY(openssl({QStringLiteral("ca"), QStringLiteral("-batch"), QStringLiteral("-config"),
                         file(QStringLiteral("ca.cnf")), QStringLiteral("-cert"),
                         file(QStringLiteral("ca.crt")), QStringLiteral("-keyfile"),
                         file(QStringLiteral("ca.key")), QStringLiteral("-in"), file(QStringLiteral("a.csr")),
                         QStringLiteral("-startdate"), QStringLiteral("20200101000000Z"),
                         QStringLiteral("-enddate"), QStringLiteral("20200102000000Z"),
                         QStringLiteral("-out"), file(QStringLiteral("expired.crt"))}));
        QVERIFY(openssl({QStringLiteral("genpkey"), QStringLiteral("-algorithm"), QStringLiteral("RSA"),
                         QStringLiteral("-out"), file(QStringLiteral("other.key"))}));

        const Target t = target();
        const auto secured = [&](const QString &release, const QString &certificate, const QString &key) {
            RolloutRequest r = request(QStringLiteral("secure"), release, QStringLiteral("a.test"), t);
            r.deploy.proxy->tlsCertificate = file(certificate);
            r.deploy.proxy->tlsKey = file(key);
            return rollout(r);
        };
        const auto askTls = [&]() {
            return LoadGenerator::askOnce(QStringLiteral("https://a.test:%1/").arg(engine().httpsPort),
                                          QStringLiteral("a.test"), file(QStringLiteral("ca.crt")));
        };
        RolloutResult result = secured(QStringLiteral("1"), QStringLiteral("a.crt"), QStringLiteral("a.key"));
        QVERIFY2(result.allHealthy(), qPrintable(describe(result)));
        QCOMPARE(askTls(), QStringLiteral("1"));
        QCOMPARE(ask(QStringLiteral("a.test")), QStringLiteral("1")); // and plain HTTP still

        for (const auto &[certificate, key, expected] :
             {std::tuple{QStringLiteral("expired.crt"), QStringLiteral("a.key"),
                         QStringLiteral("expired on 2020-01-02")},
              std::tuple{QStringLiteral("a.crt"), QStringLiteral("other.key"),
                         QStringLiteral("is not the key of")}}) {
            result = secured(QStringLiteral("2"), certificate, key);
            QVERIFY(!result.allHealthy());
            const QString error = result.targets.first().error;
            QVERIFY2(error.contains(expected) && error.contains(QStringLiteral("app secure")) &&
                         error.contains(QStringLiteral("target local")) && !error.contains(u'\n'),
                     qPrintable(error));
            QCOMPARE(askTls(), QStringLiteral("1"));
        }
    }

    // A target that asks for another proxy image: the check says so, and the upgrade makes the
    // proxy again from it with every route.
    void upgradeMakesTheProxyAgainFromTheNewImage()
    {
        Target t = target();
        RolloutResult result =
            rollout(request(QStringLiteral("web"), QStringLiteral("1"), QStringLiteral("a.test"), t));
        QVERIFY2(result.allHealthy(), qPrintable(describe(result)));
        auto status = inspectProxy(t);
        QVERIFY2(status, qPrintable(status ? QString() : status.error().message));
        QVERIFY(status->exists && status->running);
        QCOMPARE(status->runningImage, proxyImage);
        QCOMPARE(describeProxy(status.value()), QStringLiteral("proxy on ports %1 and %2: web (a.test)")
                                                    .arg(t.proxyHttpPort)
                                                    .arg(t.proxyHttpsPort));

        const QString newer = QStringLiteral("localhost/slipway-test/haproxy:newer");
        QString error;
        QVERIFY2(engine().service->importHaproxy(newer, &error), qPrintable(error));
        t.proxyImage = newer;
        status = inspectProxy(t);
        QVERIFY(status);
        QVERIFY2(describeProxy(status.value())
                     .contains(QStringLiteral("runs %1 where the target asks for %2").arg(proxyImage, newer)),
                 qPrintable(describeProxy(status.value())));
        QStringList said;
        auto upgraded = upgradeProxy(t, [&said](const QString &line) { said.append(line); });
        QVERIFY2(upgraded, qPrintable(upgraded ? QString() : upgraded.error().message));
        QCOMPARE(upgraded.value(),
                 QStringLiteral("the proxy runs %1 (was %2), with 1 route(s)").arg(newer, proxyImage));
        QCOMPARE(ask(QStringLiteral("a.test")), QStringLiteral("1"));
        status = inspectProxy(t);
        QVERIFY(status);
        QCOMPARE(status->runningImage, newer);
        upgraded = upgradeProxy(t, {});
        QVERIFY(upgraded);
        QCOMPARE(upgraded.value(), QStringLiteral("the proxy runs %1 already").arg(newer));
    }

    // The same through slipway-cli: a git repository whose slipway.toml has [deploy.proxy],
    // deployed twice and rolled back by the history's recorded settings, under load.
    void cliDeploysAndRollsBackThroughTheProxy()
    {
        QTemporaryDir data;
        GitRepo repo;
        QVERIFY(data.isValid() && repo.isValid());
        const auto cli = [&data](QStringList arguments) {
            arguments.prepend(data.path());
            arguments.prepend(QStringLiteral("--data-dir"));
            return slipway::test::runCli(arguments);
        };
        const Target t = target();
        CliRun run = cli({QStringLiteral("target"), QStringLiteral("add"), QStringLiteral("local"),
                          QStringLiteral("--endpoint"), t.endpoint, QStringLiteral("--proxy-image"),
                          t.proxyImage, QStringLiteral("--proxy-http-port"), QString::number(t.proxyHttpPort),
                          QStringLiteral("--proxy-https-port"), QString::number(t.proxyHttpsPort)});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QByteArray proxied = "[deploy.proxy]\nhosts = [\"cli.test\"]\nport = 8000\n";
        for (const QByteArray &version : {QByteArrayLiteral("v1"), QByteArrayLiteral("v2")}) {
            QVERIFY(slipway::test::commitWebApp(repo, version, true, 8000, {}, 0, "8s", proxied));
            run = cli(
                {QStringLiteral("deploy"), repo.path(), QStringLiteral("--target"), QStringLiteral("local")});
            QVERIFY2(run.exitCode == 0, qPrintable(run.err + QString::fromUtf8(run.out)));
            QCOMPARE(ask(QStringLiteral("cli.test")), QString::fromUtf8(version));
        }
        QVERIFY2(run.err.contains(QStringLiteral("http://cli.test:%1/").arg(t.proxyHttpPort)) ||
                     QString::fromUtf8(run.out).contains(
                         QStringLiteral("http://cli.test:%1/").arg(t.proxyHttpPort)),
                 qPrintable(run.err + QString::fromUtf8(run.out)));

        LoadGenerator load(url(), QStringLiteral("cli.test"));
        load.start();
        QTest::qWait(300);
        run = cli({QStringLiteral("rollback"), QStringLiteral("--target"), QStringLiteral("local"),
                   QStringLiteral("--app"), QStringLiteral("web")});
        QTest::qWait(300);
        load.stop();
        QVERIFY2(run.exitCode == 0, qPrintable(run.err + QString::fromUtf8(run.out)));
        const QList<LoadGenerator::Answer> answers = load.answers();
        QVERIFY2(LoadGenerator::failures(answers) == 0, qPrintable(LoadGenerator::describe(answers)));
        for (int client = 0; client < load.clients(); ++client)
            QCOMPARE(versions(LoadGenerator::ofClient(answers, client)), QStringLiteral("v2 v1"));
        QCOMPARE(ask(QStringLiteral("cli.test")), QStringLiteral("v1"));

        // The proxy is made again on request, with the route; the check shows it.
        run = cli({QStringLiteral("target"), QStringLiteral("upgrade-proxy"), QStringLiteral("local")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY2(
            QString::fromUtf8(run.out).contains(QStringLiteral("the proxy runs %1 already").arg(proxyImage)),
            qPrintable(QString::fromUtf8(run.out)));
        run = cli({QStringLiteral("target"), QStringLiteral("check"), QStringLiteral("local")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY2(QString::fromUtf8(run.out).contains(QStringLiteral("web (cli.test)")),
                 qPrintable(QString::fromUtf8(run.out)));
        run = cli({QStringLiteral("target"), QStringLiteral("upgrade-proxy"), QStringLiteral("nosuch")});
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(run.errors().size(), 1);
    }

    // tls = "internal": a certificate the deploy makes for the app's hosts, signed by itself.
    void servesTlsWithACertificateOfItsOwn()
    {
        const Target t = target();
        RolloutRequest r = request(QStringLiteral("own"), QStringLiteral("1"), QStringLiteral("own.test"), t);
        r.deploy.proxy->hosts.append(QStringLiteral("www.own.test"));
        r.deploy.proxy->tlsInternal = true;
        const RolloutResult result = rollout(r);
        QVERIFY2(result.allHealthy(), qPrintable(describe(result)));
        QCOMPARE(result.targets.first().address,
                 QStringLiteral("https://own.test:%1/").arg(t.proxyHttpsPort));
        LoadGenerator one(QStringLiteral("https://www.own.test:%1/").arg(t.proxyHttpsPort),
                          QStringLiteral("www.own.test"), 1, 30, 1);
        one.setInsecure();
        one.start();
        one.wait();
        QCOMPARE(LoadGenerator::describe(one.answers()), QStringLiteral("1 requests, 0 failed"));
        QCOMPARE(one.answers().first().body.trimmed(), QByteArray("1"));
        const QString certificate = one.certificate();
        QVERIFY2(certificate.contains(QStringLiteral("DNS:own.test")) &&
                     certificate.contains(QStringLiteral("DNS:www.own.test")) &&
                     certificate.contains(QStringLiteral("CN = own.test")),
                 qPrintable(certificate));
    }

    // The proxy's host port is taken: one line naming target and port; the app is not touched.
    void takenProxyPortIsSaid()
    {
        Target t = target();
        int fd = -1;
        quint16 taken = 0;
        fd = slipway::test::listenOnLoopback(&taken, 1);
        QVERIFY(fd >= 0);
        t.proxyHttpPort = taken;
        const RolloutResult result =
            rollout(request(QStringLiteral("web"), QStringLiteral("1"), QStringLiteral("a.test"), t));
        ::close(fd);
        QVERIFY(!result.allHealthy());
        const QString error = result.targets.first().error;
        QVERIFY2(error.contains(QStringLiteral("target local")) && error.contains(QString::number(taken)) &&
                     !error.contains(u'\n'),
                 qPrintable(error));
        QCOMPARE(containerIdOf(t, QStringLiteral("web")), QStringLiteral("containers: 0"));
    }
};

QTEST_GUILESS_MAIN(TestProxy)
#include "tst_proxy.moc"
