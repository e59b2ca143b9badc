#include "podmanservice.h"

#include "processes.h"

#include <QDebug>
#include <QDir>

namespace slipway::test {

PodmanService::PodmanService(Listen listen, QStringList insecureRegistries)
    : EngineService(QStringLiteral("podman"))
    , m_listen(listen)
    , m_insecureRegistries(std::move(insecureRegistries))
{}

PodmanService::~PodmanService()
{
    stop();
}

QString PodmanService::endpoint() const
{
    return m_listen == Listen::Tcp ? QStringLiteral("tcp://127.0.0.1:%1").arg(m_port)
                                   : QStringLiteral("unix://") + socketPath();
}

QString PodmanService::socketPath() const
{
    return path(QStringLiteral("podman.sock"));
}

QStringList PodmanService::podmanEnvironment() const
{
    return {QStringLiteral("CONTAINERS_CONF=") + path(QStringLiteral("containers.conf")),
            QStringLiteral("CONTAINERS_STORAGE_CONF=") + path(QStringLiteral("storage.conf")),
            QStringLiteral("CONTAINERS_REGISTRIES_CONF=") + path(QStringLiteral("registries.conf"))};
}

int PodmanService::podman(const QStringList &arguments, QString *output) const
{
    return runTool(QStringLiteral("podman"), arguments, output, podmanEnvironment(), 120000);
}

int PodmanService::exitCodeOf(const QString &containerId) const
{
    QString output;
    if (podman({QStringLiteral("events"), QStringLiteral("--stream=false"), QStringLiteral("--filter"),
                QStringLiteral("container=") + containerId, QStringLiteral("--filter"),
                QStringLiteral("event=died"), QStringLiteral("--format"),
                QStringLiteral("{{.ContainerExitCode}}")},
               &output) != 0) {
        qWarning().noquote() << output;
        return -1;
    }
    const QStringList lines = output.trimmed().split(u'\n', Qt::SkipEmptyParts);
    bool ok = false;
    const int code = lines.isEmpty() ? -1 : lines.constLast().trimmed().toInt(&ok);
    return ok ? code : -1;
}

bool PodmanService::prepare()
{
    const QString dir = directory();
    // Its networks' definitions are its own (not /etc/cni/net.d): gone with it.
    QDir().mkpath(dir + QStringLiteral("/cni"));
    QByteArray registries;
    for (const QString &registry : m_insecureRegistries)
        registries += "[[registry]]\nlocation = \"" + registry.toUtf8() + "\"\ninsecure = true\n";
    if (m_listen == Listen::Tcp)
        m_port = freeLoopbackPort();
    return writeFile(QStringLiteral("containers.conf"),
                     "[containers]\n"
                     "default_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]\n"
                     "netns = \"host\"\n"
                     "[network]\n"
                     "network_config_dir = \"" +
                         dir.toUtf8() +
                         "/cni\"\n"
                         "[engine]\n"
                         "runtime = \"runc\"\n"
                         "cgroup_manager = \"cgroupfs\"\n"
                         "events_logger = \"file\"\n"
                         "tmp_dir = \"" +
                         dir.toUtf8() + "/tmp\"\n") &&
           writeFile(QStringLiteral("storage.conf"), "[storage]\n"
                                                     "driver = \"vfs\"\n"
                                                     "runroot = \"" +
                                                         dir.toUtf8() +
                                                         "/run\"\n"
                                                         "graphroot = \"" +
                                                         dir.toUtf8() + "/graph\"\n") &&
           writeFile(QStringLiteral("registries.conf"), registries);
}

QString PodmanService::program() const
{
    return QStringLiteral("podman");
}

QStringList PodmanService::arguments() const
{
    const QString uri = m_listen == Listen::Tcp ? QStringLiteral("tcp:127.0.0.1:%1").arg(m_port)
                                                : QStringLiteral("unix://") + socketPath();
    return {QStringLiteral("system"), QStringLiteral("service"), QStringLiteral("--time=0"), uri};
}

void PodmanService::beforeStop()
{
    // Containers run under conmon, which the service does not own: remove them first.
    podman({QStringLiteral("rm"), QStringLiteral("--all"), QStringLiteral("--force"),
            QStringLiteral("--time=0")});
    removeNetworks();
}

} // namespace slipway::test
