#include "deploy/containerdriver.h"

#include "archive/tarwriter.h"
#include "deploy/rollout.h"
#include "registry/localregistry.h"
#include "util/crashpoint.h"
#include "util/stopwait.h"
#include "util/text.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QSet>

#include <thread>

namespace slipway {
namespace {

QString label(const char *name)
{
    return QString::fromLatin1(name);
}

} // namespace

QString ContainerDriver::seconds() const
{
    return QString::number(double(m_timer.elapsed()) / 1000.0, 'f', 1);
}

ContainerDriver::ContainerDriver(const RolloutRequest &request, const Target &target,
                                 RolloutReporter &reporter, std::unique_ptr<EngineClient> connected)
    : m_request(request)
    , m_target(target)
    , m_image(request.image)
    , m_reporter(reporter)
    , m_connected(connected != nullptr)
    , m_ownClient(connected ? std::move(connected) : std::make_unique<EngineClient>(target, request.stop))
    , m_client(*m_ownClient)
    , m_health(m_client, request.deploy, request.steadySeconds, request.stop)
{
    m_timer.start();
}

Status ContainerDriver::prepare()
{
    if (!m_connected)
        if (Status connected = m_client.connect(); !connected)
            return connected;
    m_connected = true;
    if (Status chosen = choosePlatform(); !chosen)
        return chosen;
    return prepareProxy();
}

// The proxy runs (made when it is not), and the app's host names are its own there; its TLS
// files are read. Said before anything of the app changes.
Status ContainerDriver::prepareProxy()
{
    if (!m_request.deploy.proxy)
        return success();
    const ProxySpec &spec = *m_request.deploy.proxy;
    if (!spec.tlsCertificate.isEmpty()) {
        QByteArray pems[2];
        QString paths[2] = {spec.tlsCertificate, spec.tlsKey};
        for (int i = 0; i < 2; ++i) {
            if (paths[i].startsWith(QLatin1String("~/")))
                paths[i] = QDir::homePath() + paths[i].mid(1);
            QFile file(paths[i]);
            if (!file.open(QIODevice::ReadOnly))
                return Error::badInput(QStringLiteral("%1: app %2: [deploy.proxy] tls: cannot read %3: %4")
                                           .arg(where(), m_request.app, paths[i], file.errorString()));
            pems[i] = file.readAll();
            if (!pems[i].endsWith('\n'))
                pems[i] += '\n';
        }
        if (Status valid = checkCertificate(pems[0], pems[1], paths[0], paths[1]); !valid)
            return Error::badInput(QStringLiteral("%1: app %2: [deploy.proxy] tls: %3")
                                       .arg(where(), m_request.app, valid.error().message));
        m_certificate = pems[0] + pems[1];
    } else if (spec.tlsInternal) {
        auto made = selfSignedCertificate(spec.hosts);
        if (!made)
            return made.error();
        m_certificate = made.value();
        m_reporter.log(LogLevel::Info,
                       QStringLiteral("made a self-signed certificate for %1 (tls = \"internal\")")
                           .arg(spec.hosts.join(QStringLiteral(", "))));
    }
    m_proxy.emplace(
        m_client, m_target, [this](const QString &text) { m_reporter.log(LogLevel::Info, text); },
        m_request.stop);
    if (Status ensured = m_proxy->ensure(); !ensured)
        return ensured;
    if (Status free = m_proxy->checkClaims(m_request.app, spec); !free)
        return free;
    m_health.setProber(
        [this](const ContainerState &state, int port, const QString &path, QString *problem) -> Result<bool> {
            const QString address = state.addresses.value(QString::fromLatin1(TargetProxy::network));
            if (address.isEmpty()) {
                *problem = QStringLiteral("the container has no address on the proxy's network yet");
                return false;
            }
            return m_proxy->probe(address, port, path, problem);
        });
    return success();
}

// Points the proxy at `instance` and lets what the previous release serves finish. One deploy at
// a time changes the proxy's routes (its own lock, beside the app's).
Status ContainerDriver::routeThroughProxy(const AppInstance &instance)
{
    const ProxySpec &spec = *m_request.deploy.proxy;
    auto state = m_client.inspectContainer(instance.id);
    if (!state)
        return state.error();
    const QString address = state->addresses.value(QString::fromLatin1(TargetProxy::network));
    if (address.isEmpty())
        return Error::failed(QStringLiteral("%1: %2 has no address on the network %3")
                                 .arg(where(), instance.name, QString::fromLatin1(TargetProxy::network)));
    std::optional<DeployLock> proxyLock;
    if (Status locked = m_proxy->lock(proxyLock, true); !locked)
        return locked;
    if (Status ensured = m_proxy->ensure(); !ensured) // again: another deploy may have changed it
        return ensured;
    auto previous =
        m_proxy->switchTo(m_request.app, spec, address + u':' + QString::number(spec.port), m_certificate);
    if (!previous)
        return previous.error();
    m_reporter.log(LogLevel::Info, QStringLiteral("the proxy sends %1's requests to %2 (at %3 s)")
                                       .arg(m_request.app, instance.name, seconds()));
    // Switched: the new release serves whatever the drain comes to.
    if (!previous->isEmpty()) {
        if (Status drained = m_proxy->drain(m_request.app, previous.value(), spec.drainSeconds); !drained)
            m_reporter.log(LogLevel::Warning, drained.error().message);
        else
            m_reporter.log(LogLevel::Info, QStringLiteral("drained (at %1 s)").arg(seconds()));
    }
    return success();
}

// The image of the engine's own platform; none built for it is said before anything changes.
Status ContainerDriver::choosePlatform()
{
    auto image = imageForEngine(m_request, m_client,
                                [this](const QString &text) { m_reporter.log(LogLevel::Info, text); });
    if (!image)
        return image.error();
    m_image = image.value();
    return success();
}

// A bind of a host path that is not there: Podman would make an empty directory in its place,
// Docker refuses it at create. Either way, said before anything changes. (Not in prepare(): a
// repair of an older release must not depend on its directories.)
Status ContainerDriver::checkHostPaths()
{
    for (const VolumeSpec &volume : m_request.deploy.volumes) {
        if (!volume.isBind())
            continue;
        auto exists = m_client.hostPathExists(volume.source);
        if (!exists)
            return exists.error();
        if (exists.value() == false)
            return Error::badInput(
                QStringLiteral("%1: [deploy] volumes \"%2\": %3 does not exist on the target's host")
                    .arg(where(), volume.text(), volume.source));
    }
    return success();
}

Status ContainerDriver::lock()
{
    return takeLock(m_image.reference);
}

Status ContainerDriver::takeLock(const QString &image)
{
    m_lock.emplace(m_client, m_request.app, image);
    return m_lock->acquire(m_request.waitForLock, m_request.stop,
                           [this](const QString &message) { m_reporter.log(LogLevel::Warning, message); });
}

Status ContainerDriver::shipImage()
{
    const ImageSource &image = m_image;
    auto present = m_client.inspectImage(image.reference);
    if (!present)
        return present.error();
    // A digest names exactly one image; a loaded release's tag is trusted only when the image
    // under it has the release's id (another history may have used the same tag). Either way,
    // present means nothing to transfer (rollbacks and retries are quick).
    if (present.value() &&
        (image.reference.contains(u'@') || (image.load && hasReleaseId(*present.value())))) {
        m_reporter.log(LogLevel::Info,
                       QStringLiteral("image %1 is already on the target").arg(image.reference));
        m_reporter.setImageTransfer(0, image.bytes);
        return success();
    }
    // Under its id (an image id is its config's digest: the same image whoever made it), as
    // the engine that built a Dockerfile release has it: tagged, not sent.
    if (image.load && !image.imageId.isEmpty()) {
        auto built = m_client.inspectImage(image.imageId);
        const qsizetype colon = image.reference.lastIndexOf(u':');
        if (built && built.value() && hasReleaseId(*built.value()) &&
            m_client.tagImage(image.imageId, image.reference.left(colon), image.reference.mid(colon + 1))) {
            m_reporter.log(LogLevel::Info, QStringLiteral("image %1 is already on the target, as %2")
                                               .arg(image.reference, image.imageId.left(19)));
            m_reporter.setImageTransfer(0, image.bytes);
            return success();
        }
    }
    if (present.value() && image.load)
        m_reporter.log(
            LogLevel::Warning,
            QStringLiteral("the target's %1 is another image (%2), not this release's; replacing it")
                .arg(image.reference, present.value()->value(QStringLiteral("Id")).toString().left(19)));
    Status shipped = transferImage();
    if (!shipped || !image.load || image.imageId.isEmpty())
        return shipped;
    // The container is made from the image id, which the transfer must have brought; the tag is
    // for people and for the next deploy's check. Podman can lose a tag to a concurrent one on
    // the same image (two deploys at once): tag it again from the id.
    auto arrived = m_client.inspectImage(image.imageId);
    if (!arrived)
        return arrived.error();
    if (!arrived.value() || !hasReleaseId(*arrived.value()))
        return Error::failed(
            QStringLiteral("%1: after the transfer, the target has no image %2").arg(where(), image.imageId));
    auto tagged = m_client.inspectImage(image.reference);
    if (tagged && tagged.value() && hasReleaseId(*tagged.value()))
        return success();
    const qsizetype colon = image.reference.lastIndexOf(u':');
    if (Status retagged =
            m_client.tagImage(image.imageId, image.reference.left(colon), image.reference.mid(colon + 1));
        !retagged)
        m_reporter.log(LogLevel::Warning, retagged.error().message);
    return success();
}

// Whether an inspected image is the release's (its id is the config digest; Podman's may lack
// the "sha256:" prefix). Without a known id there is nothing to tell it by.
bool ContainerDriver::hasReleaseId(const QJsonObject &inspected) const
{
    const QString wanted = m_image.imageId;
    if (wanted.isEmpty())
        return true;
    QString id = inspected.value(QStringLiteral("Id")).toString();
    if (!id.startsWith(QLatin1String("sha256:")))
        id.prepend(QStringLiteral("sha256:"));
    return id == wanted;
}

Status ContainerDriver::transferImage()
{
    const ImageSource &image = m_image;
    if (image.localRegistry) {
        if (Status pulled = pullFromHere(); pulled)
            return success();
        else if (pulled.error().kind == Error::Kind::Cancelled)
            return pulled;
        else
            m_reporter.log(LogLevel::Warning,
                           QStringLiteral("%1; sending the whole image instead").arg(pulled.error().message));
    }
    if (image.load) {
        m_reporter.log(LogLevel::Info, QStringLiteral("loading image %1").arg(image.reference));
        if (Status loaded = m_client.load(image.load); !loaded)
            return loaded;
        auto loadedImage = m_client.inspectImage(image.reference);
        if (!loadedImage)
            return loadedImage.error();
        if (!loadedImage.value())
            return Error::failed(
                QStringLiteral("%1: the loaded archive does not hold %2").arg(where(), image.reference));
        m_reporter.setImageTransfer(image.bytes, image.bytes);
        return success();
    }
    m_reporter.log(LogLevel::Info, QStringLiteral("pulling image %1").arg(image.reference));
    return m_client.pull(image.reference, image.credential, image.registry);
}

// The engine pulls the release from the local registry on this machine, by digest, under a
// repository of this target's own (so the registry can tell what it sent here), fetching only
// the layers it lacks; then it is tagged as the release.
Status ContainerDriver::pullFromHere()
{
    const ImageSource &image = m_image;
    auto port = m_client.exposeLocalPort(image.localRegistry->port());
    if (!port)
        return port.error();
    const QString space = repositoryComponent(m_target.name);
    const qsizetype colon = image.reference.lastIndexOf(u':');
    const QString repository = image.reference.left(colon);
    const QString tag = image.reference.mid(colon + 1);
    const QString source = QStringLiteral("127.0.0.1:%1/t-%2/%3@%4")
                               .arg(port.value())
                               .arg(space, repository.section(u'/', -1), image.digest);
    m_reporter.log(LogLevel::Info, QStringLiteral("pulling image %1 from this machine").arg(image.reference));
    const qint64 before = image.localRegistry->blobBytesSentTo(QStringLiteral("t-") + space);
    {
        // What the engine has fetched so far, a few times a second, while the pull blocks.
        std::jthread watch([this, &image, space, before](std::stop_token stop) {
            qint64 shown = 0;
            while (sleepUnlessStopped(std::chrono::milliseconds(250), stop)) {
                const qint64 sent =
                    image.localRegistry->blobBytesSentTo(QStringLiteral("t-") + space) - before;
                if (sent != shown)
                    m_reporter.transferProgress(shown = sent, image.bytes);
            }
        });
        if (Status pulled = m_client.pullFromLoopback(source); !pulled)
            return pulled;
    }
    if (Status tagged = m_client.tagImage(source, repository, tag); !tagged)
        return tagged;
    const qint64 sent = image.localRegistry->blobBytesSentTo(QStringLiteral("t-") + space) - before;
    m_reporter.setImageTransfer(sent, image.bytes);
    m_reporter.log(LogLevel::Info, QStringLiteral("sent %1 of the image's %2 bytes; the target had the rest")
                                       .arg(sent)
                                       .arg(image.bytes));
    return success();
}

Result<QList<AppInstance>> ContainerDriver::inspect()
{
    auto containers = m_client.listContainers({label(labels::app) + u'=' + m_request.app});
    if (!containers)
        return containers.error();
    QList<AppInstance> instances;
    for (const ContainerSummary &container : containers.value())
        instances.append(AppInstance{
            .id = container.id,
            .name = container.name,
            .release = container.labels.value(label(labels::release)),
            .image = container.image,
            .running = container.state == u"running",
            .heldPorts = container.labels.value(label(labels::ports)).split(u',', Qt::SkipEmptyParts)});
    return instances;
}

ContainerSpec ContainerDriver::containerSpec(const QString &name) const
{
    const DeploySpec &deploy = m_request.deploy;
    ContainerSpec spec;
    spec.name = name;
    // Registry-less: by id, which no tag moved by another deploy can change under us.
    spec.image = m_image.imageId.isEmpty() ? m_image.reference : m_image.imageId;
    spec.env = deploy.env;
    if (!deploy.secretFiles) // else files, copied in before the start (copySecretFiles)
        for (auto it = m_request.secrets.cbegin(); it != m_request.secrets.cend(); ++it)
            spec.env.insert(it.key(), it.value());
    spec.ports = deploy.ports;
    spec.network = deploy.proxy ? QString::fromLatin1(TargetProxy::network) : deploy.network;
    spec.restart = deploy.restart;
    spec.command = deploy.command;
    for (const VolumeSpec &volume : deploy.volumes)
        spec.mounts.append(ContainerMount{.source = volume.source,
                                          .target = volume.target,
                                          .bind = volume.isBind(),
                                          .readOnly = volume.readOnly});
    spec.memoryBytes = deploy.memoryBytes;
    spec.nanoCpus = qint64(deploy.cpus * 1e9);
    spec.extraHosts = deploy.extraHosts;
    spec.logDriver = deploy.log.driver;
    spec.logOptions = deploy.log.options;
    spec.labels = deploy.labels; // Slipway's own below, which the spec cannot name
    spec.labels.insert(label(labels::app), m_request.app);
    spec.labels.insert(label(labels::release), m_request.release);
    spec.labels.insert(label(labels::commit), m_request.commit);
    spec.labels.insert(label(labels::ports), heldPorts(deploy).join(u','));
    return spec;
}

// The new release's container, `<app>-<release>`, or a suffixed name when a container that is
// not ours holds that one: never touch it.
Result<AppInstance> ContainerDriver::create()
{
    const QString baseName = m_request.app + u'-' + m_request.release;
    AppInstance next{.id = {},
                     .name = baseName,
                     .release = m_request.release,
                     .image = m_image.reference,
                     .running = false,
                     .heldPorts = heldPorts(m_request.deploy)};
    auto created = m_client.createContainer(containerSpec(baseName));
    if (!created && created.error().code == Error::Code::Conflict) {
        next.name = baseName + u'-' + QString::number(QDateTime::currentMSecsSinceEpoch() % 100000);
        m_reporter.log(LogLevel::Warning,
                       QStringLiteral("%1; trying the name %2").arg(created.error().message, next.name));
        created = m_client.createContainer(containerSpec(next.name));
    }
    if (!created)
        return created.error();
    next.id = created.value();
    m_reporter.log(
        LogLevel::Info,
        QStringLiteral("created %1 (%2) from %3").arg(next.name, next.id.left(12), m_image.reference));
    if (Status copied = copySecretFiles(next.id); !copied) {
        (void)m_client.removeContainer(next.id);
        return copied.error();
    }
    return next;
}

// With [deploy] secrets files = true: /run/secrets/NAME in the new container, before it starts
// (world-readable, 0644, as the tar writer makes every file: the container's user may be any).
Status ContainerDriver::copySecretFiles(const QString &id)
{
    if (!m_request.deploy.secretFiles || m_request.secrets.isEmpty())
        return success();
    QList<std::pair<QString, QByteArray>> files;
    for (auto it = m_request.secrets.cbegin(); it != m_request.secrets.cend(); ++it)
        files.append({QStringLiteral("run/secrets/") + it.key(), it.value().toUtf8()});
    auto tar = tarOfFiles(files, QDateTime::currentSecsSinceEpoch());
    if (!tar)
        return tar.error();
    if (Status put = m_client.putArchive(id, QStringLiteral("/"), tar.value()); !put)
        return put;
    m_reporter.log(LogLevel::Info, QStringLiteral("copied %1 secret file(s) to /run/secrets in %2")
                                       .arg(m_request.secrets.size())
                                       .arg(id.left(12)));
    return success();
}

// Old containers that hold one of the new one's host ports have to stop before it can start, and
// with volumes every old one does: two containers must not write the same data.
Status ContainerDriver::stopInTheWay(const QList<AppInstance> &current, QList<AppInstance> *stopped)
{
    const QStringList ours = heldPorts(m_request.deploy);
    const QSet<QString> ports(ours.begin(), ours.end());
    const bool volumes = !m_request.deploy.volumes.isEmpty();
    for (const AppInstance &instance : current) {
        if (!instance.running || instance.release == m_request.release)
            continue;
        bool overlaps = false;
        for (const QString &port : instance.heldPorts)
            overlaps = overlaps || ports.contains(port);
        if (!overlaps && !volumes)
            continue;
        m_reporter.log(
            LogLevel::Info,
            overlaps ? QStringLiteral("stopping %1 to free its ports: the app does not answer until the "
                                      "new release is healthy ([deploy.proxy] switches with no gap)")
                           .arg(instance.name)
                     : QStringLiteral("stopping %1: it shares the app's volumes").arg(instance.name));
        if (Status halted = m_client.stopContainer(instance.id, m_request.deploy.stopTimeoutSeconds); !halted)
            return halted;
        stopped->append(instance);
    }
    return success();
}

Result<AppInstance> ContainerDriver::switchTo(const QList<AppInstance> &current)
{
    if (Status found = checkHostPaths(); !found)
        return found.error();
    for (const AppInstance &instance : current) {
        if (instance.release != m_request.release)
            continue;
        // Left by an interrupted or repeated rollout of this release: replace it.
        m_reporter.log(LogLevel::Info,
                       QStringLiteral("removing %1, left from an earlier attempt").arg(instance.name));
        if (Status removed = m_client.removeContainer(instance.id); !removed)
            return removed.error();
    }

    m_reporter.state(TargetState::Starting);
    auto next = create();
    if (!next)
        return next.error();
    crashPoint("rollout:created");
    QList<AppInstance> stopped;
    if (Status freed = stopInTheWay(current, &stopped); !freed)
        return abandon(next.value(), stopped, freed.error());
    crashPoint("rollout:stopped");
    Status started = m_client.startContainer(next->id);
    if (started) {
        crashPoint("rollout:started");
        m_reporter.state(TargetState::WaitingHealthy, next->id);
        started = m_health.wait(next->id);
    }
    if (started && m_proxy) {
        m_reporter.log(LogLevel::Info, QStringLiteral("%1 is healthy from the proxy's network (at %2 s)")
                                           .arg(next->name)
                                           .arg(seconds()));
        started = routeThroughProxy(next.value());
    }
    if (!started)
        return abandon(next.value(), stopped, started.error());
    next->running = true;
    return next;
}

void ContainerDriver::retire(const QList<AppInstance> &previous)
{
    for (const AppInstance &instance : previous) {
        m_reporter.log(LogLevel::Info,
                       QStringLiteral("removing the previous container %1").arg(instance.name));
        if (instance.running)
            if (Status halted = m_client.stopContainer(instance.id, m_request.deploy.stopTimeoutSeconds);
                !halted)
                m_reporter.log(LogLevel::Warning, halted.error().message);
        if (Status removed = m_client.removeContainer(instance.id); !removed)
            m_reporter.log(LogLevel::Warning, removed.error().message);
    }
}

Result<QStringList> ContainerDriver::restore(const QString &serving)
{
    const QString interrupted = m_request.release;
    auto before = inspect();
    if (!before)
        return before.error();
    if (before->isEmpty())
        return QStringList{
            QStringLiteral("no container of %1 is on the target: nothing to put back").arg(m_request.app)};
    // The lock container is made from an image the engine has: one of the app's.
    if (Status locked = takeLock(before->constFirst().image); !locked)
        return locked.error();
    auto instances = inspect(); // again: another deploy may have changed them while we waited
    if (!instances)
        return instances.error();

    QStringList done;
    bool serves = false;
    const auto removeInterrupted = [&]() -> Status {
        for (const AppInstance &instance : std::as_const(instances.value())) {
            if (instance.release != interrupted || interrupted == serving)
                continue;
            if (Status removed = m_client.removeContainer(instance.id); !removed)
                return removed;
            done.append(
                QStringLiteral("removed %1, of the interrupted release %2").arg(instance.name, interrupted));
            m_reporter.log(LogLevel::Info, done.constLast());
        }
        return success();
    };
    // The interrupted release goes first, freeing the ports it may hold; behind the proxy, last:
    // what served before is routed to again first, so the app is never without one.
    if (!m_proxy)
        if (Status removed = removeInterrupted(); !removed)
            return removed.error();
    for (const AppInstance &instance : std::as_const(instances.value())) {
        if (serving.isEmpty() || instance.release != serving)
            continue;
        serves = true;
        if (!instance.running) {
            if (Status started = m_client.startContainer(instance.id); !started)
                return started.error();
            done.append(QStringLiteral("started %1 (release %2) again").arg(instance.name, serving));
            m_reporter.log(LogLevel::Info, done.constLast());
        }
        if (m_proxy) {
            if (Status routed = routeThroughProxy(instance); !routed)
                return routed.error();
            done.append(QStringLiteral("the proxy routes %1 to %2 again").arg(m_request.app, instance.name));
        }
    }
    if (m_proxy)
        if (Status removed = removeInterrupted(); !removed)
            return removed.error();
    if (!serving.isEmpty() && !serves) {
        done.append(
            QStringLiteral("no container of release %1 is left to start: roll it out again").arg(serving));
        m_reporter.log(LogLevel::Warning, done.constLast());
    } else if (done.isEmpty()) {
        done.append(serving.isEmpty()
                        ? QStringLiteral("nothing to undo")
                        : QStringLiteral("release %1 was still serving: nothing to undo").arg(serving));
        m_reporter.log(LogLevel::Info, done.constLast());
    }
    return done;
}

// The new container failed: keep its last lines, remove it, start again what was stopped.
Error ContainerDriver::abandon(const AppInstance &next, const QList<AppInstance> &stopped, const Error &error)
{
    // A cancelled rollout still cleans up, with a client that is not cancelled.
    EngineClient cleanup(m_target);
    EngineClient &client = error.kind == Error::Kind::Cancelled ? cleanup : m_client;
    if (&client == &cleanup)
        (void)cleanup.connect();
    if (auto lines = client.logs(next.id, m_request.logLines); lines) {
        m_reporter.setFailedLogs(lines.value());
        if (!lines->isEmpty())
            m_reporter.log(LogLevel::Info,
                           QStringLiteral("last lines of %1:\n%2").arg(next.name, lines->join(u'\n')));
    }
    if (Status removed = client.removeContainer(next.id); !removed)
        m_reporter.log(LogLevel::Warning, removed.error().message);
    for (const AppInstance &instance : stopped) {
        m_reporter.log(LogLevel::Info, QStringLiteral("starting %1 again").arg(instance.name));
        if (Status restarted = client.startContainer(instance.id); !restarted)
            m_reporter.log(LogLevel::Error, restarted.error().message);
    }
    return error;
}

Status ContainerDriver::followLogs(const AppInstance &instance,
                                   const std::function<bool(int, const QString &)> &onLine, int tail)
{
    return m_client.followLogs(instance.id, onLine, tail);
}

} // namespace slipway
