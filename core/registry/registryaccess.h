#pragma once

#include "registry/registryclient.h"
#include "util/result.h"

#include <QString>

#include <memory>

namespace slipway {

// How every command reaches a registry, so that push, build (base images), login and deploy
// agree on it.

// The CA for a registry: certs.d/<host:port>/ca.crt under Slipway's config dir, then Docker's
// (/etc/docker/certs.d) and Podman's (/etc/containers/certs.d). Empty: the system's CAs.
// dataDirOption: the --data-dir given, or empty (SLIPWAY_HOME, else the XDG directories).
QString registryCaFile(const QString &registry, const QString &dataDirOption);

// A client for registry with the user's credential (a login saved in Slipway, then Podman's
// auth files, then Docker's config.json) and the registry's CA.
Result<std::unique_ptr<RegistryClient>> openRegistryClient(const QString &registry,
                                                           const QString &dataDirOption);

} // namespace slipway
