#include "webapp.h"

#include <QFile>

#include <algorithm>

namespace slipway::test {

bool commitWebApp(GitRepo &repo, const QByteArray &version, bool healthy, quint16 port,
                  const QString &message, quint16 hostPort, const QByteArray &healthTimeout,
                  const QByteArray &extraToml)
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
                      "health = { path = \"/health\", port = PORT, timeout = \"TIMEOUT\" }\n";
    if (hostPort != 0)
        toml += "ports = [\"HOST:PORT\"]\n";
    toml.replace("HOST", QByteArray::number(hostPort));
    toml.replace("PORT", QByteArray::number(port));
    toml.replace("TIMEOUT", healthTimeout);
    toml += extraToml;
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

bool runTicker(const EngineService &engine, const QString &name, const QString &app, const QString &release,
               int start)
{
    const QString image = QStringLiteral("localhost/ticker:1");
    if (!engine.importBusybox(image))
        return false;
    const QString script =
        QStringLiteral("trap 'exit 0' TERM; echo started >&2; n=$(cat /count 2>/dev/null || echo %1); "
                       "while true; do n=$((n+1)); echo \"line $n\"; echo $n > /count; sleep 0.1; done")
            .arg(start);
    return engine.cli({QStringLiteral("run"), QStringLiteral("-d"), QStringLiteral("--name"), name,
                       QStringLiteral("--label"), QStringLiteral("io.slipway.app=") + app,
                       QStringLiteral("--label"), QStringLiteral("io.slipway.release=") + release, image,
                       QStringLiteral("/bin/busybox"), QStringLiteral("sh"), QStringLiteral("-c"), script}) ==
           0;
}

QString tickerLinesProblem(const QList<int> &numbers, int late, QString *notes)
{
    QList<int> sorted = numbers;
    std::sort(sorted.begin(), sorted.end());
    for (qsizetype i = 1; i < sorted.size(); ++i)
        if (sorted.at(i) != sorted.at(i - 1) + 1)
            return QStringLiteral("%1 after %2 (in the order of their numbers)")
                .arg(sorted.at(i))
                .arg(sorted.at(i - 1));
    QStringList cameLate;
    for (qsizetype i = 1; i < numbers.size(); ++i)
        if (numbers.at(i) < numbers.at(i - 1))
            cameLate.append(QStringLiteral("%1 after %2").arg(numbers.at(i)).arg(numbers.at(i - 1)));
    if (cameLate.size() > late)
        return QStringLiteral("out of order: %1").arg(cameLate.join(QStringLiteral(", ")));
    if (notes && !cameLate.isEmpty())
        *notes = QStringLiteral("came late, when the stream was picked up again: %1")
                     .arg(cameLate.join(QStringLiteral(", ")));
    return {};
}

} // namespace slipway::test
