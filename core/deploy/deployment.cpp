#include "deploy/deployment.h"

#include "events/event.h"
#include "history/history.h"
#include "registry/imagereference.h"
#include "source/gitmirror.h"
#include "util/paths.h"

#include <QDir>

namespace slipway {

bool DeploymentReport::cancelled() const
{
    for (const TargetOutcome &outcome : rollout.result.targets)
        if (outcome.cancelled)
            return true;
    return false;
}

Deployment::Deployment(DeploymentSettings settings)
    : m_settings(std::move(settings))
{
    if (m_settings.cacheDir.isEmpty())
        m_settings.cacheDir = DataDirs::resolve(m_settings.dataDir).cache;
}

Error Deployment::fail(const QString &stage, const Error &error) const
{
    if (m_settings.events)
        m_settings.events->log(error.kind == Error::Kind::Cancelled ? LogLevel::Warning : LogLevel::Error,
                               stage, error.message);
    return error;
}

ReleaseOptions Deployment::releaseOptions() const
{
    ReleaseOptions options;
    options.dataDir = m_settings.dataDir;
    options.blobsDir = QDir(m_settings.cacheDir).filePath(QStringLiteral("blobs"));
    options.batchSize = m_settings.batchSize;
    options.events = m_settings.events;
    options.stop = m_settings.stop;
    options.pool = m_settings.pool;
    options.waitForLock = m_settings.waitForLock;
    return options;
}

RepairOptions Deployment::repairOptions() const
{
    return RepairOptions{
        .events = m_settings.events, .stop = m_settings.stop, .waitForLock = m_settings.waitForLock};
}

Result<Deployment::Opened> Deployment::open(const QStringList &targetNames) const
{
    auto history = History::open(History::defaultPath(DataDirs::resolve(m_settings.dataDir).data));
    if (!history)
        return fail(QStringLiteral("deploy"), history.error());
    auto targets = resolveTargets(*history.value(), targetNames);
    if (!targets)
        return fail(QStringLiteral("deploy"), targets.error());
    return Opened{std::move(history.value()), targets.value()};
}

void Deployment::announce(const QString &what, const QStringList &targetNames,
                          const ReleaseRecord &release) const
{
    if (m_settings.events)
        m_settings.events->log(LogLevel::Info, QStringLiteral("deploy"),
                               QStringLiteral("%1 of %2 to release %3 (%4)")
                                   .arg(what, targetNames.join(QStringLiteral(", ")))
                                   .arg(release.id)
                                   .arg(release.commit.isEmpty() ? release.digest : release.commit.left(12)));
}

Result<DeploymentReport> Deployment::deploy(DeployRequest request)
{
    BuildRequest &build = request.build;
    const QString &image = request.image;
    if (!image.isEmpty())
        if (auto parsed = ImageReference::parse(image); !parsed)
            return fail(QStringLiteral("deploy"), parsed.error());
    if (request.targets.isEmpty() && request.environment.isEmpty())
        return fail(QStringLiteral("deploy"), Error::badInput(QStringLiteral("no target to deploy to")));
    // Unknown targets fail before a build is spent.
    auto opened = open(request.targets);
    if (!opened)
        return opened.error();

    build.source.cacheDir = m_settings.cacheDir;
    build.dataDir = m_settings.dataDir;
    build.source.events = m_settings.events;
    build.source.stop = m_settings.stop;
    // A Dockerfile is built by the engine the request names, else the one [build] engine names,
    // else the first target's.
    if (!request.engine.isEmpty()) {
        auto engine = resolveTarget(*opened->history, request.engine);
        if (!engine)
            return fail(
                QStringLiteral("deploy"),
                Error(engine.error().kind, QStringLiteral("build engine: ") + engine.error().message));
        build.engine = engine.value();
    }
    if (!opened->targets.isEmpty())
        build.defaultEngine = opened->targets.constFirst();
    if (!build.resolveEngine)
        build.resolveEngine = [history = opened->history.get()](const QString &name) {
            return resolveTarget(*history, name);
        };
    auto built = buildImage(build);
    if (!built)
        return built.error(); // the build has said so in its own events
    if (onBuilt)
        onBuilt(built.value());

    if (!request.environment.isEmpty()) {
        auto environment = environmentOf(built->spec, request.environment);
        if (!environment)
            return fail(QStringLiteral("deploy"), environment.error());
        if (request.targets.isEmpty()) {
            if (environment->targets.isEmpty())
                return fail(
                    QStringLiteral("deploy"),
                    Error::badInput(QStringLiteral("slipway.toml: [env.%1] has no targets: add targets = "
                                                   "[\"NAME\"] or pass --target")
                                        .arg(request.environment)));
            auto targets = resolveTargets(*opened->history, environment->targets);
            if (!targets)
                return fail(
                    QStringLiteral("deploy"),
                    Error(targets.error().kind, QStringLiteral("slipway.toml: [env.%1] targets: %2")
                                                    .arg(request.environment, targets.error().message)));
            opened->targets = targets.value();
        }
    }

    ReleaseOptions options = releaseOptions();
    options.image = image;
    options.environment = request.environment;
    // Two repositories of one name are two projects, and so two apps (unless [deploy] name says).
    auto project = opened->history->projectOfSource(projectName(build.source.location),
                                                    sourceIdentity(build.source.location));
    if (!project)
        return fail(QStringLiteral("deploy"), project.error());
    // A secret that is not set stops the deploy before the push and before any container.
    auto settings = releaseSettings(built->spec, project->name, request.environment);
    if (!settings)
        return fail(QStringLiteral("deploy"), settings.error());
    auto secrets =
        AppSecrets::forDataDir(m_settings.dataDir)
            .resolve(settings->first, settings->second.secrets, request.environment, m_settings.stop);
    if (!secrets)
        return fail(QStringLiteral("deploy"), secrets.error());
    options.secrets = secrets.value();
    auto release = recordRelease(*opened->history, project->name, build.source.ref, built.value(), options);
    if (!release)
        return fail(QStringLiteral("push"), release.error());
    if (m_settings.events)
        m_settings.events->log(
            LogLevel::Info, QStringLiteral("deploy"),
            QStringLiteral("Release %1: %2 (%3)").arg(release->id).arg(release->image, release->digest));
    DeploymentReport report;
    report.build = std::move(built.value());
    report.release = release.value();
    return rollOut(*opened->history, std::move(report), opened->targets, std::move(options.secrets));
}

Result<DeploymentReport> Deployment::redeploy(qint64 releaseId, const QStringList &targetNames)
{
    auto opened = open(targetNames);
    if (!opened)
        return opened.error();
    auto release = opened->history->release(releaseId);
    if (!release)
        return fail(QStringLiteral("deploy"), release.error());
    announce(QStringLiteral("Redeploy"), targetNames, release.value());
    DeploymentReport report;
    report.release = release.value();
    return rollOut(*opened->history, std::move(report), opened->targets);
}

Result<DeploymentReport> Deployment::rollback(const RollbackRequest &request)
{
    const QString &targetName = request.target;
    auto opened = open({targetName});
    if (!opened)
        return opened.error();
    QString app = request.app;
    if (app.isEmpty() && request.source.isEmpty() && !request.environment.isEmpty())
        return fail(
            QStringLiteral("deploy"),
            Error::badInput(QStringLiteral("a rollback in [env.%1] needs its app: --app APP or SOURCE")
                                .arg(request.environment)));
    if (app.isEmpty() && !request.source.isEmpty()) {
        auto ofSource = appOfSource(*opened->history, request.source, request.environment);
        if (!ofSource)
            return fail(QStringLiteral("deploy"), ofSource.error());
        app = ofSource.value();
    } else if (!app.isEmpty()) {
        app = environmentApp(app, request.environment);
    }
    auto release = rollbackRelease(*opened->history, targetName, app, request.releaseId);
    if (!release)
        return fail(QStringLiteral("deploy"), release.error());
    announce(QStringLiteral("Rollback"), {targetName}, release.value());
    DeploymentReport report;
    report.release = release.value();
    return rollOut(*opened->history, std::move(report), opened->targets);
}

Result<QList<RepairOutcome>> Deployment::repair(const QStringList &targetNames)
{
    auto opened = open(targetNames);
    if (!opened)
        return opened.error();
    auto interrupted = unrepairedDeployments(*opened->history, targetNames);
    if (!interrupted)
        return fail(QStringLiteral("deploy"), interrupted.error());
    return repairDeployments(*opened->history, interrupted.value(), repairOptions());
}

Result<DeploymentReport> Deployment::rollOut(History &history, DeploymentReport report,
                                             const QList<Target> &targets,
                                             std::optional<ResolvedSecrets> secrets)
{
    // What an interrupted rollout of the app left on these targets is put back first: else the
    // release it stopped would stay down if this one fails too.
    QStringList names;
    for (const Target &target : targets)
        names.append(target.name);
    const auto recorded = recordedDeploySettings(report.release);
    auto interrupted = unrepairedDeployments(history, names, recorded ? recorded->first : QString());
    if (!interrupted)
        return fail(QStringLiteral("deploy"), interrupted.error());
    if (!interrupted->isEmpty())
        (void)repairDeployments(history, interrupted.value(), repairOptions()); // failures are in the log

    ReleaseOptions options = releaseOptions();
    options.secrets = std::move(secrets);
    auto rolled = rollOutRelease(history, report.release, targets, options);
    if (!rolled)
        return fail(QStringLiteral("deploy"), rolled.error());
    report.rollout = std::move(rolled.value());
    if (m_settings.events)
        for (const QString &problem : std::as_const(report.rollout.problems))
            m_settings.events->log(LogLevel::Warning, QStringLiteral("deploy"), problem);
    return report;
}

} // namespace slipway
