#include "deploy/healthcheck.h"

#include "engine/engineclient.h"
#include "util/stopwait.h"

#include <QElapsedTimer>
#include <QSet>

#include <chrono>

namespace slipway {
namespace {

// The port the app serves its health path on inside the container: [deploy] health.port, else
// the container side of the first published port.
int healthPort(const DeploySpec &deploy)
{
    if (deploy.health && deploy.health->port > 0)
        return deploy.health->port;
    if (deploy.proxy)
        return deploy.proxy->port;
    for (const QString &mapping : deploy.ports) {
        const int port = mapping.section(u':', -1).section(u'/', 0, 0).toInt();
        if (port > 0)
            return port;
    }
    return 0;
}

} // namespace

Published publishedPort(const DeploySpec &deploy, int containerPort)
{
    for (const QString &mapping : deploy.ports) {
        if (!mapping.contains(u':') || mapping.endsWith(QLatin1String("/udp")) ||
            mapping.section(u':', -1).section(u'/', 0, 0).toInt() != containerPort)
            continue;
        const qsizetype portColon = mapping.lastIndexOf(u':', mapping.lastIndexOf(u':') - 1);
        Published published{.port = mapping.section(u':', -2, -2).toInt(), .address = {}};
        if (portColon > 0) {
            published.address = mapping.left(portColon);
            if (published.address.startsWith(u'[') && published.address.endsWith(u']'))
                published.address = published.address.mid(1, published.address.size() - 2);
            if (published.address == u"0.0.0.0" || published.address == u"::")
                published.address.clear();
        }
        return published;
    }
    return {};
}

QStringList heldPorts(const DeploySpec &deploy)
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
    QStringList sorted = ports.values();
    sorted.sort();
    return sorted;
}

HealthCheck::HealthCheck(EngineClient &client, const DeploySpec &deploy, int steadySeconds,
                         std::stop_token stop)
    : m_client(client)
    , m_deploy(deploy)
    , m_steadySeconds(steadySeconds)
    , m_stop(std::move(stop))
{}

Error HealthCheck::failure(const QString &cause) const
{
    return Error::failed(QStringLiteral("%1: %2").arg(m_client.where(), cause));
}

Status HealthCheck::wait(const QString &id)
{
    const bool http = m_deploy.health && !m_deploy.health->path.isEmpty();
    const int port = healthPort(m_deploy);
    if (http && port <= 0)
        return Error::badInput(
            QStringLiteral("%1: [deploy] health has a path but no port").arg(m_client.where()));
    const int timeout = m_deploy.health ? qMax(1, m_deploy.health->timeoutSeconds) : m_steadySeconds + 30;
    const int interval = m_deploy.health ? qMax(1, m_deploy.health->intervalSeconds) * 1000 : 500;
    QElapsedTimer timer;
    timer.start();
    QElapsedTimer running;
    QString lastProblem;
    for (;;) {
        auto state = m_client.inspectContainer(id);
        if (!state)
            return state.error();
        const bool crashLooping = state->restartCount > 0 && state->exitCode != 0;
        if (crashLooping || !state->running) {
            // A restart policy hides a crash loop behind "running": it crashed all the same.
            QString cause = QStringLiteral("the new container %1 exited with status %2")
                                .arg(state->name)
                                .arg(state->exitCode);
            if (crashLooping)
                cause += QStringLiteral(" and was restarted");
            else if (!state->error.isEmpty())
                cause += QStringLiteral(" (%1)").arg(state->error.simplified());
            // Its last words usually say why ("bind: Address already in use").
            if (auto lines = m_client.logs(id, 1); lines && !lines->isEmpty())
                cause += QStringLiteral(": ") + lines->last().simplified();
            return failure(cause);
        }
        if (!running.isValid())
            running.start();
        // Without a health path, a container behind a proxy is healthy only once it takes a
        // connection from there.
        const auto connects = [&]() -> Result<bool> {
            if (!m_prober || port <= 0)
                return true;
            return m_prober(state.value(), port, QString(), &lastProblem);
        };
        if (http) {
            auto checked = m_prober ? m_prober(state.value(), port, m_deploy.health->path, &lastProblem)
                           : m_client.endpoint().kind == EngineEndpoint::Kind::Ssh
                               ? checkFromInside(id, port, m_deploy.health->path, &lastProblem)
                               : checkFromHere(state.value(), port, timeout, &lastProblem);
            if (!checked)
                return checked.error();
            if (checked.value())
                return success();
        } else if (!state->health.isEmpty()) {
            if (state->health == u"healthy") {
                auto connected = connects();
                if (!connected)
                    return connected.error();
                if (connected.value())
                    return success();
            }
            if (state->health == u"unhealthy")
                return failure(QStringLiteral("the new container %1 reports unhealthy").arg(state->name));
            lastProblem = QStringLiteral("the image's HEALTHCHECK still says %1").arg(state->health);
        } else if (running.elapsed() >= qint64(m_steadySeconds) * 1000) {
            auto connected = connects();
            if (!connected)
                return connected.error();
            if (connected.value())
                return success();
        }
        if (timer.elapsed() >= qint64(timeout) * 1000)
            return failure(QStringLiteral("not healthy after %1 s: %2").arg(timeout).arg(lastProblem));
        if (!sleepUnlessStopped(std::chrono::milliseconds(interval), m_stop))
            return Error::cancelled(QStringLiteral("%1: cancelled").arg(m_client.where()));
    }
}

