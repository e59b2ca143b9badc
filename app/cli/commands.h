#pragma once

#include "commandline.h"
#include "events/event.h"
#include "history/history.h"
#include "registry/pusher.h"

#include <QJsonArray>
#include <QJsonObject>

#include <stop_token>

class QTextStream;

namespace slipway::cli {

// What a command needs besides its invocation: where to print, and when to stop (Ctrl+C).
struct CommandContext
{
    QTextStream &out;
    QTextStream &err;
    std::stop_token stop;
    bool json = false; // errors go to stdout as JSON too
};

// Each returns the process exit status: 0 success, 1 failed, 2 bad input, 130 cancelled.
int runBuild(const Invocation &invocation, CommandContext &context);

int runPush(const Invocation &invocation, CommandContext &context);

// The steps of a Dockerfile build as `build --json` and `deploy --json` report them, from the
// last LayerEvent of each (buildcommand.cpp): [{"index", "instruction", "state", "seconds"}].
QJsonArray stepsJson(const QList<LayerEvent> &steps);

// A push's result, shared by `push` and `build --push` (pushcommand.cpp).
QJsonObject pushJson(const PushResult &pushed);
void printPush(QTextStream &out, const PushResult &pushed);

// target add|list|check|remove (targetcommand.cpp) and history (historycommand.cpp).
int runTarget(const Invocation &invocation, CommandContext &context);
int runHistory(const Invocation &invocation, CommandContext &context);
int runHistoryShow(const Invocation &invocation, CommandContext &context);
// The history database under the data dir (--data-dir, else $SLIPWAY_HOME, else XDG).
Result<std::unique_ptr<History>> openHistory(const QString &dataDir);

// deploy, rollback, repair (deploycommand.cpp): build, then roll out behind a health check;
// redeploy a recorded release; put back what an interrupted rollout left.
int runDeploy(const Invocation &invocation, CommandContext &context);
int runRollback(const Invocation &invocation, CommandContext &context);
int runRepair(const Invocation &invocation, CommandContext &context);

// logs (logscommand.cpp): an app's container logs on its targets, followed with --follow.
int runLogs(const Invocation &invocation, CommandContext &context);

// app list|stop|start|restart|remove (appcommand.cpp): the apps on the targets, and what a
// user does to them by hand, recorded in the history as operations.
int runApp(const Invocation &invocation, CommandContext &context);
QJsonObject operationJson(const OperationRecord &operation); // as `history --operations --json`

// login, logout (logincommand.cpp): logins saved in the system keychain.
int runLogin(const Invocation &invocation, CommandContext &context);
int runLogout(const Invocation &invocation, CommandContext &context);

// secret set|list|rm (secretcommand.cpp): an app's secrets, kept in the system keychain.
int runSecret(const Invocation &invocation, CommandContext &context);

// Runs the invocation's command.
int runCommand(const Invocation &invocation, CommandContext &context);

} // namespace slipway::cli
