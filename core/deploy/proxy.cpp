#include "deploy/proxy.h"

#include "archive/tarwriter.h"
#include "engine/engineclient.h"
#include "engine/target.h"
#include "util/stopwait.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <chrono>

namespace slipway {
namespace {

const QString stateDir = QString::fromLatin1(TargetProxy::stateDirectory);
constexpr int runtimePort = TargetProxy::runtimePort;
const QString proxyLabel = QStringLiteral("io.slipway.proxy");

// Runs HAProxy's runtime API commands ($1, separated by ';') and prints the answer.
const QString runtimeScript =
    QStringLiteral("exec 3<>/dev/tcp/127.0.0.1/%1 || exit 3; printf '%s\\n' \"$1\" >&3; "
                   "while IFS= read -r -t 10 line <&3 || [ -n \"$line\" ]; do printf '%s\\n' \"$line\"; done")
        .arg(runtimePort);
// Connects to $1:$2 and, with a path $3, asks it and prints the status line.
const QString probeScript = QStringLiteral(
    "exec 3<>\"/dev/tcp/$1/$2\" || exit 3; [ -z \"$3\" ] && exit 0; "
    "printf 'GET %s HTTP/1.0\\r\\nHost: %s\\r\\nUser-Agent: slipway-health\\r\\n\\r\\n' \"$3\" \"$1\" >&3; "
    "IFS= read -r -t 5 line <&3 || exit 4; printf '%s' \"$line\"");
// Prints the state file, if there is one.
const QString readStateScript = QStringLiteral("f=$1; [ -e \"$f\" ] || exit 0; printf '%s' \"$(<\"$f\")\"");

} // namespace

TargetProxy::TargetProxy(EngineClient &client, const Target &target, std::function<void(const QString &)> say,
                         std::stop_token stop)
    : m_client(client)
    , m_target(target)
    , m_say(std::move(say))
    , m_stop(std::move(stop))
{}

QString TargetProxy::image() const
{
    return m_target.proxyImage.isEmpty() ? QString::fromLatin1(defaultImage) : m_target.proxyImage;
}

int TargetProxy::hostHttpPort() const
{
    return m_target.proxyHttpPort > 0 ? m_target.proxyHttpPort : 80;
}

int TargetProxy::hostHttpsPort() const
{
    return m_target.proxyHttpsPort > 0 ? m_target.proxyHttpsPort : 443;
}

QString TargetProxy::where() const
{
    return m_client.where();
}

std::optional<ProxyRoute> TargetProxy::route(const QString &app) const
{
    for (const ProxyRoute &route : m_routes)
        if (route.app == app)
            return route;
    return std::nullopt;
}

Result<bool> TargetProxy::attach(bool *running)
{
    auto found = m_client.listContainers({proxyLabel});
    if (!found)
        return found.error();
    m_id.clear();
    m_runningImage.clear();
    m_routes.clear();
    for (const ContainerSummary &container : found.value()) {
        if (container.name != QLatin1String(containerName))
            continue;
        m_id = container.id;
        m_runningImage = container.image;
        if (running)
            *running = container.state == u"running";
        if (container.state == u"running")
            if (Status read = readState(); !read)
                return read.error();
        return true;
    }
    return false;
}

Result<ProxyStatus> inspectProxy(const Target &target, std::stop_token stop)
{
    EngineClient client(target, stop);
    if (Status connected = client.connect(); !connected)
        return connected.error();
    TargetProxy proxy(
        client, target, [](const QString &) {}, stop);
    ProxyStatus status;
    status.image = proxy.image();
    status.httpPort = proxy.hostHttpPort();
    status.httpsPort = proxy.hostHttpsPort();
    auto found = proxy.attach(&status.running);
    if (!found)
        return found.error();
    status.exists = found.value();
    status.runningImage = proxy.runningImage();
    status.routes = proxy.routes();
    return status;
}

Status TargetProxy::ensure()
{
    if (Status made =
            m_client.ensureNetwork(QString::fromLatin1(network), {{proxyLabel, QStringLiteral("1")}});
        !made)
        return made;
    bool running = false;
    auto found = attach(&running);
    if (!found)
        return found.error();
    const bool made = !found.value();
    if (made) {
        if (Status created = create(); !created)
            return created;
    } else if (!running) {
        m_say(QStringLiteral("starting the proxy %1 again").arg(QLatin1String(containerName)));
        if (Status started = m_client.startContainer(m_id); !started)
            return Error::failed(QStringLiteral("%1: the proxy does not start: %2")
                                     .arg(where(), started.error().message.section(u'\n', 0, 0)));
    }
    // Until its runtime API answers, a reload signal could come before HAProxy handles it.
    if (auto pid = workerPid({}, 15000); !pid)
        return pid.error();
    if (Status read = readState(); !read)
        return read;
    if (made && !m_routes.isEmpty()) {
        m_say(QStringLiteral("the proxy's volume kept %1 route(s): routing them again").arg(m_routes.size()));
        return reload(m_routes, {});
    }
    return success();
}

// The proxy's image on the target: pulled unless it is there.
// The pid of the worker that answers the runtime API, once one other than `notPid` does, within
// `ms`: after a start (any) or a reload (not the old one).
Result<QString> TargetProxy::workerPid(const QString &notPid, int ms)
{
    QElapsedTimer timer;
    timer.start();
    for (;;) {
        auto answer = runtime(QStringLiteral("show info"));
        if (!answer && answer.error().kind == Error::Kind::Cancelled)
            return answer.error();
        const QString pid =
            answer ? answer->section(QStringLiteral("Pid: "), 1, 1).section(u'\n', 0, 0).trimmed()
                   : QString();
        if (!pid.isEmpty() && pid != notPid)
            return pid;
        if (timer.elapsed() >= ms) {
            auto lines = m_client.logs(m_id, 3);
            return Error::failed(
                QStringLiteral("%1: %2: %3")
                    .arg(where(),
                         notPid.isEmpty() ? QStringLiteral("the proxy does not answer on its runtime API")
                                          : QStringLiteral("the proxy did not reload in %1 s").arg(ms / 1000),
                         !answer                      ? answer.error().message
                         : lines && !lines->isEmpty() ? lines->join(QStringLiteral(" / "))
                                                      : QStringLiteral("no answer")));
        }
        if (!sleepUnlessStopped(std::chrono::milliseconds(100), m_stop))
            return Error::cancelled(QStringLiteral("%1: cancelled").arg(where()));
    }
}

Status TargetProxy::pullImage()
{
    auto present = m_client.inspectImage(image());
    if (!present)
        return present.error();
    if (present.value())
        return success();
    m_say(QStringLiteral("pulling the proxy image %1").arg(image()));
    if (Status pulled = m_client.pull(image()); !pulled)
        return Error::failed(QStringLiteral("%1: the proxy image %2 is not there and cannot be pulled: %3")
                                 .arg(where(), image(), pulled.error().message.section(u'\n', 0, 0)));
    return success();
}

Status TargetProxy::create()
{
    const QString proxyImage = image();
    if (Status pulled = pullImage(); !pulled)
        return pulled;
    ContainerSpec spec;
    spec.name = QString::fromLatin1(containerName);
    spec.image = proxyImage;
    spec.labels.insert(proxyLabel, QStringLiteral("1"));
    spec.network = QString::fromLatin1(network);
    spec.ports = {QStringLiteral("%1:%2").arg(hostHttpPort()).arg(httpPort),
                  QStringLiteral("%1:%2").arg(hostHttpsPort()).arg(httpsPort)};
    spec.restart = QStringLiteral("unless-stopped");
    spec.command = {QStringLiteral("haproxy"), QStringLiteral("-W"), QStringLiteral("-db"),
                    QStringLiteral("-f"), stateDir + QStringLiteral("/haproxy.cfg")};
    spec.mounts.append(ContainerMount{
        .source = QString::fromLatin1(volume), .target = stateDir, .bind = false, .readOnly = false});
    auto created = m_client.createContainer(spec);
    if (!created)
        return created.error();
    m_id = created.value();
    m_runningImage = proxyImage;
    m_say(QStringLiteral("created the proxy %1 (%2) from %3, on host ports %4 and %5")
              .arg(spec.name, m_id.left(12), proxyImage)
              .arg(hostHttpPort())
              .arg(hostHttpsPort()));
    // Until the routes are read (ensure()): a proxy that serves nothing. A volume from a proxy
    // that was removed still has them, and they come back with the first reload.
    Status written = writeFiles({{QStringLiteral("haproxy.cfg"), configuration({})}});
    if (written)
        written = m_client.startContainer(m_id);
    if (!written) {
        (void)m_client.removeContainer(m_id);
        m_id.clear();
        return Error::failed(QStringLiteral("%1: the proxy cannot start on host ports %2 and %3: %4")
                                 .arg(where())
                                 .arg(hostHttpPort())
                                 .arg(hostHttpsPort())
                                 .arg(written.error().message.section(u'\n', 0, 0)));
    }
    return success();
}

Status TargetProxy::readState()
{
    QString output;
    auto code = m_client.exec(m_id,
                              {QStringLiteral("bash"), QStringLiteral("-c"), readStateScript,
                               QStringLiteral("slipway"), stateDir + QStringLiteral("/state.json")},
                              &output, 30);
    if (!code)
        return code.error();
    if (code.value() != 0)
        return Error::failed(QStringLiteral("%1: cannot read the proxy's state: exit status %2 %3")
                                 .arg(where())
                                 .arg(code.value())
                                 .arg(output.simplified()));
    m_routes.clear();
    if (output.trimmed().isEmpty())
        return success();
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(output.toUtf8(), &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return Error::failed(QStringLiteral("%1: the proxy's %2/state.json is not JSON: %3")
                                 .arg(where(), stateDir, parseError.errorString()));
    m_routes = parseState(document.object());
    return success();
}

Status TargetProxy::checkClaims(const QString &app, const ProxySpec &spec) const
{
    for (const ProxyRoute &other : m_routes) {
        if (other.app == app)
            continue;
        for (const QString &host : spec.hosts) {
            if (other.hosts.contains(host) && other.pathPrefix == spec.pathPrefix)
                return Error::badInput(QStringLiteral("%1: app %2: host %3%4 is already routed to app %5")
                                           .arg(where(), app, host, spec.pathPrefix, other.app));
        }
    }
    return success();
}

Status TargetProxy::writeFiles(const QList<std::pair<QString, QByteArray>> &files)
{
    auto tar = tarOfFiles(files, QDateTime::currentSecsSinceEpoch());
    if (!tar)
        return tar.error();
    return m_client.putArchive(m_id, stateDir, tar.value());
}

Result<QString> TargetProxy::runtime(const QString &commands)
{
    QString output;
    auto code = m_client.exec(
        m_id,
        {QStringLiteral("bash"), QStringLiteral("-c"), runtimeScript, QStringLiteral("slipway"), commands},
        &output, 30);
    if (!code) {
        if (code.error().code == Error::Code::NotExecutable)
            return Error::failed(QStringLiteral("%1: the proxy image %2 has no bash, which Slipway talks to "
                                                "HAProxy with")
                                     .arg(where(), image()));
        return code.error();
    }
    if (code.value() == 127)
        return Error::failed(
            QStringLiteral("%1: the proxy image %2 has no bash, which Slipway talks to HAProxy with")
                .arg(where(), image()));
    if (code.value() != 0)
        return QString(); // not listening yet
    return output;
}

Result<int> TargetProxy::workerCount()
{
    auto processes = m_client.containerProcesses(m_id);
    if (!processes)
        return processes.error();
    int count = 0;
    for (const QString &command : std::as_const(processes.value()))
        if (command.contains(QLatin1String("haproxy")))
            ++count;
    return count - 1; // the master
}

Result<int> TargetProxy::currentSessions(const QString &backend, const QString &server)
{
    auto answer = runtime(QStringLiteral("show stat"));
    if (!answer)
        return answer.error();
    const QStringList lines = answer->split(u'\n', Qt::SkipEmptyParts);
    if (lines.isEmpty() || !lines.first().startsWith(QLatin1String("# ")))
        return Error::failed(QStringLiteral("%1: the proxy's statistics are not as expected").arg(where()));
    const QStringList titles = lines.first().mid(2).split(u',');
    const qsizetype scur = titles.indexOf(QStringLiteral("scur"));
    for (const QString &row : lines) {
        const QStringList fields = row.split(u',');
        if (fields.size() > scur && fields.at(0) == backend && fields.at(1) == server)
            return fields.at(scur).toInt();
    }
    return 0;
}

Result<bool> TargetProxy::probe(const QString &address, int port, const QString &path, QString *problem)
{
    QString output;
    auto code = m_client.exec(m_id,
                              {QStringLiteral("bash"), QStringLiteral("-c"), probeScript,
                               QStringLiteral("slipway"), address, QString::number(port), path},
                              &output, 10);
    const QString what = path.isEmpty()
                             ? QStringLiteral("connecting to port %1 from the proxy").arg(port)
                             : QStringLiteral("GET %1 on port %2 from the proxy").arg(path).arg(port);
    if (!code) {
        if (code.error().kind == Error::Kind::Cancelled)
            return code.error();
        *problem = QStringLiteral("%1: %2").arg(what, code.error().message);
        return false;
    }
    if (code.value() != 0) {
        *problem = code.value() == 3 ? QStringLiteral("%1: refused").arg(what)
                                     : QStringLiteral("%1: no answer").arg(what);
        return false;
    }
    if (path.isEmpty())
        return true;
    // "HTTP/1.1 200 OK"
    const int status = output.section(u' ', 1, 1).toInt();
    if (status >= 200 && status < 400)
        return true;
    *problem = status ? QStringLiteral("%1 answered HTTP %2").arg(what).arg(status)
                      : QStringLiteral("%1: %2").arg(what, output.simplified().left(80));
    return false;
}

Status TargetProxy::reload(const QList<ProxyRoute> &routes,
                           const QList<std::pair<QString, QByteArray>> &extra)
{
    const QByteArray cfg = configuration(routes);
    // Checked by HAProxy itself before it replaces the running one.
    QList<std::pair<QString, QByteArray>> next = extra;
    next.append({QStringLiteral("haproxy.cfg.next"), cfg});
    if (Status written = writeFiles(next); !written)
        return written;
    QString output;
    auto checked = m_client.exec(m_id,
                                 {QStringLiteral("haproxy"), QStringLiteral("-c"), QStringLiteral("-q"),
                                  QStringLiteral("-f"), stateDir + QStringLiteral("/haproxy.cfg.next")},
                                 &output, 30);
    if (!checked)
        return checked.error();
    if (checked.value() != 0)
        return Error::failed(QStringLiteral("%1: the proxy refuses its new configuration: %2")
                                 .arg(where(), output.simplified().left(300)));
    auto oldPid = workerPid({}, 15000);
    if (!oldPid)
        return oldPid.error();
    if (Status written = writeFiles(
            {{QStringLiteral("haproxy.cfg"), cfg}, {QStringLiteral("state.json"), stateFile(routes)}});
        !written)
        return written;
    if (Status signalled = m_client.signalContainer(m_id, QStringLiteral("USR2")); !signalled)
        return signalled;
    // Reloaded when another worker answers.
    if (auto pid = workerPid(oldPid.value(), 30000); !pid)
        return pid.error();
    m_routes = routes;
    return success();
}

Result<QString> TargetProxy::switchTo(const QString &app, const ProxySpec &spec, const QString &address,
                                      const QByteArray &certificate)
{
    if (Status free = checkClaims(app, spec); !free)
        return free.error();
    QList<ProxyRoute> routes = m_routes;
    auto it =
        std::find_if(routes.begin(), routes.end(), [&app](const ProxyRoute &r) { return r.app == app; });
    const bool known = it != routes.end();
    if (!known) {
        ProxyRoute added;
        added.app = app;
        routes.append(added);
        it = routes.end() - 1;
    }
    ProxyRoute &route = *it;
    const QString previous = route.address(route.live).isEmpty() ? QString() : route.live;
    const bool structural = !known || route.hosts != spec.hosts || route.pathPrefix != spec.pathPrefix ||
                            route.tls != spec.tls() || spec.tls();
    const QString slot = previous.isEmpty() ? route.live : route.idle();
    route.hosts = spec.hosts;
    route.pathPrefix = spec.pathPrefix;
    route.tls = spec.tls();
    route.address(slot) = address;
    route.live = slot;

    if (structural) {
        QList<std::pair<QString, QByteArray>> extra;
        if (spec.tls())
            extra.append({QStringLiteral("certs/") + app + QStringLiteral(".pem"), certificate});
        auto workersBefore = workerCount();
        m_say(QStringLiteral("routing %1 to %2 (%3): the proxy reloads")
                  .arg(spec.hosts.join(QStringLiteral(", ")) + spec.pathPrefix, address, slot));
        if (Status reloaded = reload(routes, extra); !reloaded)
            return reloaded.error();
        if (!previous.isEmpty() && workersBefore) {
            // What the old worker serves finishes at the old release.
            QElapsedTimer timer;
            timer.start();
            for (;;) {
                auto workers = workerCount();
                if (!workers || workers.value() <= workersBefore.value())
                    break;
                if (timer.elapsed() >= qint64(spec.drainSeconds) * 1000) {
                    m_say(QStringLiteral("the proxy's previous worker still serves after %1 s; going on")
                              .arg(spec.drainSeconds));
                    break;
                }
                if (!sleepUnlessStopped(std::chrono::milliseconds(200), m_stop))
                    return Error::cancelled(QStringLiteral("%1: cancelled").arg(where()));
            }
        }
        return previous;
    }

    const QString backend = route.backend();
    const QString hostPart = address.section(u':', 0, -2);
    const QString portPart = address.section(u':', -1);
    // In order, each command on its own: while both slots are ready the backend's "balance first"
    // sends everything to blue, so whichever slot is new, no request goes back to the old one once
    // one reached the new.
    const QString commands = QStringLiteral("set server %1/%2 addr %3 port %4; set server %1/%2 state ready; "
                                            "set server %1/%5 state maint")
                                 .arg(backend, slot, hostPart, portPart, previous);
    // Persisted first: a proxy restarted in between comes up with the new release.
    if (Status written = writeFiles({{QStringLiteral("haproxy.cfg"), configuration(routes)},
                                     {QStringLiteral("state.json"), stateFile(routes)}});
        !written)
        return written.error();
    auto answer = runtime(commands);
    if (!answer)
        return answer.error();
    for (const QString &line : answer->split(u'\n', Qt::SkipEmptyParts)) {
        if (line.startsWith(QLatin1String("IP changed")) || line.startsWith(QLatin1String("no need")) ||
            line.contains(QLatin1String("changed from")))
            continue;
        // Anything else is HAProxy refusing a command: put the files back as they were.
        (void)writeFiles({{QStringLiteral("haproxy.cfg"), configuration(m_routes)},
                          {QStringLiteral("state.json"), stateFile(m_routes)}});
        return Error::failed(
            QStringLiteral("%1: the proxy refused to switch %2: %3").arg(where(), app, line));
    }
    m_routes = routes;
    return previous;
}

Result<QString> TargetProxy::upgrade()
{
    // The new image first: a proxy whose image cannot be had keeps running (and the lock is
    // made from an image the engine has).
    if (Status pulled = pullImage(); !pulled)
        return pulled.error();
    std::optional<DeployLock> held;
    m_runningImage.clear(); // the lock's container is made from image()
    if (Status locked = lock(held, true); !locked)
        return locked.error();
    bool running = false;
    auto found = attach(&running);
    if (!found)
        return found.error();
    if (found.value() && running && m_runningImage == image())
        return QStringLiteral("the proxy runs %1 already").arg(image());
    const QString before = m_runningImage;
    if (found.value()) {
        m_say(QStringLiteral("replacing the proxy (%1): its apps do not answer until the new one runs")
                  .arg(before));
        if (Status removed = m_client.removeContainer(m_id); !removed)
            return removed.error();
    }
    if (Status ensured = ensure(); !ensured)
        return ensured.error();
    return found.value() ? QStringLiteral("the proxy runs %1 (was %2), with %3 route(s)")
                               .arg(image(), before)
                               .arg(m_routes.size())
                         : QStringLiteral("the proxy runs %1").arg(image());
}

Result<QString> upgradeProxy(const Target &target, const std::function<void(const QString &)> &say,
                             std::stop_token stop)
{
    EngineClient client(target, stop);
    if (Status connected = client.connect(); !connected)
        return connected.error();
    TargetProxy proxy(
        client, target, say ? say : [](const QString &) {}, stop);
    return proxy.upgrade();
}

Status TargetProxy::lock(std::optional<DeployLock> &holder, bool wait)
{
    // From an image the engine has: the one the proxy runs, else the one it is to run.
    holder.emplace(m_client, QStringLiteral("_proxy"), m_runningImage.isEmpty() ? image() : m_runningImage);
    return holder->acquire(wait, m_stop, m_say);
}

Status TargetProxy::setMaintenance(const QString &app, bool on)
{
    std::optional<DeployLock> held;
    if (Status locked = lock(held, true); !locked)
        return locked;
    if (Status read = readState(); !read)
        return read;
    QList<ProxyRoute> routes = m_routes;
    auto it =
        std::find_if(routes.begin(), routes.end(), [&app](const ProxyRoute &r) { return r.app == app; });
    if (it == routes.end())
        return Error::badInput(QStringLiteral("%1: app %2 is not behind the proxy (it has no [deploy.proxy])")
                                   .arg(where(), app));
    if (it->maintenance == on)
        return success();
    it->maintenance = on;
    return reload(routes, {});
}

Status TargetProxy::removeRoute(const QString &app)
{
    std::optional<DeployLock> held;
    if (Status locked = lock(held, true); !locked)
        return locked;
    if (Status read = readState(); !read)
        return read;
    QList<ProxyRoute> routes = m_routes;
    const qsizetype removed = routes.removeIf([&app](const ProxyRoute &r) { return r.app == app; });
    if (removed == 0)
        return success();
    m_say(QStringLiteral("the proxy no longer routes %1").arg(app));
    return reload(routes, {});
}

Status TargetProxy::drain(const QString &app, const QString &slot, int seconds)
{
    const QString backend = QStringLiteral("app-") + app;
    QElapsedTimer timer;
    timer.start();
    for (;;) {
        auto sessions = currentSessions(backend, slot);
        if (!sessions)
            return sessions.error();
        if (sessions.value() == 0) {
            m_say(QStringLiteral("drained the previous release of %1 in %2 s")
                      .arg(app)
                      .arg(double(timer.elapsed()) / 1000.0, 0, 'f', 1));
            return success();
        }
        if (timer.elapsed() >= qint64(seconds) * 1000) {
            m_say(QStringLiteral(
                      "%1 request(s) still at the previous release of %2 after the drain timeout of %3 s")
                      .arg(sessions.value())
                      .arg(app)
                      .arg(seconds));
            return success();
        }
        if (!sleepUnlessStopped(std::chrono::milliseconds(200), m_stop))
            return Error::cancelled(QStringLiteral("%1: cancelled").arg(where()));
    }
}

} // namespace slipway
