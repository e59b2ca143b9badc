#pragma once

#include "util/result.h"

#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <stop_token>

class QProcess;
class QTemporaryDir;

namespace slipway {

// A local unix socket forwarded through the system's OpenSSH to a remote unix socket or TCP
// port: `ssh -N -L LOCAL:REMOTE`. The user's ssh config, agent and known_hosts apply; BatchMode
// means an unknown host key or a key that needs a passphrase fails instead of asking.
// $SLIPWAY_SSH_COMMAND replaces "ssh" (program and options, like GIT_SSH_COMMAND).
// The socket lives in a private temporary directory; the tunnel closes on destruction.
// A tunnel opened with open() is also a control master (ControlMaster, ControlPath in that
// directory): more forwards through the same connection cost no new ssh handshake.
class SshTunnel final
{
public:
    SshTunnel();
    ~SshTunnel();
    SshTunnel(const SshTunnel &) = delete;
    SshTunnel &operator=(const SshTunnel &) = delete;

    // user may be empty, port 0 for ssh's default. remote: "/path/to.sock" or "127.0.0.1:PORT".
    // Waits until the local socket appears. Errors name the destination and carry ssh's own
    // last line of complaint ("Host key verification failed.").
    Status open(const QString &user, const QString &host, int port, const QString &remote,
                std::stop_token stop);
    // The other way: a port on the remote host's loopback that reaches 127.0.0.1:localPort here
    // (`ssh -N -R 127.0.0.1:0:127.0.0.1:LOCALPORT`); the port sshd chose.
    Result<quint16> openReverse(const QString &user, const QString &host, int port, quint16 localPort,
                                std::stop_token stop);
    // More forwards through an open() tunnel's connection (`ssh -O forward`), which go when it
    // closes: a remote loopback port reaching 127.0.0.1:localPort here (`remotePort`, or when
    // that is 0 the port sshd chose), and a local socket reaching `remote` there.
    Result<quint16> addReverse(quint16 localPort, std::stop_token stop, quint16 remotePort = 0);
    Result<QString> addForward(const QString &remote, std::stop_token stop);
    // Whether `path` exists on the host, through an open() tunnel's connection (`test -e`); no
    // value when its parent directory cannot be searched there.
    Result<std::optional<bool>> pathExists(const QString &path, std::stop_token stop);
    void close();

    QString localSocket() const { return m_localSocket; }
    bool isRunning() const;

private:
    Status start(const QString &user, const QString &host, int port, const QStringList &forward);
    QStringList command(const QString &user, const QString &host, int port, const QStringList &options) const;
    struct Ran
    {
        int exitCode = 0;
        QByteArray output;
        QString error; // the last line of what it said on stderr
    };
    Result<Ran> throughMaster(const QStringList &options, const QStringList &remote, std::stop_token stop);
    Result<QByteArray> control(const QStringList &forward, std::stop_token stop);

    QString m_user;
    QString m_host;
    int m_port = 0;
    QString m_controlPath; // empty unless open() made this tunnel a control master
    int m_forwards = 0;    // addForward's sockets, numbered
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QProcess> m_process;
    QString m_localSocket;
};

} // namespace slipway
