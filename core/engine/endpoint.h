#pragma once

#include "engine/target.h"
#include "util/result.h"

#include <QString>

namespace slipway {

// A target's endpoint, parsed.
struct EngineEndpoint
{
    enum class Kind
    {
        Unix, // socketPath
        Tcp,  // host, port; tls when the target names a CA, certificate and key
        Ssh,  // sshUser (may be empty), host, port (0: ssh's default), socketPath (empty: probe)
    };
    Kind kind = Kind::Unix;
    QString socketPath;
    QString host;
    int port = 0;
    bool tls = false;
    QString sshUser;
};

// Parses target.endpoint. Errors are one line naming the target, the endpoint and the cause:
// "target web: endpoint 'tcp://host': no port (tcp://HOST:PORT)". TLS files must all be given
// together, only for tcp://, and must be readable.
Result<EngineEndpoint> parseEndpoint(const Target &target);

// The endpoint as messages show it: a password in it (which parseEndpoint refuses) masked.
QString displayEndpoint(const QString &endpoint);

// "target NAME (ENDPOINT)": how messages name a target.
QString describeTarget(const Target &target);

} // namespace slipway
