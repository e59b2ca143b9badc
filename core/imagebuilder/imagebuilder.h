#pragma once

#include "archive/blobencoder.h"
#include "engine/target.h"
#include "imagebuilder/layercache.h"
#include "projectfile/spec.h"
#include "registry/puller.h"
#include "source/opensource.h"
#include "util/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <functional>
#include <optional>
#include <stop_token>

class QThreadPool;

namespace slipway {

class EventSink;

// The mtime of every file in a layer when SOURCE_DATE_EPOCH is not set: one constant, so a
// layer's bytes depend on its files only and a new commit leaves unchanged layers cached (as ko,
// Jib and rules_oci do). 2000-01-01T00:00:00Z, Bazel's "portable" mtime: tools that read zip
// or tar times before 1980 as broken take it.
inline constexpr qint64 defaultLayerMtime = 946684800;

struct BuildRequest
{
    SourceOptions source; // location, ref, cache dir, events and stop are taken from here
    Compression compression;
    int jobs = 0;                // worker threads; 0: one per core
    QThreadPool *pool = nullptr; // null: a pool of `jobs` threads made for this build
    // SOURCE_DATE_EPOCH: when set, the files' mtime in every layer and the image's `created`.
    // Unset, the files' mtime is defaultLayerMtime and `created` is the source's timestamp (the
    // commit time; for a directory, its newest file).
    std::optional<qint64> sourceDateEpoch;
    // Makes the client for a base image's registry. Null: anonymous or with the user's Docker
    // and Podman credentials (CredentialStore::fromEnvironment()), the system's CAs.
    RegistryClientFactory registryClient;
    // A Dockerfile build (a source without [[layers]]) runs on an engine: `engine` (--engine),
    // else the target [build] engine names (found through resolveEngine), else `defaultEngine`
    // (a deploy's first target, the window's first picked one). None: a BadInput error saying
    // how to name one.
    std::optional<Target> engine;
    std::optional<Target> defaultEngine;
    std::function<Result<Target>(const QString &name)> resolveEngine;
    // As --data-dir (empty: $SLIPWAY_HOME or the XDG directories): whose saved registry logins
    // pull a Dockerfile's private bases onto the engine before it builds.
    QString dataDir;
};

struct BuiltLayer
{
    QString name;
    LayerBlob blob;
    bool cached = false;

    // {name, digest, diffId, mediaType, size, uncompressedSize, files, cached}: what
    // `slipway-cli build --json` prints and the window shows of a layer.
    QJsonObject toJson() const;
};

// The image of one platform.
struct PlatformImage
{
    QString platform; // "os/arch[/variant]"
    QString configDigest;
    qint64 configSize = 0;
    QString manifestDigest;
    qint64 manifestSize = 0;
    QString baseManifestDigest; // empty on scratch
};

struct BuildOutput
{
    QString location;      // what was built, as given
    QString description;   // "URL at REF (abc1234)"
    QString commit;        // empty for a directory
    QString commitMessage; // the commit's summary line; empty for a directory
    Spec spec;
    QList<BuiltLayer> layers;
    QString configDigest; // of the first platform's image
    qint64 configSize = 0;
    // The image manifest, or with several platforms the OCI index of their manifests.
    QString manifestDigest;
    qint64 manifestSize = 0;
    QByteArray manifest;
    QString mediaType;
    QList<PlatformImage> images; // one per platform, in the spec's order
    // Every blob manifestDigest needs, below it: configs, base and app layers, platform manifests.
    QStringList blobs;
    // The base image's registry and repository (empty on scratch), and its layer digests: what a
    // push to the same registry can mount instead of uploading.
    QString baseRegistry;
    QString baseRepository;
    QStringList baseLayers;
    double seconds = 0;
};

// Builds the image of a source: reads its slipway.toml, pulls the base image for each platform
// (unless "scratch"), assigns files to layers, builds the layers that are not cached in parallel
// (tar, compress and hash in one streaming pass into the content store), then writes each
// platform's config and manifest, and an index when there are several, into the store. Cancellable through
// request.source.stop; reports LayerEvent, StageEvent and LogEvent to request.source.events.
// May be called from any thread, including one of `pool`'s.
Result<BuildOutput> buildImage(const BuildRequest &request);

// The slipway.toml of a source at its ref, parsed (the name its messages use: the file's path for
// a directory, else "slipway.toml"), without building: for a front end that offers what it says
// (its environments) before a deploy. Blocking (a remote is fetched first): for a worker.
Result<Spec> readSpec(const SourceOptions &source);

// The tar mtime for a source: SOURCE_DATE_EPOCH from the environment if set and valid.
std::optional<qint64> sourceDateEpochFromEnvironment();

} // namespace slipway
