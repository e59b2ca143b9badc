// slipway-cli build SOURCE [--ref REF] [--oci-layout DIR[:TAG]] [--push REF] [--compression ...] [--level N]
//                          [--jobs N]

#include "commands.h"
#include "output.h"

#include "build/imagebuilder.h"
#include "events/event.h"
#include "oci/ocilayout.h"
#include "registry/imagereference.h"
#include "registry/pusher.h"
#include "store/contentstore.h"
#include "util/paths.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QTextStream>

namespace slipway::cli {

namespace {

// Prints layer results to stderr as they finish (human mode only).
class ProgressPrinter final : public EventSink
{
public:
    explicit ProgressPrinter(QTextStream &err)
        : m_err(err)
    {}

    void post(Event event) override
    {
        const QMutexLocker lock(&m_mutex);
        if (const auto *layer = std::get_if<LayerEvent>(&event)) {
            // Big layers only: a spec of hundreds of small layers would flood the terminal.
            if (layer->state == LayerState::Done && layer->bytesIn >= 1000 * 1000)
                m_err << "  built  " << layer->name << "  " << layer->files << " files, "
                      << humanSize(layer->bytesIn) << " -> " << humanSize(layer->bytesOut) << Qt::endl;
        } else if (const auto *fetch = std::get_if<FetchEvent>(&event)) {
            if (fetch->totalObjects > 0 && fetch->receivedObjects == fetch->totalObjects)
                m_err << "  fetched " << fetch->source << ": " << fetch->totalObjects << " objects, "
                      << humanSize(fetch->receivedBytes) << Qt::endl;
        }
    }

private:
    QMutex m_mutex;
    QTextStream &m_err;
};

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
    out << "manifest  " << build.manifestDigest << '\n';
    out << "built in  " << QString::number(build.seconds, 'f', 2) << " s" << Qt::endl;
}

QJsonObject toJson(const BuildOutput &build)
{
    QJsonArray layers;
    for (const BuiltLayer &layer : build.layers)
        layers.append(QJsonObject{{QStringLiteral("name"), layer.name},
                                  {QStringLiteral("digest"), layer.blob.digest},
                                  {QStringLiteral("diffId"), layer.blob.diffId},
                                  {QStringLiteral("mediaType"), layer.blob.mediaType},
                                  {QStringLiteral("size"), layer.blob.size},
                                  {QStringLiteral("uncompressedSize"), layer.blob.uncompressedSize},
                                  {QStringLiteral("files"), layer.blob.files},
                                  {QStringLiteral("cached"), layer.cached}});
    return QJsonObject{{QStringLiteral("manifestDigest"), build.manifestDigest},
                       {QStringLiteral("configDigest"), build.configDigest},
                       {QStringLiteral("commit"), build.commit},
                       {QStringLiteral("source"), build.description},
                       {QStringLiteral("layers"), layers},
                       {QStringLiteral("seconds"), build.seconds}};
}

} // namespace

int runBuild(const Invocation &invocation, CommandContext &context)
{
    const QString command = invocation.command;
    // Check the destination before building, so a typo does not cost a build.
    if (invocation.isSet(QStringLiteral("push"))) {
        if (auto destination = ImageReference::parse(invocation.value(QStringLiteral("push"))); !destination)
            return reportError(context.err, command, destination.error());
    }

    std::optional<oci::LayoutReference> layout;
    if (invocation.isSet(QStringLiteral("oci-layout"))) {
        auto parsed = oci::LayoutReference::parse(invocation.value(QStringLiteral("oci-layout")));
        if (!parsed)
            return reportError(context.err, command, parsed.error());
        layout = parsed.value();
    }
    const int level =
        invocation.isSet(QStringLiteral("level")) ? invocation.value(QStringLiteral("level")).toInt() : -1;
    const QString compressionName = invocation.isSet(QStringLiteral("compression"))
                                        ? invocation.value(QStringLiteral("compression"))
                                        : QStringLiteral("gzip");
    auto compression = Compression::fromName(compressionName, level);
    if (!compression)
        return reportError(context.err, command, compression.error());

    const DataDirs dirs = DataDirs::resolve(invocation.dataDir);
    ProgressPrinter printer(context.err);
    NullEventSink quiet;
    BuildRequest request;
    request.source.location = invocation.arguments.constFirst();
    request.source.ref = invocation.value(QStringLiteral("ref"));
    request.source.cacheDir = dirs.cache;
    request.source.events = invocation.json ? static_cast<EventSink *>(&quiet) : &printer;
    request.source.stop = context.stop;
    request.compression = compression.value();
    request.jobs = invocation.value(QStringLiteral("jobs")).toInt();
    request.sourceDateEpoch = sourceDateEpochFromEnvironment();

    auto built = buildImage(request);
    if (!built)
        return reportError(context.err, command, built.error());

    if (layout) {
        QStringList blobs{built->configDigest};
        for (const BuiltLayer &layer : built->layers)
            blobs.append(layer.blob.digest);
        const ContentStore store(QDir(dirs.cache).filePath(QStringLiteral("blobs")));
        if (Status written =
                oci::writeLayout(*layout, store, built->manifestDigest, built->manifestSize, blobs);
            !written)
            return reportError(context.err, command, written.error());
    }

    std::optional<PushResult> pushed;
    if (invocation.isSet(QStringLiteral("push"))) {
        const ContentStore store(QDir(dirs.cache).filePath(QStringLiteral("blobs")));
        auto result = pushToRegistry([&store](const QString &digest) { return store.blobPath(digest); },
                                     built->manifestDigest, invocation.value(QStringLiteral("push")),
                                     invocation.dataDir, &quiet, context.stop);
        if (!result)
            return reportError(context.err, command, result.error());
        pushed = std::move(result).value();
    }

    if (invocation.json) {
        QJsonObject json = toJson(built.value());
        if (pushed) {
            const QJsonObject push = pushJson(*pushed);
            for (auto it = push.begin(); it != push.end(); ++it)
                json.insert(it.key(), it.value());
        }
        if (layout)
            json.insert(QStringLiteral("ociLayout"),
                        QString(QDir(layout->directory).absolutePath() + u':' + layout->tag));
        context.out << QJsonDocument(json).toJson(QJsonDocument::Compact) << Qt::endl;
    } else {
        printTable(context.out, built.value());
        if (layout)
            context.out << "written   " << QDir(layout->directory).absolutePath() << ':' << layout->tag
                        << Qt::endl;
        if (pushed)
            printPush(context.out, *pushed);
    }
    return 0;
}

} // namespace slipway::cli
