#include "deploy/release.h"

#include "events/event.h"
#include "oci/dockerarchive.h"
#include "registry/credentials.h"
#include "registry/imagereference.h"
#include "registry/localregistry.h"
#include "registry/registryaccess.h"
#include "registry/registryclient.h"
#include "source/gitmirror.h"
#include "store/contentstore.h"
#include "util/paths.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <optional>

namespace slipway {
namespace {

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

// Of image `digest` in the blob store: what a full transfer sends (its config and layers), and
// its config's digest, which engines take as the image's id.
struct StoredImage
{
    qint64 bytes = 0;
    QString configDigest;
};

StoredImage storedImage(const QString &blobsDir, const QString &digest)
{
    StoredImage image;
    auto manifest = ContentStore(blobsDir).read(digest);
    if (!manifest)
        return image;
    const QJsonObject json = QJsonDocument::fromJson(manifest.value()).object();
    const QJsonObject config = json.value(QStringLiteral("config")).toObject();
    image.bytes = config.value(QStringLiteral("size")).toInteger();
    image.configDigest = config.value(QStringLiteral("digest")).toString();
    for (const QJsonValue &layer : json.value(QStringLiteral("layers")).toArray())
        image.bytes += layer.toObject().value(QStringLiteral("size")).toInteger();
    return image;
}

QString deploymentLog(const TargetOutcome &outcome)
{
    QString log = outcome.notes.join(u'\n');
    if (!outcome.logs.isEmpty())
        log += QStringLiteral("\n--- last lines of the new container ---\n") + outcome.logs.join(u'\n');
    return log;
}

// The current values of the secrets a release's settings name, for its app and environment.
Result<ResolvedSecrets> resolveSecrets(const ReleaseRecord &release, const QString &app,
                                       const DeploySpec &deploy, const QString &dataDir, std::stop_token stop)
{
    return AppSecrets::forDataDir(dataDir).resolve(app, deploy.secrets, environmentOfRelease(release),
                                                   std::move(stop));
}

// The names whose value's hash is not the one the release recorded.
QStringList changedSince(const ReleaseRecord &release, const DeploySpec &deploy, const ResolvedSecrets &now)
{
    const QMap<QString, QString> recorded = recordedSecretHashes(release);
    QStringList changed;
    for (const QString &name : deploy.secrets)
        if (recorded.value(name) != now.hashes.value(name))
            changed.append(name);
    return changed;
}

void postStage(EventSink *events, Stage stage, StageState state, qint64 elapsedMs)
{
    if (events)
        events->post(StageEvent{.stage = stage, .state = state, .elapsedMs = elapsedMs});
}

} // namespace

QString localRepositoryPrefix()
{
    return QStringLiteral("localhost/slipway-");
}

QString projectName(const QString &location)
{
    QString name = location.trimmed();
    while (name.endsWith(u'/'))
        name.chop(1);
    name = name.section(u'/', -1).section(u':', -1);
    if (name.endsWith(QStringLiteral(".git")))
        name.chop(4);
    if (name.isEmpty() || name == u".")
        name = QFileInfo(location).absoluteFilePath().section(u'/', -1);
    return name;
}

QString containerSafe(const QString &text)
{
    QString safe;
    for (const QChar c : text.toLower())
        safe += (c.isLetterOrNumber() && c.unicode() < 128) || c == u'-' || c == u'_' || c == u'.' ? c : u'-';
    return safe.isEmpty() ? QStringLiteral("app") : safe;
}

QString deploySettingsJson(const QString &app, const DeploySpec &deploy, const QString &environment,
                           const QMap<QString, QString> &secretHashes)
{
    const auto object = [](const QMap<QString, QString> &map) {
        QJsonObject json;
        for (auto it = map.begin(); it != map.end(); ++it)
            json.insert(it.key(), it.value());
        return json;
    };
    QJsonArray volumes;
    for (const VolumeSpec &volume : deploy.volumes)
        volumes.append(volume.text());
    QJsonObject json{
        {QStringLiteral("app"), app},
        {QStringLiteral("ports"), QJsonArray::fromStringList(deploy.ports)},
        {QStringLiteral("network"), deploy.network},
        {QStringLiteral("env"), object(deploy.env)},
        {QStringLiteral("restart"), deploy.restart},
        {QStringLiteral("stopTimeout"), deploy.stopTimeoutSeconds},
        {QStringLiteral("volumes"), volumes},
        {QStringLiteral("memory"), deploy.memoryBytes},
        {QStringLiteral("cpus"), deploy.cpus},
        {QStringLiteral("replicas"), deploy.replicas},
        {QStringLiteral("command"), QJsonArray::fromStringList(deploy.command)},
        {QStringLiteral("labels"), object(deploy.labels)},
        {QStringLiteral("extraHosts"), QJsonArray::fromStringList(deploy.extraHosts)},
        {QStringLiteral("log"), QJsonObject{{QStringLiteral("driver"), deploy.log.driver},
                                            {QStringLiteral("options"), object(deploy.log.options)}}}};
    if (!environment.isEmpty())
        json.insert(QStringLiteral("environment"), environment);
    if (!deploy.secrets.isEmpty()) {
        // Names in order, each with its value's keyed hash: the value itself is never recorded.
        QJsonArray secrets;
        for (const QString &name : deploy.secrets)
            secrets.append(QJsonObject{{QStringLiteral("name"), name},
                                       {QStringLiteral("hash"), secretHashes.value(name)}});
        json.insert(QStringLiteral("secrets"), secrets);
        json.insert(QStringLiteral("secretFiles"), deploy.secretFiles);
    }
    if (deploy.health)
        json.insert(QStringLiteral("health"),
                    QJsonObject{{QStringLiteral("path"), deploy.health->path},
                                {QStringLiteral("port"), deploy.health->port},
                                {QStringLiteral("timeout"), deploy.health->timeoutSeconds},
                                {QStringLiteral("interval"), deploy.health->intervalSeconds}});
    if (deploy.proxy)
        json.insert(QStringLiteral("proxy"),
                    QJsonObject{{QStringLiteral("hosts"), QJsonArray::fromStringList(deploy.proxy->hosts)},
                                {QStringLiteral("port"), deploy.proxy->port},
                                {QStringLiteral("pathPrefix"), deploy.proxy->pathPrefix},
                                {QStringLiteral("tlsCertificate"), deploy.proxy->tlsCertificate},
                                {QStringLiteral("tlsKey"), deploy.proxy->tlsKey},
                                {QStringLiteral("tlsInternal"), deploy.proxy->tlsInternal},
                                {QStringLiteral("drain"), deploy.proxy->drainSeconds}});
    return QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Compact));
}

