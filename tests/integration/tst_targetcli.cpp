// slipway-cli target add|list|check|remove and history, on a data dir of each function's own;
// target check against the harness's real Podman and Docker services, started once.

#include "clirun.h"
#include "dockerservice.h"
#include "podmanservice.h"

#include "deploy/proxy.h"
#include "history/history.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace slipway;
using slipway::test::CliRun;
using slipway::test::DockerService;
using slipway::test::EngineService;
using slipway::test::PodmanService;
using slipway::test::runCli;

namespace {

QString digest(char c)
{
    return QStringLiteral("sha256:") + QString(64, QLatin1Char(c));
}

// The lines of a CLI's stderr; a message must be exactly one.
QStringList errLines(const CliRun &run)
{
    return run.err.trimmed().split(u'\n', Qt::SkipEmptyParts);
}

QString describe(const CliRun &run)
{
    return QStringLiteral("exit %1, out: %2, err: %3")
        .arg(run.exitCode)
        .arg(QString::fromUtf8(run.out), run.err);
}

} // namespace

class TestTargetCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void addListRemove();
    void badTargets();
    void proxySettings();
    void unusableDataDir();
    void checkAgainstTheEngine_data();
    void checkAgainstTheEngine();
    void historyTable();
    void historyJsonAndFilters();

private:
    CliRun cli(QStringList arguments);
    QString databasePath() const { return History::defaultPath(m_dir->path()); }

    std::unique_ptr<QTemporaryDir> m_dir;
    PodmanService m_podman;
    DockerService m_docker;
};

void TestTargetCli::initTestCase()
{
    QVERIFY2(m_podman.start(), qPrintable(m_podman.errorString()));
    QVERIFY2(m_docker.start(), qPrintable(m_docker.errorString()));
}

void TestTargetCli::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

CliRun TestTargetCli::cli(QStringList arguments)
{
    arguments.prepend(m_dir->path());
    arguments.prepend(QStringLiteral("--data-dir"));
    return runCli(arguments);
}

