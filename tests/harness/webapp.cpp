#include "webapp.h"

#include <QFile>

namespace slipway::test {

bool commitWebApp(GitRepo &repo, const QByteArray &version, bool healthy, quint16 port,
                  const QString &message, quint16 hostPort)
{
    QByteArray toml = "[image]\n"
                      "entrypoint = [\"/bin/busybox\", \"httpd\", \"-f\", \"-vv\", \"-p\", \"PORT\", "
                      "\"-h\", \"/www\"]\n"
                      "[[layers]]\n"
                      "name = \"busybox\"\n"
                      "include = [\"bin/**\"]\n"
                      "dest = \"/\"\n"
                      "[[layers]]\n"
                      "name = \"www\"\n"
                      "include = [\"www/**\"]\n"
                      "dest = \"/\"\n"
                      "[deploy]\n"
                      "name = \"web\"\n"
                      "restart = \"no\"\n"
                      "stop_timeout = 1\n"
                      "health = { path = \"/health\", port = PORT, timeout = \"6s\" }\n";
    if (hostPort != 0)
        toml += "ports = [\"HOST:PORT\"]\n";
    toml.replace("HOST", QByteArray::number(hostPort));
    toml.replace("PORT", QByteArray::number(port));
    QFile busybox(QStringLiteral("/bin/busybox"));
    if (!busybox.open(QIODevice::ReadOnly))
        return false;
    if (!repo.writeFile(QStringLiteral("slipway.toml"), toml) ||
        !repo.writeFile(QStringLiteral("bin/busybox"), busybox.readAll(), true) ||
        !repo.writeFile(QStringLiteral("www/index.html"), version))
        return false;
    if (healthy)
        repo.writeFile(QStringLiteral("www/health"), "ok\n");
    else
        repo.remove(QStringLiteral("www/health"));
    return !repo.commit(message.isEmpty() ? QString::fromUtf8(version) : message).isEmpty();
}

} // namespace slipway::test