QMap<QString, QString> recordedSecretHashes(const ReleaseRecord &release)
{
    QMap<QString, QString> hashes;
    const QJsonArray secrets = QJsonDocument::fromJson(release.deploySettings.toUtf8())
                                   .object()
                                   .value(QStringLiteral("secrets"))
                                   .toArray();
    for (const QJsonValue &secret : secrets)
        hashes.insert(secret.toObject().value(QStringLiteral("name")).toString(),
                      secret.toObject().value(QStringLiteral("hash")).toString());
    return hashes;
}

QString environmentOfRelease(const ReleaseRecord &release)
{
    return QJsonDocument::fromJson(release.deploySettings.toUtf8())
        .object()
        .value(QStringLiteral("environment"))
        .toString();
}

Result<EnvironmentSpec> environmentOf(const Spec &spec, const QString &name)
{
    QStringList names;
    for (const EnvironmentSpec &environment : spec.environments) {
        if (environment.name == name)
            return environment;
        names.append(environment.name);
    }
    return Error::badInput(QStringLiteral("slipway.toml: no [env.%1] (%2)")
                               .arg(name, names.isEmpty() ? QStringLiteral("it has no environments")
                                                          : QStringLiteral("environments: ") +
                                                                names.join(QStringLiteral(", "))));
}

QString appOfEnvironment(const QString &app, const EnvironmentSpec &environment)
{
    return environment.namesApp ? containerSafe(environment.deploy.name)
                                : environmentApp(app, environment.name);
}

QString environmentApp(const QString &app, const QString &environment)
{
    return environment.isEmpty() ? app : app + u'-' + environment;
}

