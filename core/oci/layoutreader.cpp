#include "oci/layoutreader.h"

#include "oci/mediatypes.h"
#include "util/sha256.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>

namespace slipway::oci {

Result<LayoutImage> resolveLayout(const LayoutReference &layout)
{
    const QDir directory(layout.directory);
    const QString indexPath = directory.filePath(QStringLiteral("index.json"));
    QFile file(indexPath);
    if (!file.open(QIODevice::ReadOnly))
        return Error::badInput(
            QStringLiteral("%1 is not an OCI image layout: %2").arg(layout.directory, file.errorString()));
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (!document.isObject())
        return Error::badInput(QStringLiteral("%1: %2").arg(indexPath, parseError.errorString()));

    QStringList tags;
    const QJsonArray manifests = document.object().value(QStringLiteral("manifests")).toArray();
    for (const QJsonValue &value : manifests) {
        const QJsonObject manifest = value.toObject();
        const QString tag =
            manifest.value(QStringLiteral("annotations")).toObject().value(refNameAnnotation()).toString();
        if (tag != layout.tag) {
            if (!tag.isEmpty())
                tags.append(tag);
            continue;
        }
        LayoutImage image;
        image.directory = layout.directory;
        image.manifestDigest = manifest.value(QStringLiteral("digest")).toString();
        image.manifestSize = manifest.value(QStringLiteral("size")).toInteger();
        image.mediaType = manifest.value(QStringLiteral("mediaType")).toString();
        if (!isSha256Digest(image.manifestDigest))
            return Error::badInput(QStringLiteral("%1: the manifest tagged %2 has an invalid digest")
                                       .arg(indexPath, layout.tag));
        return image;
    }
    return Error::badInput(
        QStringLiteral("%1 has no image tagged %2 (tags: %3)")
            .arg(layout.directory, layout.tag,
                 tags.isEmpty() ? QStringLiteral("none") : tags.join(QStringLiteral(", "))));
}

QString layoutBlobPath(const QString &directory, const QString &digest)
{
    if (!isSha256Digest(digest))
        return {};
    return QDir(directory).filePath(QStringLiteral("blobs/sha256/") + digest.mid(7));
}

} // namespace slipway::oci
