#pragma once

#include "util/result.h"

#include <QList>
#include <QString>

#include <functional>
#include <stop_token>

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
    QString action; // "uploaded" or "skipped"
};

struct PushResult
{
    QString reference; // what was pushed, as registry/repository:tag
    QString digest;    // the manifest digest
    QList<PushedBlob> blobs;
};

// Pushes the image whose manifest is manifestDigest to destination: the config and every layer
// the registry does not have yet (checked with HEAD), then the manifest by tag (or by digest
// when destination has no tag). Reads and verifies the manifest from blobs. Logs each blob to
// events (stage "push"); stops between and during transfers when stop is requested.
Result<PushResult> pushImage(const BlobSource &blobs, const QString &manifestDigest,
                             const ImageReference &destination, RegistryClient &client, EventSink *events,
                             std::stop_token stop);

} // namespace slipway