QString appOfRelease(const ReleaseRecord &release)
{
    auto recorded = recordedDeploySettings(release);
    return recorded ? recorded->first : containerSafe(release.project);
}

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
    const auto strings = [&json](const char *key) {
        QStringList list;
        for (const QJsonValue &item : json.value(QLatin1String(key)).toArray())
            list.append(item.toString());
        return list;
    };
    const auto map = [](const QJsonObject &object) {
        QMap<QString, QString> result;
        for (auto it = object.begin(); it != object.end(); ++it)
            result.insert(it.key(), it.value().toString());
        return result;
    };
    DeploySpec deploy;
    deploy.name = json.value(QStringLiteral("app")).toString();
    deploy.ports = strings("ports");
    deploy.network = json.value(QStringLiteral("network")).toString();
    deploy.env = map(json.value(QStringLiteral("env")).toObject());
    deploy.restart = json.value(QStringLiteral("restart")).toString();
    deploy.stopTimeoutSeconds = json.value(QStringLiteral("stopTimeout")).toInt(deploy.stopTimeoutSeconds);
    if (json.contains(QStringLiteral("health"))) {
        const QJsonObject health = json.value(QStringLiteral("health")).toObject();
        deploy.health = HealthSpec{.path = health.value(QStringLiteral("path")).toString(),
                                   .port = health.value(QStringLiteral("port")).toInt(),
                                   .timeoutSeconds = health.value(QStringLiteral("timeout")).toInt(30),
                                   .intervalSeconds = health.value(QStringLiteral("interval")).toInt(1)};
    }
    // Settings recorded by a Slipway that had no such key keep their defaults.
    for (const QString &text : strings("volumes"))
        if (const std::optional<VolumeSpec> volume = VolumeSpec::fromText(text))
            deploy.volumes.append(*volume);
    deploy.memoryBytes = qint64(json.value(QStringLiteral("memory")).toDouble());
    deploy.cpus = json.value(QStringLiteral("cpus")).toDouble();
    deploy.replicas = json.value(QStringLiteral("replicas")).toInt(1);
    deploy.command = strings("command");
    deploy.labels = map(json.value(QStringLiteral("labels")).toObject());
    deploy.extraHosts = strings("extraHosts");
    if (json.contains(QStringLiteral("log"))) {
        const QJsonObject log = json.value(QStringLiteral("log")).toObject();
        deploy.log.driver = log.value(QStringLiteral("driver")).toString();
        deploy.log.options = map(log.value(QStringLiteral("options")).toObject());
    }
    for (const QJsonValue &secret : json.value(QStringLiteral("secrets")).toArray())
        deploy.secrets.append(secret.toObject().value(QStringLiteral("name")).toString());
    deploy.secretFiles = json.value(QStringLiteral("secretFiles")).toBool();
    if (json.contains(QStringLiteral("proxy"))) {
        const QJsonObject proxy = json.value(QStringLiteral("proxy")).toObject();
        ProxySpec spec;
        for (const QJsonValue &host : proxy.value(QStringLiteral("hosts")).toArray())
            spec.hosts.append(host.toString());
        spec.port = proxy.value(QStringLiteral("port")).toInt();
        spec.pathPrefix = proxy.value(QStringLiteral("pathPrefix")).toString();
        spec.tlsCertificate = proxy.value(QStringLiteral("tlsCertificate")).toString();
        spec.tlsKey = proxy.value(QStringLiteral("tlsKey")).toString();
        spec.tlsInternal = proxy.value(QStringLiteral("tlsInternal")).toBool();
        spec.drainSeconds = proxy.value(QStringLiteral("drain")).toInt(spec.drainSeconds);
        deploy.proxy = spec;
    }
    return std::pair<QString, DeploySpec>(deploy.name, deploy);
}

Result<PushResult> pushBuild(const BuildOutput &build, const QString &manifestDigest,
                             const QString &reference, const QString &blobsDir, const QString &dataDir,
                             EventSink *events, std::stop_token stop)
{
    auto destination = ImageReference::parse(reference);
    if (!destination)
        return destination.error();
    const ContentStore store(blobsDir);
    PushOptions options;
    if (build.baseRegistry == destination->registry && build.baseRepository != destination->repository)
        for (const QString &digest : build.baseLayers)
            options.mountFrom.insert(digest, build.baseRepository);
    return pushToRegistry([&store](const QString &digest) { return store.blobPath(digest); }, manifestDigest,
                          reference, dataDir, events, std::move(stop), options);
}

