#include "imagebuilder.h"

#include "archive/tarwriter.h"
#include "events/event.h"
#include "imagebuilder/dockerfilebuild.h"
#include "imagebuilder/readahead.h"
#include "oci/image.h"
#include "oci/mediatypes.h"
#include "registry/credentials.h"
#include "registry/imagereference.h"
#include "registry/registryaccess.h"
#include "registry/registryclient.h"
#include "source/gitmirror.h"
#include "store/contentstore.h"
#include "util/logging.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QMutex>
#include <QSemaphore>
#include <QSet>
#include <QThread>
#include <QThreadPool>
#include <QUrl>

#include <atomic>
#include <memory>

namespace slipway {
namespace {

// How messages name a source's slipway.toml: its path for a directory, else its name.
QString specNameOf(const QString &location)
{
    return QFileInfo(location).isDir() ? QDir(location).filePath(QStringLiteral("slipway.toml"))
                                       : QStringLiteral("slipway.toml");
}

Result<Spec> specOf(const Source &source, const QString &specName)
{
    // No slipway.toml beside a Dockerfile (or a Containerfile): built from it, with the defaults.
    const QList<SourceFile> &files = source.files();
    const auto has = [&files](const QString &path) {
        return std::any_of(files.cbegin(), files.cend(),
                           [&](const SourceFile &file) { return file.path == path; });
    };
    if (!has(QStringLiteral("slipway.toml")))
        for (const QString &name : {QStringLiteral("Dockerfile"), QStringLiteral("Containerfile")})
            if (has(name)) {
                Spec spec = dockerfileSpec();
                spec.build.dockerfile = name;
                return spec;
            }
    auto toml = source.readRootFile(QStringLiteral("slipway.toml"));
    if (!toml)
        return toml.error();
    return parseSpec(toml.value(), specName);
}

// Progress of a layer is posted at most this often.
constexpr qint64 progressIntervalMs = 100;

struct LayerJob
{
    int index = 0;
    const LayerSpec *spec = nullptr;
    const QList<SourceFile> *files = nullptr;
    QString key;
    std::optional<LayerBlob> result;
};

struct BuildContext
{
    const BuildRequest &request;
    EventSink &events;
    const Source &source;
    const ContentStore &store;
    const LayerCache &cache;
    QThreadPool *pool = nullptr;
    int jobs = 1;
    qint64 mtime = 0; // of every file in a layer

