// slipway-cli deploy SOURCE [--ref R] --target NAME... [--image REF] [--batch N]
// slipway-cli rollback --target NAME [--to RELEASE_ID]

#include "commands.h"
#include "output.h"

#include "imagebuilder/imagebuilder.h"
#include "deploy/release.h"
#include "events/event.h"
#include "registry/imagereference.h"
#include "util/paths.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QTextStream>

namespace slipway::cli {
namespace {

// Prints each target's progress to stderr (human mode).
class DeployPrinter final : public EventSink
{
public:
    explicit DeployPrinter(QTextStream &err)
        : m_err(err)
    {}

    void post(Event event) override
    {
        const QMutexLocker lock(&m_mutex);
        const auto *target = std::get_if<TargetEvent>(&event);
        if (!target)
            return;
        static const char *const names[] = {"pending", "pulling", "starting", "waiting until healthy",
                                            "healthy", "failed",  "cancelled"};
        if (target->state == TargetState::Healthy || target->state == TargetState::Failed)
            return; // the summary says it
        m_err << "  " << target->target << ": " << names[int(target->state)] << Qt::endl;
    }

private:
    QMutex m_mutex;
    QTextStream &m_err;
};

// Rolls the release out, recording a deployment per target, and prints the outcome.
int rolloutAndReport(const Invocation &invocation, CommandContext &context, History &history,
                     const ReleaseRecord &release, const QList<Target> &targets, ReleaseOptions options)
{
    const QString command = invocation.command;
    DeployPrinter printer(context.err);
    NullEventSink quiet;
    options.events = invocation.json ? static_cast<EventSink *>(&quiet) : &printer;
    options.batchSize = invocation.value(QStringLiteral("batch")).toInt();
    auto rolled = rollOutRelease(history, release, targets, options);
    if (!rolled)
        return reportError(context.err, command, rolled.error());
    for (const QString &problem : std::as_const(rolled->problems))
        context.err << "slipway-cli " << command << ": " << problem << Qt::endl;

    const RolloutResult &result = rolled->result;
    bool cancelled = false;
    QJsonArray jsonTargets;
    for (const TargetOutcome &outcome : result.targets) {
        cancelled = cancelled || outcome.cancelled;
        jsonTargets.append(
            QJsonObject{{QStringLiteral("target"), outcome.target},
                        {QStringLiteral("deployment"), rolled->deployments.value(outcome.target)},
                        {QStringLiteral("result"), deploymentResultName(deploymentResultOf(outcome))},
                        {QStringLiteral("container"), outcome.containerName},
                        {QStringLiteral("containerId"), outcome.containerId},
                        {QStringLiteral("error"), outcome.error},
                        {QStringLiteral("logs"), QJsonArray::fromStringList(outcome.logs)},
                        {QStringLiteral("healthyAfter"), outcome.healthySeconds},
                        {QStringLiteral("seconds"), outcome.seconds}});
    }
    if (invocation.json) {
        const QJsonObject json{
            {QStringLiteral("project"), release.project},    {QStringLiteral("commit"), release.commit},
            {QStringLiteral("image"), rolled->image},        {QStringLiteral("digest"), release.digest},
            {QStringLiteral("release"), release.id},         {QStringLiteral("targets"), jsonTargets},
            {QStringLiteral("healthy"), result.allHealthy()}};
        context.out << QJsonDocument(json).toJson(QJsonDocument::Compact) << Qt::endl;
    } else {
        context.out << "release   " << release.id << "  " << rolled->image << '\n';
        for (const TargetOutcome &outcome : result.targets) {
            if (outcome.healthy) {
                context.out << outcome.target.leftJustified(12) << " healthy  " << outcome.containerName
                            << " (" << outcome.containerId.left(12) << ") after "
                            << QString::number(outcome.healthySeconds, 'f', 1) << " s\n";
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
    return cancelled ? 130 : 1;
}

} // namespace

int runDeploy(const Invocation &invocation, CommandContext &context)
{
    const QString command = invocation.command;
    const QString imageOption = invocation.value(QStringLiteral("image"));
    if (!imageOption.isEmpty())
        if (auto parsed = ImageReference::parse(imageOption); !parsed)
            return reportError(context.err, command, parsed.error());

    auto history = openHistory(invocation.dataDir);
    if (!history)
        return reportError(context.err, command, history.error());
    // Unknown targets fail before a build is spent.
    auto targets = resolveTargets(*history.value(), invocation.values(QStringLiteral("target")));
    if (!targets)
        return reportError(context.err, command, targets.error());

    const DataDirs dirs = DataDirs::resolve(invocation.dataDir);
    NullEventSink quiet;
    BuildRequest build;
    build.source.location = invocation.arguments.constFirst();
    build.source.ref = invocation.value(QStringLiteral("ref"));
    build.source.cacheDir = dirs.cache;
    build.source.events = &quiet;
    build.source.stop = context.stop;
    build.sourceDateEpoch = sourceDateEpochFromEnvironment();
    auto built = buildImage(build);
    if (!built)
        return reportError(context.err, command, built.error());
    if (!invocation.json)
        context.err << "built " << built->description << " in " << QString::number(built->seconds, 'f', 2)
                    << " s" << Qt::endl;

    ReleaseOptions options;
    options.dataDir = invocation.dataDir;
    options.blobsDir = QDir(dirs.cache).filePath(QStringLiteral("blobs"));
    options.image = imageOption;
    options.events = &quiet;
    options.stop = context.stop;
    auto release = recordRelease(*history.value(), projectName(build.source.location), build.source.ref,
                                 built.value(), options);
    if (!release)
        return reportError(context.err, command, release.error());
    return rolloutAndReport(invocation, context, *history.value(), release.value(), targets.value(), options);
}

int runRollback(const Invocation &invocation, CommandContext &context)
{
    const QString command = invocation.command;
    auto history = openHistory(invocation.dataDir);
    if (!history)
        return reportError(context.err, command, history.error());
    const QString targetName = invocation.value(QStringLiteral("target"));
    auto target = history.value()->target(targetName);
    if (!target)
        return reportError(context.err, command, target.error());

    qint64 releaseId = 0;
    if (invocation.isSet(QStringLiteral("to"))) {
        bool ok = false;
        releaseId = invocation.value(QStringLiteral("to")).toLongLong(&ok);
        if (!ok || releaseId <= 0)
            return reportError(context.err, command,
                               Error::badInput(QStringLiteral("--to '%1': not a release id")
                                                   .arg(invocation.value(QStringLiteral("to")))));
    }
    auto release = rollbackRelease(*history.value(), targetName, releaseId);
    if (!release)
        return reportError(context.err, command, release.error());
    ReleaseOptions options;
    options.dataDir = invocation.dataDir;
    options.blobsDir = QDir(DataDirs::resolve(invocation.dataDir).cache).filePath(QStringLiteral("blobs"));
    options.stop = context.stop;
    return rolloutAndReport(invocation, context, *history.value(), release.value(), {target.value()},
                            options);
}

} // namespace slipway::cli
