// slipway-cli deploy SOURCE [--ref R] --target NAME... [--image REF] [--batch N]
// slipway-cli rollback --target NAME [--to RELEASE_ID]

#include "commands.h"
#include "output.h"

#include "build/imagebuilder.h"
#include "deploy/rollout.h"
#include "events/event.h"
#include "oci/dockerarchive.h"
#include "registry/credentials.h"
#include "registry/imagereference.h"
#include "store/contentstore.h"
#include "util/paths.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QTextStream>
#include <QUrl>

namespace slipway::cli {
namespace {

// Registry-less releases are loaded into each engine under this repository.
const QString localRepositoryPrefix = QStringLiteral("localhost/slipway-");

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

// The [deploy] section a release was deployed with, as JSON text for ReleaseRecord::deploySettings,
// so a rollback deploys it the same way from the history alone.
QString deploySettingsJson(const QString &app, const DeploySpec &deploy)
{
    QJsonObject env;
    for (auto it = deploy.env.begin(); it != deploy.env.end(); ++it)
        env.insert(it.key(), it.value());
    QJsonObject json{{QStringLiteral("app"), app},
                     {QStringLiteral("ports"), QJsonArray::fromStringList(deploy.ports)},
                     {QStringLiteral("network"), deploy.network},
                     {QStringLiteral("env"), env},
                     {QStringLiteral("restart"), deploy.restart}};
    if (deploy.health)
        json.insert(QStringLiteral("health"),
                    QJsonObject{{QStringLiteral("path"), deploy.health->path},
                                {QStringLiteral("port"), deploy.health->port},
                                {QStringLiteral("timeout"), deploy.health->timeoutSeconds},
                                {QStringLiteral("interval"), deploy.health->intervalSeconds}});
    return QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Compact));
}

// The app name and [deploy] settings recorded with the release.
Result<std::pair<QString, DeploySpec>> recordedDeploySettings(const ReleaseRecord &release)
{
    if (release.deploySettings.isEmpty())
        return Error::badInput(QStringLiteral("release %1 was recorded without its deploy settings (by an "
                                              "older Slipway); deploy it again instead of rolling back to it")
                                   .arg(release.id));
    const QJsonObject json = QJsonDocument::fromJson(release.deploySettings.toUtf8()).object();
    if (json.isEmpty() || json.value(QStringLiteral("app")).toString().isEmpty())
        return Error::failed(
            QStringLiteral("release %1: its recorded deploy settings are not readable").arg(release.id));
    DeploySpec deploy;
    deploy.name = json.value(QStringLiteral("app")).toString();
    for (const QJsonValue &port : json.value(QStringLiteral("ports")).toArray())
        deploy.ports.append(port.toString());
    deploy.network = json.value(QStringLiteral("network")).toString();
    const QJsonObject env = json.value(QStringLiteral("env")).toObject();
    for (auto it = env.begin(); it != env.end(); ++it)
        deploy.env.insert(it.key(), it.value().toString());
    deploy.restart = json.value(QStringLiteral("restart")).toString();
    if (json.contains(QStringLiteral("health"))) {
        const QJsonObject health = json.value(QStringLiteral("health")).toObject();
        deploy.health = HealthSpec{.path = health.value(QStringLiteral("path")).toString(),
                                   .port = health.value(QStringLiteral("port")).toInt(),
                                   .timeoutSeconds = health.value(QStringLiteral("timeout")).toInt(30),
                                   .intervalSeconds = health.value(QStringLiteral("interval")).toInt(1)};
    }
    return std::pair<QString, DeploySpec>(deploy.name, deploy);
}

// "app" for /src/app, https://host/team/app.git and git@host:team/app.git.
QString projectName(const QString &location)
{
    QString name = location;
    while (name.endsWith(u'/'))
        name.chop(1);
    name = name.section(u'/', -1).section(u':', -1);
    if (name.endsWith(QStringLiteral(".git")))
        name.chop(4);
    if (name.isEmpty() || name == u".")
        name = QFileInfo(location).absoluteFilePath().section(u'/', -1);
    return name;
}

// Container names and image tags take [a-z0-9_.-].
QString containerSafe(const QString &text)
{
    QString safe;
    for (const QChar c : text.toLower())
        safe += (c.isLetterOrNumber() && c.unicode() < 128) || c == u'-' || c == u'_' || c == u'.' ? c : u'-';
    return safe.isEmpty() ? QStringLiteral("app") : safe;
}

