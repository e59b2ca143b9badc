#include "dockerarchive.h"

#include "oci/image.h"
#include "util/sha256.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <archive.h>
#include <archive_entry.h>

#include <memory>

namespace slipway::oci {
namespace {

constexpr qint64 chunkSize = 256 * 1024;

struct ArchiveDeleter
{
    void operator()(archive *a) const { archive_write_free(a); }
};
struct EntryDeleter
{
    void operator()(archive_entry *e) const { archive_entry_free(e); }
};

struct Output
{
    const std::function<Status(const char *, qsizetype)> *write = nullptr;
    std::optional<Error> error;
    bool abandoned = false; // nothing more reaches the sink (libarchive pads on free)
};

// Never fails towards libarchive: a failed libarchive stream leaks its client buffer on free
// (3.6). After a sink error, or once abandoned, bytes are dropped and the writer checks error.
la_ssize_t onWrite(archive *, void *clientData, const void *buffer, size_t length)
{
    auto *output = static_cast<Output *>(clientData);
    if (output->error || output->abandoned)
        return la_ssize_t(length);
    Status status = (*output->write)(static_cast<const char *>(buffer), qsizetype(length));
    if (!status)
        output->error = status.error();
    return la_ssize_t(length);
}

QString hexOf(const QString &digest)
{
    return digest.section(u':', 1);
}

class ArchiveWriter
{
public:
    ArchiveWriter(const std::function<Status(const char *, qsizetype)> &write, std::stop_token stop)
        : m_archive(archive_write_new())
        , m_entry(archive_entry_new())
        , m_stop(std::move(stop))
    {
        m_output.write = &write;
    }
    ~ArchiveWriter()
    {
        // An unfinished archive is abandoned: libarchive's closing padding must not reach the sink.
        m_output.abandoned = true;
    }
    ArchiveWriter(const ArchiveWriter &) = delete;
    ArchiveWriter &operator=(const ArchiveWriter &) = delete;

    Status open()
    {
        // ustar with 512-byte records only: the stream goes straight to the sink, unpadded.
        if (!m_archive || !m_entry ||
            archive_write_set_format_pax_restricted(m_archive.get()) != ARCHIVE_OK ||
            archive_write_set_bytes_per_block(m_archive.get(), 0) != ARCHIVE_OK ||
            archive_write_open2(m_archive.get(), &m_output, nullptr, &onWrite, nullptr, nullptr) !=
                ARCHIVE_OK)
            return failure(QStringLiteral("cannot start the tar stream"));
        return success();
    }

    Status addBytes(const QString &name, const QByteArray &bytes)
    {
        if (Status header = writeHeader(name, bytes.size()); !header)
            return header;
        if (archive_write_data(m_archive.get(), bytes.constData(), size_t(bytes.size())) != bytes.size() ||
            m_output.error)
            return failure(QStringLiteral("cannot write %1").arg(name));
        return success();
    }

    Status addFile(const QString &name, const QString &path, const QString &digest, qint64 expectedSize)
    {
        QFile file(path);
        if (path.isEmpty() || !file.open(QIODevice::ReadOnly))
            return Error::failed(
                QStringLiteral("docker archive: blob %1 is not available%2")
                    .arg(digest, path.isEmpty() ? QString() : QStringLiteral(": ") + file.errorString()));
        const qint64 size = file.size();
        if (expectedSize >= 0 && size != expectedSize)
            return Error::failed(QStringLiteral("docker archive: blob %1 has %2 bytes, the manifest says %3")
                                     .arg(digest)
                                     .arg(size)
                                     .arg(expectedSize));
        if (Status header = writeHeader(name, size); !header)
            return header;
        QByteArray buffer(chunkSize, Qt::Uninitialized);
        qint64 done = 0;
        while (done < size) {
            if (m_stop.stop_requested())
                return Error::cancelled(QStringLiteral("docker archive: cancelled"));
            const qint64 n = file.read(buffer.data(), std::min(chunkSize, size - done));
            if (n <= 0)
                return Error::failed(QStringLiteral("docker archive: cannot read blob %1: %2")
                                         .arg(digest, file.errorString()));
            if (archive_write_data(m_archive.get(), buffer.constData(), size_t(n)) != n || m_output.error)
                return failure(QStringLiteral("cannot write %1").arg(name));
            done += n;
        }
        return success();
    }

    Status finish()
    {
        if (archive_write_close(m_archive.get()) != ARCHIVE_OK || m_output.error)
            return failure(QStringLiteral("cannot finish the tar stream"));
        return success();
    }

private:
    Status writeHeader(const QString &name, qint64 size)
    {
        if (m_stop.stop_requested())
            return Error::cancelled(QStringLiteral("docker archive: cancelled"));
        archive_entry_clear(m_entry.get());
        const QByteArray path = name.toUtf8(); // ASCII only: hex digests and fixed names
        archive_entry_copy_pathname(m_entry.get(), path.constData());
        archive_entry_set_filetype(m_entry.get(), AE_IFREG);
        archive_entry_set_perm(m_entry.get(), 0644);
        archive_entry_set_size(m_entry.get(), size);
        archive_entry_set_mtime(m_entry.get(), 0, 0); // reproducible: same image, same bytes
        if (archive_write_header(m_archive.get(), m_entry.get()) != ARCHIVE_OK || m_output.error)
            return failure(QStringLiteral("cannot write the header of %1").arg(name));
        return success();
    }

