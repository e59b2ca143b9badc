#include "engineservice.h"

#include "processes.h"

#include <QDeadlineTimer>
#include <QDebug>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QUrl>

#include <signal.h>
#include <sys/prctl.h>

namespace slipway::test {

EngineService::EngineService(QString kind)
    : TestServer(std::move(kind))
{}

EngineService::~EngineService()
{
    if (m_replacement) {
        m_replacement->kill();
        m_replacement->waitForFinished(5000);
    }
}

QString EngineService::kindName() const
{
    return kind() == Kind::Podman ? QStringLiteral("podman") : QStringLiteral("docker");
}

QString EngineService::engineName() const
{
    return kind() == Kind::Podman ? QStringLiteral("Podman Engine") : QStringLiteral("Docker Engine");
}

HttpReply EngineService::api(const QByteArray &method, const QString &path) const
{
    const QString host =
        endpoint().startsWith(QStringLiteral("tcp://")) ? endpoint().mid(6) : QStringLiteral("d");
    const QString url = QStringLiteral("http://") + host + path;
    HttpRequest request(url, endpoint().startsWith(QStringLiteral("unix://")) ? socketPath() : QString());
    request.method = method;
    return httpRequest(request);
}

bool EngineService::answers() const
{
    const HttpReply reply = api("GET", QStringLiteral("/_ping"));
    return reply.status == 200;
}

bool EngineService::waitUntilReady()
{
    const QDeadlineTimer deadline(30000);
    while (!deadline.hasExpired()) {
        if (answers())
            return true;
        QThread::msleep(50);
    }
    return false;
}

bool EngineService::importTarball(const QString &tarball, const QString &reference,
                                  const QStringList &changes, QString *error) const
{
    QStringList arguments{QStringLiteral("import")};
    for (const QString &change : changes)
        arguments << QStringLiteral("--change") << change;
    arguments << tarball << reference;
    QString output;
    if (cli(arguments, &output) == 0)
        return true;
    if (error)
        *error = QStringLiteral("%1 import %2: %3").arg(kindName(), reference, output.trimmed());
    return false;
}

bool EngineService::importBusybox(const QString &reference, QString *error) const
{
    const QString tarball = path(QStringLiteral("busybox.tar"));
    if (!QFileInfo::exists(tarball) && !writeBusyboxTarball(tarball, {}, error))
        return false;
    return importTarball(tarball, reference, {}, error);
}

bool EngineService::importShellBase(const QString &reference, QString *error) const
{
    const QString tarball = path(QStringLiteral("shell-base.tar"));
    if (!QFileInfo::exists(tarball)) {
        QTemporaryDir root;
        QString applets;
        if (!root.isValid() || !QDir().mkpath(root.filePath(QStringLiteral("bin"))) ||
            !QDir().mkpath(root.filePath(QStringLiteral("tmp"))) ||
            !QFile::copy(QStringLiteral("/bin/busybox"), root.filePath(QStringLiteral("bin/busybox"))) ||
            runTool(QStringLiteral("/bin/busybox"), {QStringLiteral("--list")}, &applets) != 0) {
            if (error)
                *error = QStringLiteral(
                    "cannot copy /bin/busybox or list its applets (is busybox-static installed?)");
            return false;
        }
        for (const QString &applet : applets.split(u'\n', Qt::SkipEmptyParts))
            if (applet != u"busybox")
                QFile::link(QStringLiteral("busybox"),
                            root.filePath(QStringLiteral("bin/") + applet.trimmed()));
        QString output;
        if (runTool(QStringLiteral("tar"),
                    {QStringLiteral("-C"), root.path(), QStringLiteral("-cf"), tarball, QStringLiteral(".")},
                    &output) != 0) {
            if (error)
                *error = QStringLiteral("tar %1: %2").arg(tarball, output.trimmed());
            return false;
        }
    }
    return importTarball(tarball, reference, {QStringLiteral("ENV PATH=/bin")}, error);
}

bool EngineService::importHaproxy(const QString &reference, QString *error) const
{
    const QString tarball = path(QStringLiteral("haproxy.tar"));
    const auto fail = [&](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    if (!QFileInfo::exists(tarball)) {
        QTemporaryDir root;
        if (!root.isValid() || !QDir().mkpath(root.filePath(QStringLiteral("tmp"))))
            return fail(QStringLiteral("cannot make a root file system for the haproxy image"));
        const QStringList programs{QStringLiteral("/usr/sbin/haproxy"), QStringLiteral("/bin/bash")};
        QStringList files = programs;
        for (const QString &program : programs) {
            QString output;
            if (!QFileInfo::exists(program) || runTool(QStringLiteral("ldd"), {program}, &output) != 0)
                return fail(QStringLiteral("%1 is missing (apt-get install haproxy bash)").arg(program));
            // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" and "/lib64/ld-linux-x86-64.so.2
            // (0x...)"
            for (const QString &line : output.split(u'\n', Qt::SkipEmptyParts)) {
                const QString library = line.contains(QLatin1String("=> "))
                                            ? line.section(QLatin1String("=> "), 1).section(u' ', 0, 0)
                                            : line.trimmed().section(u' ', 0, 0);
                if (library.startsWith(u'/') && !files.contains(library))
                    files.append(library);
            }
        }
        for (const QString &file : std::as_const(files)) {
            const QString target = root.path() + file;
            if (!QDir().mkpath(QFileInfo(target).path()) ||
                !QFile::copy(QFileInfo(file).canonicalFilePath(), target))
                return fail(QStringLiteral("cannot copy %1 into the haproxy image").arg(file));
            QFile::setPermissions(target, QFile::permissions(QFileInfo(file).canonicalFilePath()));
        }
        QString output;
        if (runTool(QStringLiteral("tar"),
                    {QStringLiteral("-C"), root.path(), QStringLiteral("-cf"), tarball, QStringLiteral(".")},
                    &output) != 0)
            return fail(QStringLiteral("tar %1: %2").arg(tarball, output.trimmed()));
    }
    return importTarball(tarball, reference, {QStringLiteral("ENV PATH=/usr/sbin:/bin")}, error);
}

bool EngineService::removeVolume(const QString &name) const
{
    const HttpReply removed = api("DELETE", QStringLiteral("/volumes/%1?force=true").arg(name));
    return removed.status == 204 || removed.status == 404;
}

void EngineService::removeNetworks() const
{
    const HttpReply listed = api("GET", QStringLiteral("/networks"));
    for (const QJsonValue &network : QJsonDocument::fromJson(listed.body).array()) {
        const QString name = network.toObject().value(QStringLiteral("Name")).toString();
        if (name == u"bridge" || name == u"host" || name == u"none" || name == u"podman")
            continue;
        api("DELETE", QStringLiteral("/networks/%1").arg(name));
    }
}

bool EngineService::reset(const QString &imagePrefix, QString *error) const
{
    const auto failed = [&](const QString &what, const HttpReply &reply) {
        if (error)
            *error = QStringLiteral("%1: %2: HTTP %3 %4 %5")
                         .arg(kindName(), what)
                         .arg(reply.status)
                         .arg(reply.error, QString::fromUtf8(reply.body.left(300)));
        return false;
    };
    HttpReply listed = api("GET", QStringLiteral("/containers/json?all=true"));
    if (listed.status != 200)
        return failed(QStringLiteral("list containers"), listed);
    for (const QJsonValue &container : QJsonDocument::fromJson(listed.body).array()) {
        const QString id = container.toObject().value(QStringLiteral("Id")).toString();
        const HttpReply removed = api("DELETE", QStringLiteral("/containers/%1?force=true&v=true").arg(id));
        if (removed.status != 204 && removed.status != 200 && removed.status != 404)
            return failed(QStringLiteral("remove container %1").arg(id.left(12)), removed);
    }
    if (imagePrefix.isEmpty())
        return true;
    listed = api("GET", QStringLiteral("/images/json"));
    if (listed.status != 200)
        return failed(QStringLiteral("list images"), listed);
    for (const QJsonValue &image : QJsonDocument::fromJson(listed.body).array()) {
        const QJsonObject object = image.toObject();
        bool ours = false;
        for (const QJsonValue &tag : object.value(QStringLiteral("RepoTags")).toArray())
            ours = ours || tag.toString().startsWith(imagePrefix);
        if (!ours)
            continue;
        const QString id = object.value(QStringLiteral("Id")).toString();
        const HttpReply removed =
            api("DELETE",
                QStringLiteral("/images/%1?force=true").arg(QString::fromUtf8(QUrl::toPercentEncoding(id))));
        if (removed.status != 200 && removed.status != 404)
            return failed(QStringLiteral("remove image %1").arg(id), removed);
    }
    return true;
}

bool EngineService::killService()
{
    pid_t service = 0;
    if (m_replacement && m_replacement->state() != QProcess::NotRunning)
        service = pid_t(m_replacement->processId());
    else if (processId() > 0)
        service = pid_t(processId());
    if (service <= 0)
        return false;
    // With what it spawned (dockerd's containerd dies with it, but not at once); containers
    // run on under their own monitors (conmon, containerd-shim), which are not its children.
    killAndWait(QList<pid_t>{service} + descendantsOf(service));
    if (m_replacement)
        m_replacement->waitForFinished(5000);
    for (const QString &file : leftByACrash())
        QFile::remove(file);
    return true;
}

QStringList EngineService::leftByACrash() const
{
    return endpoint().startsWith(QStringLiteral("unix://")) ? QStringList{socketPath()} : QStringList{};
}

bool EngineService::restartService()
{
    if (m_replacement && m_replacement->state() != QProcess::NotRunning)
        killService();
    m_replacement = std::make_unique<QProcess>();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString &assignment : environment())
        env.insert(assignment.section(u'=', 0, 0), assignment.section(u'=', 1));
    m_replacement->setProcessEnvironment(env);
    m_replacement->setProcessChannelMode(QProcess::MergedChannels);
    m_replacement->setStandardOutputFile(path(QStringLiteral("server.log")), QIODevice::Append);
    m_replacement->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
    m_replacement->start(program(), arguments());
    if (m_replacement->waitForStarted(10000) && waitUntilReady())
        return true;
    m_replacement->kill();
    m_replacement->waitForFinished(5000);
    qWarning().noquote() << kindName() << "did not come back; its log:" << serverLog();
    return false;
}

bool writeBusyboxTarball(const QString &tarball, const QMap<QString, QByteArray> &files, QString *error)
{
    const auto fail = [&](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    QTemporaryDir root;
    if (!root.isValid() || !QDir().mkpath(root.filePath(QStringLiteral("bin"))) ||
        !QFile::copy(QStringLiteral("/bin/busybox"), root.filePath(QStringLiteral("bin/busybox"))))
        return fail(QStringLiteral("cannot copy /bin/busybox (is busybox-static installed?)"));
    for (auto it = files.begin(); it != files.end(); ++it) {
        const QString file = root.filePath(it.key());
        QDir().mkpath(QFileInfo(file).path());
        QFile out(file);
        if (!out.open(QIODevice::WriteOnly) || out.write(it.value()) != it.value().size())
            return fail(QStringLiteral("cannot write %1: %2").arg(file, out.errorString()));
    }
    QString output;
    if (runTool(QStringLiteral("tar"),
                {QStringLiteral("-C"), root.path(), QStringLiteral("-cf"), tarball, QStringLiteral(".")},
                &output) != 0)
        return fail(QStringLiteral("tar %1: %2").arg(tarball, output.trimmed()));
    return true;
}

Target engineTarget(const QString &name, const QString &endpoint)
{
    return Target{.name = name,
                  .endpoint = endpoint,
                  .tlsCa = {},
                  .tlsCert = {},
                  .tlsKey = {},
                  .proxyImage = {},
                  .proxyHttpPort = 0,
                  .proxyHttpsPort = 0};
}

void addEngineRows()
{
    QTest::addColumn<QString>("engine");
    QTest::newRow("podman") << QStringLiteral("podman");
    QTest::newRow("docker") << QStringLiteral("docker");
}

} // namespace slipway::test
