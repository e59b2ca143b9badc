#include "util/stopwait.h"

#include <condition_variable>
#include <mutex>

namespace slipway {

bool sleepUnlessStopped(std::chrono::milliseconds delay, const std::stop_token &stop)
{
    std::mutex mutex;
    std::condition_variable_any wake;
    std::unique_lock lock(mutex);
    return !wake.wait_for(lock, stop, delay, [] { return false; }) && !stop.stop_requested();
}

} // namespace slipway