Result<std::pair<QString, DeploySpec>> releaseSettings(const Spec &spec, const QString &project,
                                                       const QString &environment)
{
    const QString app = containerSafe(spec.deploy.name.isEmpty() ? project : spec.deploy.name);
    if (environment.isEmpty())
        return std::pair<QString, DeploySpec>(app, spec.deploy);
    auto table = environmentOf(spec, environment);
    if (!table)
        return table.error();
    return std::pair<QString, DeploySpec>(appOfEnvironment(app, table.value()), table->deploy);
}

Result<ReleaseRecord> recordRelease(History &history, const QString &project, const QString &ref,
                                    const BuildOutput &built, const ReleaseOptions &options)
{
    // The release's own digest (what history lists and a rollback compares) is linux/amd64's
    // image when it was built, else the first platform's; each target runs its own platform's.
    PlatformImage platform = built.images.constFirst();
    for (const PlatformImage &image : built.images)
        if (image.platform == u"linux/amd64")
            platform = image;

    auto settings = releaseSettings(built.spec, project, options.environment);
    if (!settings)
        return settings.error();
    const auto &[app, deploy] = settings.value();
    ReleaseRecord release;
    release.project = project;
    release.commit = built.commit;
    release.message = built.commitMessage;
    release.ref = ref;
    release.digest = platform.manifestDigest;
    release.buildMs = qint64(built.seconds * 1000);
    release.deploySettings =
        deploySettingsJson(app, deploy, options.environment,
                           options.secrets ? options.secrets->hashes : QMap<QString, QString>());
    for (const BuiltLayer &layer : built.layers)
        release.layers.append(
            LayerRecord{.name = layer.name, .digest = layer.blob.digest, .size = layer.blob.size});
    for (const PlatformImage &image : built.images)
        release.platforms.append(PlatformRecord{
            .platform = image.platform, .digest = image.manifestDigest, .imageId = image.configDigest});

    if (options.image.isEmpty()) {
        // The release id tags the image when it is loaded into each engine.
        release.image = localRepositoryPrefix() + app;
    } else {
        // Every platform goes up (the index, with several), so each target can pull its own.
        const bool several = built.images.size() > 1;
        auto pushed =
            pushBuild(built, several ? built.manifestDigest : platform.manifestDigest, options.image,
                      options.blobsDir, options.dataDir, options.events, options.stop);
        if (!pushed)
            return pushed.error();
        release.image = pushed->reference;
        if (!several)
            release.digest = pushed->digest;
    }
    auto id = history.addRelease(release);
    if (!id)
        return id.error();
    release.id = id.value();
    return release;
}

