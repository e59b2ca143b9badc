#include "engine/swarmsecrets.h"

#include "engine/engineconnection.h"
#include "util/jsonmaps.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace slipway {

bool SwarmSecrets::isSecretName(const QString &name)
{
    static const QRegularExpression valid(QStringLiteral("^[a-zA-Z0-9]+(?:[a-zA-Z0-9_.-]*[a-zA-Z0-9])?$"));
    return name.size() <= 64 && valid.match(name).hasMatch();
}

Result<QList<SwarmSecret>> SwarmSecrets::listWhere(const char *key, const QString &value, const QString &what)
{
    EngineConnection::Request request;
    request.path = QStringLiteral("/secrets?filters=") +
                   engineFilters(QJsonObject{{QString::fromLatin1(key), QJsonArray{value}}});
    auto reply = m_connection.expect(request, what, {200});
    if (!reply)
        return reply.error();
    QList<SwarmSecret> secrets;
    for (const QJsonValue &entry : QJsonDocument::fromJson(reply->body).array()) {
        const QJsonObject json = entry.toObject();
        const QJsonObject spec = json.value(QStringLiteral("Spec")).toObject();
        secrets.append(SwarmSecret{.id = json.value(QStringLiteral("ID")).toString(),
                                   .name = spec.value(QStringLiteral("Name")).toString(),
                                   .labels = stringMapOf(spec.value(QStringLiteral("Labels")).toObject())});
    }
    return secrets;
}

Result<QList<SwarmSecret>> SwarmSecrets::list(const QString &label)
{
    return listWhere("label", label, QStringLiteral("list the secrets labelled %1").arg(label));
}

Result<std::optional<SwarmSecret>> SwarmSecrets::find(const QString &name)
{
    // The name filter matches prefixes: the exact name is picked here.
    auto secrets = listWhere("name", name, QStringLiteral("list the secrets named %1").arg(name));
    if (!secrets)
        return secrets.error();
    for (const SwarmSecret &secret : std::as_const(secrets.value()))
        if (secret.name == name)
            return std::optional<SwarmSecret>(secret);
    return std::optional<SwarmSecret>();
}

Result<QString> SwarmSecrets::create(const QString &name, const QMap<QString, QString> &labels,
                                     const QByteArray &data)
{
    EngineConnection::Request request;
    request.method = "POST";
    request.path = QStringLiteral("/secrets/create");
    request.body = QJsonDocument(QJsonObject{{QStringLiteral("Name"), name},
                                             {QStringLiteral("Labels"), jsonObjectOf(labels)},
                                             {QStringLiteral("Data"), QString::fromLatin1(data.toBase64())}})
                       .toJson(QJsonDocument::Compact);
    auto reply = m_connection.expect(request, QStringLiteral("create secret %1").arg(name), {200, 201});
    if (!reply)
        return reply.error();
    const QString id = QJsonDocument::fromJson(reply->body).object().value(QStringLiteral("ID")).toString();
    if (id.isEmpty())
        return Error::failed(QStringLiteral("%1: create secret %2: the engine answered without an id")
                                 .arg(m_connection.where(), name));
    return id;
}

Status SwarmSecrets::remove(const QString &id)
{
    EngineConnection::Request request;
    request.method = "DELETE";
    request.path = QStringLiteral("/secrets/%1").arg(id);
    auto reply = m_connection.expect(request, QStringLiteral("remove secret %1").arg(id), {200, 204});
    if (!reply)
        return reply.error();
    return success();
}

} // namespace slipway
