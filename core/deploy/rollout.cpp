#include "deploy/rollout.h"

#include "engine/endpoint.h"
#include "events/event.h"
#include "util/logging.h"

#include <QElapsedTimer>
#include <QSet>

#include <chrono>
#include <thread>

namespace slipway {
namespace {

QString label(const char *name)
{
    return QString::fromLatin1(name);
}

// The host ports a container of this spec holds: the published ones and the health port.
QSet<QString> heldPorts(const DeploySpec &deploy)
{
    QSet<QString> ports;
    for (const QString &mapping : deploy.ports) {
        const qsizetype colon = mapping.lastIndexOf(u':');
        QString host = colon < 0 ? mapping : mapping.left(colon);
        host = host.section(u':', -1).section(u'/', 0, 0);
        if (!host.isEmpty())
            ports.insert(host);
    }
    // On the host's network the app's own port is a host port too.
    if (deploy.network == u"host" && deploy.health && deploy.health->port > 0)
        ports.insert(QString::number(deploy.health->port));
    return ports;
}

// The port the app serves its health path on inside the container: [deploy] health.port, else
// the container side of the first published port.
int healthPort(const DeploySpec &deploy)
{
    if (deploy.health && deploy.health->port > 0)
        return deploy.health->port;
    for (const QString &mapping : deploy.ports) {
        const int port = mapping.section(u':', -1).section(u'/', 0, 0).toInt();
        if (port > 0)
            return port;
    }
    return 0;
}

// The host port publishing containerPort, 0 when it is not published.
int publishedPort(const DeploySpec &deploy, int containerPort)
{
    for (const QString &mapping : deploy.ports) {
        if (!mapping.contains(u':') || mapping.section(u':', -1).section(u'/', 0, 0).toInt() != containerPort)
            continue;
        return mapping.section(u':', -2, -2).toInt();
    }
    return 0;
}

// Sleeps up to `ms`, waking early on a stop request. False when stopped.
bool sleepFor(int ms, const std::stop_token &stop)
{
    for (int slept = 0; slept < ms; slept += 50) {
        if (stop.stop_requested())
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(qMin(50, ms - slept)));
    }
    return !stop.stop_requested();
}

class TargetRollout
{
public:
    TargetRollout(const RolloutRequest &request, const Target &target)
        : m_request(request)
        , m_target(target)
        , m_client(target, request.stop)
    {
        m_outcome.target = target.name;
    }

    TargetOutcome run()
    {
        m_timer.start();
        const Status status = deploy();
        m_outcome.seconds = double(m_timer.elapsed()) / 1000.0;
        if (status) {
            m_outcome.healthy = true;
            post(TargetState::Healthy, m_outcome.containerId);
            log(LogLevel::Info, QStringLiteral("%1 is healthy (%2) after %3 s")
                                    .arg(m_outcome.containerName, m_outcome.containerId.left(12))
                                    .arg(m_outcome.healthySeconds, 0, 'f', 1));
        } else {
            m_outcome.cancelled = status.error().kind == Error::Kind::Cancelled;
            m_outcome.error = status.error().message;
            post(m_outcome.cancelled ? TargetState::Cancelled : TargetState::Failed, m_outcome.error);
            log(LogLevel::Error, m_outcome.error);
        }
        return m_outcome;
    }

private:
    void post(TargetState state, const QString &detail = {})
    {
        if (m_request.events)
            m_request.events->post(TargetEvent{.target = m_target.name, .state = state, .detail = detail});
    }

    void log(LogLevel level, const QString &text)
    {
        m_outcome.notes.append(text);
        qCDebug(lcDeploy).noquote() << m_target.name << text;
        if (m_request.events)
            m_request.events->post(LogEvent{.time = QDateTime::currentDateTimeUtc(),
                                            .level = level,
                                            .stage = QStringLiteral("deploy"),
                                            .target = m_target.name,
                                            .text = text});
    }

    Error failure(const QString &cause) const
    {
        return Error::failed(QStringLiteral("%1: %2").arg(m_client.where(), cause));
    }

