#pragma once

#include "commandline.h"

#include <stop_token>

class QTextStream;

namespace slipway::cli {

// What a command needs besides its invocation: where to print, and when to stop (Ctrl+C).
struct CommandContext
{
    QTextStream &out;
    QTextStream &err;
    std::stop_token stop;
};

// Each returns the process exit status: 0 success, 1 failed, 2 bad input, 130 cancelled.
int runBuild(const Invocation &invocation, CommandContext &context);

// Runs the invocation's command.
int runCommand(const Invocation &invocation, CommandContext &context);

} // namespace slipway::cli
