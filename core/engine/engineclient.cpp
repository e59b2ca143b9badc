#include "engine/engineclient.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace slipway {

EngineClient::EngineClient(Target target, std::stop_token stop)
    : m_connection(std::move(target), std::move(stop))
{}

EngineClient::~EngineClient() = default;

Result<EngineInfo> EngineClient::version()
{
    EngineConnection::Request request;
    request.path = QStringLiteral("/version");
    auto reply = m_connection.expect(request, QStringLiteral("version"), {200});
    if (!reply)
        return reply.error();
    const QJsonObject json = QJsonDocument::fromJson(reply->body).object();
    EngineInfo info;
    info.version = json.value(QStringLiteral("Version")).toString();
    info.apiVersion = json.value(QStringLiteral("ApiVersion")).toString();
    info.os = json.value(QStringLiteral("Os")).toString();
    info.arch = json.value(QStringLiteral("Arch")).toString();
    // Both list components; Podman's is "Podman Engine", Docker's "Engine".
    info.name = QStringLiteral("Docker Engine");
    const QJsonArray components = json.value(QStringLiteral("Components")).toArray();
    for (const QJsonValue &value : components) {
        const QString name = value.toObject().value(QStringLiteral("Name")).toString();
        if (name.contains(QStringLiteral("Podman"), Qt::CaseInsensitive))
            info.name = QStringLiteral("Podman Engine");
    }
    if (info.version.isEmpty() && info.apiVersion.isEmpty())
        return Error::failed(QStringLiteral("%1: version: the answer is not an engine's version document")
                                 .arg(m_connection.where()));
    return info;
}

} // namespace slipway
