#include "dockerservice.h"

#include "processes.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLockFile>
#include <QThread>
#include <QUrlQuery>

namespace slipway::test {
namespace {

// Bridges are named after the service's directory: "slw" and its six-character suffix.
const QString bridgePrefix = QStringLiteral("slw");

QString ip(const QStringList &arguments)
{
    QString output;
    runTool(QStringLiteral("ip"), arguments, &output);
    return output;
}

// Bridges of services whose directory is gone (their test was killed) are deleted.
void sweepAbandonedBridges()
{
    const QStringList lines = ip({QStringLiteral("-o"), QStringLiteral("link"), QStringLiteral("show"),
                                  QStringLiteral("type"), QStringLiteral("bridge")})
                                  .split(u'\n', Qt::SkipEmptyParts);
    for (const QString &line : lines) {
        const QString name = line.section(u':', 1, 1).trimmed().section(u'@', 0, 0);
        if (name.size() != bridgePrefix.size() + 6 || !name.startsWith(bridgePrefix))
            continue;
        if (!QFileInfo::exists(QDir::tempPath() + QStringLiteral("/slipway-docker-") + name.mid(3)))
            ip({QStringLiteral("link"), QStringLiteral("del"), name});
    }
}

} // namespace

DockerService::DockerService(QStringList insecureRegistries)
    : EngineService(QStringLiteral("docker"))
    , m_insecureRegistries(std::move(insecureRegistries))
{}

DockerService::~DockerService()
{
    stop();
}

QString DockerService::endpoint() const
{
    return QStringLiteral("unix://") + socketPath();
}

QString DockerService::socketPath() const
{
    return path(QStringLiteral("docker.sock"));
}

int DockerService::docker(const QStringList &arguments, QString *output) const
{
    return runTool(QStringLiteral("docker"), QStringList{QStringLiteral("-H"), endpoint()} + arguments,
                   output, {QStringLiteral("DOCKER_CONFIG=") + path(QStringLiteral("client"))}, 120000);
}

int DockerService::exitCodeOf(const QString &containerId) const
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("since"), QStringLiteral("0"));
    query.addQueryItem(QStringLiteral("until"),
                       QString::number(QDateTime::currentMSecsSinceEpoch() / 1000.0 + 0.001, 'f', 3));
    const QJsonObject filters{{QStringLiteral("container"), QJsonArray{containerId}},
                              {QStringLiteral("event"), QJsonArray{QStringLiteral("die")}}};
    query.addQueryItem(QStringLiteral("filters"),
                       QString::fromUtf8(QJsonDocument(filters).toJson(QJsonDocument::Compact)));
    const HttpReply reply = api("GET", QStringLiteral("/events?") + query.toString(QUrl::FullyEncoded));
    int code = -1;
    // One JSON object a line; the last "die" counts.
    for (const QByteArray &line : reply.body.split('\n')) {
        const QJsonObject event = QJsonDocument::fromJson(line).object();
        bool ok = false;
        const int exitCode = event.value(QStringLiteral("Actor"))
                                 .toObject()
                                 .value(QStringLiteral("Attributes"))
                                 .toObject()
                                 .value(QStringLiteral("exitCode"))
                                 .toString()
                                 .toInt(&ok);
        if (ok)
            code = exitCode;
    }
    return code;
}

bool DockerService::initSwarm(QString *error)
{
    const QString address = QStringLiteral("127.0.0.1:%1").arg(freeLoopbackPort());
    QString output;
    if (docker({QStringLiteral("swarm"), QStringLiteral("init"), QStringLiteral("--listen-addr"), address,
                QStringLiteral("--advertise-addr"), address},
               &output) != 0) {
        *error = QStringLiteral("docker swarm init: ") + output.trimmed();
        return false;
    }
    m_swarmAddress = address;
    return true;
}

bool DockerService::joinSwarm(const DockerService &manager, QString *error)
{
    QString token;
    if (manager.docker({QStringLiteral("swarm"), QStringLiteral("join-token"), QStringLiteral("-q"),
                        QStringLiteral("worker")},
                       &token) != 0) {
        *error = QStringLiteral("docker swarm join-token: ") + token.trimmed();
        return false;
    }
    const QString address = QStringLiteral("127.0.0.1:%1").arg(freeLoopbackPort());
    QString output;
    if (docker({QStringLiteral("swarm"), QStringLiteral("join"), QStringLiteral("--token"), token.trimmed(),
                QStringLiteral("--listen-addr"), address, QStringLiteral("--advertise-addr"), address,
                manager.swarmAddress()},
               &output) != 0) {
        *error = QStringLiteral("docker swarm join: ") + output.trimmed();
        return false;
    }
    m_swarmAddress = address;
    // The manager places tasks on it once it sees it ready.
    const QString id = nodeId();
    for (int i = 0; i < 150; ++i) {
        QString state;
        manager.docker({QStringLiteral("node"), QStringLiteral("inspect"), QStringLiteral("--format"),
                        QStringLiteral("{{.Status.State}}"), id},
                       &state);
        if (state.trimmed() == u"ready")
            return true;
        QThread::msleep(200);
    }
    *error = QStringLiteral("the manager does not see node %1 ready after 30 s").arg(id);
    return false;
}

