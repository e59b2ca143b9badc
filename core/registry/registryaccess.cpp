#include "registry/registryaccess.h"

#include "registry/credentials.h"
#include "util/paths.h"

#include <QDir>
#include <QFileInfo>
#include <QStringList>

namespace slipway {

QString registryCaFile(const QString &registry, const QString &dataDirOption)
{
    const QStringList roots{QDir(DataDirs::resolve(dataDirOption).config).filePath(QStringLiteral("certs.d")),
                            QStringLiteral("/etc/docker/certs.d"), QStringLiteral("/etc/containers/certs.d")};
    for (const QString &root : roots) {
        const QString candidate = root + u'/' + registry + QStringLiteral("/ca.crt");
        if (QFileInfo(candidate).isFile())
            return candidate;
    }
    return {};
}

Result<std::unique_ptr<RegistryClient>> openRegistryClient(const QString &registry,
                                                           const QString &dataDirOption)
{
    auto credential = CredentialStore::fromEnvironment(dataDirOption).find(registry);
    if (!credential)
        return credential.error();
    return std::make_unique<RegistryClient>(registry, credential.value(),
                                            registryCaFile(registry, dataDirOption));
}

} // namespace slipway