    Status provideImage()
    {
        post(TargetState::Pulling);
        const ImageSource &image = m_request.image;
        auto present = m_client.inspectImage(image.reference);
        if (!present)
            return present.error();
        // A digest names exactly one image, and a loaded release's tag is ours: either present
        // means nothing to transfer (rollbacks and retries are quick).
        const bool pinned = image.load || image.reference.contains(u'@');
        if (present.value() && pinned) {
            log(LogLevel::Info, QStringLiteral("image %1 is already on the target").arg(image.reference));
            return success();
        }
        if (image.load) {
            log(LogLevel::Info, QStringLiteral("loading image %1").arg(image.reference));
            if (Status loaded = m_client.load(image.load); !loaded)
                return loaded;
            auto loadedImage = m_client.inspectImage(image.reference);
            if (!loadedImage)
                return loadedImage.error();
            if (!loadedImage.value())
                return failure(QStringLiteral("the loaded archive does not hold %1").arg(image.reference));
            return success();
        }
        log(LogLevel::Info, QStringLiteral("pulling image %1").arg(image.reference));
        return m_client.pull(image.reference, image.credential, image.registry);
    }

    ContainerSpec containerSpec(const QString &name) const
    {
        const DeploySpec &deploy = m_request.deploy;
        ContainerSpec spec;
        spec.name = name;
        spec.image = m_request.image.reference;
        spec.env = deploy.env;
        spec.ports = deploy.ports;
        spec.network = deploy.network;
        spec.restart = deploy.restart;
        spec.labels.insert(label(labels::app), m_request.app);
        spec.labels.insert(label(labels::release), m_request.release);
        spec.labels.insert(label(labels::commit), m_request.commit);
        QStringList ports = heldPorts(deploy).values();
        ports.sort();
        spec.labels.insert(label(labels::ports), ports.join(u','));
        return spec;
    }

    Status waitHealthy(const QString &id)
    {
        post(TargetState::WaitingHealthy, id);
        const DeploySpec &deploy = m_request.deploy;
        const bool http = deploy.health && !deploy.health->path.isEmpty();
        const int port = healthPort(deploy);
        if (http && port <= 0)
            return Error::badInput(
                QStringLiteral("%1: [deploy] health has a path but no port").arg(m_client.where()));
        const int timeout =
            deploy.health ? qMax(1, deploy.health->timeoutSeconds) : m_request.steadySeconds + 30;
        const int interval = deploy.health ? qMax(1, deploy.health->intervalSeconds) * 1000 : 500;
        QElapsedTimer timer;
        timer.start();
        QElapsedTimer running;
        QString lastProblem;
        for (;;) {
            auto state = m_client.inspectContainer(id);
            if (!state)
                return state.error();
            if (state->restartCount > 0 && state->exitCode != 0) {
                // A restart policy hides a crash loop behind "running": it crashed all the same.
                QString cause = QStringLiteral("the new container %1 exited with status %2 and was restarted")
                                    .arg(state->name)
                                    .arg(state->exitCode);
                if (auto lines = m_client.logs(id, 1); lines && !lines->isEmpty())
                    cause += QStringLiteral(": ") + lines->last().simplified();
                return failure(cause);
            }
            if (!state->running) {
                QString cause = QStringLiteral("the new container %1 exited with status %2")
                                    .arg(state->name)
                                    .arg(state->exitCode);
                if (!state->error.isEmpty())
                    cause += QStringLiteral(" (%1)").arg(state->error.simplified());
                // Its last words usually say why ("bind: Address already in use").
                if (auto lines = m_client.logs(id, 1); lines && !lines->isEmpty())
                    cause += QStringLiteral(": ") + lines->last().simplified();
                return failure(cause);
            }
            if (!running.isValid())
                running.start();
            if (http && m_client.endpoint().kind == EngineEndpoint::Kind::Ssh) {
                auto checked = checkFromInside(id, port, deploy.health->path, &lastProblem);
                if (!checked)
                    return checked.error();
                if (checked.value())
                    return success();
            } else if (http) {
                // Where the health port is reachable from here: on the host's network or through
                // its published port at the target's host; else, for a local engine, at the
                // container's own address on the engine's bridge.
                QString host;
                int hostPort = port;
                if (deploy.network != u"host") {
                    if (const int published = publishedPort(deploy, port); published > 0)
                        hostPort = published;
                    else if (m_client.endpoint().kind == EngineEndpoint::Kind::Unix &&
                             !state->ipAddress.isEmpty())
                        host = state->ipAddress;
                }
                QString transportError;
                const long status =
                    m_client.httpGet(host, hostPort, deploy.health->path, qMin(5, timeout), &transportError);
                if (status >= 200 && status < 400)
                    return success();
                lastProblem = status ? QStringLiteral("GET %1 on port %2 answered HTTP %3")
                                           .arg(deploy.health->path)
                                           .arg(hostPort)
                                           .arg(status)
                                     : QStringLiteral("GET %1 on port %2: %3")
                                           .arg(deploy.health->path)
                                           .arg(hostPort)
                                           .arg(transportError.simplified());
            } else if (!state->health.isEmpty()) {
                if (state->health == u"healthy")
                    return success();
                if (state->health == u"unhealthy")
                    return failure(QStringLiteral("the new container %1 reports unhealthy").arg(state->name));
                lastProblem = QStringLiteral("the image's HEALTHCHECK still says %1").arg(state->health);
            } else if (running.elapsed() >= qint64(m_request.steadySeconds) * 1000) {
                return success();
            }
            if (timer.elapsed() >= qint64(timeout) * 1000)
                return failure(QStringLiteral("not healthy after %1 s: %2").arg(timeout).arg(lastProblem));
            if (!sleepFor(interval, m_request.stop))
                return Error::cancelled(QStringLiteral("%1: cancelled").arg(m_client.where()));
        }
    }

