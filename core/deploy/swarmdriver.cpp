#include "deploy/swarmdriver.h"

#include "deploy/healthcheck.h"
#include "deploy/swarmappsecrets.h"
#include "engine/swarmsecrets.h"
#include "util/crashpoint.h"
#include "util/stopwait.h"

#include <QRegularExpression>

#include <algorithm>

namespace slipway {
namespace {

constexpr qint64 nanosecondsPerSecond = 1'000'000'000;

QString label(const char *name)
{
    return QString::fromLatin1(name);
}

// "app@sha256:0123456789ab…" of "registry:5000/team/app@sha256:0123...": what a log line needs.
QString shortImage(const QString &reference)
{
    QString name = reference.section(u'/', -1);
    const qsizetype at = name.indexOf(QLatin1String("@sha256:"));
    if (at >= 0 && name.size() > at + 8 + 12)
        name = name.left(at + 8 + 12) + QChar(0x2026);
    return name;
}

bool isFailed(const ServiceTask &task)
{
    return task.state == u"failed" || task.state == u"rejected";
}

bool runs(const ServiceTask &task)
{
    return task.state == u"running" && task.desiredState == u"running";
}

} // namespace

SwarmDriver::SwarmDriver(const RolloutRequest &request, const Target &target, RolloutReporter &reporter,
                         std::unique_ptr<EngineClient> client)
    : m_request(request)
    , m_target(target)
    , m_image(request.image)
    , m_reporter(reporter)
    , m_client(std::move(client))
{
    m_timer.start();
}

SwarmDriver::~SwarmDriver() = default;

QString SwarmDriver::seconds() const
{
    return QString::number(double(m_timer.elapsed()) / 1000.0, 'f', 1);
}

bool SwarmDriver::isServiceName(const QString &name)
{
    static const QRegularExpression valid(QStringLiteral("^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$"));
    return name.size() <= 63 && valid.match(name).hasMatch();
}

// What a Swarm service cannot be made of, said before anything is sent.
Status SwarmDriver::checkRequest() const
{
    const DeploySpec &deploy = m_request.deploy;
    const QString prefix = QStringLiteral("%1: app %2: ").arg(where(), m_request.app);
    if (!isServiceName(m_request.app))
        return Error::badInput(prefix + QStringLiteral("a Swarm service's name holds only letters, digits, "
                                                       "and '-' or '_' between them (at most 63): set "
                                                       "[deploy] name"));
    // A repair names no image: it only puts back what the history says.
    const bool deploys = !m_request.image.reference.isEmpty() || m_request.image.load;
    if (deploys &&
        (m_request.image.load || m_request.image.localRegistry || !m_request.image.reference.contains(u'@')))
        return Error::badInput(prefix + QStringLiteral("every Swarm node pulls the image itself, from a "
                                                       "registry, by digest; release %1 has no image there "
                                                       "(it was built without --image): deploy with --image "
                                                       "REGISTRY/REPOSITORY")
                                            .arg(m_request.release));
    if (deploy.proxy)
        return Error::badInput(prefix + QStringLiteral("[deploy.proxy] is not available on a Swarm target "
                                                       "(yet): publish the app's ports instead"));
    if (!deploy.secrets.isEmpty() && !deploy.secretFiles)
        return Error::badInput(prefix +
                               QStringLiteral("[deploy] secrets reach a Swarm service's tasks as files "
                                              "under /run/secrets only (Swarm secrets), never in its "
                                              "environment: set secrets = { names = [...], files = "
                                              "true }"));
    for (const QString &mapping : deploy.ports)
        if (mapping.section(u'/', 0, 0).count(u':') != 1)
            return Error::badInput(prefix + QStringLiteral("[deploy] ports \"%1\": a Swarm service publishes "
                                                           "on every address of its nodes, not on one")
                                                .arg(mapping));
    return success();
}

Status SwarmDriver::prepare()
{
    if (Status valid = checkRequest(); !valid)
        return valid;
    return choosePlatform();
}

// The image of the manager's platform; the nodes are taken to run the same.
Status SwarmDriver::choosePlatform()
{
    auto image = imageForEngine(m_request, *m_client,
                                [this](const QString &text) { m_reporter.log(LogLevel::Info, text); });
    if (!image)
        return image.error();
    m_image = image.value();
    return success();
}

// The manager pulls it first: an image the nodes cannot pull is said before any update is sent,
// and the lock container and the health check's look into the image need it there.
Status SwarmDriver::shipImage()
{
    auto present = m_client->inspectImage(m_image.reference);
    if (!present)
        return present.error();
    if (present.value()) {
        m_reporter.log(LogLevel::Info,
                       QStringLiteral("image %1 is already on the manager").arg(m_image.reference));
        return success();
    }
    m_reporter.log(
        LogLevel::Info,
        QStringLiteral("pulling image %1 on the manager (each node pulls it too)").arg(m_image.reference));
    return m_client->pull(m_image.reference, m_image.credential, m_image.registry);
}

Status SwarmDriver::lock()
{
    return takeLock(m_image.reference);
}

Status SwarmDriver::takeLock(const QString &image)
{
    m_lock.emplace(*m_client, m_request.app, image);
    return m_lock->acquire(m_request.waitForLock, m_request.stop,
                           [this](const QString &message) { m_reporter.log(LogLevel::Warning, message); });
}

AppInstance SwarmDriver::instanceOf(const ServiceState &service) const
{
    return AppInstance{.id = service.id,
                       .name = service.name,
                       .release = service.labels.value(label(labels::release)),
                       .image = service.image,
                       .running = service.replicas > 0,
                       .heldPorts = service.publishedPorts};
}

bool SwarmDriver::isOurs(const ServiceTask &task) const
{
    return task.containerLabels.value(label(labels::release)) == m_request.release &&
           task.image == m_image.reference;
}

Result<QList<AppInstance>> SwarmDriver::inspect()
{
    auto service = m_client->findService(m_request.app);
    if (!service)
        return service.error();
    if (!service.value())
        return QList<AppInstance>{};
    return QList<AppInstance>{instanceOf(*service.value())};
}

// [deploy] health.path as the task's health check, when the image has a program that can ask
// for it (wget, busybox's wget or curl, looked for in a container made from the image and never
// started); otherwise the image's own HEALTHCHECK, or running, is all Swarm can go by.
QStringList SwarmDriver::healthTest()
{
    const DeploySpec &deploy = m_request.deploy;
    if (!deploy.health || deploy.health->path.isEmpty())
        return {};
    int port = deploy.health->port;
    if (port <= 0 && !deploy.ports.isEmpty())
        port = deploy.ports.first().section(u'/', 0, 0).section(u':', -1).toInt();
    const QString url = QStringLiteral("http://127.0.0.1:%1%2").arg(port).arg(deploy.health->path);
    const QString cannot =
        QStringLiteral("[deploy] health.path %1 cannot be checked by Swarm: %2; the image's own HEALTHCHECK "
                       "(if any) and running are what the update goes by");
    if (port <= 0) {
        m_reporter.log(LogLevel::Warning, cannot.arg(deploy.health->path, QStringLiteral("no health.port")));
        return {};
    }
    ContainerSpec probe;
    probe.image = m_image.reference;
    probe.command = {QStringLiteral("true")};
    auto created = m_client->createContainer(probe);
    if (!created) {
        m_reporter.log(LogLevel::Warning, cannot.arg(deploy.health->path, created.error().message));
        return {};
    }
    const QList<std::pair<QString, QStringList>> programs{
        {QStringLiteral("/usr/bin/wget"),
         {QStringLiteral("-q"), QStringLiteral("-O"), QStringLiteral("/dev/null")}},
        {QStringLiteral("/bin/wget"),
         {QStringLiteral("-q"), QStringLiteral("-O"), QStringLiteral("/dev/null")}},
        {QStringLiteral("/bin/busybox"),
         {QStringLiteral("wget"), QStringLiteral("-q"), QStringLiteral("-O"), QStringLiteral("/dev/null")}},
        {QStringLiteral("/usr/bin/curl"),
         {QStringLiteral("-fsS"), QStringLiteral("-o"), QStringLiteral("/dev/null")}},
        {QStringLiteral("/bin/curl"),
         {QStringLiteral("-fsS"), QStringLiteral("-o"), QStringLiteral("/dev/null")}}};
    QStringList test;
    for (const auto &[program, arguments] : programs) {
        auto found = m_client->containerHasPath(created.value(), program);
        if (found && found.value()) {
            test = QStringList{QStringLiteral("CMD"), program} + arguments + QStringList{url};
            break;
        }
    }
    if (Status removed = m_client->removeContainer(created.value()); !removed)
        m_reporter.log(LogLevel::Warning, removed.error().message);
    if (test.isEmpty())
        m_reporter.log(
            LogLevel::Warning,
            cannot.arg(deploy.health->path, QStringLiteral("the image has no wget, busybox or curl")));
    else
        m_reporter.log(LogLevel::Info,
                       QStringLiteral("health check of each task: %1").arg(test.mid(1).join(u' ')));
    return test;
}

int SwarmDriver::monitorSeconds() const
{
    return m_request.deploy.health ? m_request.deploy.health->timeoutSeconds : 5;
}

ServiceSpec SwarmDriver::serviceSpec(const QStringList &healthTest) const
{
    const DeploySpec &deploy = m_request.deploy;
    ServiceSpec spec;
    spec.name = m_request.app;
    spec.labels = deploy.labels; // Slipway's own below, which the spec cannot name
    spec.labels.insert(label(labels::app), m_request.app);
    spec.labels.insert(label(labels::release), m_request.release);
    spec.labels.insert(label(labels::commit), m_request.commit);
    spec.containerLabels = spec.labels;
    spec.image = m_image.reference;
    spec.env = deploy.env;
    spec.args = deploy.command;
    for (const VolumeSpec &volume : deploy.volumes)
        spec.mounts.append(ContainerMount{.source = volume.source,
                                          .target = volume.target,
                                          .bind = volume.isBind(),
                                          .readOnly = volume.readOnly});
    for (const QString &host : deploy.extraHosts)
        spec.hosts.append(host.section(u':', 1) + u' ' + host.section(u':', 0, 0));
    if (!healthTest.isEmpty()) {
        // A task is not running until healthy; it gets health.timeout to become so, then three
        // failures in a row make it unhealthy.
        spec.healthTest = healthTest;
        spec.healthIntervalNanoseconds = qint64(deploy.health->intervalSeconds) * nanosecondsPerSecond;
        spec.healthTimeoutNanoseconds = 5 * nanosecondsPerSecond;
        spec.healthStartPeriodNanoseconds = qint64(deploy.health->timeoutSeconds) * nanosecondsPerSecond;
        spec.healthRetries = 3;
    }
    spec.stopGraceNanoseconds = qint64(deploy.stopTimeoutSeconds) * nanosecondsPerSecond;
    spec.memoryBytes = deploy.memoryBytes;
    spec.nanoCpus = qint64(deploy.cpus * 1e9);
    spec.restartCondition = deploy.restart == u"no"           ? QStringLiteral("none")
                            : deploy.restart == u"on-failure" ? QStringLiteral("on-failure")
                                                              : QStringLiteral("any");
    spec.logDriver = deploy.log.driver;
    spec.logOptions = deploy.log.options;
    if (!deploy.network.isEmpty())
        spec.networks = {deploy.network};
    spec.replicas = deploy.replicas;
    for (const QString &mapping : deploy.ports) {
        const QString ports = mapping.section(u'/', 0, 0);
        spec.ports.append(ServicePort{.published = ports.section(u':', 0, 0).toInt(),
                                      .target = ports.section(u':', 1, 1).toInt(),
                                      .protocol = mapping.contains(u'/') ? mapping.section(u'/', 1)
                                                                         : QStringLiteral("tcp")});
    }
    // Two tasks on one node cannot share a host port or (safely) a volume: the old one stops
    // before the new one starts. Otherwise the new one is healthy before the old one stops.
    const QString order = deploy.volumes.isEmpty() && deploy.ports.isEmpty() ? QStringLiteral("start-first")
                                                                             : QStringLiteral("stop-first");
    const qint64 monitor = qint64(monitorSeconds()) * nanosecondsPerSecond;
    spec.update = ServiceUpdatePolicy{.parallelism = 1,
                                      .order = order,
                                      .failureAction = QStringLiteral("rollback"),
                                      .monitorNanoseconds = monitor};
    spec.rollback = ServiceUpdatePolicy{.parallelism = 1,
                                        .order = order,
                                        .failureAction = QStringLiteral("pause"),
                                        .monitorNanoseconds = monitor};
    return spec;
}

Result<AppInstance> SwarmDriver::switchTo(const QList<AppInstance> &current)
{
    Q_UNUSED(current); // read again: the version an update names must be the service's now
    auto existing = m_client->findService(m_request.app);
    if (!existing)
        return existing.error();
    if (existing.value() && existing.value()->labels.value(label(labels::app)) != m_request.app)
        return Error::badInput(
            QStringLiteral("%1: a service named %2 is already there, and Slipway did not make "
                           "it (it has no label %3=%2): remove or rename it, or set another "
                           "[deploy] name")
                .arg(where(), m_request.app, label(labels::app)));
    ServiceSpec spec = serviceSpec(healthTest());
    SwarmSecrets secrets(m_client->connection());
    const auto log = [this](const QString &text) { m_reporter.log(LogLevel::Info, text); };
    auto placed = placeSwarmSecrets(secrets, QStringLiteral("%1: service %2").arg(where(), m_request.app),
                                    m_request.app, m_request.secrets, m_request.secretHashes, log);
    if (!placed)
        return placed.error();
    spec.secrets = placed.value();
    const QByteArray auth =
        m_image.credential ? EngineImages::registryAuth(*m_image.credential, m_image.registry) : QByteArray();
    const QString how = QStringLiteral("%1 replica(s) of %2, %3, monitor %4 s")
                            .arg(spec.replicas)
                            .arg(shortImage(spec.image), spec.update.order)
                            .arg(monitorSeconds());
    m_reporter.state(TargetState::Starting);
    QString id;
    const bool created = !existing.value();
    if (created) {
        auto made = m_client->createService(spec, auth);
        if (!made)
            return made.error();
        id = made.value();
        m_reporter.log(LogLevel::Info, QStringLiteral("created service %1 (%2): %3").arg(spec.name, id, how));
    } else {
        id = existing.value()->id;
        if (Status updated = m_client->updateService(id, existing.value()->version, spec, auth); !updated)
            return updated.error();
        m_reporter.log(LogLevel::Info,
                       QStringLiteral("updating service %1 (%2) from release %3: %4")
                           .arg(spec.name, id, existing.value()->labels.value(label(labels::release)), how));
    }
    crashPoint("rollout:created");
    m_reporter.state(TargetState::WaitingHealthy, id);
    if (Status followed = follow(id, created); !followed) {
        undo(id, created, followed.error());
        return followed.error();
    }
    auto service = m_client->inspectService(id);
    if (!service)
        return service.error();
    pruneSwarmSecrets(secrets, m_request.app, service.value(), log);
    return instanceOf(service.value());
}

// Each task of the release that runs, said once: "replica 2/3 running app@sha256:…"; and every
// task Swarm wants running, by slot, to the window's rows whenever one changed.
void SwarmDriver::reportReplicas(const QString &serviceId, const QList<ServiceTask> &tasks, int replicas)
{
    if (!m_nodeNames) {
        auto names = EngineServices(m_client->connection()).nodeNames();
        m_nodeNames = names ? names.value() : QMap<QString, QString>();
    }
    QList<ReplicaState> rows;
    for (const ServiceTask &task : tasks) {
        // A slot's current task; or, of the release, one that failed (Swarm starts another).
        if (task.desiredState != u"running" && !(isOurs(task) && isFailed(task)))
            continue;
        ReplicaState row{.slot = task.slot,
                         .node =
                             task.nodeId.isEmpty() ? QString() : m_nodeNames->value(task.nodeId, task.nodeId),
                         .state = task.state,
                         .release = task.containerLabels.value(label(labels::release)),
                         .error = task.error};
        const auto same = std::find_if(rows.begin(), rows.end(),
                                       [&](const ReplicaState &other) { return other.slot == row.slot; });
        if (same == rows.end())
            rows.append(row);
        else if (task.desiredState == u"running")
            *same = row; // the slot's live task wins over a failed one
    }
    std::sort(rows.begin(), rows.end(),
              [](const ReplicaState &a, const ReplicaState &b) { return a.slot < b.slot; });
    if (rows != m_replicaRows) {
        m_replicaRows = rows;
        m_reporter.replicas(serviceId, rows);
    }

    for (const ServiceTask &task : tasks) {
        if (isOurs(task) && runs(task) && !m_reportedTasks.contains(task.id)) {
            m_reportedTasks.insert(task.id);
            m_reporter.log(LogLevel::Info, QStringLiteral("replica %1/%2 running %3 (at %4 s)")
                                               .arg(m_reportedTasks.size())
                                               .arg(replicas)
                                               .arg(shortImage(task.image), seconds()));
        } else if (task.state == u"pending" && !task.error.isEmpty() &&
                   !m_reportedProblems.contains(task.error)) {
            // "no suitable node (host-mode port already in use on 1 node)": Swarm keeps trying.
            m_reportedProblems.insert(task.error);
            m_reporter.log(LogLevel::Info,
                           QStringLiteral("replica %1 waits: %2").arg(task.slot).arg(task.error));
        }
    }
}

Status SwarmDriver::follow(const QString &serviceId, bool created)
{
    const DeploySpec &deploy = m_request.deploy;
    const int monitor = monitorSeconds();
    const int healthSeconds =
        deploy.health ? deploy.health->timeoutSeconds + 3 * deploy.health->intervalSeconds : 0;
    // One replica at a time, each pulled, started, healthy and watched; twice, for a rollback.
    const qint64 deadlineMs = (60 + 2 * qint64(deploy.replicas) * (healthSeconds + monitor + 30)) * 1000;
    QElapsedTimer clock;
    clock.start();
    QElapsedTimer settled; // since every slot runs the release, without an update status
    QString rollingBack;
    for (;;) {
        auto service = m_client->inspectService(serviceId);
        if (!service)
            return service.error();
        auto tasks = m_client->serviceTasks(serviceId);
        if (!tasks)
            return tasks.error();
        reportReplicas(serviceId, tasks.value(), deploy.replicas);
        // Every task Swarm wants running is the release's, runs, and there are as many as asked.
        qsizetype wanted = 0;
        bool allOurs = true;
        for (const ServiceTask &task : std::as_const(tasks.value())) {
            if (task.desiredState != u"running")
                continue;
            ++wanted;
            allOurs = allOurs && isOurs(task) && runs(task);
        }
        const bool everySlot = allOurs && wanted == deploy.replicas;
        const QString &state = service->updateState;
        if (state == u"completed" && everySlot)
            return success();
        if (state == u"rollback_started" && rollingBack.isEmpty()) {
            rollingBack = service->updateMessage;
            m_reporter.log(
                LogLevel::Warning,
                QStringLiteral("Swarm is rolling the update back: %1 (at %2 s)").arg(rollingBack, seconds()));
        }
        if (state == u"rollback_completed" || state == u"rollback_paused" || state == u"paused")
            return failure(serviceId, tasks.value(), state);
        if (state.isEmpty()) {
            // A new service, or an update that changed nothing a task runs: Swarm says nothing,
            // so every slot has to run the release for the monitor window.
            bool failed = false;
            for (const ServiceTask &task : std::as_const(tasks.value()))
                failed = failed || (created && isOurs(task) && isFailed(task));
            if (failed)
                return failure(serviceId, tasks.value(), QStringLiteral("failed"));
            if (!everySlot)
                settled.invalidate();
            else if (!settled.isValid())
                settled.start();
            else if (settled.elapsed() >= monitor * 1000)
                return success();
        }
        if (clock.elapsed() > deadlineMs)
            return Error::failed(
                QStringLiteral("%1: service %2: release %3 is not on every replica after %4 s "
                               "(update: %5)")
                    .arg(where(), m_request.app, m_request.release)
                    .arg(clock.elapsed() / 1000)
                    .arg(state.isEmpty() ? QStringLiteral("none") : state));
        if (!sleepUnlessStopped(std::chrono::milliseconds(500), m_request.stop))
            return Error::cancelled(
                QStringLiteral("%1: service %2: cancelled while Swarm rolled release %3 out")
                    .arg(where(), m_request.app, m_request.release));
    }
}

// The rollout failed: one line with the failed task's error, its last lines kept.
Error SwarmDriver::failure(const QString &serviceId, const QList<ServiceTask> &tasks, const QString &what)
{
    // The release's last task that failed; else the last that said why it could not run.
    const ServiceTask *failed = nullptr;
    for (const ServiceTask &task : tasks) {
        if (!isOurs(task) || (!isFailed(task) && task.error.isEmpty()))
            continue;
        const bool better = !failed || (isFailed(task) && !isFailed(*failed)) ||
                            (isFailed(task) == isFailed(*failed) && task.timestamp > failed->timestamp);
        if (better)
            failed = &task;
    }
    QString cause =
        failed ? QStringLiteral("replica %1 (task %2): %3")
                     .arg(failed->slot)
                     .arg(failed->id.left(12), failed->error.isEmpty() ? failed->message : failed->error)
               : QStringLiteral("no task of it says why");
    if (failed) {
        if (auto lines = m_client->taskLogs(failed->id, m_request.logLines); lines && !lines->isEmpty()) {
            m_reporter.setFailedLogs(lines.value());
            m_reporter.log(
                LogLevel::Info,
                QStringLiteral("last lines of task %1:\n%2").arg(failed->id.left(12), lines->join(u'\n')));
        }
    }
    QString outcome;
    if (what == u"rollback_completed") {
        auto service = m_client->inspectService(serviceId);
        const QString back = service ? service->labels.value(label(labels::release)) : QString();
        outcome = QStringLiteral("Swarm rolled the update back%1")
                      .arg(back.isEmpty() ? QString() : QStringLiteral(" to release %1").arg(back));
    } else if (what == u"rollback_paused") {
        outcome = QStringLiteral("Swarm's rollback paused, some replicas may run either release");
    } else if (what == u"paused") {
        outcome = QStringLiteral("the update paused");
    } else {
        outcome = QStringLiteral("it never ran on every replica");
    }
    return Error::failed(QStringLiteral("%1: service %2: release %3 failed, %4: %5")
                             .arg(where(), m_request.app, m_request.release, outcome, cause));
}

void SwarmDriver::undo(const QString &serviceId, bool created, const Error &error)
{
    // A cancelled rollout still cleans up, with a client that is not cancelled.
    EngineClient cleanup(m_target);
    EngineClient &client = error.kind == Error::Kind::Cancelled ? cleanup : *m_client;
    if (&client == &cleanup)
        (void)cleanup.connect();
    if (created) {
        if (Status removed = client.removeService(serviceId); !removed) {
            m_reporter.log(LogLevel::Warning, removed.error().message);
        } else {
            m_reporter.log(LogLevel::Info, QStringLiteral("removed service %1, which never ran release %2")
                                               .arg(m_request.app, m_request.release));
            SwarmSecrets secrets(client.connection());
            pruneSwarmSecrets(secrets, m_request.app, ServiceState{},
                              [this](const QString &text) { m_reporter.log(LogLevel::Info, text); });
        }
        return;
    }
    auto service = client.inspectService(serviceId);
    if (!service)
        return;
    // Swarm has gone back by itself, or is going: nothing to add.
    if (service->updateState.startsWith(QLatin1String("rollback")))
        return;
    if (Status back = client.rollbackService(serviceId); !back)
        m_reporter.log(LogLevel::Warning, back.error().message);
    else
        m_reporter.log(
            LogLevel::Info,
            QStringLiteral("asked Swarm to roll service %1 back to its previous spec").arg(m_request.app));
}

void SwarmDriver::retire(const QList<AppInstance> &previous)
{
    if (!previous.isEmpty())
        m_reporter.log(LogLevel::Info, QStringLiteral("Swarm has replaced the previous release's tasks"));
}

Result<QStringList> SwarmDriver::restore(const QString &serving)
{
    const QString interrupted = m_request.release;
    auto found = m_client->findService(m_request.app);
    if (!found)
        return found.error();
    QStringList done;
    const auto say = [&](LogLevel level, const QString &text) {
        done.append(text);
        m_reporter.log(level, text);
    };
    if (!found.value()) {
        say(serving.isEmpty() ? LogLevel::Info : LogLevel::Warning,
            serving.isEmpty()
                ? QStringLiteral("no service %1 is on the target: nothing to put back").arg(m_request.app)
                : QStringLiteral("no service %1 is on the target: roll release %2 out again")
                      .arg(m_request.app, serving));
        return done;
    }
    if (found.value()->labels.value(label(labels::app)) != m_request.app)
        return Error::failed(QStringLiteral("%1: the service named %2 is not Slipway's: nothing to put back")
                                 .arg(where(), m_request.app));
    if (Status locked = takeLock(found.value()->image); !locked)
        return locked.error();
    auto service = m_client->findService(m_request.app); // again: another deploy may have changed it
    if (!service)
        return service.error();
    if (!service.value())
        return QStringList{QStringLiteral("service %1 is gone: nothing to put back").arg(m_request.app)};
    const QString runs = service.value()->labels.value(label(labels::release));
    if (runs != interrupted || interrupted == serving) {
        say(LogLevel::Info,
            QStringLiteral("service %1 runs release %2: nothing to undo").arg(m_request.app, runs));
    } else if (serving.isEmpty()) {
        if (Status removed = m_client->removeService(service.value()->id); !removed)
            return removed.error();
        say(LogLevel::Info, QStringLiteral("removed service %1, made by the interrupted release %2")
                                .arg(m_request.app, interrupted));
        SwarmSecrets secrets(m_client->connection());
        pruneSwarmSecrets(secrets, m_request.app, ServiceState{},
                          [&](const QString &text) { say(LogLevel::Info, text); });
    } else if (service.value()->previousLabels.value(label(labels::release)) == serving) {
        // Swarm keeps the spec it ran before: sent again, it is the serving release as it was.
        if (Status back = m_client->rollbackService(service.value()->id); !back)
            return back.error();
        say(LogLevel::Info, QStringLiteral("asked Swarm to roll service %1 back from the interrupted release "
                                           "%2 to release %3, its previous spec")
                                .arg(m_request.app, interrupted, serving));
    } else {
        say(LogLevel::Warning, QStringLiteral("service %1 runs the interrupted release %2, and its previous "
                                              "spec is not release %3: roll release %3 out again")
                                   .arg(m_request.app, interrupted, serving));
    }
    return done;
}

Status SwarmDriver::followLogs(const AppInstance &instance,
                               const std::function<bool(int, const QString &)> &onLine, int tail)
{
    return m_client->followServiceLogs(instance.id, onLine, tail);
}

} // namespace slipway
