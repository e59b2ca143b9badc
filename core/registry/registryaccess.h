#pragma once

#include "registry/imagereference.h"
#include "registry/pusher.h"
#include "registry/registryclient.h"
#include "util/result.h"

#include <QString>

#include <memory>
#include <stop_token>

namespace slipway {

// How every command reaches a registry, so that push, build (base images), login and deploy
// agree on it.

// The CA for a registry: certs.d/<host:port>/ca.crt under Slipway's config dir, then Docker's
// (/etc/docker/certs.d) and Podman's (/etc/containers/certs.d). Empty: the system's CAs.
// dataDirOption: the --data-dir given, or empty (SLIPWAY_HOME, else the XDG directories).
QString registryCaFile(const QString &registry, const QString &dataDirOption);

// Whether the user marked registry insecure (plain HTTP allowed; TLS is still tried first), as
// Podman and Docker users already do: `insecure = true` on a [[registry]] of registries.conf
// ($CONTAINERS_REGISTRIES_CONF, else ~/.config/containers/registries.conf if it exists, else
// /etc/containers/registries.conf; the v1 form [registries.insecure] registries = [...] too),
// or "insecure-registries" in /etc/docker/daemon.json. Loopback registries are insecure by
// default anyway. A file that cannot be parsed is an error naming it.
Result<bool> isMarkedInsecure(const QString &registry);

// A client for registry with the user's credential (a login saved in Slipway, then Podman's
// auth files, then Docker's config.json), the registry's CA, and plain HTTP when the registry is
// on loopback or marked insecure (or allowHttp: a mirror configured with http://).
Result<std::unique_ptr<RegistryClient>>
openRegistryClient(const QString &registry, const QString &dataDirOption, bool allowHttp = false);

// An image as a configured mirror names it.
struct MirroredReference
{
    ImageReference reference;
    bool allowHttp = false; // plain HTTP allowed: `insecure = true`, or Docker's "http://" mirror
};
// The mirrors the user configured for `reference`, in the order to try them, as Podman and
// Docker users already do: the [[registry.mirror]] entries of the registries.conf [[registry]]
// whose prefix (else location) matches most of the reference (its pull-from-mirror
// "digest-only" and "tag-only" honoured), then, for docker.io, "registry-mirrors" of Docker's
// daemon.json ($SLIPWAY_DOCKER_DAEMON_JSON, else /etc/docker/daemon.json). A file that cannot
// be parsed, or a mirror location that names no host, is an error naming the file.
Result<QList<MirroredReference>> registryMirrors(const ImageReference &reference);

// Pushes the image `manifestDigest`, whose blobs `blobs` finds, to `reference` through
// openRegistryClient (events and cancelling as pushImage).
Result<PushResult> pushToRegistry(const BlobSource &blobs, const QString &manifestDigest,
                                  const QString &reference, const QString &dataDirOption, EventSink *events,
                                  std::stop_token stop, const PushOptions &options = {});

// The registry a user names to log in: host[:port], also typed as a URL, as `docker login` takes
// it ("https://reg.example:5000/v2/" is reg.example:5000; index.docker.io is docker.io). Empty
// when the text names no host[:port].
QString registryFromUserInput(const QString &text);

// Checks a login as `docker login` does before saving it: GET /v2/ with `credential`, through
// the client a push would open (the registry's CA; plain HTTP only where allowed). The error is
// one line naming the registry, and never holds the secret.
Status checkLogin(const QString &registry, const Credential &credential, const QString &dataDirOption,
                  std::stop_token stop = {});

} // namespace slipway
