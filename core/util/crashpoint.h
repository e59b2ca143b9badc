#pragma once

namespace slipway {

// Crash points: named places in a rollout where a test kills the process as `kill -9` would,
// to prove that what the next start finds can be repaired. With SLIPWAY_CRASH_AT=NAME in the
// environment, crashPoint(NAME) raises SIGKILL; without it (always, outside those tests) it
// does nothing. The names are listed in docs/architecture.md.
void crashPoint(const char *name);

} // namespace slipway