    // The HTTP check of an ssh target runs inside the container (the engine's side): the
    // published port may not be reachable from here, and the remote loopback is the container's
    // only under host networking. It needs wget (or busybox, or curl) in the image.
    Result<bool> checkFromInside(const QString &id, int port, const QString &path, QString *problem)
    {
        const QString url =
            QStringLiteral("http://127.0.0.1:%1%2").arg(port).arg(path.startsWith(u'/') ? path : u'/' + path);
        // No wget -T: busybox-static's crashes on it; the exec request has a timeout instead.
        const QList<QStringList> candidates = {
            {QStringLiteral("wget"), QStringLiteral("-q"), QStringLiteral("-O"), QStringLiteral("/dev/null"),
             url},
            {QStringLiteral("/bin/busybox"), QStringLiteral("wget"), QStringLiteral("-q"),
             QStringLiteral("-O"), QStringLiteral("/dev/null"), url},
            {QStringLiteral("curl"), QStringLiteral("-fsS"), QStringLiteral("-o"),
             QStringLiteral("/dev/null"), QStringLiteral("--max-time"), QStringLiteral("5"), url},
        };
        for (qsizetype i = m_probe; i < candidates.size(); ++i) {
            QString output;
            auto code = m_client.exec(id, candidates.at(i), &output, 10);
            const bool missing = code ? (code.value() == 126 || code.value() == 127)
                                      : code.error().code == Error::Code::NotExecutable;
            if (missing)
                continue;
            if (!code) {
                if (code.error().kind == Error::Kind::Cancelled)
                    return code.error();
                // The container may be going down; the caller sees that on its next inspect.
                *problem = code.error().message;
                return false;
            }
            m_probe = i;
            *problem = QStringLiteral("GET %1 from inside the container: %2")
                           .arg(url, output.simplified().isEmpty()
                                         ? QStringLiteral("exit status %1").arg(code.value())
                                         : output.simplified());
            return code.value() == 0;
        }
        return failure(
            QStringLiteral("cannot check %1 from inside the container: it has no wget, busybox or curl")
                .arg(url));
    }

