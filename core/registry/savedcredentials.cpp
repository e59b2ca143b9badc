#include "savedcredentials.h"

#include "util/keychain.h"
#include "util/logging.h"
#include "util/paths.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace slipway {
namespace {

QString keyFor(const QString &registry)
{
    return QStringLiteral("registry:") + registry;
}

QString loginFor(const QString &registry)
{
    return QStringLiteral("the login for registry ") + registry;
}

Result<QStringList> readIndex(const QString &path)
{
    auto index =
        keychain::readIndexFile(path, QStringLiteral("{\"registries\": [...]}; remove it and log in again"));
    if (!index)
        return index.error();
    QStringList registries;
    for (const QJsonValue &value : index->value(QStringLiteral("registries")).toArray()) {
        if (value.isString() && !value.toString().isEmpty())
            registries += value.toString();
    }
    registries.removeDuplicates();
    registries.sort();
    return registries;
}

QByteArray encode(const Credential &credential)
{
    return QJsonDocument(QJsonObject{{QStringLiteral("username"), credential.username},
                                     {QStringLiteral("secret"), credential.secret},
                                     {QStringLiteral("identityToken"), credential.isIdentityToken}})
        .toJson(QJsonDocument::Compact);
}

std::optional<Credential> decode(const QByteArray &data)
{
    const QJsonDocument document = QJsonDocument::fromJson(data);
    if (!document.isObject())
        return std::nullopt;
    const QJsonObject object = document.object();
    Credential credential;
    credential.username = object.value(QStringLiteral("username")).toString();
    credential.secret = object.value(QStringLiteral("secret")).toString();
    credential.isIdentityToken = object.value(QStringLiteral("identityToken")).toBool();
    if (credential.secret.isEmpty())
        return std::nullopt;
    return credential;
}

} // namespace

SavedCredentials::SavedCredentials(QString indexFile)
    : m_indexFile(std::move(indexFile))
{}

SavedCredentials SavedCredentials::forDataDir(const QString &dataDirOption)
{
    return SavedCredentials(DataDirs::resolve(dataDirOption).config + QStringLiteral("/logins.json"));
}

bool SavedCredentials::hasSessionBus()
{
    return keychain::hasSessionBus();
}

Result<QStringList> SavedCredentials::registries() const
{
    return readIndex(m_indexFile);
}

Status SavedCredentials::writeIndex(const QStringList &registries) const
{
    return keychain::writeIndexFile(
        m_indexFile, QJsonObject{{QStringLiteral("registries"), QJsonArray::fromStringList(registries)}});
}

Status SavedCredentials::save(const QString &registry, const Credential &credential, std::stop_token stop)
{
    if (registry.isEmpty())
        return Error::badInput(QStringLiteral("a registry (host[:port]) is needed to save a login"));
    if (credential.secret.isEmpty())
        return Error::badInput(QStringLiteral("the password for registry %1 is empty").arg(registry));
    Result<QStringList> index = readIndex(m_indexFile);
    if (!index)
        return index.error();
    if (Status written =
            keychain::write(keyFor(registry), encode(credential), loginFor(registry), m_timeout, stop);
        !written)
        return written;

    QStringList registries = index.value();
    if (!registries.contains(registry)) {
        registries += registry;
        registries.sort();
        if (Status indexed = writeIndex(registries); !indexed) {
            // Not listed means never looked up: take the secret back out rather than leave it orphaned.
            (void)keychain::remove(keyFor(registry), loginFor(registry), m_timeout);
            return indexed;
        }
    }
    qCDebug(lcRegistry) << "saved a login for" << registry << "in the system keychain";
    return success();
}

Status SavedCredentials::remove(const QString &registry, std::stop_token stop)
{
    Result<QStringList> index = readIndex(m_indexFile);
    if (!index)
        return index.error();
    if (!index->contains(registry))
        return Error::badInput(QStringLiteral("there is no saved login for registry %1").arg(registry));
    // Already gone from the keychain (removed by hand): the index is all that is left to fix.
    if (Status deleted = keychain::remove(keyFor(registry), loginFor(registry), m_timeout, stop); !deleted)
        return deleted;
    QStringList registries = index.value();
    registries.removeAll(registry);
    if (Status indexed = writeIndex(registries); !indexed)
        return indexed;
    qCDebug(lcRegistry) << "removed the saved login for" << registry;
    return success();
}

Result<std::optional<Credential>> SavedCredentials::find(const QString &registry, std::stop_token stop) const
{
    using Found = std::optional<Credential>;
    Result<QStringList> index = readIndex(m_indexFile);
    if (!index)
        return index.error();
    if (!index->contains(registry))
        return Found{};
    auto read = keychain::read(keyFor(registry), loginFor(registry), m_timeout, stop);
    if (!read)
        return read.error();
    if (read->noBackend) {
        qCDebug(lcRegistry) << "no system keychain: the saved login for" << registry << "is not looked up";
        return Found{};
    }
    if (!read->data) {
        qCDebug(lcRegistry) << "the system keychain has no saved login for" << registry;
        return Found{};
    }
    std::optional<Credential> credential = decode(*read->data);
    if (!credential)
        return Error::badInput(
            QStringLiteral(
                "the saved login for registry %1 in the system keychain is not valid; log in again")
                .arg(registry));
    qCDebug(lcRegistry) << "credentials for" << registry << "from the system keychain";
    return Found{std::move(credential)};
}

} // namespace slipway
