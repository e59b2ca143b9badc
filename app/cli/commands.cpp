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
    if (invocation.command.startsWith(u"target "))
        return runTarget(invocation, context);
    if (invocation.command == u"history")
        return runHistory(invocation, context);
    if (invocation.command == u"history show")
        return runHistoryShow(invocation, context);
    if (invocation.command.startsWith(u"app "))
        return runApp(invocation, context);
    if (invocation.command == u"logs")
        return runLogs(invocation, context);
    if (invocation.command == u"login")
        return runLogin(invocation, context);
    if (invocation.command == u"logout")
        return runLogout(invocation, context);
    if (invocation.command.startsWith(u"secret "))
        return runSecret(invocation, context);
    // deploy, rollback, repair: deploycommand.cpp
    if (invocation.command == u"deploy")
        return runDeploy(invocation, context);
    if (invocation.command == u"rollback")
        return runRollback(invocation, context);
    if (invocation.command == u"repair")
        return runRepair(invocation, context);
    return reportError(context, invocation.command,
                       Error::failed(QStringLiteral("this command is not available in this version yet")));
}

} // namespace slipway::cli