    std::stop_token stop() const { return request.source.stop; }
};

LayerEvent layerEvent(int index, const QString &name, LayerState state, qint64 files)
{
    LayerEvent event;
    event.index = index;
    event.name = name;
    event.state = state;
    event.files = files;
    return event;
}

QString tarPrefix(const QString &dest)
{
    QString prefix = dest;
    while (prefix.startsWith(u'/'))
        prefix.remove(0, 1);
    if (!prefix.isEmpty() && !prefix.endsWith(u'/'))
        prefix += u'/';
    return prefix;
}

// The source's URL for the image's labels: without user information (a token can hide there),
// and nothing for a local path, which means nothing on another machine.
QString publicSourceUrl(const QString &location)
{
    if (!isGitUrl(location) || location.startsWith(QLatin1String("file:")))
        return {};
    const QUrl url(location);
    return url.isValid() && !url.scheme().isEmpty() ? url.toString(QUrl::RemoveUserInfo)
                                                    : location.section(u'@', -1);
}

Result<LayerBlob> buildLayer(const BuildContext &context, const LayerJob &job, SourceReader &reader)
{
    const LayerSpec &spec = *job.spec;
    LayerEvent progress = layerEvent(job.index, spec.name, LayerState::Building, job.files->size());
    context.events.post(progress);

    auto writer = context.store.begin();
    if (!writer)
        return writer.error();
    BlobWriter &blobWriter = *writer.value();
    BlobEncoder encoder(
        context.request.compression,
        [&blobWriter](const char *data, qsizetype size) { return blobWriter.write(data, size); },
        context.pool, context.jobs);
    TarWriter tar([&encoder](const char *data, qsizetype size) { return encoder.write(data, size); },
                  context.mtime);

    ReadAhead readAhead(context.source, *job.files, reader, context.pool, context.jobs);
    const QString prefix = tarPrefix(spec.dest);
    QElapsedTimer sincePost;
    sincePost.start();
    for (qsizetype index = 0; index < job.files->size(); ++index) {
        const SourceFile &file = job.files->at(index);
        if (context.stop().stop_requested())
            return Error::cancelled(QStringLiteral("layer '%1': cancelled").arg(spec.name));
        const QString path = prefix + file.path;
        Status added =
            file.kind == SourceFile::Kind::Symlink
                ? tar.addSymlink(path, file.linkTarget)
                : tar.addFile(path, file.kind == SourceFile::Kind::Executable, file.size,
                              [&](const ContentSink &sink) { return readAhead.read(index, sink); });
        if (!added)
            return Error{added.error().kind,
                         QStringLiteral("layer '%1': %2").arg(spec.name, added.error().message)};
        ++progress.filesDone;
        if (sincePost.elapsed() >= progressIntervalMs) {
            progress.bytesIn = encoder.bytesIn();
            progress.bytesOut = encoder.bytesOut();
            context.events.post(progress);
            sincePost.restart();
        }
    }
    if (Status finished = tar.finish(); !finished)
        return Error{finished.error().kind,
                     QStringLiteral("layer '%1': %2").arg(spec.name, finished.error().message)};
    auto encoded = encoder.finish();
    if (!encoded)
        return Error{encoded.error().kind,
                     QStringLiteral("layer '%1': %2").arg(spec.name, encoded.error().message)};
    if (Status committed = blobWriter.commit(encoded->digest, encoded->size); !committed)
        return committed.error();

    LayerBlob blob{encoded->digest, encoded->diffId,           context.request.compression.layerMediaType(),
                   encoded->size,   encoded->uncompressedSize, qint64(job.files->size())};
    if (Status remembered = context.cache.remember(job.key, blob); !remembered)
        qCWarning(lcBuild).noquote() << remembered.error().message; // the layer is built; only reuse is lost

    progress.state = LayerState::Done;
    progress.bytesIn = blob.uncompressedSize;
    progress.bytesOut = blob.size;
    progress.digest = blob.digest;
    context.events.post(progress);
    return blob;
}

// Builds the jobs on up to context.jobs threads: the calling thread works too, and helpers
// are only started on free pool threads, so a build running on a pool thread cannot deadlock.
Status buildLayers(const BuildContext &context, QList<LayerJob> &todo)
{
    std::atomic<qsizetype> next{0};
    std::atomic<bool> failed{false};
    QMutex errorMutex;
    std::optional<Error> firstError;

    const auto work = [&] {
        std::unique_ptr<SourceReader> reader;
        for (qsizetype i = next++; i < todo.size() && !failed; i = next++) {
            if (!reader)
                reader = context.source.openReader();
            Result<LayerBlob> built = buildLayer(context, todo[i], *reader);
            if (built) {
                todo[i].result = std::move(built).value();
                continue;
            }
            const LayerEvent failure = layerEvent(
                todo[i].index, todo[i].spec->name,
                built.error().kind == Error::Kind::Cancelled ? LayerState::Cancelled : LayerState::Failed, 0);
            context.events.post(failure);
            const QMutexLocker lock(&errorMutex);
            if (!firstError)
                firstError = built.error();
            failed = true;
        }
    };

    QSemaphore finished;
    int helpers = 0;
    const int wanted = int(std::min<qsizetype>(context.jobs, todo.size())) - 1;
    for (int i = 0; i < wanted; ++i) {
        if (!context.pool->tryStart([&] {
                work();
                finished.release();
            }))
            break;
        ++helpers;
    }
    work();
    finished.acquire(helpers);
    if (firstError)
        return *firstError;
    return success();
}

// The base image of each platform, in the spec's order; empty on scratch.
Result<QList<BaseImage>> pullBases(const BuildRequest &request, const Spec &spec, const QString &specName,
                                   const ContentStore &store, EventSink &events)
{
    if (spec.image.base == u"scratch")
        return QList<BaseImage>();
    auto reference = ImageReference::parse(spec.image.base);
    if (!reference)
        return Error::badInput(
            QStringLiteral("%1: [image] base: %2").arg(specName, reference.error().message));
    // The mirrors the user configured come first, then the registry itself; a mirror that fails
    // (down, or without the image) is said in the log and the next is tried.
    auto mirrors = registryMirrors(reference.value());
    if (!mirrors)
        return Error{mirrors.error().kind,
                     QStringLiteral("base image %1: %2").arg(reference->toString(), mirrors.error().message)};
    QList<MirroredReference> candidates = mirrors.value();
    candidates.append(MirroredReference{.reference = reference.value(), .allowHttp = false});
    std::optional<Error> failure;
    for (const MirroredReference &candidate : std::as_const(candidates)) {
        const bool mirror = &candidate != &candidates.constLast();
        const ImageReference &from = candidate.reference;
        auto client = request.registryClient ? request.registryClient(from.registry)
                                             : openRegistryClient(from.registry, {}, candidate.allowHttp);
        QList<BaseImage> bases;
        if (!client) {
            failure = Error{client.error().kind,
                            QStringLiteral("base image %1: %2").arg(from.toString(), client.error().message)};
        } else {
            for (const QString &platform : spec.image.platforms) {
                auto base = pullBase(from, platform, *client.value(), store, &events, request.source.stop);
                if (!base) {
                    failure = base.error();
                    break;
                }
                bases.append(std::move(base).value());
            }
        }
        if (bases.size() == spec.image.platforms.size()) {
            if (mirror)
                events.log(LogLevel::Info, QStringLiteral("build"),
                           QStringLiteral("base image %1 from the mirror %2")
                               .arg(reference->toString(), from.registry));
            return bases;
        }
        if (!mirror || failure->kind == Error::Kind::Cancelled)
            return *failure;
        events.log(LogLevel::Warning, QStringLiteral("build"),
                   QStringLiteral("mirror %1: %2; trying the next").arg(from.registry, failure->message));
    }
    return *failure;
}

// Config and manifest of each platform's image and, for several platforms, their index.
Status assembleImages(const BuildRequest &request, const Spec &spec, const Source &source, qint64 created,
                      const QList<oci::ImageLayer> &appLayers, const QList<BaseImage> &bases,
                      const ContentStore &store, BuildOutput &output)
{
    QList<oci::IndexEntry> entries;
    QSet<QString> listed;
    const auto addBlob = [&](const QString &digest) {
        if (!listed.contains(digest)) {
            listed.insert(digest);
            output.blobs.append(digest);
        }
    };
    for (int p = 0; p < spec.image.platforms.size(); ++p) {
        const QString &platform = spec.image.platforms.at(p);
        oci::ImageInput input;
        input.image = spec.image;
        input.revision = source.revision();
        input.source = publicSourceUrl(request.source.location);
        input.created = created;
        oci::splitPlatform(platform, &input.os, &input.architecture, &input.variant);
        input.layers = appLayers;
        QList<oci::ImageLayer> manifestLayers;
        PlatformImage image;
        image.platform = platform;
        if (!bases.isEmpty()) {
            const BaseImage &base = bases.at(p);
            input.baseConfig = base.config;
            manifestLayers = base.layers;
            image.baseManifestDigest = base.manifestDigest;
            output.baseRegistry = base.registry;
            output.baseRepository = base.repository;
            for (const oci::ImageLayer &layer : base.layers)
                if (!output.baseLayers.contains(layer.blob.digest))
                    output.baseLayers.append(layer.blob.digest);
        }
        manifestLayers += appLayers;

        const QByteArray config = oci::imageConfig(input);
        auto configDigest = store.put(config);
        if (!configDigest)
            return configDigest.error();
        image.configDigest = configDigest.value();
        image.configSize = config.size();
        const QByteArray manifest = oci::imageManifest(
            oci::Descriptor{oci::configMediaType(), image.configDigest, image.configSize, {}},
            manifestLayers);
        auto manifestDigest = store.put(manifest);
        if (!manifestDigest)
            return manifestDigest.error();
        image.manifestDigest = manifestDigest.value();
        image.manifestSize = manifest.size();

        addBlob(image.configDigest);
        for (const oci::ImageLayer &layer : manifestLayers)
            addBlob(layer.blob.digest);
        entries.append(oci::IndexEntry{
            oci::Descriptor{oci::manifestMediaType(), image.manifestDigest, image.manifestSize, {}}, input.os,
            input.architecture, input.variant});
        output.images.append(image);
        if (p == 0) {
            output.configDigest = image.configDigest;
            output.configSize = image.configSize;
            output.manifest = manifest;
            output.manifestDigest = image.manifestDigest;
            output.manifestSize = image.manifestSize;
            output.mediaType = oci::manifestMediaType();
        }
    }
    if (output.images.size() > 1) {
        for (const PlatformImage &image : std::as_const(output.images))
            addBlob(image.manifestDigest);
        output.manifest = oci::imageIndex(entries);
        auto indexDigest = store.put(output.manifest);
        if (!indexDigest)
            return indexDigest.error();
        output.manifestDigest = indexDigest.value();
        output.manifestSize = output.manifest.size();
        output.mediaType = oci::indexMediaType();
    }
    return success();
}

Result<BuildOutput> build(const BuildRequest &request, EventSink &events, QThreadPool *pool, int jobs)
{
    QElapsedTimer timer;
    timer.start();
    const auto stage = [&](Stage which, StageState state) {
        events.post(StageEvent{which, state, timer.elapsed()});
    };
    const auto failStage = [&](Stage which, const Error &error) {
        stage(which, error.kind == Error::Kind::Cancelled ? StageState::Cancelled : StageState::Failed);
        events.log(LogLevel::Error, which == Stage::Fetch ? QStringLiteral("fetch") : QStringLiteral("build"),
                   error.message);
        return error;
    };

    stage(Stage::Fetch, StageState::Running);
    auto opened = openSource(request.source);
    if (!opened)
        return failStage(Stage::Fetch, opened.error());
    const Source &source = *opened.value();
    stage(Stage::Fetch, StageState::Done);
    events.log(LogLevel::Info, QStringLiteral("fetch"),
               QStringLiteral("%1: %2 files").arg(source.describe()).arg(source.files().size()));

    stage(Stage::Build, StageState::Running);
    const QString specName = specNameOf(request.source.location);
    auto spec = specOf(source, specName);
    if (!spec)
        return failStage(Stage::Build, spec.error());
    if (spec->layers.isEmpty()) {
        auto built = buildWithDockerfile(request, events, source, spec.value(), pool, jobs);
        if (!built)
            return failStage(Stage::Build, built.error());
        built->seconds = double(timer.nsecsElapsed()) / 1e9;
        stage(Stage::Build, StageState::Done);
        events.log(LogLevel::Info, QStringLiteral("build"),
                   QStringLiteral("image %1 built in %2 s")
                       .arg(built->manifestDigest)
                       .arg(built->seconds, 0, 'f', 2));
        return built;
    }
    auto assigned = assignFiles(spec.value(), source.files(), specName);
    if (!assigned)
        return failStage(Stage::Build, assigned.error());

    const ContentStore store(QDir(request.source.cacheDir).filePath(QStringLiteral("blobs")));
    const LayerCache cache(QDir(request.source.cacheDir).filePath(QStringLiteral("layers")), store);
    const qint64 mtime = request.sourceDateEpoch.value_or(defaultLayerMtime);
    const qint64 created = request.sourceDateEpoch.value_or(source.timestamp());
    const BuildContext context{request, events, source, store, cache, pool, jobs, mtime};

    auto bases = pullBases(request, spec.value(), specName, store, events);
    if (!bases)
        return failStage(Stage::Build, bases.error());

    BuildOutput output;
    output.location = request.source.location;
    output.description = source.describe();
    output.commit = source.revision();
    output.commitMessage = source.summary();
    output.spec = spec.value();

    QList<LayerJob> todo;
    for (int i = 0; i < spec->layers.size(); ++i) {
        const LayerSpec &layer = spec->layers.at(i);
        const QList<SourceFile> &files = assigned->at(i);
        const QString key = LayerCache::key(layer, files, request.compression, mtime);
        BuiltLayer built{layer.name, {}, false};
        if (std::optional<LayerBlob> hit = cache.find(key)) {
            built.blob = *hit;
            built.cached = true;
            LayerEvent event = layerEvent(i, layer.name, LayerState::Cached, files.size());
            event.filesDone = files.size();
            event.bytesIn = hit->uncompressedSize;
            event.bytesOut = hit->size;
            event.cached = true;
            event.digest = hit->digest;
            events.post(event);
        } else {
            todo.append(LayerJob{i, &layer, &files, key, std::nullopt});
            events.post(layerEvent(i, layer.name, LayerState::Queued, files.size()));
        }
        output.layers.append(built);
    }

    if (Status status = buildLayers(context, todo); !status)
        return failStage(Stage::Build, status.error());
    for (const LayerJob &job : todo)
        output.layers[job.index].blob = *job.result;

    QList<oci::ImageLayer> appLayers;
    for (int i = 0; i < output.layers.size(); ++i) {
        const BuiltLayer &layer = output.layers.at(i);
        const LayerSpec &layerSpec = spec->layers.at(i);
        appLayers.append(oci::ImageLayer{
            layer.name, oci::Descriptor{layer.blob.mediaType, layer.blob.digest, layer.blob.size, {}},
            layer.blob.diffId,
            QStringLiteral("slipway: %1 -> %2")
                .arg(layerSpec.include.join(QStringLiteral(", ")), layerSpec.dest)});
    }
    if (Status assembled =
            assembleImages(request, spec.value(), source, created, appLayers, bases.value(), store, output);
        !assembled)
        return failStage(Stage::Build, assembled.error());
    output.seconds = double(timer.nsecsElapsed()) / 1e9;
    stage(Stage::Build, StageState::Done);
    events.log(
        LogLevel::Info, QStringLiteral("build"),
        QStringLiteral("image %1 built in %2 s").arg(output.manifestDigest).arg(output.seconds, 0, 'f', 2));
    return output;
}

} // namespace

Result<Spec> readSpec(const SourceOptions &options)
{
    auto opened = openSource(options);
    if (!opened)
        return opened.error();
    return specOf(*opened.value(), specNameOf(options.location));
}

std::optional<qint64> sourceDateEpochFromEnvironment()
{
    bool ok = false;
    const qint64 value = qEnvironmentVariable("SOURCE_DATE_EPOCH").toLongLong(&ok);
    if (!ok || value < 0)
        return std::nullopt;
    return value;
}

Result<BuildOutput> buildImage(const BuildRequest &request)
{
    NullEventSink nullSink;
    EventSink &events = request.source.events ? *request.source.events : nullSink;
    const int jobs = request.jobs > 0 ? request.jobs : std::max(1, QThread::idealThreadCount());
    if (request.pool)
        return build(request, events, request.pool, jobs);
    QThreadPool pool;
    pool.setMaxThreadCount(jobs);
    return build(request, events, &pool, jobs);
}

QJsonObject BuiltLayer::toJson() const
{
    return QJsonObject{
        {QStringLiteral("name"), name},          {QStringLiteral("digest"), blob.digest},
        {QStringLiteral("diffId"), blob.diffId}, {QStringLiteral("mediaType"), blob.mediaType},
        {QStringLiteral("size"), blob.size},     {QStringLiteral("uncompressedSize"), blob.uncompressedSize},
        {QStringLiteral("files"), blob.files},   {QStringLiteral("cached"), cached}};
}

} // namespace slipway
