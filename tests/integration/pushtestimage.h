#pragma once

// A synthetic image in an OCI layout for the push tests: random layers of chosen sizes, a small
// config and a manifest, so that tests can make large or many blobs without building anything.

#include "util/sha256.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QString>

namespace slipway::test {

struct PushTestImage
{
    QString directory; // the OCI layout
    QString manifestDigest;
    QString configDigest;
    QStringList layerDigests;
    QList<qint64> layerSizes;

    QString blobPath(const QString &digest) const
    {
        return directory + QStringLiteral("/blobs/sha256/") + digest.section(u':', 1);
    }
    QStringList blobDigests() const { return QStringList{configDigest} + layerDigests; }
};

inline QString writeTestBlob(const QString &directory, const QByteArray &bytes)
{
    const QString digest = Sha256::digestOf(bytes);
    QDir().mkpath(directory + QStringLiteral("/blobs/sha256"));
    QFile file(directory + QStringLiteral("/blobs/sha256/") + digest.section(u':', 1));
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        return {};
    return digest;
}

// Writes the layout into directory with tag "latest". seed makes different images differ.
inline PushTestImage makePushTestImage(const QString &directory, const QList<qint64> &layerSizes,
                                       quint32 seed)
{
    PushTestImage image;
    image.directory = directory;
    QRandomGenerator random(seed);
    QJsonArray layers;
    for (const qint64 size : layerSizes) {
        QByteArray bytes(size, Qt::Uninitialized);
        random.fillRange(reinterpret_cast<quint32 *>(bytes.data()), size / 4);
        const QString digest = writeTestBlob(directory, bytes);
        image.layerDigests.append(digest);
        image.layerSizes.append(size);
        layers.append(QJsonObject{
            {QStringLiteral("mediaType"), QStringLiteral("application/vnd.oci.image.layer.v1.tar")},
            {QStringLiteral("digest"), digest},
            {QStringLiteral("size"), size}});
    }
    const QByteArray config =
        QJsonDocument(QJsonObject{{QStringLiteral("architecture"), QStringLiteral("amd64")},
                                  {QStringLiteral("os"), QStringLiteral("linux")},
                                  {QStringLiteral("created"), QStringLiteral("2026-01-01T00:00:00Z")},
                                  {QStringLiteral("author"), QString::number(seed)},
                                  {QStringLiteral("rootfs"),
                                   QJsonObject{{QStringLiteral("type"), QStringLiteral("layers")},
                                               {QStringLiteral("diff_ids"), QJsonArray{}}}}})
            .toJson(QJsonDocument::Compact);
    image.configDigest = writeTestBlob(directory, config);
    const QByteArray manifest =
        QJsonDocument(QJsonObject{{QStringLiteral("schemaVersion"), 2},
                                  {QStringLiteral("mediaType"),
                                   QStringLiteral("application/vnd.oci.image.manifest.v1+json")},
                                  {QStringLiteral("config"),
                                   QJsonObject{{QStringLiteral("mediaType"),
                                                QStringLiteral("application/vnd.oci.image.config.v1+json")},
                                               {QStringLiteral("digest"), image.configDigest},
                                               {QStringLiteral("size"), config.size()}}},
                                  {QStringLiteral("layers"), layers}})
            .toJson(QJsonDocument::Compact);
    image.manifestDigest = writeTestBlob(directory, manifest);
    const QByteArray index =
        QJsonDocument(QJsonObject{{QStringLiteral("schemaVersion"), 2},
                                  {QStringLiteral("manifests"),
                                   QJsonArray{QJsonObject{
                                       {QStringLiteral("mediaType"),
                                        QStringLiteral("application/vnd.oci.image.manifest.v1+json")},
                                       {QStringLiteral("digest"), image.manifestDigest},
                                       {QStringLiteral("size"), manifest.size()},
                                       {QStringLiteral("annotations"),
                                        QJsonObject{{QStringLiteral("org.opencontainers.image.ref.name"),
                                                     QStringLiteral("latest")}}}}}}})
            .toJson(QJsonDocument::Compact);
    QFile indexFile(directory + QStringLiteral("/index.json"));
    QFile marker(directory + QStringLiteral("/oci-layout"));
    if (!indexFile.open(QIODevice::WriteOnly) || indexFile.write(index) != index.size() ||
        !marker.open(QIODevice::WriteOnly) || marker.write("{\"imageLayoutVersion\":\"1.0.0\"}") < 0)
        image.manifestDigest.clear();
    return image;
}

} // namespace slipway::test
