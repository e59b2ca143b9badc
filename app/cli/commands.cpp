#include "commands.h"
#include "output.h"

namespace slipway::cli {

int runCommand(const Invocation &invocation, CommandContext &context)
{
    if (invocation.command == u"build")
        return runBuild(invocation, context);
    if (invocation.command == u"push")
        return runPush(invocation, context);
    // target, history: targetcommand.cpp, historycommand.cpp
    // deploy, rollback: deploycommand.cpp
    return reportError(context.err, invocation.command,
                       Error::failed(QStringLiteral("this command is not available in this version yet")));
}

} // namespace slipway::cli
