#pragma once

#include "testserver.h"

namespace slipway::test {

// docker-registry (distribution 2.8) on 127.0.0.1: plain HTTP, TLS with a certificate of its own
// CA plus htpasswd Basic auth, or plain HTTP with token auth through a token server the test runs.
class RegistryServer final : public TestServer
{
public:
    enum class Mode
    {
        PlainHttp,
        TlsWithBasicAuth,
        PlainHttpWithTokenAuth // needs setTokenAuth()
    };

    explicit RegistryServer(Mode mode = Mode::PlainHttp);
    ~RegistryServer() override;

    // Token auth: the registry sends clients to realm and accepts JWTs from issuer for service
    // signed by a key whose certificate (x5c) chains to rootCertBundle (PEM).
    void setTokenAuth(const QString &realm, const QString &service, const QString &issuer,
                      const QString &rootCertBundle);
    // Before start(): keep blobs in storage (outlives this server) and listen on port, e.g. to
    // restart a registry on the data of one that was killed.
    void setStoragePath(const QString &storage) { m_storage = storage; }
    void setPort(quint16 port) { m_fixedPort = port; }

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
    quint16 m_fixedPort = 0;
    QString m_storage;
    QString m_password;
    QByteArray m_tokenAuth; // the auth: section of the config in token mode
};

} // namespace slipway::test
