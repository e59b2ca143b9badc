#include "registry/registryclient.h"

#include "util/logging.h"
#include "util/sha256.h"

namespace slipway {
namespace {

QString pushScope(const QString &repository)
{
    return QStringLiteral("repository:%1:pull,push").arg(repository);
}

} // namespace

RegistryClient::RegistryClient(QString registry, std::optional<Credential> credential, QString caFile,
                               std::optional<bool> allowPlainHttp)
    : RegistryClient(std::make_unique<RegistryTransport>(std::move(registry), std::move(credential),
                                                         std::move(caFile), allowPlainHttp))
{}

RegistryClient::RegistryClient(std::unique_ptr<RegistryTransport> transport)
    : m_transport(std::move(transport))
{}

RegistryClient::~RegistryClient() = default;

std::unique_ptr<RegistryClient> RegistryClient::clone() const
{
    return std::unique_ptr<RegistryClient>(new RegistryClient(m_transport->clone()));
}

Status RegistryClient::ping()
{
    RegistryTransport::Request request;
    request.url = QStringLiteral("/v2/");
    auto reply = m_transport->send(request, {}, {});
    if (!reply)
        return reply.error();
    if (reply->status != 200)
        return m_transport->httpError({}, QStringLiteral("ping"), reply.value());
    return success();
}

Result<bool> RegistryClient::blobExists(const QString &repository, const QString &digest)
{
    RegistryTransport::Request request;
    request.method = "HEAD";
    request.url = QStringLiteral("/v2/%1/blobs/%2").arg(repository, digest);
    auto reply = m_transport->send(request, repository, pushScope(repository));
    if (!reply)
        return reply.error();
    if (reply->status == 200)
        return true;
    if (reply->status == 404)
        return false;
    // Still a server error after the transport's retries: the registry cannot read what it
    // stores under that digest (a registry killed while it wrote the blob answers 500 for it
    // after a restart). Uploading it again is how it heals; the upload's own answer decides.
    if (reply->status >= 500) {
        qCDebug(lcRegistry).noquote() << QStringLiteral("checking blob %1 in %2: HTTP %3; uploading it")
                                             .arg(digest, repository)
                                             .arg(reply->status);
        return false;
    }
    return m_transport->httpError(repository, QStringLiteral("checking blob %1").arg(digest), reply.value());
}

Result<QString> RegistryClient::putManifest(const QString &repository, const QString &reference,
                                            const QString &mediaType, const QByteArray &bytes)
{
    RegistryTransport::Request request;
    request.method = "PUT";
    request.url = QStringLiteral("/v2/%1/manifests/%2").arg(repository, reference);
    request.headers = {"Content-Type: " + mediaType.toUtf8()};
    request.body = bytes;
    auto reply = m_transport->send(request, repository, pushScope(repository));
    const QString what = QStringLiteral("putting manifest %1").arg(reference);
    if (!reply)
        return reply.error();
    if (reply->status != 201)
        return m_transport->httpError(repository, what, reply.value());
    const QString expected = Sha256::digestOf(bytes);
    const QString reported = QString::fromUtf8(reply->headers.value("docker-content-digest"));
    if (reported != expected)
        return Error::failed(QStringLiteral("%1: %2: the registry reports digest %3, expected %4")
                                 .arg(m_transport->where(repository), what,
                                      reported.isEmpty() ? QStringLiteral("(none)") : reported, expected));
    return expected;
}

} // namespace slipway
