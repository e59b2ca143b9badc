#pragma once

#include "archive/blobencoder.h"
#include "engine/engineclient.h"
#include "imagebuilder/layercache.h"
#include "util/result.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

class QThreadPool;

namespace slipway {

class ContentStore;

// An image an engine holds (a Dockerfile build's), brought into the content store as an OCI
// image: everything after the build (an OCI layout, a push, a load into other engines, the
// release) then goes as for a Slipway-built image.
struct ImportedImage
{
    QString platform;     // "os/arch", as the config says
    QString configDigest; // the engine's config bytes as they were: the digest is its image id
    qint64 configSize = 0;
    QString manifestDigest; // an OCI manifest Slipway writes over the compressed layers
    qint64 manifestSize = 0;
    QByteArray manifest;
    QList<LayerBlob> layers;  // bottom first
    QStringList blobs;        // config and layers
    qint64 bytes = 0;         // of the config and the layers
    qint64 bytesReceived = 0; // of those, what the engine sent (less than `bytes` when the
                              // store had blobs already)
};

// GET /images/{imageId}/get on `client`'s engine (a docker-archive), saved beside the store
// and read in two passes: manifest.json and the config first, then each layer tar, compressed
// and hashed in one pass into the store; a layer `cache` knows by its diff_id (imported
// before, compressed alike) is not compressed again. A layer whose uncompressed digest is not the config's
// diff_id, an archive without the image, or one that is cut short is an error naming the engine
// and the image; nothing half-written stays in the store or beside it.
Result<ImportedImage> importEngineImage(EngineClient &client, const QString &imageId,
                                        const ContentStore &store, const LayerCache &cache,
                                        const Compression &compression, QThreadPool *pool, int threads);

// The same through a push, which sends only what the store lacks: the engine pushes the image
// to a LocalRegistry over `store`, reached on the engine host's loopback (an ssh remote forward
// for an ssh target), into repository slipway-build/`name`. Blobs the store has (the layers it
// pushed before, compressed as it compresses them) are not sent again. The pushed manifest's
// blobs are kept as they came; Slipway's OCI manifest is written over them. An engine that
// cannot reach this machine, or a push that fails, is an error naming the engine and the image
// (importEngineImage still works then).
Result<ImportedImage> receiveEngineImage(EngineClient &client, const QString &imageId,
                                         const ContentStore &store, const QString &name);

} // namespace slipway
