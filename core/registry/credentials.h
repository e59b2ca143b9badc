#pragma once

#include "util/result.h"

#include <QString>
#include <QStringList>

#include <chrono>
#include <optional>

namespace slipway {

// A login for one registry. The secret is a password, or an identity (refresh) token for the
// registry's token server when isIdentityToken is set. Never logged, never in a message.
struct Credential
{
    QString username;
    QString secret;
    bool isIdentityToken = false;
};

// Finds the credentials for a registry, read-only, first found wins:
//  1. the login saved in Slipway (`slipway-cli login`, SavedCredentials: the system keychain),
//     when setSavedLogins() gave its index; skipped silently when there is no D-Bus session;
//  2. Podman's auth files (containers-auth.json): `credHelpers`, then `auths`;
//  3. Docker's config.json: `credHelpers[registry]`, else `credsStore`, else `auths`.
// Helpers are run as `docker-credential-<name> get` (found through PATH) with the server on
// stdin; each has a timeout. Files that do not exist are skipped; a file that cannot be read
// or parsed is an error naming the file.
class CredentialStore final
{
public:
    // podmanAuthFiles are tried in order; dockerConfigFile is a path to a config.json.
    CredentialStore(QStringList podmanAuthFiles, QString dockerConfigFile);

    // $REGISTRY_AUTH_FILE, else ${XDG_RUNTIME_DIR}/containers/auth.json and
    // ${XDG_CONFIG_HOME:-~/.config}/containers/auth.json; then $DOCKER_CONFIG/config.json
    // (~/.docker/config.json by default). Slipway's saved logins first, from the config dir of
    // DataDirs::resolve(dataDirOption).
    static CredentialStore fromEnvironment(const QString &dataDirOption = {});

    // The SavedCredentials index file whose logins come first; empty: none.
    void setSavedLogins(const QString &indexFile) { m_savedLoginsIndex = indexFile; }
    const QString &savedLoginsIndex() const { return m_savedLoginsIndex; }

    const QStringList &podmanAuthFiles() const { return m_podmanAuthFiles; }
    const QString &dockerConfigFile() const { return m_dockerConfigFile; }

    // How long a credential helper may take (10 s by default).
    void setHelperTimeout(std::chrono::milliseconds timeout) { m_helperTimeout = timeout; }

    // registry: a host[:port] as in ImageReference::registry ("docker.io" for Docker Hub).
    // An empty optional when no source has credentials for it (anonymous access).
    Result<std::optional<Credential>> find(const QString &registry) const;

private:
    QStringList m_podmanAuthFiles;
    QString m_dockerConfigFile;
    QString m_savedLoginsIndex;
    std::chrono::milliseconds m_helperTimeout{10000};
};

} // namespace slipway
