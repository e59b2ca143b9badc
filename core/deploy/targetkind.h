#pragma once

#include "util/result.h"

namespace slipway {

class EngineClient;

// What a target's apps run as. Nothing in a target's record says it: only its engine can tell.
enum class TargetKind
{
    Containers, // one container per app (an engine in no Swarm, or an inactive one: Podman too)
    Swarm,      // a service per app: the engine is an active Swarm manager
};

// The kind of the target `client` is connected to, from its engine's Swarm state (GET /info).
// The rollout picks its driver by it (rollout.cpp), and apps.h lists and operates an app by it.
// An engine that runs neither for Slipway is an error naming the target: a Swarm worker
// (BadInput: deploy to a manager), a Swarm that is locked, pending or in error (Failed: once it
// is active).
Result<TargetKind> targetKindOf(EngineClient &client);

} // namespace slipway
