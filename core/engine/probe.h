#pragma once

#include "engine/target.h"
#include "util/result.h"

#include <QString>

#include <stop_token>

namespace slipway {

// What a target's engine says about itself (GET /_ping and /version).
struct EngineInfo
{
    QString name; // "Docker Engine" / "Podman Engine"
    QString version;
    QString apiVersion;
    QString os;
    QString arch;
};

// Connects to the target (opening an ssh tunnel for ssh:// endpoints), pings the engine and
// reads its version. Errors are one line naming the target and its endpoint.
Result<EngineInfo> probeTarget(const Target &target, std::stop_token stop = {});

} // namespace slipway