    Error failure(const QString &what)
    {
        // A failing sink is the real cause; libarchive only knows its write failed.
        if (m_output.error)
            return *m_output.error;
        return Error::failed(QStringLiteral("docker archive: %1: %2")
                                 .arg(what, m_archive
                                                ? QString::fromUtf8(archive_error_string(m_archive.get()))
                                                : QStringLiteral("out of memory")));
    }

    std::unique_ptr<archive, ArchiveDeleter> m_archive;
    std::unique_ptr<archive_entry, EntryDeleter> m_entry;
    Output m_output;
    std::stop_token m_stop;
};

Result<QByteArray> readBlob(const std::function<QString(const QString &)> &blobPath, const QString &digest)
{
    const QString path = blobPath(digest);
    QFile file(path);
    if (path.isEmpty() || !file.open(QIODevice::ReadOnly))
        return Error::failed(QStringLiteral("docker archive: blob %1 is not available").arg(digest));
    if (file.size() > 16 * 1024 * 1024)
        return Error::failed(
            QStringLiteral("docker archive: %1 is too large for a manifest or config").arg(digest));
    QByteArray bytes = file.readAll();
    if (Sha256::digestOf(bytes) != digest)
        return Error::failed(QStringLiteral("docker archive: blob %1 does not match its digest").arg(digest));
    return bytes;
}

} // namespace

Status writeDockerArchive(const std::function<QString(const QString &digest)> &blobPath,
                          const QString &manifestDigest, const QStringList &repoTags,
                          const std::function<Status(const char *data, qsizetype size)> &write,
                          std::stop_token stop)
{
    auto manifestBytes = readBlob(blobPath, manifestDigest);
    if (!manifestBytes)
        return manifestBytes.error();
    QJsonObject manifest = QJsonDocument::fromJson(manifestBytes.value()).object();
    if (manifest.contains(QStringLiteral("manifests"))) {
        // An index: the engines load one image; linux/amd64 if there is one, else the first.
        std::optional<Descriptor> chosen = choosePlatform(manifest, QStringLiteral("linux/amd64"));
        const QJsonArray entries = manifest.value(QStringLiteral("manifests")).toArray();
        const QString digest =
            chosen ? chosen->digest : entries.at(0).toObject().value(QStringLiteral("digest")).toString();
        if (!isSha256Digest(digest))
            return Error::badInput(
                QStringLiteral("docker archive: index %1 names no image manifest").arg(manifestDigest));
        manifestBytes = readBlob(blobPath, digest);
        if (!manifestBytes)
            return manifestBytes.error();
        manifest = QJsonDocument::fromJson(manifestBytes.value()).object();
    }
    const QJsonObject config = manifest.value(QStringLiteral("config")).toObject();
    const QString configDigest = config.value(QStringLiteral("digest")).toString();
    if (manifest.contains(QStringLiteral("manifests")) || !isSha256Digest(configDigest))
        return Error::badInput(
            QStringLiteral("docker archive: %1 is not an image manifest with a sha256 config")
                .arg(manifestDigest));
    auto configBytes = readBlob(blobPath, configDigest);
    if (!configBytes)
        return configBytes.error();

    struct Layer
    {
        QString digest;
        qint64 size = 0;
    };
    QList<Layer> layers;
    QJsonArray layerNames;
    for (const QJsonValue &value : manifest.value(QStringLiteral("layers")).toArray()) {
        const QJsonObject layer = value.toObject();
        const QString digest = layer.value(QStringLiteral("digest")).toString();
        if (!isSha256Digest(digest))
            return Error::badInput(
                QStringLiteral("docker archive: manifest %1 has a layer without a sha256 digest")
                    .arg(manifestDigest));
        layers.append(Layer{digest, layer.value(QStringLiteral("size")).toInteger(-1)});
        layerNames.append(QString(hexOf(digest) + QStringLiteral("/layer.tar")));
    }

    const QString configName = hexOf(configDigest) + QStringLiteral(".json");
    QJsonObject entry{{QStringLiteral("Config"), configName},
                      {QStringLiteral("RepoTags"), QJsonArray::fromStringList(repoTags)},
                      {QStringLiteral("Layers"), layerNames}};
    const QByteArray manifestJson = QJsonDocument(QJsonArray{entry}).toJson(QJsonDocument::Compact);

    ArchiveWriter tar(write, std::move(stop));
    if (Status opened = tar.open(); !opened)
        return opened;
    // manifest.json first: a loader reading the stream in order knows what follows.
    if (Status added = tar.addBytes(QStringLiteral("manifest.json"), manifestJson); !added)
        return added;
    if (Status added = tar.addBytes(configName, configBytes.value()); !added)
        return added;
    QSet<QString> written;
    for (const Layer &layer : std::as_const(layers)) {
        if (written.contains(layer.digest))
            continue; // the same blob twice (e.g. empty layers) is stored once
        written.insert(layer.digest);
        if (Status added = tar.addFile(hexOf(layer.digest) + QStringLiteral("/layer.tar"),
                                       blobPath(layer.digest), layer.digest, layer.size);
            !added)
            return added;
    }
    return tar.finish();
}

} // namespace slipway::oci
