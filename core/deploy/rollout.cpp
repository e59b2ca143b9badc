#include "deploy/rollout.h"

#include "deploy/containerdriver.h"
#include "deploy/healthcheck.h"
#include "deploy/swarmdriver.h"
#include "deploy/targetkind.h"
#include "engine/endpoint.h"
#include "engine/engineclient.h"
#include "util/crashpoint.h"
#include "util/logging.h"

#include <QElapsedTimer>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <optional>

namespace slipway {
namespace {

// The steps every kind of target goes through; the driver says how.
Status rollOutWith(TargetDriver &driver, RolloutReporter &reporter, const RolloutRequest &request,
                   const QElapsedTimer &timer, TargetOutcome &outcome)
{
    if (Status prepared = driver.prepare(); !prepared)
        return prepared;
    reporter.state(TargetState::Pulling, request.image.load ? QStringLiteral("sending the image")
                                                            : QStringLiteral("pulling the image"));
    if (Status shipped = driver.shipImage(); !shipped)
        return shipped;
    if (Status locked = driver.lock(); !locked)
        return locked;
    crashPoint("rollout:locked");
    auto current = driver.inspect();
    if (!current)
        return current.error();
    auto next = driver.switchTo(current.value());
    if (!next)
        return next.error();
    outcome.containerId = next->id;
    outcome.containerName = next->name;
    outcome.healthySeconds = double(timer.elapsed()) / 1000.0;
    crashPoint("rollout:switched");
    // Healthy and serving: retire every other instance of the app.
    QList<AppInstance> previous;
    for (const AppInstance &instance : std::as_const(current.value()))
        if (instance.release != request.release)
            previous.append(instance);
    driver.retire(previous);
    return success();
}

} // namespace

RolloutReporter::RolloutReporter(EventSink *events, QString target)
    : m_events(events)
    , m_target(std::move(target))
{}

void RolloutReporter::state(TargetState state, const QString &detail)
{
    if (m_events)
        m_events->post(TargetEvent{.target = m_target, .state = state, .detail = detail});
}

void RolloutReporter::replicas(const QString &detail, const QList<ReplicaState> &replicas)
{
    if (m_events)
        m_events->post(TargetEvent{.target = m_target,
                                   .state = TargetState::WaitingHealthy,
                                   .detail = detail,
                                   .replicas = replicas});
}

void RolloutReporter::healthy(const QString &detail)
{
    if (m_events)
        m_events->post(TargetEvent{.target = m_target,
                                   .state = TargetState::Healthy,
                                   .detail = detail,
                                   .imageBytesSent = m_imageBytesSent,
                                   .imageBytes = m_imageBytes});
}

void RolloutReporter::transferProgress(qint64 sent, qint64 total) const
{
    if (m_events)
        m_events->post(TargetEvent{.target = m_target,
                                   .state = TargetState::Pulling,
                                   .detail = QStringLiteral("sending the image"),
                                   .imageBytesSent = sent,
                                   .imageBytes = total});
}

void RolloutReporter::log(LogLevel level, const QString &text)
{
    m_notes.append(text);
    qCDebug(lcDeploy).noquote() << m_target << text;
    if (m_events)
        m_events->post(LogEvent{.time = QDateTime::currentDateTimeUtc(),
                                .level = level,
                                .stage = QStringLiteral("deploy"),
                                .target = m_target,
                                .text = text});
}

namespace {

// The kind of a target is known only from its engine: its first step connects, asks GET /info
// and hands the rest, with the connection, to the driver of that kind.
class KindDriver final : public TargetDriver
{
public:
    KindDriver(const RolloutRequest &request, const Target &target, RolloutReporter &reporter)
        : m_request(request)
        , m_target(target)
        , m_reporter(reporter)
    {}

    QString where() const override { return m_driver ? m_driver->where() : describeTarget(m_target); }
    Status prepare() override
    {
        if (Status chosen = choose(); !chosen)
            return chosen;
        return m_driver->prepare();
    }
    Status shipImage() override { return m_driver ? m_driver->shipImage() : unprepared(); }
    Status lock() override { return m_driver ? m_driver->lock() : unprepared(); }
    Result<QList<AppInstance>> inspect() override
    {
        if (!m_driver)
            return unprepared();
        return m_driver->inspect();
    }
    Result<AppInstance> switchTo(const QList<AppInstance> &current) override
    {
        if (!m_driver)
            return unprepared();
        return m_driver->switchTo(current);
    }
    void retire(const QList<AppInstance> &previous) override
    {
        if (m_driver)
            m_driver->retire(previous);
    }
    Result<QStringList> restore(const QString &serving) override
    {
        if (!m_driver)
            return unprepared();
        return m_driver->restore(serving);
    }
    Status followLogs(const AppInstance &instance, const std::function<bool(int, const QString &)> &onLine,
                      int tail) override
    {
        return m_driver ? m_driver->followLogs(instance, onLine, tail) : unprepared();
    }

private:
    Error unprepared() const
    {
        return Error::failed(QStringLiteral("%1: the target's driver was not prepared").arg(where()));
    }

