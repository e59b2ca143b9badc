// deploy-bench: one app deployed to a Docker Engine target over ssh, by slipway-cli and by what
// people do today — `docker build` (BuildKit) + `docker push` + `ssh host docker pull && docker
// run` — first cold, then after one app file changed, all in one run (issue 12). A program, not
// a test: tests/bench/deploy-bench.sh runs it and says what it needs.
//
//   deploy-bench SLIPWAY_CLI NODE_MODULES_DIR [ROUNDS]
//
// The app: BusyBox httpd serving www/ (its version at /, "ok" at /health), with a Node app's
// node_modules in a layer of its own. Each side has its own target (a Docker Engine of the
// harness, reached through the harness sshd), so neither reuses what the other sent. A deploy
// counts as done when the new version answers on its published port and /health is 200.
// A fourth contestant (issue 13) is slipway-cli deploying the same app from the baseline's
// Dockerfile: a copy of the repository whose slipway.toml has [deploy] alone, built by its own
// target's engine (BuildKit) and imported back into Slipway's store before the rollout.

#include "dockerservice.h"
#include "httpprobe.h"
#include "processes.h"
#include "registryserver.h"
#include "sshserver.h"

#include <QCoreApplication>
#include <QDate>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QThread>

#include <algorithm>
#include <cstdio>

using namespace slipway::test;

namespace {

const QString dockerCli = QStringLiteral("/usr/bin/docker"); // Debian's docker.io, as the engines

[[noreturn]] void fail(const QString &message)
{
    std::fprintf(stderr, "deploy-bench: %s\n", qPrintable(message));
    std::exit(1);
}

// Runs a program to the end (at most 15 minutes); its stdout. Fails the benchmark on a non-zero exit.
QByteArray run(const QString &program, const QStringList &arguments, const QStringList &environment = {},
               const QString &workingDirectory = {})
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString &assignment : environment)
        env.insert(assignment.section(u'=', 0, 0), assignment.section(u'=', 1));
    process.setProcessEnvironment(env);
    if (!workingDirectory.isEmpty())
        process.setWorkingDirectory(workingDirectory);
    process.start(program, arguments);
    if (!process.waitForFinished(15 * 60 * 1000) || process.exitStatus() != QProcess::NormalExit ||
        process.exitCode() != 0)
        fail(QStringLiteral("%1 %2 failed: %3")
                 .arg(program, arguments.join(u' '),
                      QString::fromUtf8(process.readAllStandardError() + process.readAllStandardOutput())
                          .trimmed()
                          .right(2000)));
    return process.readAllStandardOutput();
}

void write(const QString &path, const QByteArray &contents, bool executable = false)
{
    QDir().mkpath(QFileInfo(path).path());
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(contents) != contents.size())
        fail(QStringLiteral("cannot write %1").arg(path));
    if (executable)
        file.setPermissions(file.permissions() | QFileDevice::ExeOwner | QFileDevice::ExeGroup |
                            QFileDevice::ExeOther);
}

// Until http://127.0.0.1:port/ answers `version` and /health answers 200, polled every 50 ms.
void waitUntilServing(quint16 port, const QByteArray &version)
{
    QElapsedTimer timer;
    timer.start();
    const QString base = QStringLiteral("http://127.0.0.1:%1").arg(port);
    while (timer.elapsed() < 60000) {
        const HttpReply page = httpRequest(HttpRequest(base + u'/'));
        if (page.status == 200 && page.body.trimmed() == version &&
            httpRequest(HttpRequest(base + QStringLiteral("/health"))).status == 200)
            return;
        QThread::msleep(50);
    }
    fail(QStringLiteral("port %1 never served %2").arg(port).arg(QString::fromUtf8(version)));
}

double median(QList<double> values)
{
    std::sort(values.begin(), values.end());
    const qsizetype n = values.size();
    return n % 2 ? values.at(n / 2) : (values.at(n / 2 - 1) + values.at(n / 2)) / 2;
}

struct Timing
{
    double total = 0;
    QList<std::pair<QString, double>> steps; // what took how long, for the breakdown
    qint64 bytesSent = -1;                   // slipway: what its report says went to the target
    QStringList log;                         // slipway: its stderr, each line timed
};

class Bench
{
public:
    Bench(QString cli, QString nodeModules)
        : m_cli(std::move(cli))
        , m_nodeModules(std::move(nodeModules))
    {}

