#include "history/records.h"

namespace slipway {

QString deploymentResultName(DeploymentResult result)
{
    switch (result) {
    case DeploymentResult::Running:
        return QStringLiteral("running");
    case DeploymentResult::Succeeded:
        return QStringLiteral("succeeded");
    case DeploymentResult::Failed:
        return QStringLiteral("failed");
    case DeploymentResult::Interrupted:
        return QStringLiteral("interrupted");
    case DeploymentResult::Cancelled:
        return QStringLiteral("cancelled");
    }
    return {};
}

std::optional<DeploymentResult> deploymentResultFromName(const QString &text)
{
    for (DeploymentResult result :
         {DeploymentResult::Running, DeploymentResult::Succeeded, DeploymentResult::Failed,
          DeploymentResult::Interrupted, DeploymentResult::Cancelled}) {
        if (deploymentResultName(result) == text)
            return result;
    }
    return std::nullopt;
}

QString operationActionName(OperationAction action)
{
    switch (action) {
    case OperationAction::Stop:
        return QStringLiteral("stop");
    case OperationAction::Start:
        return QStringLiteral("start");
    case OperationAction::Restart:
        return QStringLiteral("restart");
    case OperationAction::Remove:
        return QStringLiteral("remove");
    case OperationAction::Maintenance:
        return QStringLiteral("maintenance");
    case OperationAction::Live:
        return QStringLiteral("live");
    }
    return {};
}

std::optional<OperationAction> operationActionFromName(const QString &text)
{
    for (OperationAction action :
         {OperationAction::Stop, OperationAction::Start, OperationAction::Restart, OperationAction::Remove,
          OperationAction::Maintenance, OperationAction::Live}) {
        if (operationActionName(action) == text)
            return action;
    }
    return std::nullopt;
}

} // namespace slipway
