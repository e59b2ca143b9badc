#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QString>

#include <optional>

namespace slipway {

class EngineConnection;

// A Swarm secret as GET /secrets has it: never its data, which the engine does not give back.
struct SwarmSecret
{
    QString id;
    QString name;
    QMap<QString, QString> labels;
};

// The secrets of a Swarm whose manager the connection reaches (/secrets): listed, made,
// removed. A secret's data is immutable and only its tasks read it (as files under
// /run/secrets); the data goes in the create request's body and nowhere else, never in a
// message. On a connected EngineConnection, which it does not own.
class SwarmSecrets final
{
public:
    explicit SwarmSecrets(EngineConnection &connection)
        : m_connection(connection)
    {}

    // The secrets with label `label` ("key=value" or "key").
    Result<QList<SwarmSecret>> list(const QString &label);
    // The secret named exactly `name`; none when there is no such secret.
    Result<std::optional<SwarmSecret>> find(const QString &name);
    // The new secret's id.
    Result<QString> create(const QString &name, const QMap<QString, QString> &labels, const QByteArray &data);
    // Conflict while a service's spec uses it.
    Status remove(const QString &id);

    // Whether Swarm takes `name` for a secret: letters and digits, with '-', '_' or '.' between
    // them, at most 64 characters.
    static bool isSecretName(const QString &name);

private:
    Result<QList<SwarmSecret>> listWhere(const char *key, const QString &value, const QString &what);

    EngineConnection &m_connection;
};

} // namespace slipway