    void setUp();
    // From the repository's [[layers]], or with `dockerfile` from the Dockerfile copy.
    Timing slipwayDeploy(const QByteArray &version, bool json = true, bool dockerfile = false);
    // The baseline: BuildKit (DOCKER_BUILDKIT=1), or the classic builder, which plain `docker
    // build` is on docker.io 20.10.
    enum Builder
    {
        BuildKit,
        Classic
    };
    Timing dockerDeploy(Builder builder, const QByteArray &version);
    void commit(const QByteArray &version);

    QString describeTree() const { return m_tree; }

private:
    QStringList gitEnvironment() const;

    QString m_cli;
    QString m_nodeModules;
    QTemporaryDir m_work{QDir::tempPath() + QStringLiteral("/slipway-deploy-bench-XXXXXX")};
    QString m_repo;
    QString m_dockerfileRepo; // the same files, the Dockerfile, slipway.toml with [deploy] alone
    QString m_tree;
    int m_commits = 0;
    quint16 m_slipwayPort = 0;
    quint16 m_dockerfilePort = 0;
    quint16 m_dockerPort[2] = {};

    RegistryServer m_registry;
    std::unique_ptr<DockerService> m_builder; // where `docker build` runs, pushing to m_registry
    DockerService m_slipwayTarget;
    DockerService m_dockerfileTarget;
    DockerService m_dockerTarget[2];
    SshServer m_ssh;
};

QStringList Bench::gitEnvironment() const
{
    const QString date = QStringLiteral("@%1 +0000").arg(1700000000 + 60 * m_commits);
    return {QStringLiteral("GIT_AUTHOR_DATE=") + date,
            QStringLiteral("GIT_COMMITTER_DATE=") + date,
            QStringLiteral("GIT_AUTHOR_NAME=bench"),
            QStringLiteral("GIT_COMMITTER_NAME=bench"),
            QStringLiteral("GIT_AUTHOR_EMAIL=bench@slipway.invalid"),
            QStringLiteral("GIT_COMMITTER_EMAIL=bench@slipway.invalid")};
}