QString DockerService::nodeId() const
{
    QString output;
    docker({QStringLiteral("info"), QStringLiteral("--format"), QStringLiteral("{{.Swarm.NodeID}}")},
           &output);
    return output.trimmed();
}

bool DockerService::prepare()
{
    const QString suffix = directory().right(6);
    m_bridge = bridgePrefix + suffix;
    {
        // One service at a time picks a subnet, so two starting at once never take the same.
        QLockFile lock(QDir::tempPath() + QStringLiteral("/slipway-docker-bridges.lock"));
        if (!lock.lock())
            return fail(QStringLiteral("cannot lock %1").arg(lock.fileName()));
        sweepAbandonedBridges();
        const QString used = ip({QStringLiteral("-4"), QStringLiteral("-o"), QStringLiteral("addr")}) +
                             ip({QStringLiteral("-4"), QStringLiteral("route")});
        for (int n = 0; n < 256 && m_bridgeAddress.isEmpty(); ++n)
            if (!used.contains(QStringLiteral("172.30.%1.").arg(n)))
                m_bridgeAddress = QStringLiteral("172.30.%1.1/24").arg(n);
        if (m_bridgeAddress.isEmpty())
            return fail(QStringLiteral("no free subnet in 172.30.0.0/16 for the bridge"));
        if (!run(QStringLiteral("ip"), {QStringLiteral("link"), QStringLiteral("add"), m_bridge,
                                        QStringLiteral("type"), QStringLiteral("bridge")}) ||
            !run(QStringLiteral("ip"), {QStringLiteral("addr"), QStringLiteral("add"), m_bridgeAddress,
                                        QStringLiteral("dev"), m_bridge}) ||
            !run(QStringLiteral("ip"),
                 {QStringLiteral("link"), QStringLiteral("set"), m_bridge, QStringLiteral("up")}))
            return false;
    }
    // An empty configuration file: /etc/docker/daemon.json is the system daemon's.
    return QDir().mkpath(path(QStringLiteral("client"))) && writeFile(QStringLiteral("daemon.json"), "{}\n");
}

QString DockerService::program() const
{
    return QStringLiteral("dockerd");
}

QStringList DockerService::arguments() const
{
    const QString suffix = directory().right(6);
    QStringList arguments{
        QStringLiteral("--config-file"),
        path(QStringLiteral("daemon.json")),
        QStringLiteral("--data-root"),
        path(QStringLiteral("root")),
        QStringLiteral("--exec-root"),
        path(QStringLiteral("exec")),
        QStringLiteral("--pidfile"),
        path(QStringLiteral("docker.pid")),
        QStringLiteral("--host"),
        endpoint(),
        QStringLiteral("--containerd-namespace"),
        QStringLiteral("slipway-") + suffix,
        QStringLiteral("--containerd-plugins-namespace"),
        QStringLiteral("slipway-plugins-") + suffix,
        QStringLiteral("--bridge"),
        m_bridge,
        // No rules in the host's tables: published ports go through docker-proxy.
        QStringLiteral("--iptables=false"),
        QStringLiteral("--ip-masq=false"),
        QStringLiteral("--storage-driver"),
        QStringLiteral("overlay2"),
    };
    for (const QString &registry : m_insecureRegistries)
        arguments << QStringLiteral("--insecure-registry") << registry;
    return arguments;
}

void DockerService::beforeStop()
{
    // A test may have made it a swarm manager; its services' containers go with the swarm.
    api("POST", QStringLiteral("/swarm/leave?force=true"));
    reset();
    removeNetworks();
}

QStringList DockerService::leftByACrash() const
{
    return EngineService::leftByACrash() +
           QStringList{path(QStringLiteral("docker.pid")),
                       path(QStringLiteral("exec/containerd/containerd.pid"))};
}

void DockerService::afterStop()
{
    if (!m_bridge.isEmpty())
        ip({QStringLiteral("link"), QStringLiteral("del"), m_bridge});
    m_bridge.clear();
    m_bridgeAddress.clear();
}

} // namespace slipway::test