// Streams the release's image from the content store as a docker archive tagged `tag`.
std::function<Status(const EngineClient::Writer &)> archiveProducer(const QString &blobsDir,
                                                                    const QString &manifestDigest,
                                                                    const QString &tag, std::stop_token stop)
{
    return [blobsDir, manifestDigest, tag, stop](const EngineClient::Writer &write) {
        const ContentStore store(blobsDir);
        return oci::writeDockerArchive([&store](const QString &digest) { return store.blobPath(digest); },
                                       manifestDigest, {tag}, write, stop);
    };
}

DeploymentResult resultOf(const TargetOutcome &outcome)
{
    if (outcome.healthy)
        return DeploymentResult::Succeeded;
    return outcome.cancelled ? DeploymentResult::Cancelled : DeploymentResult::Failed;
}

QString deploymentLog(const TargetOutcome &outcome)
{
    QString log = outcome.notes.join(u'\n');
    if (!outcome.logs.isEmpty())
        log += QStringLiteral("\n--- last lines of the new container ---\n") + outcome.logs.join(u'\n');
    return log;
}

// Runs the rollout, recording a deployment per target, and prints the outcome.
int rolloutAndReport(const Invocation &invocation, CommandContext &context, History &history,
                     qint64 releaseId, RolloutRequest &request, QJsonObject json)
{
    const QString command = invocation.command;
    QHash<QString, qint64> deployments;
    for (const Target &target : std::as_const(request.targets)) {
        auto id = history.startDeployment(releaseId, target.name);
        if (!id)
            return reportError(context.err, command, id.error());
        deployments.insert(target.name, id.value());
    }
    DeployPrinter printer(context.err);
    NullEventSink quiet;
    request.events = invocation.json ? static_cast<EventSink *>(&quiet) : &printer;
    const RolloutResult result = rollout(request);

    bool cancelled = false;
    QJsonArray targets;
    for (const TargetOutcome &outcome : result.targets) {
        cancelled = cancelled || outcome.cancelled;
        const DeploymentResult state = resultOf(outcome);
        if (Status finished = history.finishDeployment(deployments.value(outcome.target), state,
                                                       outcome.error, deploymentLog(outcome));
            !finished)
            context.err << "slipway-cli " << command << ": " << finished.error().message << Qt::endl;
        targets.append(QJsonObject{{QStringLiteral("target"), outcome.target},
                                   {QStringLiteral("deployment"), deployments.value(outcome.target)},
                                   {QStringLiteral("result"), deploymentResultName(state)},
                                   {QStringLiteral("container"), outcome.containerName},
                                   {QStringLiteral("containerId"), outcome.containerId},
                                   {QStringLiteral("error"), outcome.error},
                                   {QStringLiteral("logs"), QJsonArray::fromStringList(outcome.logs)},
                                   {QStringLiteral("healthyAfter"), outcome.healthySeconds},
                                   {QStringLiteral("seconds"), outcome.seconds}});
    }
    if (invocation.json) {
        json.insert(QStringLiteral("release"), releaseId);
        json.insert(QStringLiteral("targets"), targets);
        json.insert(QStringLiteral("healthy"), result.allHealthy());
        context.out << QJsonDocument(json).toJson(QJsonDocument::Compact) << Qt::endl;
    } else {
        context.out << "release   " << releaseId << "  " << request.image.reference << '\n';
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

Result<QList<Target>> resolveTargets(const History &history, const QStringList &names)
{
    QList<Target> targets;
    for (const QString &name : names) {
        auto target = history.target(name);
        if (!target)
            return target.error();
        targets.append(target.value());
    }
    return targets;
}

// The pull source for a release pushed to a registry: REGISTRY/REPOSITORY@DIGEST, with the
// user's credential for the engine's X-Registry-Auth.
Result<ImageSource> registrySource(const QString &image, const QString &digest, const QString &dataDir)
{
    auto reference = ImageReference::parse(image);
    if (!reference)
        return reference.error();
    reference->tag.clear();
    reference->digest = digest;
    auto credential = CredentialStore::fromEnvironment(dataDir).find(reference->registry);
    if (!credential)
        return credential.error();
    ImageSource source;
    source.reference = reference->toString();
    source.credential = credential.value();
    source.registry = reference->registry;
    return source;
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

    // One platform image runs on the targets: linux/amd64 when built, else the first.
    PlatformImage platform = built->images.constFirst();
    for (const PlatformImage &image : std::as_const(built->images))
        if (image.platform == u"linux/amd64")
            platform = image;

    const QString project = projectName(build.source.location);
    const QString app = containerSafe(built->spec.deploy.name.isEmpty() ? project : built->spec.deploy.name);
    const QString blobsDir = QDir(dirs.cache).filePath(QStringLiteral("blobs"));

    ReleaseRecord release;
    release.project = project;
    release.commit = built->commit;
    release.ref = build.source.ref;
    release.digest = platform.manifestDigest;
    release.buildMs = qint64(built->seconds * 1000);
    release.deploySettings = deploySettingsJson(app, built->spec.deploy);
    for (const BuiltLayer &layer : std::as_const(built->layers))
        release.layers.append(
            LayerRecord{.name = layer.name, .digest = layer.blob.digest, .size = layer.blob.size});

    if (!imageOption.isEmpty()) {
        const ContentStore store(blobsDir);
        auto pushed =
            pushToRegistry([&store](const QString &digest) { return store.blobPath(digest); },
                           platform.manifestDigest, imageOption, invocation.dataDir, &quiet, context.stop);
        if (!pushed)
            return reportError(context.err, command, pushed.error());
        release.image = pushed->reference;
        release.digest = pushed->digest;
    }
    // The release id names the container; a registry-less image is tagged with it as well.
    release.image = release.image.isEmpty() ? localRepositoryPrefix + app : release.image;
    auto releaseId = history.value()->addRelease(release);
    if (!releaseId)
        return reportError(context.err, command, releaseId.error());

    RolloutRequest request;
    request.app = app;
    request.release = QString::number(releaseId.value());
    request.commit = built->commit;
    request.deploy = built->spec.deploy;
    request.targets = targets.value();
    request.batchSize = invocation.value(QStringLiteral("batch")).toInt();
    request.stop = context.stop;
    if (!imageOption.isEmpty()) {
        auto source = registrySource(release.image, release.digest, invocation.dataDir);
        if (!source)
            return reportError(context.err, command, source.error());
        request.image = source.value();
    } else {
        request.image.reference = localRepositoryPrefix + app + QStringLiteral(":release-") + request.release;
        request.image.load =
            archiveProducer(blobsDir, platform.manifestDigest, request.image.reference, context.stop);
    }
    QJsonObject json{{QStringLiteral("project"), project},
                     {QStringLiteral("commit"), built->commit},
                     {QStringLiteral("image"), request.image.reference},
                     {QStringLiteral("digest"), release.digest}};
    return rolloutAndReport(invocation, context, *history.value(), releaseId.value(), request, json);
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

    ReleaseRecord release;
    if (invocation.isSet(QStringLiteral("to"))) {
        bool ok = false;
        const qint64 id = invocation.value(QStringLiteral("to")).toLongLong(&ok);
        if (!ok || id <= 0)
            return reportError(context.err, command,
                               Error::badInput(QStringLiteral("--to '%1': not a release id")
                                                   .arg(invocation.value(QStringLiteral("to")))));
        auto found = history.value()->release(id);
        if (!found)
            return reportError(context.err, command, found.error());
        release = found.value();
    } else {
        auto previous = history.value()->previousRelease(targetName);
        if (!previous)
            return reportError(context.err, command, previous.error());
        if (!previous.value())
            return reportError(
                context.err, command,
                Error::badInput(
                    QStringLiteral("target %1: no earlier release to roll back to").arg(targetName)));
        release = *previous.value();
    }
    auto recorded = recordedDeploySettings(release);
    if (!recorded)
        return reportError(context.err, command, recorded.error());

    RolloutRequest request;
    request.app = recorded->first;
    request.release = QString::number(release.id);
    request.commit = release.commit;
    request.deploy = recorded->second;
    request.targets = {target.value()};
    request.stop = context.stop;
    if (release.image.startsWith(localRepositoryPrefix)) {
        // Registry-less: the engine still has the image (rollouts keep old images); if not,
        // it is loaded again from the local blob store.
        request.image.reference = release.image + QStringLiteral(":release-") + request.release;
        request.image.load = archiveProducer(
            QDir(DataDirs::resolve(invocation.dataDir).cache).filePath(QStringLiteral("blobs")),
            release.digest, request.image.reference, context.stop);
    } else {
        auto source = registrySource(release.image, release.digest, invocation.dataDir);
        if (!source)
            return reportError(context.err, command, source.error());
        request.image = source.value();
    }
    QJsonObject json{{QStringLiteral("project"), release.project},
                     {QStringLiteral("commit"), release.commit},
                     {QStringLiteral("image"), request.image.reference},
                     {QStringLiteral("digest"), release.digest}};
    return rolloutAndReport(invocation, context, *history.value(), release.id, request, json);
}

} // namespace slipway::cli
