#include "deploy/targetkind.h"

#include "engine/engineclient.h"

namespace slipway {

Result<TargetKind> targetKindOf(EngineClient &client)
{
    // Podman has no Swarm mode, and its GET /info runs dpkg-query, rpm and each runtime's
    // --version (0.2 s of CPU here, on every read of the Apps page): a Podman engine, known by
    // the headers of the ping that connects, is a container engine without asking.
    if (Status connected = client.connect(); !connected)
        return connected.error();
    if (client.isPodman())
        return TargetKind::Containers;
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
