#include "engine/probe.h"

#include "engine/engineclient.h"

namespace slipway {

Result<EngineInfo> probeTarget(const Target &target, std::stop_token stop)
{
    EngineClient client(target, std::move(stop));
    if (Status connected = client.connect(); !connected)
        return connected.error();
    Result<EngineInfo> info = client.version();
    if (!info)
        return info;
    Result<SwarmInfo> swarm = client.swarmInfo();
    if (!swarm) {
        info->swarmOverview = swarm.error();
        return info;
    }
    info->swarm = swarm.value();
    if (info->swarm.isManager())
        info->swarmOverview = readSwarmOverview(client.connection(), info->swarm.nodeId);
    return info;
}

QString describeSwarmPart(const EngineInfo &info)
{
    const SwarmInfo &swarm = info.swarm;
    if (swarm.isManager())
        return info.swarmOverview && info.swarmOverview->ok() ? describeSwarm(info.swarmOverview->value())
                                                              : QStringLiteral("manager");
    if (swarm.isWorker())
        return QStringLiteral("worker (deploys go to a manager)");
    if (swarm.localNodeState.isEmpty() || swarm.localNodeState == u"inactive")
        return {};
    return swarm.error.isEmpty() ? swarm.localNodeState
                                 : QStringLiteral("%1: %2").arg(swarm.localNodeState, swarm.error);
}

} // namespace slipway