Result<ReleaseRollout> rollOutRelease(History &history, const ReleaseRecord &release,
                                      const QList<Target> &targets, const ReleaseOptions &options)
{
    auto recorded = recordedDeploySettings(release);
    if (!recorded)
        return recorded.error();
    // Before any target is touched: a secret that is not set stops the rollout here.
    auto secrets = options.secrets ? Result<ResolvedSecrets>(*options.secrets)
                                   : resolveSecrets(release, recorded->first, recorded->second,
                                                    options.dataDir, options.stop);
    if (!secrets)
        return secrets.error();
    if (options.events)
        for (const QString &name : changedSince(release, recorded->second, secrets.value()))
            options.events->log(LogLevel::Warning, QStringLiteral("deploy"),
                                QStringLiteral("secret %1 of app %2 changed since release %3: its containers "
                                               "get the value set now")
                                    .arg(name, recorded->first)
                                    .arg(release.id));

    RolloutRequest request;
    request.app = recorded->first;
    request.release = QString::number(release.id);
    request.commit = release.commit;
    request.deploy = recorded->second;
    request.secrets = std::move(secrets->values);
    request.secretHashes = std::move(secrets->hashes);
    request.targets = targets;
    request.batchSize = options.batchSize;
    request.events = options.events;
    request.stop = options.stop;
    request.pool = options.pool;
    request.waitForLock = options.waitForLock;
    // Lives as long as the rollout: the engines pull from it.
    std::optional<LocalRegistry> localRegistry;
    const bool local = release.image.startsWith(localRepositoryPrefix());
    if (local) {
        localRegistry.emplace(options.blobsDir);
        Status serving = localRegistry->start();
        if (serving)
            serving = localRegistry->offer(release.digest);
        for (const PlatformRecord &platform : release.platforms)
            if (serving)
                serving = localRegistry->offer(platform.digest);
        if (!serving) {
            localRegistry.reset();
            if (options.events)
                options.events->log(LogLevel::Warning, QStringLiteral("deploy"),
                                    QStringLiteral("%1; sending whole images").arg(serving.error().message));
        }
    }
    // The image source of manifest `digest` of the release.
    const auto sourceOf = [&](const QString &digest) -> Result<ImageSource> {
        if (!local)
            return registrySource(release.image, digest, options.dataDir);
        // Registry-less: an engine that has the image (rollouts keep old images) skips it; the
        // others pull it from this machine and fetch only the layers they lack, or get it
        // streamed whole from the local blob store where they cannot reach this machine.
        // The tag carries the image id as well as the release id: two histories (two machines,
        // two data dirs) deploying one app to one engine each number their releases from 1.
        const StoredImage stored = storedImage(options.blobsDir, digest);
        ImageSource image;
        image.reference = release.image + QStringLiteral(":release-") + request.release;
        if (stored.configDigest.startsWith(QLatin1String("sha256:")))
            image.reference += u'-' + stored.configDigest.mid(7, 12);
        image.load = archiveProducer(options.blobsDir, digest, image.reference, options.stop);
        image.digest = digest;
        image.imageId = stored.configDigest;
        image.bytes = stored.bytes;
        image.localRegistry = localRegistry ? &*localRegistry : nullptr;
        return image;
    };
    auto image = sourceOf(release.digest);
    if (!image)
        return image.error();
    request.image = image.value();
    for (const PlatformRecord &platform : release.platforms) {
        auto source = sourceOf(platform.digest);
        if (!source)
            return source.error();
        request.platforms.append(PlatformSource{.platform = platform.platform, .image = source.value()});
    }

    ReleaseRollout rolled;
    rolled.image = request.image.reference;
    for (const Target &target : targets) {
        auto id = history.startDeployment(release.id, target.name);
        if (!id)
            return id.error();
        rolled.deployments.insert(target.name, id.value());
    }

    QElapsedTimer clock;
    clock.start();
    postStage(options.events, Stage::Deploy, StageState::Running, 0);
    rolled.result = rollout(request);
    bool cancelled = false;
    for (const TargetOutcome &outcome : std::as_const(rolled.result.targets)) {
        cancelled = cancelled || outcome.cancelled;
        if (Status finished =
                history.finishDeployment(rolled.deployments.value(outcome.target),
                                         deploymentResultOf(outcome), outcome.error, deploymentLog(outcome));
            !finished)
            rolled.problems.append(finished.error().message);
    }
    postStage(options.events, Stage::Deploy,
              rolled.result.allHealthy() ? StageState::Done
              : cancelled                ? StageState::Cancelled
                                         : StageState::Failed,
              clock.elapsed());
    return rolled;
}

Result<QStringList> changedSecrets(const ReleaseRecord &release, const QString &dataDir, std::stop_token stop)
{
    auto recorded = recordedDeploySettings(release);
    if (!recorded)
        return recorded.error();
    auto secrets = resolveSecrets(release, recorded->first, recorded->second, dataDir, std::move(stop));
    if (!secrets)
        return secrets.error();
    return changedSince(release, recorded->second, secrets.value());
}

Result<Target> resolveTarget(const History &history, const QString &name)
{
    auto targets = resolveTargets(history, {name});
    if (!targets)
        return targets.error();
    return targets->constFirst();
}