void Bench::setUp()
{
    if (!m_work.isValid())
        fail(QStringLiteral("no temporary directory"));
    if (!m_registry.start())
        fail(m_registry.errorString());
    m_builder = std::make_unique<DockerService>(QStringList{m_registry.address()});
    for (TestServer *server :
         std::initializer_list<TestServer *>{m_builder.get(), &m_slipwayTarget, &m_dockerfileTarget,
                                             &m_dockerTarget[BuildKit], &m_dockerTarget[Classic], &m_ssh})
        if (!server->start())
            fail(server->errorString());
    QSet<quint16> ports;
    while (ports.size() < 4)
        ports.insert(freeLoopbackPort());
    m_slipwayPort = *ports.begin();
    m_dockerPort[BuildKit] = *std::next(ports.begin());
    m_dockerPort[Classic] = *std::next(ports.begin(), 2);
    m_dockerfilePort = *std::next(ports.begin(), 3);

    m_repo = m_work.filePath(QStringLiteral("app"));
    QDir().mkpath(m_repo);
    run(QStringLiteral("cp"),
        {QStringLiteral("-a"), m_nodeModules, m_repo + QStringLiteral("/node_modules")});
    run(QStringLiteral("find"),
        {m_repo + QStringLiteral("/node_modules"), QStringLiteral("-name"), QStringLiteral(".git"),
         QStringLiteral("-prune"), QStringLiteral("-exec"), QStringLiteral("rm"), QStringLiteral("-rf"),
         QStringLiteral("{}"), QStringLiteral("+")});
    QFile busybox(QStringLiteral("/bin/busybox"));
    if (!busybox.open(QIODevice::ReadOnly))
        fail(QStringLiteral("no /bin/busybox (apt-get install busybox-static)"));
    write(m_repo + QStringLiteral("/bin/busybox"), busybox.readAll(), true);
    write(m_repo + QStringLiteral("/www/health"), "ok\n");
    // Stop at once on both sides: the baseline's `docker rm -f` kills too.
    write(m_repo + QStringLiteral("/slipway.toml"),
          QStringLiteral(
              "[image]\n"
              "entrypoint = [\"/bin/busybox\", \"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/www\"]\n"
              "[[layers]]\nname = \"busybox\"\ninclude = [\"bin/**\"]\ndest = \"/\"\n"
              "[[layers]]\nname = \"deps\"\ninclude = [\"node_modules/**\"]\ndest = \"/app\"\n"
              "[[layers]]\nname = \"www\"\ninclude = [\"www/**\"]\ndest = \"/\"\n"
              "[deploy]\nname = \"web\"\nports = [\"%1:8080\"]\nrestart = \"no\"\n"
              "stop_timeout = 0\n"
              "health = { path = \"/health\", port = 8080, timeout = \"60s\" }\n")
              .arg(m_slipwayPort)
              .toUtf8());
    // The same image for docker build: the same three layers, the same command.
    write(m_work.filePath(QStringLiteral("Dockerfile")),
          "FROM scratch\n"
          "COPY bin/ /bin/\n"
          "COPY node_modules/ /app/node_modules/\n"
          "COPY www/ /www/\n"
          "ENTRYPOINT [\"/bin/busybox\", \"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/www\"]\n");
    write(m_repo + QStringLiteral("/.dockerignore"), ".git\nslipway.toml\n");
    // The Dockerfile contestant: the same tree, the baseline's Dockerfile, no [[layers]].
    m_dockerfileRepo = m_work.filePath(QStringLiteral("app-dockerfile"));
    run(QStringLiteral("cp"), {QStringLiteral("-a"), m_repo, m_dockerfileRepo});
    run(QStringLiteral("cp"), {m_work.filePath(QStringLiteral("Dockerfile")), m_dockerfileRepo});
    write(
        m_dockerfileRepo + QStringLiteral("/slipway.toml"),
        QStringLiteral("[deploy]\nname = \"web\"\nports = [\"%1:8080\"]\nrestart = \"no\"\nstop_timeout = 0\n"
                       "health = { path = \"/health\", port = 8080, timeout = \"60s\" }\n")
            .arg(m_dockerfilePort)
            .toUtf8());
    for (const QString &repo : {m_repo, m_dockerfileRepo})
        run(QStringLiteral("git"), {QStringLiteral("init"), QStringLiteral("-q"), QStringLiteral("-b"),
                                    QStringLiteral("main"), repo});
    commit("v1");
    const qsizetype files =
        QString::fromUtf8(run(QStringLiteral("git"), {QStringLiteral("ls-files")}, {}, m_repo)).count(u'\n');
    const QString bytes =
        QString::fromUtf8(
            run(QStringLiteral("du"), {QStringLiteral("-sb"), QStringLiteral("--exclude=.git"), m_repo}))
            .section(u'\t', 0, 0);
    m_tree = QStringLiteral("%1 files, %2 MB").arg(files).arg(bytes.toDouble() / 1e6, 0, 'f', 1);

    // Both sides reach their target through the harness sshd, with its key and known_hosts.
    for (const auto &[dataDir, target] :
         {std::pair(QStringLiteral("slipway"), &m_slipwayTarget),
          std::pair(QStringLiteral("slipway-dockerfile"), &m_dockerfileTarget)})
        run(m_cli, {QStringLiteral("--data-dir"), m_work.filePath(dataDir), QStringLiteral("target"),
                    QStringLiteral("add"), QStringLiteral("remote"), QStringLiteral("--endpoint"),
                    QStringLiteral("ssh://%1@127.0.0.1:%2%3")
                        .arg(m_ssh.user())
                        .arg(m_ssh.port())
                        .arg(target->socketPath())});
}

void Bench::commit(const QByteArray &version)
{
    for (const QString &repo : {m_repo, m_dockerfileRepo}) {
        write(repo + QStringLiteral("/www/index.html"), version + '\n');
        run(QStringLiteral("git"), {QStringLiteral("add"), QStringLiteral("-A")}, {}, repo);
        run(QStringLiteral("git"),
            {QStringLiteral("commit"), QStringLiteral("-qm"), QString::fromUtf8(version)}, gitEnvironment(),
            repo);
    }
    ++m_commits;
}

