#pragma once

#include "credentials.h"
#include "util/keychain.h"
#include "util/result.h"

#include <QString>
#include <QStringList>

#include <chrono>
#include <optional>
#include <stop_token>

namespace slipway {

// Logins the user saves in Slipway (`slipway-cli login`). The secret lives only in the system
// keychain (the Secret Service over D-Bus, through QtKeychain): service "slipway", key
// "registry:<host:port>". Nothing secret is ever written to a file, the database or the log.
//
// QtKeychain cannot list entries by attribute, so the names of the registries with a saved login
// (never their secrets) are kept in a small JSON index file in the config dir; lookups go to the
// keychain only for registries the index names, so a push to any other registry never touches
// D-Bus (and never makes a locked keyring prompt).
//
// Threads: as util/keychain.h: each call blocks until the keychain answers (maybe after an unlock
// prompt), so the GUI calls from a worker thread, never the GUI thread.
//
// Without a session bus (no $DBUS_SESSION_BUS_ADDRESS and no $XDG_RUNTIME_DIR/bus) there is no
// keychain: save() and remove() fail with a message that says how to get one, find() reports
// nothing (logged at debug) so that pushes still work with Podman's or Docker's logins. There is
// never a fallback to a plaintext file.
class SavedCredentials final
{
public:
    explicit SavedCredentials(QString indexFile);

    // The index in the config dir of DataDirs::resolve(dataDirOption): <config>/logins.json.
    static SavedCredentials forDataDir(const QString &dataDirOption);

    const QString &indexFile() const { return m_indexFile; }

    // How long one keychain operation may take (30 s by default: an unlock prompt may be up).
    void setTimeout(std::chrono::milliseconds timeout) { m_timeout = timeout; }

    // True when a session bus address is known, so that a keychain may be reachable.
    static bool hasSessionBus();

    // registry: host[:port] as in ImageReference::registry.
    Status save(const QString &registry, const Credential &credential, std::stop_token stop = {});
    // A bad-input error when the registry has no saved login.
    Status remove(const QString &registry, std::stop_token stop = {});
    // Nothing when the registry has no saved login or there is no session bus at all.
    Result<std::optional<Credential>> find(const QString &registry, std::stop_token stop = {}) const;
    // The registries with a saved login, sorted. Names only: no keychain access.
    Result<QStringList> registries() const;

private:
    Status writeIndex(const QStringList &registries) const;

    QString m_indexFile;
    std::chrono::milliseconds m_timeout = keychain::defaultTimeout;
};

} // namespace slipway
