#pragma once

#include "util/result.h"

#include <QHash>
#include <QList>
#include <QString>

#include <functional>
#include <stop_token>

class QThreadPool;

namespace slipway {

class EventSink;
class RegistryClient;
struct ImageReference;

// Where the blobs of an image are on disk: digest -> file path (empty if unknown). For a
// ContentStore, its blobPath(); for an OCI layout, oci::layoutBlobPath().
using BlobSource = std::function<QString(const QString &digest)>;

struct PushedBlob
{
    QString digest;
    qint64 size = 0;
    QString action; // "uploaded", "skipped" or "mounted"
    // Uploaded: the bytes an earlier, interrupted push had already sent in the session this one
    // went on with (0: uploaded whole).
    qint64 resumedAt = 0;
};

struct PushOptions
{
    int parallel = 4; // blobs uploaded at once
    // Where the parallel uploads run. Null: a pool of `parallel` threads made for this push.
    // Uploads start only on free threads of the pool, and the calling thread uploads too when
    // the pool has fewer free than wanted, so a push running on a thread of this same pool
    // cannot wait for itself.
    QThreadPool *pool = nullptr;
    // Blobs the registry may already hold in another repository: digest -> repository in the same
    // registry. Tried as a cross-repository mount before uploading.
    QHash<QString, QString> mountFrom;
};

struct PushResult
{
    QString reference; // what was pushed, as registry/repository:tag
    QString digest;    // the manifest (or index) digest
    QList<PushedBlob> blobs;
};

// Pushes the image whose manifest is manifestDigest to destination: the config and every layer
// the registry does not have yet (checked with HEAD), mounted from options.mountFrom's repository
// when the registry allows, else uploaded; then, once all succeeded, the manifest by tag (or by
// digest when destination has no tag). Reads and verifies the manifest from blobs.
// manifestDigest may name an index (OCI or Docker list): then the blobs of every manifest it
// names go up (each once), those manifests by digest, and the index last by tag (or digest).
// Every manifest of the index must be in blobs.
//
// The first blob goes on client (settling scheme and token), the rest on options.parallel
// clones of it at once, on options.pool. The first error stops the others and is the one returned. Posts a
// BlobEvent per blob (Queued, Uploading with bytesDone a few times a second, then Skipped,
// Mounted, Uploaded or Failed) and logs each blob (stage "push"); stops during transfers and
// retry waits when stop is requested. PushResult::blobs is in manifest order, each blob once.
Result<PushResult> pushImage(const BlobSource &blobs, const QString &manifestDigest,
                             const ImageReference &destination, RegistryClient &client, EventSink *events,
                             std::stop_token stop, const PushOptions &options = {});

} // namespace slipway