Timing Bench::slipwayDeploy(const QByteArray &version, bool json, bool dockerfile)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("SLIPWAY_SSH_COMMAND"),
               QStringLiteral("ssh ") + m_ssh.clientOptions().join(u' '));
    process.setProcessEnvironment(env);
    Timing timing;
    QElapsedTimer timer;
    // Without --json, what it prints, each line with the time it arrived: where the seconds go.
    QByteArray pending;
    if (!json)
        process.setProcessChannelMode(QProcess::MergedChannels);
    QObject::connect(&process, &QProcess::readyReadStandardOutput, [&] {
        if (json)
            return;
        pending += process.readAllStandardOutput();
        for (qsizetype end; (end = pending.indexOf('\n')) >= 0; pending.remove(0, end + 1))
            timing.log.append(QStringLiteral("%1 s  %2")
                                  .arg(timer.elapsed() / 1000.0, 5, 'f', 2)
                                  .arg(QString::fromUtf8(pending.left(end))));
    });
    timer.start();
    QStringList arguments{
        QStringLiteral("--data-dir"),
        m_work.filePath(dockerfile ? QStringLiteral("slipway-dockerfile") : QStringLiteral("slipway")),
        QStringLiteral("deploy"),
        dockerfile ? m_dockerfileRepo : m_repo,
        QStringLiteral("--target"),
        QStringLiteral("remote")};
    if (json)
        arguments.append(QStringLiteral("--json"));
    process.start(m_cli, arguments);
    if (!process.waitForFinished(15 * 60 * 1000) || process.exitStatus() != QProcess::NormalExit)
        fail(QStringLiteral("slipway-cli deploy did not finish"));
    timing.total = timer.elapsed() / 1000.0;
    const QByteArray out = process.readAllStandardOutput();
    const QJsonObject report = QJsonDocument::fromJson(out).object();
    if (process.exitCode() != 0 || (json && !report.value(QStringLiteral("healthy")).toBool()))
        fail(QStringLiteral("slipway-cli deploy failed: ") + timing.log.join(u'\n') + QString::fromUtf8(out));
    for (const QJsonValue &target : report.value(QStringLiteral("targets")).toArray())
        timing.bytesSent = target.toObject().value(QStringLiteral("imageBytesSent")).toInteger();
    // Already true when deploy returns (it waited for the health check); checked, not timed.
    waitUntilServing(dockerfile ? m_dockerfilePort : m_slipwayPort, version);
    return timing;
}

Timing Bench::dockerDeploy(Builder kind, const QByteArray &version)
{
    const QString image =
        m_registry.address() +
        (kind == BuildKit ? QStringLiteral("/bench/buildkit:") : QStringLiteral("/bench/classic:")) +
        QString::fromUtf8(version);
    const QStringList client{QStringLiteral("DOCKER_CONFIG=") +
                                 m_work.filePath(QStringLiteral("docker-client")),
                             QStringLiteral("DOCKER_BUILDKIT=") + (kind == BuildKit ? u'1' : u'0')};
    const QStringList builder{QStringLiteral("-H"), m_builder->endpoint()};
    const QString remoteDocker = dockerCli + QStringLiteral(" -H ") + m_dockerTarget[kind].endpoint();
    Timing timing;
    QElapsedTimer total;
    total.start();
    QElapsedTimer step;
    step.start();
    run(dockerCli,
        builder + QStringList{QStringLiteral("build"), QStringLiteral("-q"), QStringLiteral("-f"),
                              m_work.filePath(QStringLiteral("Dockerfile")), QStringLiteral("-t"), image,
                              m_repo},
        client);
    timing.steps.append({QStringLiteral("build"), step.restart() / 1000.0});
    run(dockerCli, builder + QStringList{QStringLiteral("push"), QStringLiteral("-q"), image}, client);
    timing.steps.append({QStringLiteral("push"), step.restart() / 1000.0});
    run(QStringLiteral("ssh"),
        m_ssh.clientOptions() +
            QStringList{
                m_ssh.destination(),
                QStringLiteral("%1 pull -q %2 && { %1 rm -f web >/dev/null 2>&1; %1 run -d --name web "
                               "--restart no -p %3:8080 %2; }")
                    .arg(remoteDocker, image)
                    .arg(m_dockerPort[kind])});
    timing.steps.append({QStringLiteral("ssh: pull, replace"), step.restart() / 1000.0});
    waitUntilServing(m_dockerPort[kind], version);
    timing.steps.append({QStringLiteral("healthy"), step.restart() / 1000.0});
    timing.total = total.elapsed() / 1000.0;
    return timing;
}

