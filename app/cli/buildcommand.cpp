// slipway-cli build SOURCE [--ref REF] [--oci-layout DIR[:TAG]] [--push REF] [--docker-archive FILE[:TAG]]
//                          [--compression ...] [--level N] [--jobs N] [--engine TARGET]

#include "commands.h"
#include "output.h"
#include "progress.h"

#include "deploy/release.h"
#include "events/event.h"
#include "imagebuilder/imagebuilder.h"
#include "oci/dockerarchive.h"
#include "oci/ocilayout.h"
#include "registry/credentials.h"
#include "registry/imagereference.h"
#include "registry/pusher.h"
#include "registry/registryaccess.h"
#include "registry/registryclient.h"
#include "store/contentstore.h"
#include "util/paths.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QSaveFile>
#include <QTextStream>

namespace slipway::cli {

namespace {

// "FILE[:TAG]": the file, and the repository tag docker/podman load give the image (none
// without TAG; ":latest" when TAG has no tag of its own).
struct DockerArchiveTarget
{
    QString file;
    QStringList repoTags;
};

Result<DockerArchiveTarget> parseDockerArchive(const QString &text)
{
    DockerArchiveTarget target;
    const qsizetype colon = text.indexOf(u':');
    target.file = colon < 0 ? text : text.left(colon);
    if (target.file.isEmpty())
        return Error::badInput(QStringLiteral("--docker-archive '%1': no file given").arg(text));
    if (colon >= 0) {
        auto reference = ImageReference::parse(text.mid(colon + 1));
        if (!reference)
            return Error::badInput(
                QStringLiteral("--docker-archive '%1': %2").arg(text, reference.error().message));
        if (!reference->digest.isEmpty())
            return Error::badInput(
                QStringLiteral("--docker-archive '%1': the tag cannot name a digest").arg(text));
        target.repoTags.append(reference->familiar());
    }
    return target;
}

// The platform image a docker archive holds: linux/amd64 if built, else the first.
const PlatformImage &archiveImage(const BuildOutput &build)
{
    for (const PlatformImage &image : build.images)
        if (image.platform == u"linux/amd64")
            return image;
    return build.images.constFirst();
}

Status writeArchive(const DockerArchiveTarget &target, const BuildOutput &build, const ContentStore &store,
                    std::stop_token stop)
{
    // QSaveFile: the archive appears complete under its name, or not at all.
    QSaveFile file(target.file);
    if (!file.open(QIODevice::WriteOnly))
        return Error::failed(QStringLiteral("cannot write %1: %2").arg(target.file, file.errorString()));
    Status written = oci::writeDockerArchive(
        [&store](const QString &digest) { return store.blobPath(digest); },
        archiveImage(build).manifestDigest, target.repoTags,
        [&file, &target](const char *data, qsizetype size) -> Status {
            if (file.write(data, size) != size)
                return Error::failed(
                    QStringLiteral("cannot write %1: %2").arg(target.file, file.errorString()));
            return success();
        },
        std::move(stop));
    if (!written) {
        file.cancelWriting();
        return written;
    }
    if (!file.commit())
        return Error::failed(QStringLiteral("cannot write %1: %2").arg(target.file, file.errorString()));
    return success();
}

void printTable(QTextStream &out, const BuildOutput &build)
{
    const auto row = [&out](const QString &name, const QString &files, const QString &size,
                            const QString &compressed, const QString &cached, const QString &digest) {
        out << name.leftJustified(16) << ' ' << files.rightJustified(7) << ' ' << size.rightJustified(10)
            << ' ' << compressed.rightJustified(10) << "  " << cached.leftJustified(6) << ' ' << digest
            << '\n';
    };
    row(QStringLiteral("LAYER"), QStringLiteral("FILES"), QStringLiteral("SIZE"),
        QStringLiteral("COMPRESSED"), QStringLiteral("CACHED"), QStringLiteral("DIGEST"));
    for (const BuiltLayer &layer : build.layers)
        row(layer.name, QString::number(layer.blob.files), humanSize(layer.blob.uncompressedSize),
            humanSize(layer.blob.size), layer.cached ? QStringLiteral("yes") : QStringLiteral("no"),
            shortDigest(layer.blob.digest));
    out << "\nsource    " << build.description << '\n';
    out << "config    " << build.configDigest << '\n';
    if (!build.baseRepository.isEmpty())
        out << "base      " << build.baseRegistry << '/' << build.baseRepository << '\n';
    if (build.images.size() > 1) {
        for (const PlatformImage &image : build.images)
            out << "platform  " << image.platform << "  " << image.manifestDigest << '\n';
        out << "index     " << build.manifestDigest << '\n';
    } else {
        out << "manifest  " << build.manifestDigest << '\n';
    }
    out << "built in  " << QString::number(build.seconds, 'f', 2) << " s" << Qt::endl;
}

QJsonObject toJson(const BuildOutput &build)
{
    QJsonArray layers;
    for (const BuiltLayer &layer : build.layers)
        layers.append(layer.toJson());
    QJsonArray images;
    for (const PlatformImage &image : build.images)
        images.append(QJsonObject{{QStringLiteral("platform"), image.platform},
                                  {QStringLiteral("manifestDigest"), image.manifestDigest},
                                  {QStringLiteral("configDigest"), image.configDigest},
                                  {QStringLiteral("baseManifestDigest"), image.baseManifestDigest}});
    return QJsonObject{{QStringLiteral("manifestDigest"), build.manifestDigest},
                       {QStringLiteral("mediaType"), build.mediaType},
                       {QStringLiteral("images"), images},
                       {QStringLiteral("configDigest"), build.configDigest},
                       {QStringLiteral("commit"), build.commit},
                       {QStringLiteral("source"), build.description},
                       {QStringLiteral("layers"), layers},
                       {QStringLiteral("seconds"), build.seconds}};
}

} // namespace

QJsonArray stepsJson(const QList<LayerEvent> &steps)
{
    QJsonArray json;
    for (const LayerEvent &step : steps)
        json.append(QJsonObject{{QStringLiteral("index"), step.index},
                                {QStringLiteral("instruction"), step.name},
                                {QStringLiteral("state"), layerStateName(step.state)},
                                {QStringLiteral("seconds"), double(step.elapsedMs) / 1000.0}});
    return json;
}

int runBuild(const Invocation &invocation, CommandContext &context)
{
    const QString command = invocation.command;
    // Check the destination before building, so a typo does not cost a build.
    if (invocation.isSet(QStringLiteral("push"))) {
        if (auto destination = ImageReference::parse(invocation.value(QStringLiteral("push"))); !destination)
            return reportError(context, command, destination.error());
    }

    std::optional<oci::LayoutReference> layout;
    if (invocation.isSet(QStringLiteral("oci-layout"))) {
        auto parsed = oci::LayoutReference::parse(invocation.value(QStringLiteral("oci-layout")));
        if (!parsed)
            return reportError(context, command, parsed.error());
        layout = parsed.value();
    }
    std::optional<DockerArchiveTarget> archive;
    if (invocation.isSet(QStringLiteral("docker-archive"))) {
        auto parsed = parseDockerArchive(invocation.value(QStringLiteral("docker-archive")));
        if (!parsed)
            return reportError(context, command, parsed.error());
        archive = parsed.value();
    }
    const int level =
        invocation.isSet(QStringLiteral("level")) ? invocation.value(QStringLiteral("level")).toInt() : -1;
    const QString compressionName = invocation.isSet(QStringLiteral("compression"))
                                        ? invocation.value(QStringLiteral("compression"))
                                        : QStringLiteral("gzip");
    auto compression = Compression::fromName(compressionName, level);
    if (!compression)
        return reportError(context, command, compression.error());

    const DataDirs dirs = DataDirs::resolve(invocation.dataDir);
    TerminalProgress progress(context.err, TerminalProgress::modeFor(invocation.json || invocation.quiet));
    BuildRequest request;
    request.source.location = invocation.arguments.constFirst();
    request.source.ref = invocation.value(QStringLiteral("ref"));
    request.source.cacheDir = dirs.cache;
    request.source.events = &progress;
    request.source.stop = context.stop;
    request.compression = compression.value();
    request.jobs = invocation.value(QStringLiteral("jobs")).toInt();
    request.sourceDateEpoch = sourceDateEpochFromEnvironment();
    const QString dataDir = invocation.dataDir;
    request.dataDir = dataDir;
    request.registryClient = [dataDir](const QString &registry) {
        return openRegistryClient(registry, dataDir);
    };
    // A Dockerfile is built by a target's engine: --engine's, else the one [build] engine names.
    request.resolveEngine = targetResolver(dataDir);
    if (invocation.isSet(QStringLiteral("engine"))) {
        auto engine = request.resolveEngine(invocation.value(QStringLiteral("engine")));
        if (!engine)
            return reportError(
                context, command,
                Error(engine.error().kind, QStringLiteral("--engine: ") + engine.error().message));
        request.engine = engine.value();
    }

    auto built = buildImage(request);
    if (!built)
        return progress.fail(context, command, built.error());

    if (layout) {
        const ContentStore store(QDir(dirs.cache).filePath(QStringLiteral("blobs")));
        if (Status written = oci::writeLayout(*layout, store, built->manifestDigest, built->manifestSize,
                                              built->blobs, built->mediaType);
            !written)
            return progress.fail(context, command, written.error());
    }
    if (archive) {
        const ContentStore store(QDir(dirs.cache).filePath(QStringLiteral("blobs")));
        if (Status written = writeArchive(*archive, built.value(), store, context.stop); !written)
            return progress.fail(context, command, written.error());
    }

    std::optional<PushResult> pushed;
    if (invocation.isSet(QStringLiteral("push"))) {
        auto result =
            pushBuild(built.value(), built->manifestDigest, invocation.value(QStringLiteral("push")),
                      QDir(DataDirs::resolve(invocation.dataDir).cache).filePath(QStringLiteral("blobs")),
                      invocation.dataDir, &progress, context.stop);
        if (!result)
            return progress.fail(context, command, result.error());
        pushed = std::move(result).value();
    }

    progress.finish();
    if (invocation.json) {
        QJsonObject json = toJson(built.value());
        if (built->spec.layers.isEmpty()) // built from its Dockerfile: its steps
            json.insert(QStringLiteral("steps"), stepsJson(progress.layers()));
        if (pushed) {
            const QJsonObject push = pushJson(*pushed);
            for (auto it = push.begin(); it != push.end(); ++it)
                json.insert(it.key(), it.value());
        }
        if (archive)
            json.insert(QStringLiteral("dockerArchive"), QFileInfo(archive->file).absoluteFilePath());
        if (layout)
            json.insert(QStringLiteral("ociLayout"),
                        QString(QDir(layout->directory).absolutePath() + u':' + layout->tag));
        context.out << QJsonDocument(json).toJson(QJsonDocument::Compact) << Qt::endl;
    } else {
        printTable(context.out, built.value());
        if (layout)
            context.out << "written   " << QDir(layout->directory).absolutePath() << ':' << layout->tag
                        << Qt::endl;
        if (archive)
            context.out << "written   " << QFileInfo(archive->file).absoluteFilePath() << Qt::endl;
        if (pushed)
            printPush(context.out, *pushed);
    }
    return 0;
}

} // namespace slipway::cli