    Status deploy()
    {
        if (Status connected = m_client.connect(); !connected)
            return connected;
        if (Status image = provideImage(); !image)
            return image;

        auto existing = m_client.listContainers({label(labels::app) + u'=' + m_request.app});
        if (!existing)
            return existing.error();
        const QSet<QString> ports = heldPorts(m_request.deploy);
        QList<ContainerSummary> old;
        for (const ContainerSummary &container : existing.value()) {
            if (container.labels.value(label(labels::release)) == m_request.release) {
                // Left by an interrupted or repeated rollout of this release: replace it.
                log(LogLevel::Info,
                    QStringLiteral("removing %1, left from an earlier attempt").arg(container.name));
                if (Status removed = m_client.removeContainer(container.id); !removed)
                    return removed;
            } else {
                old.append(container);
            }
        }

        post(TargetState::Starting);
        const QString baseName = m_request.app + u'-' + m_request.release;
        auto created = m_client.createContainer(containerSpec(baseName));
        if (!created && created.error().code == Error::Code::Conflict) {
            // A foreign container holds the name: never touch it, take a suffixed name.
            const QString suffixed =
                baseName + u'-' + QString::number(QDateTime::currentMSecsSinceEpoch() % 100000);
            log(LogLevel::Warning,
                QStringLiteral("%1; trying the name %2").arg(created.error().message, suffixed));
            created = m_client.createContainer(containerSpec(suffixed));
            if (!created)
                return created.error();
            m_outcome.containerName = suffixed;
        } else if (!created) {
            return created.error();
        } else {
            m_outcome.containerName = baseName;
        }
        const QString id = created.value();
        m_outcome.containerId = id;
        log(LogLevel::Info, QStringLiteral("created %1 (%2) from %3")
                                .arg(m_outcome.containerName, id.left(12), m_request.image.reference));

        // Old containers that hold one of our ports have to stop before the new one can start.
        QList<ContainerSummary> stopped;
        for (const ContainerSummary &container : std::as_const(old)) {
            if (container.state != u"running")
                continue;
            const QStringList theirs =
                container.labels.value(label(labels::ports)).split(u',', Qt::SkipEmptyParts);
            bool overlaps = false;
            for (const QString &port : theirs)
                overlaps = overlaps || ports.contains(port);
            if (!overlaps)
                continue;
            log(LogLevel::Info, QStringLiteral("stopping %1 to free its ports").arg(container.name));
            if (Status halted = m_client.stopContainer(container.id, m_request.deploy.stopTimeoutSeconds);
                !halted)
                return abandon(id, stopped, halted.error());
            stopped.append(container);
        }

        Status started = m_client.startContainer(id);
        if (started)
            started = waitHealthy(id);
        if (!started)
            return abandon(id, stopped, started.error());
        m_outcome.healthySeconds = double(m_timer.elapsed()) / 1000.0;

        // Healthy: retire every other container of the app; their images stay for rollbacks.
        for (const ContainerSummary &container : std::as_const(old)) {
            log(LogLevel::Info, QStringLiteral("removing the previous container %1").arg(container.name));
            if (container.state == u"running")
                if (Status halted = m_client.stopContainer(container.id, m_request.deploy.stopTimeoutSeconds);
                    !halted)
                    log(LogLevel::Warning, halted.error().message);
            if (Status removed = m_client.removeContainer(container.id); !removed)
                log(LogLevel::Warning, removed.error().message);
        }
        return success();
    }

    // The new container failed: keep its last lines, remove it, start again what we stopped.
    Status abandon(const QString &id, const QList<ContainerSummary> &stopped, const Error &error)
    {
        // A cancelled rollout still cleans up, with a client that is not cancelled.
        EngineClient cleanup(m_target);
        EngineClient &client = error.kind == Error::Kind::Cancelled ? cleanup : m_client;
        if (&client == &cleanup)
            (void)cleanup.connect();
        if (auto lines = client.logs(id, m_request.logLines); lines) {
            m_outcome.logs = lines.value();
            if (!m_outcome.logs.isEmpty())
                log(LogLevel::Info, QStringLiteral("last lines of %1:\n%2")
                                        .arg(m_outcome.containerName, m_outcome.logs.join(u'\n')));
        }
        if (Status removed = client.removeContainer(id); !removed)
            log(LogLevel::Warning, removed.error().message);
        for (const ContainerSummary &container : stopped) {
            log(LogLevel::Info, QStringLiteral("starting %1 again").arg(container.name));
            if (Status restarted = client.startContainer(container.id); !restarted)
                log(LogLevel::Error, restarted.error().message);
        }
        m_outcome.containerId.clear();
        return error;
    }

    const RolloutRequest &m_request;
    const Target &m_target;
    EngineClient m_client;
    TargetOutcome m_outcome;
    qsizetype m_probe = 0; // the first health-check command that exists in the image
    QElapsedTimer m_timer;
};

} // namespace

bool RolloutResult::allHealthy() const
{
    for (const TargetOutcome &outcome : targets)
        if (!outcome.healthy)
            return false;
    return !targets.isEmpty();
}

TargetOutcome deployToTarget(const RolloutRequest &request, const Target &target)
{
    return TargetRollout(request, target).run();
}

RolloutResult rollout(const RolloutRequest &request)
{
    RolloutResult result;
    result.targets.resize(request.targets.size());
    const qsizetype batch =
        request.batchSize > 0 ? request.batchSize : qMax<qsizetype>(1, request.targets.size());
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
        {
            std::vector<std::jthread> workers;
            for (qsizetype i = first; i < last; ++i)
                workers.emplace_back([&request, &result, i] {
                    result.targets[i] = deployToTarget(request, request.targets.at(i));
                });
        }
        for (qsizetype i = first; i < last; ++i)
            failed = failed || !result.targets.at(i).healthy;
    }
    return result;
}

} // namespace slipway