std::function<Result<Target>(const QString &name)> targetResolver(const QString &dataDir)
{
    return [dataDir](const QString &name) -> Result<Target> {
        auto history = History::open(History::defaultPath(DataDirs::resolve(dataDir).data));
        if (!history)
            return history.error();
        return resolveTarget(*history.value(), name);
    };
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

Result<QList<SucceededDeployment>> succeededDeployments(const History &history, const QString &target)
{
    DeploymentFilter filter;
    filter.target = target;
    filter.result = DeploymentResult::Succeeded;
    auto deployments = history.deployments(filter);
    if (!deployments)
        return deployments.error();
    // By when they ended (what ran last is current), not by when they began: two deploys that
    // waited for one lock end in the other order.
    std::stable_sort(deployments->begin(), deployments->end(),
                     [](const DeploymentRecord &a, const DeploymentRecord &b) {
                         return a.finished != b.finished ? a.finished > b.finished : a.id > b.id;
                     });
    QList<SucceededDeployment> succeeded;
    QHash<qint64, qsizetype> read; // release id -> its first entry: each release is read once
    for (const DeploymentRecord &deployment : deployments.value()) {
        if (const auto it = read.constFind(deployment.releaseId); it != read.cend()) {
            succeeded.append({deployment, succeeded.at(*it).release, succeeded.at(*it).app});
            continue;
        }
        auto release = history.release(deployment.releaseId);
        if (!release)
            return release.error();
        read.insert(deployment.releaseId, succeeded.size());
        succeeded.append({deployment, release.value(), appOfRelease(release.value())});
    }
    return succeeded;
}

Result<QString> appOfSource(const History &history, const QString &location, const QString &environment)
{
    auto projects = history.projects();
    if (!projects)
        return projects.error();
    const QString source = sourceIdentity(location);
    for (const ProjectRecord &project : projects.value()) {
        if (project.source != source)
            continue;
        auto releases = history.releases(project.name);
        if (!releases)
            return releases.error();
        for (const ReleaseRecord &release : releases.value()) // newest first
            if (environmentOfRelease(release) == environment)
                return appOfRelease(release);
    }
    if (!environment.isEmpty())
        return Error::badInput(QStringLiteral("%1 was never deployed for [env.%2] (from this history)")
                                   .arg(displayUrl(location), environment));
    return Error::badInput(
        QStringLiteral("%1 was never deployed (from this history)").arg(displayUrl(location)));
}

Result<ReleaseRecord> rollbackRelease(const History &history, const QString &target, const QString &givenApp,
                                      qint64 releaseId)
{
    if (releaseId > 0) {
        auto release = history.release(releaseId);
        if (release && !givenApp.isEmpty() && appOfRelease(release.value()) != givenApp)
            return Error::badInput(QStringLiteral("release %1 is of app %2, not %3")
                                       .arg(releaseId)
                                       .arg(appOfRelease(release.value()), givenApp));
        return release;
    }
    // Current and previous are the app's own, never another app's that shares the target.
    auto succeeded = succeededDeployments(history, target);
    if (!succeeded)
        return succeeded.error();
    QStringList apps;
    for (const SucceededDeployment &entry : succeeded.value())
        if (!apps.contains(entry.app))
            apps.append(entry.app);
    QString app = givenApp;
    if (app.isEmpty()) {
        if (apps.isEmpty())
            return Error::badInput(
                QStringLiteral("target %1: nothing was deployed there to roll back").arg(target));
        if (apps.size() > 1) {
            apps.sort();
            return Error::badInput(QStringLiteral("target %1 runs several apps (%2): say which one")
                                       .arg(target, apps.join(QStringLiteral(", "))));
        }
        app = apps.constFirst();
    } else if (!apps.contains(app)) {
        return Error::badInput(QStringLiteral("target %1: app %2 was never deployed there").arg(target, app));
    }
    // Newest deployment first: the app's current release, then the first with another image.
    std::optional<QString> currentDigest;
    for (const SucceededDeployment &entry : succeeded.value()) {
        if (entry.app != app)
            continue;
        if (!currentDigest)
            currentDigest = entry.release.digest;
        else if (entry.release.digest != *currentDigest)
            return entry.release;
    }
    return Error::badInput(
        QStringLiteral("target %1: no earlier release of %2 to roll back to").arg(target, app));
}

DeploymentResult deploymentResultOf(const TargetOutcome &outcome)
{
    if (outcome.healthy)
        return DeploymentResult::Succeeded;
    return outcome.cancelled ? DeploymentResult::Cancelled : DeploymentResult::Failed;
}

} // namespace slipway
