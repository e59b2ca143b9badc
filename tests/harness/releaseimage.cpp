#include "releaseimage.h"

#include "engine/engineclient.h"
#include "podmanservice.h"
#include "registryserver.h"

#include <QFile>
#include <QTemporaryDir>

namespace slipway::test {

QString pushReleaseImage(const PodmanService &builder, const RegistryServer &registry, const QString &name,
                         bool healthy, quint16 port, const QStringList &command, QString *error)
{
    QMap<QString, QByteArray> files{{QStringLiteral("www/index.html"), name.toUtf8()}};
    if (healthy)
        files.insert(QStringLiteral("www/health"), "ok\n");
    QTemporaryDir work;
    const QString tarball = work.filePath(QStringLiteral("rootfs.tar"));
    if (!work.isValid() || !writeBusyboxTarball(tarball, files, error))
        return {};
    QStringList program = command;
    if (program.isEmpty())
        program = {QStringLiteral("/bin/busybox"), QStringLiteral("httpd"), QStringLiteral("-f"),
                   QStringLiteral("-vv"),          QStringLiteral("-p"),    QString::number(port),
                   QStringLiteral("-h"),           QStringLiteral("/www")};
    QStringList quoted;
    for (const QString &word : std::as_const(program))
        quoted.append(u'"' + word + u'"');
    const QString local = QStringLiteral("localhost/app:") + name;
    if (!builder.importTarball(tarball, local, {QStringLiteral("CMD [") + quoted.join(u',') + u']'}, error))
        return {};
    const QString digestFile = work.filePath(QStringLiteral("digest"));
    QString output;
    if (builder.podman({QStringLiteral("push"), QStringLiteral("--tls-verify=false"),
                        QStringLiteral("--digestfile"), digestFile, local,
                        registry.address() + QStringLiteral("/app:") + name},
                       &output) != 0) {
        if (error)
            *error = QStringLiteral("podman push %1: %2").arg(local, output.trimmed());
        return {};
    }
    QFile digest(digestFile);
    if (!digest.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("podman push %1 wrote no digest").arg(local);
        return {};
    }
    return registry.address() + QStringLiteral("/app@") + QString::fromLatin1(digest.readAll().trimmed());
}

QString answerFromInside(const Target &target, const QString &app, quint16 port)
{
    EngineClient client(target);
    if (!client.connect())
        return QStringLiteral("unreachable");
    auto listed = client.listContainers({QStringLiteral("io.slipway.app=") + app});
    if (!listed || listed->size() != 1)
        return QStringLiteral("containers: %1").arg(listed ? listed->size() : -1);
    QString output;
    auto code = client.exec(listed->first().id,
                            {QStringLiteral("/bin/busybox"), QStringLiteral("wget"), QStringLiteral("-q"),
                             QStringLiteral("-O"), QStringLiteral("-"),
                             QStringLiteral("http://127.0.0.1:%1/").arg(port)},
                            &output);
    return code && code.value() == 0 ? output : QStringLiteral("failed: ") + output;
}

} // namespace slipway::test
