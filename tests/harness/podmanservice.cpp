#include "podmanservice.h"

#include "processes.h"

#include <QDir>
#include <QFile>

namespace slipway::test {

PodmanService::PodmanService(Listen listen, QStringList insecureRegistries)
    : TestServer(QStringLiteral("podman"))
    , m_listen(listen)
    , m_insecureRegistries(std::move(insecureRegistries))
{}

PodmanService::~PodmanService()
{
    stop();
    if (m_replacement) {
        m_replacement->kill();
        m_replacement->waitForFinished(5000);
    }
}

bool PodmanService::killService()
{
    QList<pid_t> pids;
    if (m_replacement && m_replacement->state() != QProcess::NotRunning)
        pids.append(pid_t(m_replacement->processId()));
    else if (processId() > 0)
        pids.append(pid_t(processId()));
    killAndWait(pids);
    if (m_replacement)
        m_replacement->waitForFinished(5000);
    if (m_listen == Listen::UnixSocket)
        QFile::remove(socketPath());
    return true;
}

bool PodmanService::restartService()
{
    m_replacement = std::make_unique<QProcess>();
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const QString &variable : podmanEnvironment())
        environment.insert(variable.section(u'=', 0, 0), variable.section(u'=', 1));
    m_replacement->setProcessEnvironment(environment);
    m_replacement->setProcessChannelMode(QProcess::MergedChannels);
    m_replacement->start(program(), arguments());
    if (!m_replacement->waitForStarted(10000))
        return false;
    return waitUntilReady();
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

bool PodmanService::importBusybox(const QString &reference, QString *error) const
{
    const QString root = path(QStringLiteral("busybox-rootfs"));
    QString output;
    if (!QDir().mkpath(root + QStringLiteral("/bin")) ||
        !(QFile::exists(root + QStringLiteral("/bin/busybox")) ||
          QFile::copy(QStringLiteral("/bin/busybox"), root + QStringLiteral("/bin/busybox")))) {
        if (error)
            *error = QStringLiteral("cannot copy /bin/busybox (is busybox-static installed?)");
        return false;
    }
    const QString tarball = path(QStringLiteral("busybox.tar"));
    if (runTool(QStringLiteral("tar"),
                {QStringLiteral("-C"), root, QStringLiteral("-cf"), tarball, QStringLiteral(".")},
                &output) != 0 ||
        podman({QStringLiteral("import"), tarball, reference}, &output) != 0) {
        if (error)
            *error = output.trimmed();
        return false;
    }
    return true;
}

bool PodmanService::prepare()
{
    const QString dir = directory();
    QByteArray registries;
    for (const QString &registry : m_insecureRegistries)
        registries += "[[registry]]\nlocation = \"" + registry.toUtf8() + "\"\ninsecure = true\n";
    if (m_listen == Listen::Tcp)
        m_port = freeLoopbackPort();
    return writeFile(QStringLiteral("containers.conf"),
                     "[containers]\n"
                     "default_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]\n"
                     "netns = \"host\"\n"
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

bool PodmanService::waitUntilReady()
{
    return m_listen == Listen::Tcp ? waitForTcp(m_port, 30000) : waitForUnixSocket(socketPath(), 30000);
}

void PodmanService::beforeStop()
{
    // Containers run under conmon, which the service does not own: remove them first.
    podman({QStringLiteral("rm"), QStringLiteral("--all"), QStringLiteral("--force"),
            QStringLiteral("--time=0")});
}

} // namespace slipway::test