// Where the health port is reachable from here: on the host's network or through its published
// port at the target's host; else, for a local engine, at the container's own address on the
// engine's bridge.
Result<bool> HealthCheck::checkFromHere(const ContainerState &state, int port, int timeout, QString *problem)
{
    QString host;
    int hostPort = port;
    if (m_deploy.network != u"host") {
        if (const Published published = publishedPort(m_deploy, port); published.port > 0) {
            hostPort = published.port;
            // Bound to one address of this machine: asked there.
            if (m_client.endpoint().kind == EngineEndpoint::Kind::Unix)
                host = published.address;
        } else if (m_client.endpoint().kind == EngineEndpoint::Kind::Unix && !state.ipAddress.isEmpty())
            host = state.ipAddress;
    }
    QString transportError;
    const QString &path = m_deploy.health->path;
    const long status = m_client.httpGet(host, hostPort, path, qMin(5, timeout), &transportError);
    if (status >= 200 && status < 400)
        return true;
    *problem = status
                   ? QStringLiteral("GET %1 on port %2 answered HTTP %3").arg(path).arg(hostPort).arg(status)
                   : QStringLiteral("GET %1 on port %2: %3")
                         .arg(path)
                         .arg(hostPort)
                         .arg(transportError.simplified());
    return false;
}

// The HTTP check of an ssh target runs inside the container (the engine's side): the published
// port may not be reachable from here, and the remote loopback is the container's only under
// host networking. It needs wget (or busybox, or curl) in the image.
Result<bool> HealthCheck::checkFromInside(const QString &id, int port, const QString &path, QString *problem)
{
    const QString url =
        QStringLiteral("http://127.0.0.1:%1%2").arg(port).arg(path.startsWith(u'/') ? path : u'/' + path);
    // No wget -T: busybox-static's crashes on it; the exec request has a timeout instead.
    const QList<QStringList> candidates = {
        {QStringLiteral("wget"), QStringLiteral("-q"), QStringLiteral("-O"), QStringLiteral("/dev/null"),
         url},
        {QStringLiteral("/bin/busybox"), QStringLiteral("wget"), QStringLiteral("-q"), QStringLiteral("-O"),
         QStringLiteral("/dev/null"), url},
        {QStringLiteral("curl"), QStringLiteral("-fsS"), QStringLiteral("-o"), QStringLiteral("/dev/null"),
         QStringLiteral("--max-time"), QStringLiteral("5"), url},
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
        *problem =
            QStringLiteral("GET %1 from inside the container: %2")
                .arg(url, output.simplified().isEmpty() ? QStringLiteral("exit status %1").arg(code.value())
                                                        : output.simplified());
        return code.value() == 0;
    }
    return failure(
        QStringLiteral("cannot check %1 from inside the container: it has no wget, busybox or curl")
            .arg(url));
}

} // namespace slipway