void TestTargetCli::addListRemove()
{
    CliRun run = cli({QStringLiteral("target"), QStringLiteral("list")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY(run.out.contains("no targets"));

    run = cli({QStringLiteral("target"), QStringLiteral("add"), QStringLiteral("web"),
               QStringLiteral("--endpoint"), QStringLiteral("unix:///run/web.sock")});
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    QVERIFY(run.out.contains("added target web (unix:///run/web.sock)"));
    run = cli({QStringLiteral("target"), QStringLiteral("add"), QStringLiteral("api.1"),
               QStringLiteral("--endpoint"),
               QStringLiteral("ssh://deploy@example.org:2222/run/podman/podman.sock")});
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));

    // A duplicate name: bad input, one line naming the database and the name; the first stays.
    run = cli({QStringLiteral("target"), QStringLiteral("add"), QStringLiteral("web"),
               QStringLiteral("--endpoint"), QStringLiteral("unix:///run/other.sock")});
    QCOMPARE(run.exitCode, 2);
    QCOMPARE(errLines(run).size(), 1);
    QVERIFY2(run.err.contains(databasePath()) && run.err.contains(u"target \"web\" already exists"),
             qPrintable(run.err));

    run = cli({QStringLiteral("target"), QStringLiteral("list")});
    QCOMPARE(run.exitCode, 0);
    const QStringList lines = QString::fromUtf8(run.out).trimmed().split(u'\n');
    QCOMPARE(lines.size(), 3);
    QVERIFY(lines.at(0).startsWith(u"NAME"));
    QVERIFY(lines.at(1).startsWith(u"api.1 ") &&
            lines.at(1).endsWith(u"ssh://deploy@example.org:2222/run/podman/podman.sock"));
    QVERIFY(lines.at(2).startsWith(u"web ") && lines.at(2).endsWith(u"unix:///run/web.sock"));

    run = cli({QStringLiteral("target"), QStringLiteral("list"), QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    const QJsonArray array = QJsonDocument::fromJson(run.out).array();
    QCOMPARE(array.size(), 2);
    QCOMPARE(array.at(1).toObject().value(u"name").toString(), QStringLiteral("web"));
    QCOMPARE(array.at(1).toObject().value(u"endpoint").toString(), QStringLiteral("unix:///run/web.sock"));

    run = cli({QStringLiteral("target"), QStringLiteral("remove"), QStringLiteral("web")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY(run.out.contains("removed target web"));
    run = cli({QStringLiteral("target"), QStringLiteral("remove"), QStringLiteral("web")});
    QCOMPARE(run.exitCode, 2);
    QCOMPARE(errLines(run).size(), 1);
    QVERIFY2(run.err.contains(u"no target \"web\""), qPrintable(run.err));
    run = cli({QStringLiteral("target"), QStringLiteral("check"), QStringLiteral("web")});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(u"no target \"web\""), qPrintable(run.err));

    // What the CLI wrote, read back through the API.
    Result<std::unique_ptr<History>> history = History::open(databasePath());
    QVERIFY(history.ok());
    Result<QList<Target>> targets = history.value()->targets();
    QCOMPARE(targets->size(), 1);
    QCOMPARE(targets->first().name, QStringLiteral("api.1"));
}

void TestTargetCli::badTargets()
{
    QFile ca(m_dir->filePath(QStringLiteral("ca.pem")));
    QVERIFY(ca.open(QIODevice::WriteOnly));
    ca.write("not checked here\n");
    ca.close();
    const QString missing = m_dir->filePath(QStringLiteral("missing-key.pem"));
    struct Case
    {
        QStringList arguments;
        QString expected; // in the one-line message
    };
    const QList<Case> cases = {
        {{QStringLiteral("bad name"), QStringLiteral("--endpoint"), QStringLiteral("unix:///x.sock")},
         QStringLiteral("target name 'bad name'")},
        {{QStringLiteral("../up"), QStringLiteral("--endpoint"), QStringLiteral("unix:///x.sock")},
         QStringLiteral("target name '../up'")},
        {{QStringLiteral("web"), QStringLiteral("--endpoint"), QStringLiteral("http://example.org:2375")},
         QStringLiteral("unknown scheme 'http'")},
        {{QStringLiteral("web"), QStringLiteral("--endpoint"), QStringLiteral("unix://relative.sock")},
         QStringLiteral("must be absolute")},
        {{QStringLiteral("web"), QStringLiteral("--endpoint"), QStringLiteral("tcp://example.org")},
         QStringLiteral("no port")},
        {{QStringLiteral("web"), QStringLiteral("--endpoint"), QStringLiteral("unix:///x.sock"),
          QStringLiteral("--tls-ca"), ca.fileName(), QStringLiteral("--tls-cert"), ca.fileName(),
          QStringLiteral("--tls-key"), ca.fileName()},
         QStringLiteral("tcp:// endpoints only")},
        {{QStringLiteral("web"), QStringLiteral("--endpoint"), QStringLiteral("tcp://127.0.0.1:2376"),
          QStringLiteral("--tls-ca"), ca.fileName(), QStringLiteral("--tls-cert"), ca.fileName(),
          QStringLiteral("--tls-key"), missing},
         missing},
        {{QStringLiteral("web"), QStringLiteral("--endpoint"), QStringLiteral("tcp://127.0.0.1:2376"),
          QStringLiteral("--tls-cert"), ca.fileName()},
         QStringLiteral("all three")},
        {{QStringLiteral("web"), QStringLiteral("--endpoint"),
          QStringLiteral("ssh://deploy:hunter2@example.org")},
         QStringLiteral("holds a password")},
        // The proxy's ports: 1 to 65535, named with the flag and the value; its image a reference.
        {{QStringLiteral("web"), QStringLiteral("--endpoint"), QStringLiteral("unix:///x.sock"),
          QStringLiteral("--proxy-http-port"), QStringLiteral("0")},
         QStringLiteral("--proxy-http-port takes a port from 1 to 65535, not '0'")},
        {{QStringLiteral("web"), QStringLiteral("--endpoint"), QStringLiteral("unix:///x.sock"),
          QStringLiteral("--proxy-https-port"), QStringLiteral("65536")},
         QStringLiteral("--proxy-https-port takes a port from 1 to 65535, not '65536'")},
        {{QStringLiteral("web"), QStringLiteral("--endpoint"), QStringLiteral("unix:///x.sock"),
          QStringLiteral("--proxy-http-port=http")},
         QStringLiteral("--proxy-http-port takes a port from 1 to 65535, not 'http'")},
        {{QStringLiteral("web"), QStringLiteral("--endpoint"), QStringLiteral("unix:///x.sock"),
          QStringLiteral("--proxy-https-port"), QStringLiteral("-443")},
         QStringLiteral("--proxy-https-port takes a port from 1 to 65535, not '-443'")},
        {{QStringLiteral("web"), QStringLiteral("--endpoint"), QStringLiteral("unix:///x.sock"),
          QStringLiteral("--proxy-image"), QStringLiteral("Not A/Reference")},
         QStringLiteral("target web: the proxy image: invalid image reference")},
        // Both ports the same, one of them by default: the proxy could not take both.
        {{QStringLiteral("web"), QStringLiteral("--endpoint"), QStringLiteral("unix:///x.sock"),
          QStringLiteral("--proxy-http-port"), QStringLiteral("443")},
         QStringLiteral("target web: the proxy's HTTP and HTTPS ports are both 443")},
        {{QStringLiteral("web"), QStringLiteral("--endpoint"), QStringLiteral("unix:///x.sock"),
          QStringLiteral("--proxy-http-port"), QStringLiteral("8000"), QStringLiteral("--proxy-https-port"),
          QStringLiteral("8000")},
         QStringLiteral("both 8000")},
    };
    for (const Case &c : cases) {
        const CliRun run = cli(QStringList{QStringLiteral("target"), QStringLiteral("add")} + c.arguments);
        QVERIFY2(run.exitCode == 2, qPrintable(describe(run)));
        QVERIFY2(errLines(run).size() == 1, qPrintable(run.err));
        QVERIFY2(run.err.contains(c.expected), qPrintable(run.err + QStringLiteral(" lacks ") + c.expected));
        QVERIFY2(!run.err.contains(u"hunter2"), qPrintable(run.err)); // never a secret
        QVERIFY(run.out.isEmpty());
    }
    // Nothing was stored by any of them.
    const CliRun list = cli({QStringLiteral("target"), QStringLiteral("list"), QStringLiteral("--json")});
    QCOMPARE(list.exitCode, 0);
    QCOMPARE(QJsonDocument::fromJson(list.out).array().size(), 0);
}

// The proxy's image and ports: stored as given, shown by list and its --json only when set, and
// described by --help.
void TestTargetCli::proxySettings()
{
    CliRun run = cli({QStringLiteral("target"), QStringLiteral("add"), QStringLiteral("edge"),
                      QStringLiteral("--endpoint"), QStringLiteral("unix:///run/edge.sock"),
                      QStringLiteral("--proxy-image"), QStringLiteral("registry.example.org/haproxy:2.8"),
                      QStringLiteral("--proxy-http-port"), QStringLiteral("8080"),
                      QStringLiteral("--proxy-https-port=8443")});
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    run = cli({QStringLiteral("target"), QStringLiteral("add"), QStringLiteral("half"),
               QStringLiteral("--endpoint"), QStringLiteral("unix:///run/half.sock"),
               QStringLiteral("--proxy-https-port"), QStringLiteral("9443"), QStringLiteral("--json")});
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    const QJsonObject added = QJsonDocument::fromJson(run.out).object();
    QCOMPARE(added.value(u"proxyHttpsPort").toInt(), 9443);
    QVERIFY(!added.contains(u"proxyHttpPort"));
    QVERIFY(!added.contains(u"proxyImage"));
    run = cli({QStringLiteral("target"), QStringLiteral("add"), QStringLiteral("plain"),
               QStringLiteral("--endpoint"), QStringLiteral("unix:///run/plain.sock")});
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));

    // What the CLI wrote, read back through the API.
    {
        Result<std::unique_ptr<History>> history = History::open(databasePath());
        QVERIFY(history.ok());
        Result<Target> edge = history.value()->target(QStringLiteral("edge"));
        QVERIFY(edge.ok());
        QCOMPARE(edge->proxyImage, QStringLiteral("registry.example.org/haproxy:2.8"));
        QCOMPARE(edge->proxyHttpPort, 8080);
        QCOMPARE(edge->proxyHttpsPort, 8443);
        Result<Target> half = history.value()->target(QStringLiteral("half"));
        QVERIFY(half.ok());
        QVERIFY(half->proxyImage.isEmpty());
        QCOMPARE(half->proxyHttpPort, 0);
        QCOMPARE(half->proxyHttpsPort, 9443);
        QCOMPARE(history.value()->target(QStringLiteral("plain"))->proxyHttpsPort, 0);
    }

    run = cli({QStringLiteral("target"), QStringLiteral("list")});
    QCOMPARE(run.exitCode, 0);
    const QStringList lines = QString::fromUtf8(run.out).trimmed().split(u'\n');
    QCOMPARE(lines.size(), 4);
    QVERIFY2(lines.at(1).startsWith(u"edge ") &&
                 lines.at(1).endsWith(u"unix:///run/edge.sock  (proxy registry.example.org/haproxy:2.8, "
                                      u"HTTP 8080, HTTPS 8443)"),
             qPrintable(lines.at(1)));
    QVERIFY2(lines.at(2).startsWith(u"half ") &&
                 lines.at(2).endsWith(u"unix:///run/half.sock  (proxy HTTPS 9443)"),
             qPrintable(lines.at(2)));
    QVERIFY2(lines.at(3).startsWith(u"plain ") && lines.at(3).endsWith(u"unix:///run/plain.sock"),
             qPrintable(lines.at(3)));

    run = cli({QStringLiteral("target"), QStringLiteral("list"), QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    const QJsonArray array = QJsonDocument::fromJson(run.out).array();
    QCOMPARE(array.size(), 3);
    const QJsonObject edge = array.at(0).toObject();
    QCOMPARE(edge.value(u"name").toString(), QStringLiteral("edge"));
    QCOMPARE(edge.value(u"proxyImage").toString(), QStringLiteral("registry.example.org/haproxy:2.8"));
    QCOMPARE(edge.value(u"proxyHttpPort").toInt(), 8080);
    QCOMPARE(edge.value(u"proxyHttpsPort").toInt(), 8443);
    const QJsonObject plain = array.at(2).toObject();
    QCOMPARE(plain.value(u"name").toString(), QStringLiteral("plain"));
    QVERIFY(!plain.contains(u"proxyImage") && !plain.contains(u"proxyHttpPort") &&
            !plain.contains(u"proxyHttpsPort"));

    // A bad port with --json: the usage error as JSON too, naming the flag and the value.
    run = cli({QStringLiteral("target"), QStringLiteral("add"), QStringLiteral("other"),
               QStringLiteral("--endpoint"), QStringLiteral("unix:///x.sock"),
               QStringLiteral("--proxy-http-port"), QStringLiteral("99999"), QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(QJsonDocument::fromJson(run.out).object().value(u"error").toString().contains(
                 u"--proxy-http-port takes a port from 1 to 65535, not '99999'"),
             run.out.constData());

    run = cli({QStringLiteral("target"), QStringLiteral("add"), QStringLiteral("--help")});
    QCOMPARE(run.exitCode, 0);
    for (const char *option : {"--proxy-image REF", "--proxy-http-port N", "--proxy-https-port N"})
        QVERIFY2(run.out.contains(option), run.out.constData());
}

void TestTargetCli::unusableDataDir()
{
    // The data dir is a file: nothing can be created under it.
    const QString file = m_dir->filePath(QStringLiteral("a-file"));
    QFile blocker(file);
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    for (const QStringList &arguments :
         {QStringList{QStringLiteral("target"), QStringLiteral("add"), QStringLiteral("web"),
                      QStringLiteral("--endpoint"), QStringLiteral("unix:///x.sock")},
          QStringList{QStringLiteral("history")}}) {
        const CliRun run = runCli(QStringList{QStringLiteral("--data-dir"), file} + arguments);
        QCOMPARE(run.exitCode, 1);
        QCOMPARE(errLines(run).size(), 1);
        QVERIFY2(run.err.contains(file + QStringLiteral("/history.sqlite")) &&
                     run.err.contains(u"cannot create"),
                 qPrintable(run.err));
    }

    // A database that is garbage: one line naming it, and the file is left alone.
    QFile database(databasePath());
    QVERIFY(database.open(QIODevice::WriteOnly));
    database.write(QByteArray(4096, 'x'));
    database.close();
    const CliRun run = cli({QStringLiteral("target"), QStringLiteral("list")});
    QCOMPARE(run.exitCode, 1);
    QCOMPARE(errLines(run).size(), 1);
    QVERIFY2(run.err.contains(databasePath()) && run.err.contains(u"not a SQLite database"),
             qPrintable(run.err));
    QVERIFY(database.open(QIODevice::ReadOnly));
    QCOMPARE(database.readAll(), QByteArray(4096, 'x'));
}

void TestTargetCli::checkAgainstTheEngine_data()
{
    slipway::test::addEngineRows();
}

void TestTargetCli::checkAgainstTheEngine()
{
    QFETCH(QString, engine);
    EngineService &service = engine == u"docker" ? static_cast<EngineService &>(m_docker) : m_podman;
    if (!service.answers()) // a function before was stopped before it restarted the service
        QVERIFY(service.restartService());
    CliRun run = cli({QStringLiteral("target"), QStringLiteral("add"), QStringLiteral("local"),
                      QStringLiteral("--endpoint"), service.endpoint()});
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));

    run = cli({QStringLiteral("target"), QStringLiteral("check"), QStringLiteral("local")});
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    QVERIFY2(QString::fromUtf8(run.out).startsWith(QStringLiteral("target local (") + service.endpoint() +
                                                   QStringLiteral("): ") + service.engineName() + u' '),
             run.out.constData());
    QVERIFY2(run.out.contains(", API 1."), run.out.constData());
    // Then the target's proxy: none there (the default ports).
    const QStringList lines = QString::fromUtf8(run.out).split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 2);
    QCOMPARE(
        lines.at(1),
        QStringLiteral("no proxy yet (made by the first deploy with [deploy.proxy], on ports 80 and 443)"));

    run = cli({QStringLiteral("target"), QStringLiteral("check"), QStringLiteral("local"),
               QStringLiteral("--json")});
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    const QJsonObject info = QJsonDocument::fromJson(run.out).object();
    QCOMPARE(info.value(u"name").toString(), QStringLiteral("local"));
    QCOMPARE(info.value(u"engine").toString(), service.engineName());
    QVERIFY(info.value(u"apiVersion").toString().startsWith(u"1."));
    QCOMPARE(info.value(u"os").toString(), QStringLiteral("linux"));
    const QJsonObject proxy = info.value(u"proxy").toObject();
    QCOMPARE(proxy.value(u"exists").toBool(true), false);
    QCOMPARE(proxy.value(u"running").toBool(true), false);
    QCOMPARE(proxy.value(u"httpPort").toInt(), 80);
    QCOMPARE(proxy.value(u"httpsPort").toInt(), 443);
    QCOMPARE(proxy.value(u"image").toString(), QString::fromLatin1(slipway::TargetProxy::defaultImage));
    QVERIFY(proxy.value(u"routes").toArray().isEmpty());
    // An engine in no Swarm: no "swarm" (nor a swarm line above; a manager's: tst_swarmtargets).
    QVERIFY(!info.contains(u"swarm"));
    QString engineVersion;
    // podman's own version is its client's; docker's client is not the daemon.
    QCOMPARE(service.cli({QStringLiteral("version"), QStringLiteral("--format"),
                          engine == u"docker" ? QStringLiteral("{{.Server.Version}}")
                                              : QStringLiteral("{{.Client.Version}}")},
                         &engineVersion),
             0);
    QCOMPARE(info.value(u"version").toString(), engineVersion.trimmed());

    // A socket nobody serves: exit 1, one line naming the target.
    const QString nowhere = m_dir->filePath(QStringLiteral("nothing-here.sock"));
    run = cli({QStringLiteral("target"), QStringLiteral("add"), QStringLiteral("gone"),
               QStringLiteral("--endpoint"), QStringLiteral("unix://") + nowhere});
    QCOMPARE(run.exitCode, 0);
    run = cli({QStringLiteral("target"), QStringLiteral("check"), QStringLiteral("gone")});
    QCOMPARE(run.exitCode, 1);
    QCOMPARE(errLines(run).size(), 1);
    QVERIFY2(run.err.contains(u"target gone"), qPrintable(run.err));
    QVERIFY(run.out.isEmpty());

    // The service gone: the target that answered a moment ago fails the same way.
    QVERIFY(service.killService());
    run = cli({QStringLiteral("target"), QStringLiteral("check"), QStringLiteral("local")});
    QCOMPARE(run.exitCode, 1);
    QCOMPARE(errLines(run).size(), 1);
    QVERIFY2(run.err.contains(u"target local"), qPrintable(run.err));
    QVERIFY(service.restartService());
}

// Filled through the API, as deploy would: two projects, two targets, every result.
void TestTargetCli::historyTable()
{
    CliRun run = cli({QStringLiteral("history")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY(run.out.contains("no deployments"));

    Result<std::unique_ptr<History>> opened = History::open(databasePath());
    QVERIFY(opened.ok());
    History &history = **opened;
    ReleaseRecord hello;
    hello.project = QStringLiteral("hello");
    hello.commit = QStringLiteral("0123456789abcdef0123456789abcdef01234567");
    hello.digest = digest('a');
    const qint64 helloId = *history.addRelease(hello);
    ReleaseRecord other;
    other.project = QStringLiteral("other");
    other.digest = digest('b'); // a directory source: no commit
    const qint64 otherId = *history.addRelease(other);

    const qint64 d1 = *history.startDeployment(helloId, QStringLiteral("web"));
    QVERIFY(
        history.finishDeployment(d1, DeploymentResult::Succeeded, QString(), QStringLiteral("ok\n")).ok());
    const qint64 d2 = *history.startDeployment(otherId, QStringLiteral("api"));
    QVERIFY(history
                .finishDeployment(d2, DeploymentResult::Failed,
                                  QStringLiteral("health check failed: 503 on /healthz"), QString())
                .ok());
    const qint64 d3 = *history.startDeployment(helloId, QStringLiteral("api"));
    Q_UNUSED(d3); // still running: this test process is alive, so the CLI must not interrupt it

    run = cli({QStringLiteral("history")});
    QVERIFY2(run.exitCode == 0, qPrintable(describe(run)));
    const QStringList lines = QString::fromUtf8(run.out).trimmed().split(u'\n');
    QCOMPARE(lines.size(), 5); // header, three rows, one error line
    QVERIFY2(lines.at(0).simplified() == u"ID WHEN PROJECT COMMIT TARGET RESULT DURATION MESSAGE",
             qPrintable(lines.at(0)));
    QVERIFY(lines.at(1).startsWith(u"3 "));
    QVERIFY2(lines.at(1).contains(u" hello ") && lines.at(1).contains(u" 0123456789ab ") &&
                 lines.at(1).contains(u" api ") && lines.at(1).contains(u" running ") &&
                 lines.at(1).endsWith(u"-"),
             qPrintable(lines.at(1)));
    QVERIFY2(lines.at(2).startsWith(u"2 ") && lines.at(2).contains(u" other ") &&
                 lines.at(2).contains(u" sha256:bbbbbbbbbbbb ") && lines.at(2).contains(u" failed "),
             qPrintable(lines.at(2)));
    // Started and finished back to back, so the duration is only the database commit: "850ms" under a
    // second, "1.2s" from one (humanDuration), which a slow disk can reach.
    static const QRegularExpression shortDuration(QStringLiteral(" (\\d+ms|\\d+\\.\\ds)$"));
    QVERIFY2(lines.at(3).startsWith(u"1 ") && lines.at(3).contains(u" web ") &&
                 lines.at(3).contains(u" succeeded ") && shortDuration.match(lines.at(3)).hasMatch(),
             qPrintable(lines.at(3)));
    QCOMPARE(lines.at(4), QStringLiteral("#2 failed: health check failed: 503 on /healthz"));
    QCOMPARE(history.deployment(d3)->result, DeploymentResult::Running);
}

void TestTargetCli::historyJsonAndFilters()
{
    {
        Result<std::unique_ptr<History>> opened = History::open(databasePath());
        QVERIFY(opened.ok());
        History &history = **opened;
        for (int i = 0; i < 30; ++i) {
            ReleaseRecord release;
            release.project = i % 2 ? QStringLiteral("odd") : QStringLiteral("even");
            release.commit = QString(40, QLatin1Char(char('a' + i % 6)));
            release.image = QStringLiteral("127.0.0.1:5000/app:%1").arg(i);
            release.digest = digest(char('a' + i % 6));
            const qint64 releaseId = *history.addRelease(release);
            const qint64 id =
                *history.startDeployment(releaseId, i % 3 ? QStringLiteral("web") : QStringLiteral("db"));
            QVERIFY(history.finishDeployment(id, DeploymentResult::Succeeded, QString(), QString()).ok());
        }
        // A deployment whose process died (a pid that cannot exist): the CLI's open marks it.
        const qint64 orphan = *history.startDeployment(1, QStringLiteral("web"));
        Q_UNUSED(orphan);
    }
    {
        QSqlDatabase raw = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
        raw.setDatabaseName(databasePath());
        QVERIFY(raw.open());
        QSqlQuery query(raw);
        QVERIFY(query.exec(QStringLiteral("UPDATE deployments SET owner_pid = 2147483646 WHERE id = 31")));
        query.finish();
        raw.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("raw"));

    const auto json = [&](const QStringList &options) {
        const CliRun run = cli(QStringList{QStringLiteral("history"), QStringLiteral("--json")} + options);
        if (run.exitCode != 0)
            qWarning() << describe(run);
        return QJsonDocument::fromJson(run.out).array();
    };
    QJsonArray all = json({});
    QCOMPARE(all.size(), 20); // the default limit
    const QJsonObject newest = all.at(0).toObject();
    QCOMPARE(newest.value(u"id").toInteger(), 31);
    QCOMPARE(newest.value(u"result").toString(), QStringLiteral("interrupted"));
    QVERIFY(newest.value(u"error").toString().contains(u"interrupted"));
    const QJsonObject second = all.at(1).toObject();
    QCOMPARE(second.value(u"id").toInteger(), 30);
    QCOMPARE(second.value(u"project").toString(), QStringLiteral("odd"));
    QCOMPARE(second.value(u"target").toString(), QStringLiteral("web"));
    QCOMPARE(second.value(u"result").toString(), QStringLiteral("succeeded"));
    QCOMPARE(second.value(u"image").toString(), QStringLiteral("127.0.0.1:5000/app:29"));
    QVERIFY(second.value(u"durationMs").isDouble());
    QVERIFY(!second.value(u"started").toString().isEmpty());

    QCOMPARE(json({QStringLiteral("--limit"), QStringLiteral("100")}).size(), 31);
    QCOMPARE(json({QStringLiteral("--limit"), QStringLiteral("3")}).size(), 3);
    const QJsonArray even = json({QStringLiteral("--project"), QStringLiteral("even"),
                                  QStringLiteral("--limit"), QStringLiteral("100")});
    QCOMPARE(even.size(), 16); // 15 plus the orphan of release 1
    for (const QJsonValue &value : even)
        QCOMPARE(value.toObject().value(u"project").toString(), QStringLiteral("even"));
    const QJsonArray db = json(
        {QStringLiteral("--target"), QStringLiteral("db"), QStringLiteral("--limit"), QStringLiteral("100")});
    QCOMPARE(db.size(), 10);
    QCOMPARE(json({QStringLiteral("--project"), QStringLiteral("odd"), QStringLiteral("--target"),
                   QStringLiteral("db"), QStringLiteral("--limit"), QStringLiteral("100")})
                 .size(),
             5);
    QCOMPARE(json({QStringLiteral("--project"), QStringLiteral("nobody")}).size(), 0);

    const CliRun bad = cli({QStringLiteral("history"), QStringLiteral("--limit"), QStringLiteral("0")});
    QCOMPARE(bad.exitCode, 2);
    QVERIFY(bad.err.contains(u"--limit"));
}

QTEST_GUILESS_MAIN(TestTargetCli)
#include "tst_targetcli.moc"
