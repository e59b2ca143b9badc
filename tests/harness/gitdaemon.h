#pragma once

#include "testserver.h"

namespace slipway::test {

// `git daemon` serving the repositories under repositoriesPath() as git://127.0.0.1:PORT/NAME.
class GitDaemon final : public TestServer
{
public:
    GitDaemon();
    ~GitDaemon() override;

    quint16 port() const { return m_port; }
    QString repositoriesPath() const;
    QString url(const QString &repository) const;

protected:
    bool prepare() override;
    QString program() const override;
    QStringList arguments() const override;
    bool waitUntilReady() override;

private:
    quint16 m_port = 0;
};

} // namespace slipway::test
