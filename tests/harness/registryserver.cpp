#include "registryserver.h"

#include "processes.h"

#include <QRandomGenerator>

namespace slipway::test {

RegistryServer::RegistryServer(Mode mode)
    : TestServer(QStringLiteral("registry"))
    , m_mode(mode)
{}

RegistryServer::~RegistryServer()
{
    stop();
}

QString RegistryServer::address() const
{
    return QStringLiteral("127.0.0.1:%1").arg(m_port);
}

void RegistryServer::setTokenAuth(const QString &realm, const QString &service, const QString &issuer,
                                  const QString &rootCertBundle)
{
    m_tokenAuth = "auth:\n"
                  "  token: { realm: \"" +
                  realm.toUtf8() + "\", service: \"" + service.toUtf8() + "\", issuer: \"" + issuer.toUtf8() +
                  "\", rootcertbundle: " + rootCertBundle.toUtf8() + " }\n";
}

QString RegistryServer::url() const
{
    return (m_mode != Mode::TlsWithBasicAuth ? QStringLiteral("http://") : QStringLiteral("https://")) +
           address();
}

QString RegistryServer::caCertificatePath() const
{
    return m_mode != Mode::TlsWithBasicAuth ? QString() : path(QStringLiteral("ca.crt"));
}

QString RegistryServer::storagePath() const
{
    return m_storage.isEmpty() ? path(QStringLiteral("storage")) : m_storage;
}

bool RegistryServer::prepare()
{
    m_port = m_fixedPort ? m_fixedPort : freeLoopbackPort();
    QByteArray config = "version: 0.1\n"
                        "log: { level: warn, accesslog: { disabled: true } }\n"
                        "storage:\n"
                        "  filesystem: { rootdirectory: " +
                        storagePath().toUtf8() +
                        " }\n"
                        "  delete: { enabled: true }\n"
                        "http:\n"
                        "  addr: " +
                        address().toUtf8() +
                        "\n"
                        "  secret: slipway-test\n";
    if (m_mode == Mode::TlsWithBasicAuth) {
        // A CA of our own signs the server certificate, as a company registry's would be.
        const QString openssl = QStringLiteral("openssl");
        if (!run(openssl,
                 {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                  QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-days"),
                  QStringLiteral("2"), QStringLiteral("-subj"), QStringLiteral("/CN=Slipway test CA"),
                  QStringLiteral("-keyout"), path(QStringLiteral("ca.key")), QStringLiteral("-out"),
                  path(QStringLiteral("ca.crt"))}) ||
            !run(openssl, {QStringLiteral("req"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"),
                           QStringLiteral("-nodes"), QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1"),
                           QStringLiteral("-keyout"), path(QStringLiteral("tls.key")), QStringLiteral("-out"),
                           path(QStringLiteral("tls.csr"))}) ||
            !writeFile(QStringLiteral("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n") ||
            !run(openssl,
                 {QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"),
                  path(QStringLiteral("tls.csr")), QStringLiteral("-CA"), path(QStringLiteral("ca.crt")),
                  QStringLiteral("-CAkey"), path(QStringLiteral("ca.key")), QStringLiteral("-CAcreateserial"),
                  QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-extfile"),
                  path(QStringLiteral("san.ext")), QStringLiteral("-out"), path(QStringLiteral("tls.crt"))}))
            return false;

        m_password = QString::number(QRandomGenerator::global()->generate64(), 36);
        QString htpasswd;
        if (runTool(QStringLiteral("htpasswd"), {QStringLiteral("-Bbn"), username(), m_password},
                    &htpasswd) != 0)
            return fail(QStringLiteral("htpasswd failed: %1").arg(htpasswd));
        if (!writeFile(QStringLiteral("htpasswd"), htpasswd.trimmed().toUtf8() + '\n'))
            return false;
        config += "  tls: { certificate: " + path(QStringLiteral("tls.crt")).toUtf8() +
                  ", key: " + path(QStringLiteral("tls.key")).toUtf8() +
                  " }\n"
                  "auth:\n"
                  "  htpasswd: { realm: slipway-test, path: " +
                  path(QStringLiteral("htpasswd")).toUtf8() + " }\n";
    }
    if (m_mode == Mode::PlainHttpWithTokenAuth) {
        if (m_tokenAuth.isEmpty())
            return fail(QStringLiteral("token mode needs setTokenAuth()"));
        config += m_tokenAuth;
    }
    return writeFile(QStringLiteral("config.yml"), config);
}

QString RegistryServer::program() const
{
    return QStringLiteral("docker-registry");
}

QStringList RegistryServer::arguments() const
{
    return {QStringLiteral("serve"), path(QStringLiteral("config.yml"))};
}

bool RegistryServer::waitUntilReady()
{
    return waitForTcp(m_port, 15000);
}

} // namespace slipway::test
