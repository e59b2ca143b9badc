#include "deploy/targetkind.h"

#include "engine/engineclient.h"

namespace slipway {

Result<TargetKind> targetKindOf(EngineClient &client)
{
    auto swarm = client.swarmInfo();
    if (!swarm)
        return swarm.error();
    if (swarm->isManager())
        return TargetKind::Swarm;
    if (swarm->isWorker())
        return Error::badInput(
            QStringLiteral("%1 is a Swarm worker; deploy to a manager").arg(client.where()));
    const QString &state = swarm->localNodeState;
    if (state == u"locked" || state == u"pending" || state == u"error")
        return Error::failed(
            QStringLiteral("%1: the engine's Swarm is %2%3: deploy once it is active")
                .arg(client.where(), state,
                     swarm->error.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(swarm->error)));
    return TargetKind::Containers;
}

} // namespace slipway
