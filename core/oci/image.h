#pragma once

#include "oci/imagespec.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

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
    QList<ImageLayer> layers; // bottom first, the app's own layers
    // The base image's config JSON, when not built from scratch. Its rootfs and history come
    // first; its settings are inherited and the spec's override them (see imageConfig).
    QJsonObject baseConfig;
};

// The OCI image config JSON (deterministic: sorted keys, compact). The spec's labels plus
// org.opencontainers.image.revision and .source (and .created) become config labels.
// On a base image: Env is merged by variable name (base order, then the spec's new ones),
// Labels and ExposedPorts are merged, User, WorkingDir and Cmd are the spec's when it sets
// them; an Entrypoint the spec sets replaces the base's and drops its Cmd (as Docker does).
// Other settings of the base (StopSignal, Volumes, Healthcheck...) are kept.
QByteArray imageConfig(const ImageInput &input);

// The OCI image manifest JSON for a config and its layers.
QByteArray imageManifest(const Descriptor &config, const QList<ImageLayer> &layers,
                         const QMap<QString, QString> &annotations = {});

// One manifest of an index, for one platform.
struct IndexEntry
{
    Descriptor manifest;
    QString os;
    QString architecture;
    QString variant;
};

// The OCI image index JSON for per-platform manifests (in the order given).
QByteArray imageIndex(const QList<IndexEntry> &manifests, const QMap<QString, QString> &annotations = {});

// True for index media types: OCI image index, Docker manifest list.
bool isIndexMediaType(const QString &mediaType);
// True for image manifest media types: OCI, Docker schema 2.
bool isManifestMediaType(const QString &mediaType);
// The OCI layer media type for a Docker one (same bytes); others are returned unchanged.
QString ociLayerMediaType(const QString &mediaType);

// The manifest of an index (OCI or Docker list JSON) for a platform "os/arch[/variant]": os
// and architecture must match; a variant asked for must match (arm64's "v8" matches none);
// without one, an entry without variant is preferred, then the first. Empty if none fits.
std::optional<Descriptor> choosePlatform(const QJsonObject &index, const QString &platform);
// Whether an image for os/architecture/variant serves platform, by choosePlatform's rules (an
// image without a variant serves a platform that names none).
bool platformMatches(const QString &platform, const QString &os, const QString &architecture,
                     const QString &variant);
// "os/arch[/variant]" of the manifests of an index, for messages.
QStringList indexPlatforms(const QJsonObject &index);

// "2026-11-26T16:46:38Z"
QString rfc3339(qint64 secondsSinceEpoch);

// Splits "linux/arm64/v8" into os, architecture, variant.
void splitPlatform(const QString &platform, QString *os, QString *architecture, QString *variant);

} // namespace slipway::oci
