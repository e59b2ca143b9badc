#pragma once

#include "testserver.h"

namespace slipway::test {

// docker-registry (distribution 2.8) on 127.0.0.1: plain HTTP, or TLS with a certificate of its
// own CA plus htpasswd Basic auth.
class RegistryServer final : public TestServer
{
public:
    enum class Mode
    {
        PlainHttp,
        TlsWithBasicAuth
    };

    explicit RegistryServer(Mode mode = Mode::PlainHttp);
    ~RegistryServer() override;

    Mode mode() const { return m_mode; }
    quint16 port() const { return m_port; }
    QString address() const;           // "127.0.0.1:PORT", as an image reference's host part
    QString url() const;               // "http://127.0.0.1:PORT" or "https://..."
    QString caCertificatePath() const; // TLS mode: the CA to trust
    QString storagePath() const;       // the registry's blob and manifest files
    QString username() const { return QStringLiteral("slipway"); }
    QString password() const { return m_password; }

protected:
    bool prepare() override;
    QString program() const override;
    QStringList arguments() const override;
    bool waitUntilReady() override;

private:
    Mode m_mode;
    quint16 m_port = 0;
    QString m_password;
};

} // namespace slipway::test
