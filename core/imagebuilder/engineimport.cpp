#include "imagebuilder/engineimport.h"

#include "oci/image.h"
#include "oci/mediatypes.h"
#include "registry/localregistry.h"
#include "store/contentstore.h"
#include "util/text.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryFile>

#include <archive.h>
#include <archive_entry.h>

#include <memory>

namespace slipway {
namespace {

struct ArchiveCloser
{
    void operator()(archive *a) const { archive_read_free(a); }
};

// Walks the tar at `path`: for each entry, `visit(name, archive)` reads what it wants of it
// (archive_read_data) and says whether to go on.
Status walkTar(const QString &path, const QString &what,
               const std::function<Result<bool>(const QString &name, archive *a)> &visit)
{
    std::unique_ptr<archive, ArchiveCloser> tar(archive_read_new());
    archive_read_support_format_tar(tar.get());
    if (archive_read_open_filename(tar.get(), QFile::encodeName(path).constData(), 1 << 20) != ARCHIVE_OK)
        return Error::failed(
            QStringLiteral("%1: %2").arg(what, QString::fromLocal8Bit(archive_error_string(tar.get()))));
    archive_entry *entry = nullptr;
    for (;;) {
        const int status = archive_read_next_header(tar.get(), &entry);
        if (status == ARCHIVE_EOF)
            return success();
        if (status != ARCHIVE_OK)
            return Error::failed(
                QStringLiteral("%1: %2").arg(what, QString::fromLocal8Bit(archive_error_string(tar.get()))));
        auto goOn = visit(QString::fromUtf8(archive_entry_pathname(entry)), tar.get());
        if (!goOn)
            return goOn.error();
        if (!goOn.value())
            return success();
    }
}

Result<QByteArray> readEntry(archive *a, const QString &what)
{
    QByteArray bytes;
    char buffer[64 * 1024];
    for (;;) {
        const la_ssize_t n = archive_read_data(a, buffer, sizeof buffer);
        if (n < 0)
            return Error::failed(
                QStringLiteral("%1: %2").arg(what, QString::fromLocal8Bit(archive_error_string(a))));
        if (n == 0)
            return bytes;
        if (bytes.size() + n > 64 * 1024 * 1024)
            return Error::failed(QStringLiteral("%1: more than 64 MiB").arg(what));
        bytes.append(buffer, n);
    }
}

// The config's digest, platform and layers, and the OCI manifest over them, into `image`.
Status finishImport(ImportedImage &image, const QByteArray &config, const QList<LayerBlob> &layers,
                    const ContentStore &store)
{
    const QJsonObject configJson = QJsonDocument::fromJson(config).object();
    image.platform = configJson.value(QStringLiteral("os")).toString(QStringLiteral("linux")) + u'/' +
                     configJson.value(QStringLiteral("architecture")).toString(QStringLiteral("amd64"));
    QList<oci::ImageLayer> manifestLayers;
    for (const LayerBlob &blob : layers) {
        image.layers.append(blob);
        manifestLayers.append(
            oci::ImageLayer{.name = {},
                            .blob = oci::Descriptor{blob.mediaType, blob.digest, blob.size, {}},
                            .diffId = blob.diffId,
                            .createdBy = {}});
    }
    auto configDigest = store.put(config);
    if (!configDigest)
        return configDigest.error();
    image.configDigest = configDigest.value();
    image.configSize = config.size();
    image.manifest = oci::imageManifest(
        oci::Descriptor{oci::configMediaType(), image.configDigest, image.configSize, {}}, manifestLayers);
    auto manifestDigest = store.put(image.manifest);
    if (!manifestDigest)
        return manifestDigest.error();
    image.manifestDigest = manifestDigest.value();
    image.manifestSize = image.manifest.size();
    image.blobs.append(image.configDigest);
    image.bytes = image.configSize;
    for (const LayerBlob &blob : std::as_const(image.layers)) {
        image.bytes += blob.size;
        if (!image.blobs.contains(blob.digest))
            image.blobs.append(blob.digest);
    }
    return success();
}

// An engine's layer media type as OCI's (the bytes are the same); empty for one Slipway does not
// take (foreign layers).
QString ociLayerType(const QString &mediaType)
{
    if (mediaType == u"application/vnd.docker.image.rootfs.diff.tar.gzip" ||
        mediaType == u"application/vnd.oci.image.layer.v1.tar+gzip")
        return QStringLiteral("application/vnd.oci.image.layer.v1.tar+gzip");
    if (mediaType == u"application/vnd.oci.image.layer.v1.tar+zstd" ||
        mediaType == u"application/vnd.oci.image.layer.v1.tar")
        return mediaType;
    return {};
}

// A port of 127.0.0.1 that stays the same for one store from run to run, so that an engine
// that remembers where it pushed a layer (Podman's blob cache is per registry host) finds it
// there again. The ports lie below Linux's range for outgoing connections (32768-60999 by
// default): a port in it may be held by any client's connection, and a port that is not free
// makes the registry listen elsewhere, where Podman sends every layer again.
quint16 stablePort(const QString &key)
{
    return quint16(22000 + qChecksum(key.toUtf8()) % 10000);
}

} // namespace

Result<ImportedImage> receiveEngineImage(EngineClient &client, const QString &imageId,
                                         const ContentStore &store, const QString &name)
{
    const QString what =
        QStringLiteral("%1: push image %2 to this machine").arg(client.target().name, imageId);
    LocalRegistry registry(store.root());
    const QString space = repositoryComponent(name);
    const QString repository =
        QStringLiteral("slipway-build/") + (space.isEmpty() ? QStringLiteral("app") : space);
    registry.acceptPushes(repository);
    if (Status started = registry.start(stablePort(store.root())); !started)
        return Error::failed(what + QStringLiteral(": ") + started.error().message);
    auto port =
        client.exposeLocalPort(registry.port(), stablePort(store.root() + u'@' + client.target().endpoint));
    if (!port)
        return Error(port.error().kind, what + QStringLiteral(": ") + port.error().message);
    const QString tag = imageId.section(u':', -1).left(12);
    if (Status pushed = client.pushToLoopback(
            imageId, QStringLiteral("127.0.0.1:%1/%2").arg(port.value()).arg(repository), tag);
        !pushed)
        return Error(pushed.error().kind, what + QStringLiteral(": ") + pushed.error().message);
    registry.stop();
    const QString digest = registry.pushedManifest(tag);
    auto manifestBytes = digest.isEmpty() ? Result<QByteArray>(Error::failed(QStringLiteral("no manifest")))
                                          : store.read(digest);
    if (!manifestBytes)
        return Error::failed(what + QStringLiteral(": the engine pushed no manifest for tag ") + tag);
    const QJsonObject manifest = QJsonDocument::fromJson(manifestBytes.value()).object();
    const QString configDigest =
        manifest.value(QStringLiteral("config")).toObject().value(QStringLiteral("digest")).toString();
    auto config = store.read(configDigest);
    if (!config)
        return Error::failed(
            QStringLiteral("%1: the pushed config %2 is not in the store").arg(what, configDigest));
    const QJsonArray diffIds = QJsonDocument::fromJson(config.value())
                                   .object()
                                   .value(QStringLiteral("rootfs"))
                                   .toObject()
                                   .value(QStringLiteral("diff_ids"))
                                   .toArray();
    const QJsonArray pushedLayers = manifest.value(QStringLiteral("layers")).toArray();
    if (diffIds.size() != pushedLayers.size())
        return Error::failed(QStringLiteral("%1: the config lists %2 layers, the pushed manifest %3")
                                 .arg(what)
                                 .arg(diffIds.size())
                                 .arg(pushedLayers.size()));
    QList<LayerBlob> layers;
    for (qsizetype i = 0; i < pushedLayers.size(); ++i) {
        const QJsonObject layer = pushedLayers.at(i).toObject();
        LayerBlob blob;
        blob.digest = layer.value(QStringLiteral("digest")).toString();
        blob.diffId = diffIds.at(i).toString();
        blob.mediaType = ociLayerType(layer.value(QStringLiteral("mediaType")).toString());
        blob.size = qint64(layer.value(QStringLiteral("size")).toDouble());
        if (blob.mediaType.isEmpty())
            return Error::failed(
                QStringLiteral("%1: layer %2 is of type %3, which Slipway does not take")
                    .arg(what, blob.digest, layer.value(QStringLiteral("mediaType")).toString()));
        if (!store.contains(blob.digest))
            return Error::failed(QStringLiteral("%1: layer %2 is not in the store").arg(what, blob.digest));
        layers.append(blob);
    }
    ImportedImage image;
    if (Status finished = finishImport(image, config.value(), layers, store); !finished)
        return finished.error();
    image.bytesReceived = registry.blobBytesReceived();
    return image;
}

Result<ImportedImage> importEngineImage(EngineClient &client, const QString &imageId,
                                        const ContentStore &store, const LayerCache &cache,
                                        const Compression &compression, QThreadPool *pool, int threads)
{
    const QString what = QStringLiteral("%1: import image %2").arg(client.target().name, imageId);
    // The archive first lands beside the store (same file system), and goes when this returns.
    QDir().mkpath(store.root() + QStringLiteral("/ingest"));
    QTemporaryFile saved(store.root() + QStringLiteral("/ingest/engine-image-XXXXXX.tar"));
    if (!saved.open())
        return Error::failed(
            QStringLiteral("%1: cannot write %2: %3").arg(what, saved.fileName(), saved.errorString()));
    Status fetched = client.saveImage(imageId, [&](const char *data, qsizetype size) -> Status {
        if (saved.write(data, size) != size)
            return Error::failed(
                QStringLiteral("cannot write %1: %2").arg(saved.fileName(), saved.errorString()));
        return success();
    });
    if (!fetched)
        return Error(fetched.error().kind, what + QStringLiteral(": ") + fetched.error().message);
    if (!saved.flush())
        return Error::failed(QStringLiteral("%1: cannot write %2").arg(what, saved.fileName()));

    // Pass 1: which config and which layer files, from manifest.json; then the config itself.
    QJsonObject entry;
    Status read = walkTar(saved.fileName(), what, [&](const QString &name, archive *a) -> Result<bool> {
        if (name != u"manifest.json")
            return true;
        auto bytes = readEntry(a, what);
        if (!bytes)
            return bytes.error();
        const QJsonArray images = QJsonDocument::fromJson(bytes.value()).array();
        if (images.isEmpty())
            return Error::failed(QStringLiteral("%1: manifest.json lists no image").arg(what));
        entry = images.first().toObject();
        return false;
    });
    if (!read)
        return read.error();
    const QString configName = entry.value(QStringLiteral("Config")).toString();
    QStringList layerNames;
    for (const QJsonValue &layer : entry.value(QStringLiteral("Layers")).toArray())
        layerNames.append(layer.toString());
    if (configName.isEmpty())
        return Error::failed(
            QStringLiteral("%1: the archive has no manifest.json naming a config").arg(what));

    QByteArray config;
    read = walkTar(saved.fileName(), what, [&](const QString &name, archive *a) -> Result<bool> {
        if (name != configName)
            return true;
        auto bytes = readEntry(a, what);
        if (!bytes)
            return bytes.error();
        config = bytes.value();
        return false;
    });
    if (!read)
        return read.error();
    const QJsonObject configJson = QJsonDocument::fromJson(config).object();
    const QJsonArray diffIds =
        configJson.value(QStringLiteral("rootfs")).toObject().value(QStringLiteral("diff_ids")).toArray();
    if (config.isEmpty() || diffIds.size() != layerNames.size())
        return Error::failed(QStringLiteral("%1: the config (%2) does not list the archive's %3 layers")
                                 .arg(what, configName)
                                 .arg(layerNames.size()));

    // Pass 2: each layer tar, compressed and hashed into the store as it is read.
    QList<std::optional<LayerBlob>> layers(layerNames.size());
    read = walkTar(saved.fileName(), what, [&](const QString &name, archive *a) -> Result<bool> {
        const qsizetype index = layerNames.indexOf(name);
        if (index < 0 || layers.at(index))
            return true;
        // Imported before: its blob is in the store, compressed as it would be now.
        const QString cacheKey = LayerCache::importKey(diffIds.at(index).toString(), compression);
        if (std::optional<LayerBlob> known = cache.find(cacheKey)) {
            layers[index] = *known;
            return true;
        }
        auto writer = store.begin();
        if (!writer)
            return writer.error();
        BlobEncoder encoder(
            compression, [&](const char *data, qsizetype size) { return writer.value()->write(data, size); },
            pool, threads);
        char buffer[256 * 1024];
        for (;;) {
            const la_ssize_t n = archive_read_data(a, buffer, sizeof buffer);
            if (n < 0)
                return Error::failed(QStringLiteral("%1: %2: %3")
                                         .arg(what, name, QString::fromLocal8Bit(archive_error_string(a))));
            if (n == 0)
                break;
            if (Status written = encoder.write(buffer, n); !written)
                return written.error();
        }
        auto encoded = encoder.finish();
        if (!encoded)
            return encoded.error();
        const QString expected = diffIds.at(index).toString();
        if (encoded->diffId != expected)
            return Error::failed(QStringLiteral("%1: layer %2 is %3, the config says %4")
                                     .arg(what, name, encoded->diffId, expected));
        if (Status committed = writer.value()->commit(encoded->digest, encoded->size); !committed)
            return committed.error();
        layers[index] = LayerBlob{encoded->digest, encoded->diffId,           compression.layerMediaType(),
                                  encoded->size,   encoded->uncompressedSize, 0};
        // Only reuse is lost when it cannot be remembered.
        (void)cache.remember(cacheKey, *layers.at(index));
        return true;
    });
    if (!read)
        return read.error();

    QList<LayerBlob> blobs;
    for (qsizetype i = 0; i < layers.size(); ++i) {
        if (!layers.at(i))
            return Error::failed(
                QStringLiteral("%1: the archive lacks layer %2").arg(what, layerNames.at(i)));
        blobs.append(*layers.at(i));
    }
    ImportedImage image;
    if (Status finished = finishImport(image, config, blobs, store); !finished)
        return finished.error();
    image.bytesReceived = saved.size(); // the whole archive, uncompressed
    return image;
}

} // namespace slipway
