// slipway-cli deploy SOURCE [--ref R] --target NAME... [--image REF] [--batch N] [--no-wait]
// slipway-cli rollback --target NAME [--to RELEASE_ID] [--no-wait]
// slipway-cli repair [--target NAME]... [--no-wait]
// Progress goes to stderr (TerminalProgress), the outcome to stdout.

#include "commands.h"
#include "output.h"
#include "progress.h"

#include "deploy/deployment.h"
#include "events/event.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QTextStream>

namespace slipway::cli {
namespace {

// "; sent 1.2 MB of 110.3 MB" for a registry-less image, empty when nothing is known.
QString transfer(const TargetOutcome &outcome)
{
    if (outcome.imageBytesSent < 0 || outcome.imageBytes <= 0)
        return {};
    const QLocale c = QLocale::c();
    return QStringLiteral("; image: sent %1 of %2")
        .arg(c.formattedDataSize(outcome.imageBytesSent, 1, QLocale::DataSizeSIFormat),
             c.formattedDataSize(outcome.imageBytes, 1, QLocale::DataSizeSIFormat));
}

// Prints a deployment's outcome; the exit status.
// steps: a Dockerfile build's (stepsJson), for --json; empty: none to report.
int report(const Invocation &invocation, CommandContext &context, TerminalProgress &progress,
           const Result<DeploymentReport> &deployed, const QJsonArray &steps = {})
{
    progress.finish();
    const QString command = invocation.command;
    if (!deployed)
        return reportError(context, command, deployed.error());
    const DeploymentReport &report = deployed.value();
    const ReleaseRecord &release = report.release;
    const ReleaseRollout &rolled = report.rollout;
    for (const QString &problem : rolled.problems)
        context.err << "slipway-cli " << command << ": " << problem << Qt::endl;

    const RolloutResult &result = rolled.result;
    if (invocation.json) {
        QJsonArray jsonTargets;
        for (const TargetOutcome &outcome : result.targets)
            jsonTargets.append(
                QJsonObject{{QStringLiteral("target"), outcome.target},
                            {QStringLiteral("deployment"), rolled.deployments.value(outcome.target)},
                            {QStringLiteral("result"), deploymentResultName(deploymentResultOf(outcome))},
                            {QStringLiteral("container"), outcome.containerName},
                            {QStringLiteral("containerId"), outcome.containerId},
                            {QStringLiteral("error"), outcome.error},
                            {QStringLiteral("logs"), QJsonArray::fromStringList(outcome.logs)},
                            {QStringLiteral("healthyAfter"), outcome.healthySeconds},
                            {QStringLiteral("seconds"), outcome.seconds},
                            {QStringLiteral("imageBytesSent"), outcome.imageBytesSent},
                            {QStringLiteral("imageBytes"), outcome.imageBytes},
                            {QStringLiteral("address"), outcome.address}});
        QJsonObject json{
            {QStringLiteral("project"), release.project},    {QStringLiteral("commit"), release.commit},
            {QStringLiteral("image"), rolled.image},         {QStringLiteral("digest"), release.digest},
            {QStringLiteral("release"), release.id},         {QStringLiteral("targets"), jsonTargets},
            {QStringLiteral("healthy"), result.allHealthy()}};
        if (!steps.isEmpty())
            json.insert(QStringLiteral("steps"), steps);
        context.out << QJsonDocument(json).toJson(QJsonDocument::Compact) << Qt::endl;
    } else {
        context.out << "release   " << release.id << "  " << rolled.image << '\n';
        for (const TargetOutcome &outcome : result.targets) {
            if (outcome.healthy) {
                context.out << outcome.target.leftJustified(12) << " healthy  " << outcome.containerName
                            << " (" << outcome.containerId.left(12) << ") after "
                            << QString::number(outcome.healthySeconds, 'f', 1) << " s" << transfer(outcome)
                            << '\n';
                if (!outcome.address.isEmpty())
                    context.out << QString(13, u' ') << "at " << outcome.address << '\n';
            } else {
                context.out << outcome.target.leftJustified(12) << ' '
                            << (outcome.cancelled ? "cancelled" : "failed ") << "  " << outcome.error << '\n';
                for (const QString &line : outcome.logs)
                    context.out << "    | " << line << '\n';
            }
        }
        context.out.flush();
    }
    if (result.allHealthy())
        return 0;
    return report.cancelled() ? 130 : 1;
}

DeploymentSettings settingsFor(const Invocation &invocation, CommandContext &context, EventSink &events)
{
    DeploymentSettings settings;
    settings.dataDir = invocation.dataDir;
    settings.batchSize = invocation.value(QStringLiteral("batch")).toInt();
    settings.waitForLock = !invocation.isSet(QStringLiteral("no-wait"));
    settings.events = &events;
    settings.stop = context.stop;
    return settings;
}

} // namespace

int runDeploy(const Invocation &invocation, CommandContext &context)
{
    TerminalProgress progress(context.err, TerminalProgress::modeFor(invocation.json || invocation.quiet));
    Deployment deployment(settingsFor(invocation, context, progress));
    bool fromDockerfile = false;
    deployment.onBuilt = [&progress, &fromDockerfile](const BuildOutput &built) {
        fromDockerfile = built.spec.layers.isEmpty();
        progress.line(QStringLiteral("built %1 in %2 s")
                          .arg(built.description, QString::number(built.seconds, 'f', 2)));
    };
    BuildRequest build;
    build.source.location = invocation.arguments.constFirst();
    build.source.ref = invocation.value(QStringLiteral("ref"));
    build.sourceDateEpoch = sourceDateEpochFromEnvironment();
    const Result<DeploymentReport> deployed =
        deployment.deploy({.build = build,
                           .targets = invocation.values(QStringLiteral("target")),
                           .image = invocation.value(QStringLiteral("image")),
                           .environment = invocation.value(QStringLiteral("env")),
                           .engine = invocation.value(QStringLiteral("engine"))});
    return report(invocation, context, progress, deployed,
                  fromDockerfile ? stepsJson(progress.layers()) : QJsonArray());
}

int runRollback(const Invocation &invocation, CommandContext &context)
{
    if (!invocation.arguments.isEmpty() && invocation.isSet(QStringLiteral("app")))
        return reportError(context, invocation.command,
                           Error::badInput(QStringLiteral("give SOURCE or --app, not both")));
    qint64 releaseId = 0;
    if (invocation.isSet(QStringLiteral("to"))) {
        bool ok = false;
        releaseId = invocation.value(QStringLiteral("to")).toLongLong(&ok);
        if (!ok || releaseId <= 0)
            return reportError(context, invocation.command,
                               Error::badInput(QStringLiteral("--to '%1': not a release id")
                                                   .arg(invocation.value(QStringLiteral("to")))));
    }
    TerminalProgress progress(context.err, TerminalProgress::modeFor(invocation.json || invocation.quiet));
    Deployment deployment(settingsFor(invocation, context, progress));
    return report(invocation, context, progress,
                  deployment.rollback({.target = invocation.value(QStringLiteral("target")),
                                       .app = invocation.value(QStringLiteral("app")),
                                       .source = invocation.arguments.value(0),
                                       .environment = invocation.value(QStringLiteral("env")),
                                       .releaseId = releaseId}));
}

int runRepair(const Invocation &invocation, CommandContext &context)
{
    TerminalProgress progress(context.err, TerminalProgress::modeFor(invocation.json || invocation.quiet));
    Deployment deployment(settingsFor(invocation, context, progress));
    auto repaired = deployment.repair(invocation.values(QStringLiteral("target")));
    progress.finish();
    if (!repaired)
        return reportError(context, invocation.command, repaired.error());
    bool allRepaired = true;
    bool cancelled = false;
    QJsonArray json;
    for (const RepairOutcome &outcome : std::as_const(repaired.value())) {
        allRepaired = allRepaired && outcome.repaired;
        cancelled = cancelled || outcome.cancelled;
        if (invocation.json) {
            json.append(QJsonObject{{QStringLiteral("deployment"), outcome.deployment},
                                    {QStringLiteral("target"), outcome.target},
                                    {QStringLiteral("app"), outcome.app},
                                    {QStringLiteral("release"), outcome.release},
                                    {QStringLiteral("serving"), outcome.serving},
                                    {QStringLiteral("repaired"), outcome.repaired},
                                    {QStringLiteral("error"), outcome.error},
                                    {QStringLiteral("done"), QJsonArray::fromStringList(outcome.notes)}});
            continue;
        }
        if (!outcome.repaired) {
            context.out << "deployment " << outcome.deployment << "  " << outcome.target
                        << "  not repaired: " << outcome.error << '\n';
            continue;
        }
        context.out << "deployment " << outcome.deployment << "  " << outcome.target
                    << "  repaired: " << outcome.notes.join(QStringLiteral("; ")) << '\n';
    }
    if (invocation.json)
        context.out << QJsonDocument(json).toJson(QJsonDocument::Compact) << Qt::endl;
    else if (repaired->isEmpty())
        context.out << "no interrupted deployment to repair" << '\n';
    context.out.flush();
    if (allRepaired)
        return 0;
    return cancelled ? 130 : 1;
}

} // namespace slipway::cli
