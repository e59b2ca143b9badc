#pragma once

#include "testserver.h"

namespace slipway::test {

// An OpenSSH sshd on 127.0.0.1 with its own host key, accepting one client key for the current
// user. clientOptions() gives ssh(1) everything it needs: the key, a known_hosts file that
// trusts this server and no other, and no user config.
class SshServer final : public TestServer
{
public:
    SshServer();
    ~SshServer() override;

    quint16 port() const { return m_port; }
    QString user() const;
    QString clientKeyPath() const;
    QString knownHostsPath() const;
    // "-F none -o UserKnownHostsFile=... -i KEY -p PORT ..." (without the destination)
    QStringList clientOptions() const;
    QString destination() const; // "user@127.0.0.1"
    QString url() const;         // "ssh://user@127.0.0.1:PORT"

protected:
    bool prepare() override;
    QString program() const override;
    QStringList arguments() const override;
    bool waitUntilReady() override;

private:
    quint16 m_port = 0;
};

} // namespace slipway::test
