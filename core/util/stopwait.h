#pragma once

#include <chrono>
#include <stop_token>

namespace slipway {

// Sleeps for delay, waking at once when stop is requested; false when it was.
bool sleepUnlessStopped(std::chrono::milliseconds delay, const std::stop_token &stop);

} // namespace slipway
