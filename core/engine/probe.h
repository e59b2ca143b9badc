#pragma once

#include "engine/engineservices.h"
#include "engine/swarmnodes.h"
#include "engine/target.h"
#include "util/result.h"

#include <QString>

#include <optional>
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
    // What probeTarget reads besides: the engine's part in a Swarm (GET /info; an empty state
    // for an engine in no Swarm, such as Podman) and, for a Swarm manager only, its nodes and the
    // replicas of Slipway's services, or the one-line error reading them.
    SwarmInfo swarm;
    std::optional<Result<SwarmOverview>> swarmOverview;
};

// Connects to the target (opening an ssh tunnel for ssh:// endpoints), pings the engine and
// reads its version and its part in a Swarm, with a manager's overview (readSwarmOverview).
// Errors are one line naming the target and its endpoint; an engine that answered but whose
// Swarm could not be read is no error: its swarmOverview holds that one.
Result<EngineInfo> probeTarget(const Target &target, std::stop_token stop = {});

// The engine's part in a Swarm, as probeTarget read it: "manager, 2 nodes" (describeSwarm),
// "manager" (its overview could not be read), "worker (deploys go to a manager)", "locked", ...;
// empty for an engine in no Swarm.
QString describeSwarmPart(const EngineInfo &info);

} // namespace slipway
