#include "engine/probe.h"

#include "engine/engineclient.h"

namespace slipway {

Result<EngineInfo> probeTarget(const Target &target, std::stop_token stop)
{
    EngineClient client(target, std::move(stop));
    if (Status connected = client.connect(); !connected)
        return connected.error();
    return client.version();
}

} // namespace slipway
