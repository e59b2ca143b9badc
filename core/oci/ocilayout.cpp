#include "ocilayout.h"

#include "oci/mediatypes.h"
#include "store/contentstore.h"
#include "util/sha256.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSaveFile>

#include <cerrno>
#include <cstring>
#include <unistd.h>

namespace slipway::oci {
namespace {

Status writeAtomically(const QString &path, const QByteArray &bytes)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return Error::failed(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    return success();
}

// Puts the store's blob into the layout: a hard link if possible, else a copy, renamed into place.
Status placeBlob(const ContentStore &store, const QString &digest, const QString &blobsDir)
{
    const QString source = store.blobPath(digest);
    const QString target = blobsDir + u'/' + digest.mid(7);
    const QFileInfo existing(target);
    if (existing.exists() && existing.size() == store.size(digest))
        return success();
    if (!QFileInfo::exists(source))
        return Error::failed(
            QStringLiteral("blob %1 is missing from the content store %2").arg(digest, store.root()));

    const QString temporary = target + QStringLiteral(".tmp-%1").arg(::getpid());
    QFile::remove(temporary);
    if (::link(QFile::encodeName(source).constData(), QFile::encodeName(temporary).constData()) != 0 &&
        !QFile::copy(source, temporary))
        return Error::failed(QStringLiteral("cannot write %1: %2")
                                 .arg(temporary, QString::fromLocal8Bit(std::strerror(errno))));
    if (::rename(QFile::encodeName(temporary).constData(), QFile::encodeName(target).constData()) != 0) {
        const int error = errno;
        QFile::remove(temporary);
        return Error::failed(
            QStringLiteral("cannot write %1: %2").arg(target, QString::fromLocal8Bit(std::strerror(error))));
    }
    return success();
}

// The blobs a manifest or index in the store refers to (for an index, its manifests' too), and
// its media type. Callers need not list them all: a base image's layers are found here.
void collectReferences(const ContentStore &store, const QString &digest, QStringList *blobs,
                       QString *mediaType, int depth = 0)
{
    auto bytes = store.read(digest);
    if (!bytes || depth > 2)
        return;
    const QJsonObject json = QJsonDocument::fromJson(bytes.value()).object();
    const bool index = json.contains(QStringLiteral("manifests"));
    if (mediaType)
        *mediaType =
            json.value(QStringLiteral("mediaType")).toString(index ? indexMediaType() : manifestMediaType());
    const auto add = [blobs](const QJsonValue &descriptor) {
        const QString blob = descriptor.toObject().value(QStringLiteral("digest")).toString();
        if (isSha256Digest(blob) && !blobs->contains(blob))
            blobs->append(blob);
    };
    if (index) {
        for (const QJsonValue &entry : json.value(QStringLiteral("manifests")).toArray()) {
            add(entry);
            collectReferences(store, entry.toObject().value(QStringLiteral("digest")).toString(), blobs,
                              nullptr, depth + 1);
        }
        return;
    }
    add(json.value(QStringLiteral("config")));
    for (const QJsonValue &layer : json.value(QStringLiteral("layers")).toArray())
        add(layer);
}

Status fillLayout(const LayoutReference &layout, const ContentStore &store, const QString &manifestDigest,
                  qint64 manifestSize, const QStringList &blobDigests, const QString &givenMediaType)
{
    const QDir dir(layout.directory);
    const QString blobsDir = dir.filePath(QStringLiteral("blobs/sha256"));
    if (!QDir().mkpath(blobsDir))
        return Error::failed(
            QStringLiteral("cannot create %1: permission denied or not a directory").arg(blobsDir));

    QStringList blobs = blobDigests;
    QString detectedType;
    collectReferences(store, manifestDigest, &blobs, &detectedType);
    const QString mediaType = givenMediaType.isEmpty() ? detectedType : givenMediaType;
    if (mediaType.isEmpty())
        return Error::failed(QStringLiteral("manifest %1 is missing from the content store %2")
                                 .arg(manifestDigest, store.root()));
    for (const QString &digest : blobs + QStringList{manifestDigest}) {
        if (Status placed = placeBlob(store, digest, blobsDir); !placed)
            return placed;
    }
    if (Status written =
            writeAtomically(dir.filePath(QStringLiteral("oci-layout")), R"({"imageLayoutVersion":"1.0.0"})");
        !written)
        return written;

    // Keep the other tags of an existing index; this tag now names the new manifest.
    QJsonObject index{{QStringLiteral("schemaVersion"), 2}, {QStringLiteral("mediaType"), indexMediaType()}};
    QJsonArray manifests;
    QFile existing(dir.filePath(QStringLiteral("index.json")));
    if (existing.open(QIODevice::ReadOnly)) {
        const QJsonObject old = QJsonDocument::fromJson(existing.readAll()).object();
        for (const QJsonValue &entry : old.value(QStringLiteral("manifests")).toArray()) {
            const QString tag = entry.toObject()
                                    .value(QStringLiteral("annotations"))
                                    .toObject()
                                    .value(refNameAnnotation())
                                    .toString();
            if (tag != layout.tag)
                manifests.append(entry);
        }
    }
    manifests.append(QJsonObject{
        {QStringLiteral("mediaType"), mediaType},
        {QStringLiteral("digest"), manifestDigest},
        {QStringLiteral("size"), manifestSize},
        {QStringLiteral("annotations"), QJsonObject{{refNameAnnotation(), layout.tag}}},
    });
    index.insert(QStringLiteral("manifests"), manifests);
    return writeAtomically(dir.filePath(QStringLiteral("index.json")),
                           QJsonDocument(index).toJson(QJsonDocument::Compact));
}

} // namespace

Result<LayoutReference> LayoutReference::parse(const QString &text)
{
    static const QRegularExpression tagPattern(
        QRegularExpression::anchoredPattern(QStringLiteral("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}")));
    LayoutReference reference{text, QStringLiteral("latest")};
    // "DIR:TAG" when what follows the last ':' looks like a tag (no '/'); a bare path otherwise.
    const qsizetype colon = text.lastIndexOf(u':');
    if (colon >= 0 && !text.mid(colon + 1).contains(u'/')) {
        reference.directory = text.left(colon);
        reference.tag = text.mid(colon + 1);
    }
    if (reference.directory.isEmpty())
        return Error::badInput(QStringLiteral("--oci-layout '%1': no directory given").arg(text));
    if (!tagPattern.match(reference.tag).hasMatch())
        return Error::badInput(
            QStringLiteral(
                "--oci-layout '%1': '%2' is not a valid tag (letters, digits, '_', '.', '-'; at most 128)")
                .arg(text, reference.tag));
    return reference;
}

Status writeLayout(const LayoutReference &layout, const ContentStore &store, const QString &manifestDigest,
                   qint64 manifestSize, const QStringList &blobDigests, const QString &mediaType)
{
    const QFileInfo info(layout.directory);
    if (info.exists() && !info.isDir())
        return Error::badInput(QStringLiteral("%1 exists and is not a directory").arg(layout.directory));
    if (info.isDir() && !QDir(layout.directory).isEmpty() &&
        !QFileInfo::exists(QDir(layout.directory).filePath(QStringLiteral("oci-layout"))))
        return Error::badInput(
            QStringLiteral("%1 is not empty and not an OCI image layout; choose an empty or new directory")
                .arg(layout.directory));

    const bool created = !info.exists();
    Status status = fillLayout(layout, store, manifestDigest, manifestSize, blobDigests, mediaType);
    if (!status && created)
        QDir(layout.directory).removeRecursively();
    return status;
}

} // namespace slipway::oci