QString breakdown(const Timing &timing)
{
    QStringList parts;
    for (const auto &[what, seconds] : timing.steps)
        parts.append(QStringLiteral("%1 %2").arg(what).arg(seconds, 0, 'f', 2));
    return parts.join(QStringLiteral(", "));
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList arguments = app.arguments();
    if (arguments.size() < 3)
        fail(QStringLiteral("usage: deploy-bench SLIPWAY_CLI NODE_MODULES_DIR [ROUNDS]"));
    const int rounds = arguments.size() > 3 ? arguments.at(3).toInt() : 3;
    if (rounds < 1)
        fail(QStringLiteral("ROUNDS must be a positive number"));
    qunsetenv("SOURCE_DATE_EPOCH");

    Bench bench(arguments.at(1), arguments.at(2));
    bench.setUp();
    std::printf("deploy to a Docker Engine 20.10 target over ssh; the app: %s (%s, %d cores)\n",
                qPrintable(bench.describeTree()), qPrintable(QDate::currentDate().toString(Qt::ISODate)),
                QThread::idealThreadCount());
    std::printf("| deploy | docker build (BuildKit) + push + ssh pull/run | plain docker build (classic) + "
                "push + ssh pull/run | slipway-cli deploy | slipway / BuildKit | slipway / classic | slipway "
                "sent | slipway-cli deploy of the Dockerfile | that / BuildKit |\n"
                "|---|---|---|---|---|---|---|---|---|\n");
    QList<double> warm[4]; // BuildKit, classic, slipway, slipway from the Dockerfile
    QStringList steps;
    for (int round = 0; round <= rounds; ++round) {
        const QByteArray version = "v" + QByteArray::number(round + 1);
        if (round > 0)
            bench.commit(version); // one app file changed: www/index.html
        // Rotate who goes first, so no one always meets a warmer page cache.
        Timing timings[4];
        for (int turn = 0; turn < 4; ++turn) {
            const int who = (round + turn) % 4;
            timings[who] = who == 3   ? bench.slipwayDeploy(version, true, true)
                           : who == 2 ? bench.slipwayDeploy(version)
                                      : bench.dockerDeploy(Bench::Builder(who), version);
        }
        const auto &[buildKit, classic, slipway, fromDockerfile] = timings;
        if (round > 0)
            for (int who = 0; who < 4; ++who)
                warm[who].append(timings[who].total);
        const QString what = round == 0 ? QStringLiteral("cold (first deploy)")
                                        : QStringLiteral("one app file changed, round %1").arg(round);
        std::printf("| %s | %.2f s | %.2f s | %.2f s | %.2f | %.2f | %s | %.2f s | %.2f |\n",
                    qPrintable(what), buildKit.total, classic.total, slipway.total,
                    slipway.total / buildKit.total, slipway.total / classic.total,
                    qPrintable(slipway.bytesSent < 1000000
                                   ? QStringLiteral("%1 kB").arg(slipway.bytesSent / 1e3, 0, 'f', 1)
                                   : QStringLiteral("%1 MB").arg(slipway.bytesSent / 1e6, 0, 'f', 1)),
                    fromDockerfile.total, fromDockerfile.total / buildKit.total);
        steps.append(QStringLiteral("%1: BuildKit: %2; classic: %3")
                         .arg(what, breakdown(buildKit), breakdown(classic)));
        std::fflush(stdout);
    }
    const double buildKit = median(warm[0]), classic = median(warm[1]), slipway = median(warm[2]),
                 fromDockerfile = median(warm[3]);
    std::printf(
        "| **one app file changed, median of %d** | %.2f s | %.2f s | %.2f s | **%.2f** | **%.2f** | | "
        "%.2f s | **%.2f** |\n",
        rounds, buildKit, classic, slipway, slipway / buildKit, slipway / classic, fromDockerfile,
        fromDockerfile / buildKit);
    std::printf("\nwarm slipway / docker with BuildKit: %.2f; / plain docker build: %.2f (target <= 0.2)\n",
                slipway / buildKit, slipway / classic);
    std::printf("\nthe docker steps, seconds:\n%s\n", qPrintable(steps.join(u'\n')));
    // Once more without --json, for its progress lines: where a warm deploy's time goes.
    const QByteArray version = "v" + QByteArray::number(rounds + 2);
    bench.commit(version);
    const Timing timeline = bench.slipwayDeploy(version, false);
    std::printf("\none more slipway-cli deploy (%.2f s), what it printed as it arrived:\n%s\n",
                timeline.total, qPrintable(timeline.log.join(u'\n')));
    const Timing dockerfileTimeline = bench.slipwayDeploy(version, false, true);
    std::printf("\nand of the Dockerfile (%.2f s), each step's line as it ended:\n%s\n",
                dockerfileTimeline.total, qPrintable(dockerfileTimeline.log.join(u'\n')));
    return 0;
}