    Status choose()
    {
        if (m_driver)
            return success();
        auto client = std::make_unique<EngineClient>(m_target, m_request.stop);
        if (Status connected = client->connect(); !connected)
            return connected;
        auto kind = targetKindOf(*client);
        if (!kind)
            return kind.error();
        if (kind.value() == TargetKind::Swarm) {
            m_driver = std::make_unique<SwarmDriver>(m_request, m_target, m_reporter, std::move(client));
            m_reporter.log(LogLevel::Info,
                           QStringLiteral("the engine is a Swarm manager: the app runs as a service"));
            return success();
        }
        // Not in a Swarm: one container per app.
        if (m_request.deploy.replicas > 1)
            return Error::badInput(
                QStringLiteral("%1: app %2: [deploy] replicas = %3 needs a Swarm manager, and "
                               "this engine is not in a Swarm: it runs one container per app")
                    .arg(where(), m_request.app)
                    .arg(m_request.deploy.replicas));
        m_driver = std::make_unique<ContainerDriver>(m_request, m_target, m_reporter, std::move(client));
        return success();
    }

    const RolloutRequest &m_request;
    const Target &m_target;
    RolloutReporter &m_reporter;
    std::unique_ptr<TargetDriver> m_driver;
};

} // namespace

std::unique_ptr<TargetDriver> makeTargetDriver(const RolloutRequest &request, const Target &target,
                                               RolloutReporter &reporter)
{
    return std::make_unique<KindDriver>(request, target, reporter);
}

bool platformRuns(const QString &platform, const QString &os, const QString &arch)
{
    // Go's names, which both engines report; an older engine may say what uname says.
    QString machine = arch;
    if (machine == u"x86_64")
        machine = QStringLiteral("amd64");
    else if (machine == u"aarch64")
        machine = QStringLiteral("arm64");
    const QStringList parts = platform.split(u'/');
    return parts.size() >= 2 && parts.at(0) == os && parts.at(1) == machine;
}

Result<ImageSource> imageForEngine(const RolloutRequest &request, EngineClient &client,
                                   const std::function<void(const QString &)> &say)
{
    if (request.platforms.isEmpty())
        return request.image;
    auto info = client.version();
    if (!info)
        return info.error();
    QStringList built;
    for (const PlatformSource &source : request.platforms) {
        if (platformRuns(source.platform, info->os, info->arch)) {
            say(QStringLiteral("the engine runs %1/%2: the %3 image")
                    .arg(info->os, info->arch, source.platform));
            return source.image;
        }
        built.append(source.platform);
    }
    return Error::badInput(
        QStringLiteral("%1 runs %2/%3, and release %4 has no image for it (built for %5); "
                       "add \"%2/%3\" to [image] platforms")
            .arg(client.where(), info->os, info->arch, request.release, built.join(QStringLiteral(", "))));
}

QString appAddress(const Target &target, const DeploySpec &deploy)
{
    // Behind the proxy: its first host name, on the proxy's port (left out when it is the
    // scheme's own).
    if (deploy.proxy && !deploy.proxy->hosts.isEmpty()) {
        const bool tls = deploy.proxy->tls();
        const int port = tls ? (target.proxyHttpsPort > 0 ? target.proxyHttpsPort : 443)
                             : (target.proxyHttpPort > 0 ? target.proxyHttpPort : 80);
        const bool usual = port == (tls ? 443 : 80);
        return QStringLiteral("%1://%2%3%4/")
            .arg(tls ? QStringLiteral("https") : QStringLiteral("http"), deploy.proxy->hosts.first(),
                 usual ? QString() : QStringLiteral(":%1").arg(port), deploy.proxy->pathPrefix);
    }
    // The first TCP port the app publishes, and the address it is bound to, if any; with host
    // networking, its health port.
    Published published;
    for (const QString &mapping : deploy.ports) {
        if (!mapping.endsWith(QLatin1String("/udp"))) {
            published = publishedPort(deploy, mapping.section(u':', -1).section(u'/', 0, 0).toInt());
            break;
        }
    }
    if (published.port == 0 && deploy.network == u"host" && deploy.health)
        published.port = deploy.health->port;
    auto endpoint = parseEndpoint(target);
    if (published.port <= 0 || !endpoint)
        return {};
    QString host =
        endpoint->kind == EngineEndpoint::Kind::Unix ? QStringLiteral("127.0.0.1") : endpoint->host;
    if (!published.address.isEmpty()) {
        const bool loopback =
            published.address.startsWith(QLatin1String("127.")) || published.address == u"::1";
        if (loopback && endpoint->kind != EngineEndpoint::Kind::Unix)
            return {}; // the target's own loopback: not reachable from here
        host = published.address;
    }
    if (host.contains(u':') && !host.startsWith(u'['))
        host = u'[' + host + u']';
    return QStringLiteral("http://%1:%2/").arg(host).arg(published.port);
}

bool RolloutResult::allHealthy() const
{
    for (const TargetOutcome &outcome : targets)
        if (!outcome.healthy)
            return false;
    return !targets.isEmpty();
}

TargetOutcome deployToTarget(const RolloutRequest &request, const Target &target)
{
    QElapsedTimer timer;
    timer.start();
    TargetOutcome outcome;
    outcome.target = target.name;
    RolloutReporter reporter(request.events, target.name);
    const std::unique_ptr<TargetDriver> driver = makeTargetDriver(request, target, reporter);
    const Status status = rollOutWith(*driver, reporter, request, timer, outcome);
    outcome.seconds = double(timer.elapsed()) / 1000.0;
    if (status) {
        outcome.healthy = true;
        outcome.address = appAddress(target, request.deploy);
        reporter.healthy(outcome.containerId);
        reporter.log(LogLevel::Info, QStringLiteral("%1 is healthy (%2) after %3 s")
                                         .arg(outcome.containerName, outcome.containerId.left(12))
                                         .arg(outcome.healthySeconds, 0, 'f', 1));
    } else {
        outcome.cancelled = status.error().kind == Error::Kind::Cancelled;
        outcome.error = status.error().message;
        reporter.state(outcome.cancelled ? TargetState::Cancelled : TargetState::Failed, outcome.error);
        reporter.log(LogLevel::Error, outcome.error);
    }
    outcome.notes = reporter.notes();
    outcome.logs = reporter.failedLogs();
    outcome.imageBytesSent = reporter.imageBytesSent();
    outcome.imageBytes = reporter.imageBytes();
    return outcome;
}

RolloutResult rollout(const RolloutRequest &request)
{
    RolloutResult result;
    result.targets.resize(request.targets.size());
    const qsizetype batch =
        request.batchSize > 0 ? request.batchSize : qMax<qsizetype>(1, request.targets.size());
    // Each target's rollout mostly waits on its engine: one thread per target of a batch.
    std::optional<QThreadPool> ownPool;
    QThreadPool *pool = request.pool;
    if (!pool) {
        ownPool.emplace();
        ownPool->setMaxThreadCount(int(batch));
        pool = &*ownPool;
    }
    bool failed = false;
    for (qsizetype first = 0; first < request.targets.size(); first += batch) {
        const qsizetype last = qMin(first + batch, request.targets.size());
        if (failed || request.stop.stop_requested()) {
            for (qsizetype i = first; i < last; ++i) {
                TargetOutcome &outcome = result.targets[i];
                outcome.target = request.targets.at(i).name;
                outcome.skipped = true;
                outcome.cancelled = request.stop.stop_requested();
                outcome.error = QStringLiteral("%1: not deployed: %2")
                                    .arg(describeTarget(request.targets.at(i)),
                                         outcome.cancelled ? QStringLiteral("cancelled")
                                                           : QStringLiteral("an earlier batch failed"));
                if (request.events)
                    request.events->post(
                        TargetEvent{.target = outcome.target,
                                    .state = outcome.cancelled ? TargetState::Cancelled : TargetState::Failed,
                                    .detail = outcome.error});
            }
            continue;
        }
        QList<QFuture<void>> running;
        for (qsizetype i = first; i < last; ++i)
            running.append(QtConcurrent::run(pool, [&request, &result, i] {
                result.targets[i] = deployToTarget(request, request.targets.at(i));
            }));
        for (QFuture<void> &future : running)
            future.waitForFinished();
        for (qsizetype i = first; i < last; ++i)
            failed = failed || !result.targets.at(i).healthy;
    }
    return result;
}

} // namespace slipway
