#pragma once

#include <algorithm>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

// Workers of the window (a build, an app's log follower, the stats streams) run below the GUI
// thread's priority: on Linux the nice value is per thread and new threads inherit it, so a pool
// started from such a thread is niced too, and the GUI thread wins the CPU when both want it.
inline constexpr int WorkerNiceness = 10;

inline void lowerThisThreadsPriority()
{
    const auto tid = id_t(syscall(SYS_gettid));
    setpriority(PRIO_PROCESS, tid, std::min(getpriority(PRIO_PROCESS, tid) + WorkerNiceness, 19));
}
