#include "imagebuilder/dockerfilebuild.h"

#include "engine/buildsteps.h"
#include "engine/engineclient.h"
#include "imagebuilder/baseimages.h"
#include "imagebuilder/buildcontext.h"
#include "imagebuilder/engineimport.h"
#include "oci/mediatypes.h"
#include "store/contentstore.h"

#include <QDir>

#include <algorithm>

namespace slipway {
namespace {

LayerState layerStateOf(BuildSteps::Step::State state)
{
    switch (state) {
    case BuildSteps::Step::State::Queued:
        return LayerState::Queued;
    case BuildSteps::Step::State::Running:
        return LayerState::Building;
    case BuildSteps::Step::State::Cached:
        return LayerState::Cached;
    case BuildSteps::Step::State::Done:
        return LayerState::Done;
    case BuildSteps::Step::State::Failed:
        return LayerState::Failed;
    }
    return LayerState::Building;
}

// A build that failed on a base (BuildKit fails before any step, in its own metadata lookup;
// buildah in the FROM step) says which: the Dockerfile's line and FROM, before the engine's
// error, when that error names the base or, as BuildKit's "pulling from host ... failed" does,
// only its registry.
Error withFailedBase(const Error &error, const QList<DockerfileBase> &bases, const QString &dockerfile,
                     const QList<BuildSteps::Step> &steps)
{
    for (const BuildSteps::Step &step : steps)
        if (step.state == BuildSteps::Step::State::Failed &&
            !step.instruction.startsWith(QLatin1String("FROM")))
            return error;
    const DockerfileBase *named = nullptr;
    for (const DockerfileBase &base : bases)
        if (error.message.contains(base.text) || error.message.contains(base.reference.toString())) {
            named = &base;
            break;
        }
    for (qsizetype i = 0; !named && i < bases.size(); ++i)
        if (error.message.contains(bases.at(i).reference.registry))
            named = &bases.at(i);
    if (!named)
        return error;
    return Error(error.kind, QStringLiteral("%1:%2: FROM %3: %4")
                                 .arg(dockerfile)
                                 .arg(named->line)
                                 .arg(named->text, error.message));
}

} // namespace

Result<BuildOutput> buildWithDockerfile(const BuildRequest &request, EventSink &events, const Source &source,
                                        const Spec &spec, QThreadPool *pool, int jobs)
{
    const BuildSpec &build = spec.build;
    const QList<SourceFile> &files = source.files();
    if (std::none_of(files.cbegin(), files.cend(),
                     [&](const SourceFile &file) { return file.path == build.dockerfile; }))
        return Error::badInput(
            QStringLiteral("%1 has no [[layers]] in slipway.toml and no %2: add [[layers]], or a "
                           "Dockerfile (or name yours with [build] dockerfile)")
                .arg(source.describe(), build.dockerfile));

    std::optional<Target> engine = request.engine;
    if (!engine && !build.engine.isEmpty()) {
        if (!request.resolveEngine)
            return Error::badInput(
                QStringLiteral("slipway.toml: [build] engine = \"%1\": no targets to find it in")
                    .arg(build.engine));
        auto resolved = request.resolveEngine(build.engine);
        if (!resolved)
            return Error(resolved.error().kind,
                         QStringLiteral("slipway.toml: [build] engine: %1").arg(resolved.error().message));
        engine = resolved.value();
    }
    if (!engine)
        engine = request.defaultEngine;
    if (!engine)
        return Error::badInput(
            QStringLiteral("%1 builds from %2, which needs an engine: name a target with --engine "
                           "TARGET or [build] engine in slipway.toml")
                .arg(source.describe(), build.dockerfile));

    EngineClient client(*engine, request.source.stop);
    if (Status connected = client.connect(); !connected)
        return connected.error();
    events.log(LogLevel::Info, QStringLiteral("build"),
               QStringLiteral("%1 on %2 (%3)").arg(build.dockerfile, engine->name, engine->endpoint));

    BuildSteps steps;
    steps.onStep = [&](const BuildSteps::Step &step) {
        LayerEvent event;
        event.index = step.index;
        event.name = step.instruction;
        event.state = layerStateOf(step.state);
        event.cached = step.state == BuildSteps::Step::State::Cached;
        event.elapsedMs = step.elapsedMs;
        event.step = true;
        events.post(event);
    };
    steps.onLine = [&](int, const QString &line) {
        events.log(LogLevel::Info, QStringLiteral("build"), line);
    };
    // A base in a registry the user has a login for is pulled with it first: the engine's build
    // has none. (A Dockerfile that is a symlink is the engine's alone to read.)
    const auto dockerfile = source.readRootFile(build.dockerfile);
    if (dockerfile)
        if (Status pulled = pullCredentialedBases(client, dockerfile.value(), build.dockerfile, build.args,
                                                  request.dataDir, events);
            !pulled)
            return pulled.error();
    EngineClient::BuildOptions options;
    options.dockerfile = build.dockerfile;
    options.target = build.target;
    options.args = build.args;
    // Docker builds through BuildKit (parallel stages, its cache); Podman through buildah.
    options.buildKit = !client.isPodman();
    // A name of its own on the engine (the newest build of the app), which keeps the image when
    // the push that brings it back here untags it.
    const QString appName = spec.deploy.name.isEmpty() ? QStringLiteral("app") : spec.deploy.name.toLower();
    options.tag = QStringLiteral("localhost/slipway-build/%1:latest").arg(appName);
    // Labels, not build args: they come in the last step, so no step before it misses the cache.
    if (!source.revision().isEmpty())
        options.labels.insert(QStringLiteral("org.opencontainers.image.revision"), source.revision());
    options.labels.insert(QStringLiteral("org.opencontainers.image.source"), request.source.location);
    auto image = client.build(
        [&](const EngineClient::Writer &write) { return writeBuildContext(source, build.dockerfile, write); },
        options, [&](const QString &text) { steps.add(text); },
        [&](const QByteArray &statusResponse) { steps.addTrace(statusResponse); });
    steps.finish(!image);
    if (!image) {
        if (request.source.stop.stop_requested())
            return Error::cancelled(QStringLiteral("build %1: cancelled").arg(build.dockerfile));
        if (dockerfile)
            return withFailedBase(image.error(), dockerfileBases(dockerfile.value(), build.args),
                                  build.dockerfile, steps.steps());
        return image.error();
    }

    const ContentStore store(QDir(request.source.cacheDir).filePath(QStringLiteral("blobs")));
    const LayerCache cache(QDir(request.source.cacheDir).filePath(QStringLiteral("layers")), store);
    // The engine pushes the image here and sends only the layers the store lacks; one that
    // cannot (it cannot reach this machine, say) gives the whole image as an archive.
    auto imported = receiveEngineImage(client, image.value(), store, appName);
    if (imported)
        events.log(
            LogLevel::Info, QStringLiteral("build"),
            QStringLiteral("image %1 came back from %2: it sent %3 of its %4 bytes, the store had the rest")
                .arg(image.value().mid(7, 12), engine->name)
                .arg(imported->bytesReceived)
                .arg(imported->bytes));
    if (!imported && imported.error().kind != Error::Kind::Cancelled) {
        events.log(LogLevel::Warning, QStringLiteral("build"),
                   QStringLiteral("%1; exporting the whole image instead").arg(imported.error().message));
        imported = importEngineImage(client, image.value(), store, cache, request.compression, pool, jobs);
    }
    if (!imported)
        return imported.error();

    BuildOutput output;
    output.location = request.source.location;
    output.description = source.describe();
    output.commit = source.revision();
    output.commitMessage = source.summary();
    output.spec = spec;
    for (qsizetype i = 0; i < imported->layers.size(); ++i)
        output.layers.append(
            BuiltLayer{QStringLiteral("layer %1").arg(i + 1), imported->layers.at(i), false});
    output.configDigest = imported->configDigest;
    output.configSize = imported->configSize;
    output.manifest = imported->manifest;
    output.manifestDigest = imported->manifestDigest;
    output.manifestSize = imported->manifestSize;
    output.mediaType = oci::manifestMediaType();
    output.blobs = imported->blobs;
    PlatformImage platform;
    platform.platform = imported->platform;
    platform.configDigest = output.configDigest;
    platform.configSize = output.configSize;
    platform.manifestDigest = output.manifestDigest;
    platform.manifestSize = output.manifestSize;
    output.images.append(platform);
    return output;
}

} // namespace slipway
