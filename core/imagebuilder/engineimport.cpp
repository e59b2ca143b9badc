#include "imagebuilder/engineimport.h"

#include "oci/image.h"
#include "oci/mediatypes.h"
#include "store/contentstore.h"

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

} // namespace

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

    ImportedImage image;
    image.platform = configJson.value(QStringLiteral("os")).toString(QStringLiteral("linux")) + u'/' +
                     configJson.value(QStringLiteral("architecture")).toString(QStringLiteral("amd64"));
    QList<oci::ImageLayer> manifestLayers;
    for (qsizetype i = 0; i < layers.size(); ++i) {
        if (!layers.at(i))
            return Error::failed(
                QStringLiteral("%1: the archive lacks layer %2").arg(what, layerNames.at(i)));
        const LayerBlob &blob = *layers.at(i);
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
    for (const LayerBlob &blob : std::as_const(image.layers))
        if (!image.blobs.contains(blob.digest))
            image.blobs.append(blob.digest);
    return image;
}

} // namespace slipway
