#include "sshserver.h"

#include "processes.h"

#include <QDir>
#include <QFile>

#include <pwd.h>
#include <unistd.h>

namespace slipway::test {

SshServer::SshServer()
    : TestServer(QStringLiteral("sshd"))
{}

SshServer::~SshServer()
{
    stop();
}

QString SshServer::user() const
{
    const passwd *entry = ::getpwuid(::geteuid());
    return entry ? QString::fromLocal8Bit(entry->pw_name) : qEnvironmentVariable("USER");
}

QString SshServer::clientKeyPath() const
{
    return path(QStringLiteral("client_key"));
}

QString SshServer::knownHostsPath() const
{
    return path(QStringLiteral("known_hosts"));
}

QStringList SshServer::clientOptions() const
{
    return {QStringLiteral("-F"), QStringLiteral("none"),
            QStringLiteral("-o"), QStringLiteral("UserKnownHostsFile=") + knownHostsPath(),
            QStringLiteral("-o"), QStringLiteral("StrictHostKeyChecking=yes"),
            QStringLiteral("-o"), QStringLiteral("IdentitiesOnly=yes"),
            QStringLiteral("-o"), QStringLiteral("BatchMode=yes"),
            QStringLiteral("-i"), clientKeyPath(),
            QStringLiteral("-p"), QString::number(m_port)};
}

QString SshServer::destination() const
{
    return user() + QStringLiteral("@127.0.0.1");
}

QString SshServer::url() const
{
    return QStringLiteral("ssh://%1:%2").arg(destination()).arg(m_port);
}

bool SshServer::prepare()
{
    m_port = freeLoopbackPort();
    // sshd insists on its privilege separation directory.
    if (!QDir().mkpath(QStringLiteral("/run/sshd")))
        return fail(QStringLiteral("cannot create /run/sshd"));
    const QString keygen = QStringLiteral("ssh-keygen");
    for (const QString &key : {QStringLiteral("host_key"), QStringLiteral("client_key")}) {
        if (!run(keygen, {QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("ed25519"),
                          QStringLiteral("-N"), QString(), QStringLiteral("-C"),
                          QStringLiteral("slipway-test"), QStringLiteral("-f"), path(key)}))
            return false;
    }
    QFile hostPublic(path(QStringLiteral("host_key.pub")));
    QFile clientPublic(path(QStringLiteral("client_key.pub")));
    if (!hostPublic.open(QIODevice::ReadOnly) || !clientPublic.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("ssh-keygen wrote no public keys"));
    const QByteArray dir = directory().toUtf8();
    return writeFile(QStringLiteral("authorized_keys"), clientPublic.readAll()) &&
           writeFile(QStringLiteral("known_hosts"),
                     QStringLiteral("[127.0.0.1]:%1 ").arg(m_port).toUtf8() + hostPublic.readAll()) &&
           writeFile(QStringLiteral("sshd_config"), "Port " + QByteArray::number(m_port) +
                                                        "\n"
                                                        "ListenAddress 127.0.0.1\n"
                                                        "HostKey " +
                                                        dir +
                                                        "/host_key\n"
                                                        "AuthorizedKeysFile " +
                                                        dir +
                                                        "/authorized_keys\n"
                                                        "PidFile " +
                                                        dir +
                                                        "/sshd.pid\n"
                                                        "StrictModes no\n"
                                                        "UsePAM no\n"
                                                        "PasswordAuthentication no\n"
                                                        "KbdInteractiveAuthentication no\n"
                                                        "PermitRootLogin prohibit-password\n"
                                                        "AllowStreamLocalForwarding yes\n"
                                                        "AllowTcpForwarding yes\n"
                                                        "LogLevel ERROR\n");
}

QString SshServer::program() const
{
    return QStringLiteral("/usr/sbin/sshd");
}

QStringList SshServer::arguments() const
{
    return {QStringLiteral("-D"), QStringLiteral("-e"), QStringLiteral("-f"),
            path(QStringLiteral("sshd_config"))};
}

bool SshServer::waitUntilReady()
{
    return waitForTcp(m_port, 15000);
}

} // namespace slipway::test
