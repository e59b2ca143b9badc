#pragma once

#include <QString>

namespace slipway {

// A named place to deploy to: a Docker or Podman engine reached through its endpoint.
//   unix:///run/podman/podman.sock
//   tcp://host:2375               (plain, loopback only unless the user insists)
//   tcp://host:2376 + tlsCa/tlsCert/tlsKey (TLS client certificates)
//   ssh://[user@]host[:port][/path/to/engine.sock]  (through the system's OpenSSH)
// Stored in the history database; the TLS files are paths, never their contents.
struct Target
{
    QString name;
    QString endpoint;
    QString tlsCa;
    QString tlsCert;
    QString tlsKey;
    // The target's proxy, for apps with [deploy.proxy] (deploy/proxy.h): its image (empty: the
    // pinned default) and the host ports it takes for HTTP and HTTPS (0: 80 and 443).
    QString proxyImage;
    int proxyHttpPort = 0;
    int proxyHttpsPort = 0;
};

} // namespace slipway
