#pragma once

#include "spec/spec.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>

namespace slipway::oci {

// A content descriptor: what a manifest or index points at.
struct Descriptor
{
    QString mediaType;
    QString digest; // "sha256:<hex>"
    qint64 size = 0;
    QMap<QString, QString> annotations;

    QJsonObject toJson() const;
};

// One layer of an image as the config and manifest need it.
struct ImageLayer
{
    QString name;      // the spec's layer name, for the history entry
    Descriptor blob;   // the compressed blob
    QString diffId;    // sha256 of the uncompressed tar
    QString createdBy; // history: what made it
};

struct ImageInput
{
    ImageSpec image;
    QString revision;   // commit id, empty for a directory source
    QString source;     // the source's location (URL or path), for org.opencontainers.image.source
    qint64 created = 0; // seconds since the epoch
    QString os = QStringLiteral("linux");
    QString architecture = QStringLiteral("amd64");
    QString variant;
    QList<ImageLayer> layers; // bottom first
};

// The OCI image config JSON (deterministic: sorted keys, compact). The spec's labels plus
// org.opencontainers.image.revision and .source (and .created) become config labels.
QByteArray imageConfig(const ImageInput &input);

// The OCI image manifest JSON for a config and its layers.
QByteArray imageManifest(const Descriptor &config, const QList<ImageLayer> &layers,
                         const QMap<QString, QString> &annotations = {});

// "2026-11-26T16:46:38Z"
QString rfc3339(qint64 secondsSinceEpoch);

// Splits "linux/arm64/v8" into os, architecture, variant.
void splitPlatform(const QString &platform, QString *os, QString *architecture, QString *variant);

} // namespace slipway::oci
