#include "gitdaemon.h"

#include "processes.h"

#include <QDir>

namespace slipway::test {

GitDaemon::GitDaemon()
    : TestServer(QStringLiteral("git-daemon"))
{}

GitDaemon::~GitDaemon()
{
    stop();
}

QString GitDaemon::repositoriesPath() const
{
    return path(QStringLiteral("repositories"));
}

QString GitDaemon::url(const QString &repository) const
{
    return QStringLiteral("git://127.0.0.1:%1/%2").arg(m_port).arg(repository);
}

bool GitDaemon::prepare()
{
    m_port = freeLoopbackPort();
    if (!QDir().mkpath(repositoriesPath()))
        return fail(QStringLiteral("cannot create %1").arg(repositoriesPath()));
    return true;
}

QString GitDaemon::program() const
{
    return QStringLiteral("git");
}

QStringList GitDaemon::arguments() const
{
    return {QStringLiteral("daemon"),
            QStringLiteral("--reuseaddr"),
            QStringLiteral("--listen=127.0.0.1"),
            QStringLiteral("--port=%1").arg(m_port),
            QStringLiteral("--base-path=") + repositoriesPath(),
            QStringLiteral("--export-all"),
            QStringLiteral("--informative-errors"),
            repositoriesPath()};
}

bool GitDaemon::waitUntilReady()
{
    return waitForTcp(m_port, 15000);
}

} // namespace slipway::test
