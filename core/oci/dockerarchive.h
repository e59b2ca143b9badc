#pragma once

#include "util/result.h"

#include <QString>
#include <QStringList>

#include <functional>
#include <stop_token>

namespace slipway::oci {

// Streams one image as a `docker save`-format tar, which `docker load` and `podman load`
// accept: the config as `<hex>.json`, each layer blob as `<hex>/layer.tar` (compressed
// layers are kept compressed; both loaders detect the compression), and `manifest.json`
// naming the config, the layers and repoTags ("host/repo:tag"). The tar is produced with
// libarchive and handed to `write` in blocks, so an archive never sits in memory.
//
// blobPath maps "sha256:<hex>" to a readable file (the content store's blob path);
// manifestDigest names an image manifest (OCI or Docker schema 2), or an index, of which the
// linux/amd64 image is written (else the first).
// Fails with the first error of `write`, a missing or unreadable blob, or a stop request.
Status writeDockerArchive(const std::function<QString(const QString &digest)> &blobPath,
                          const QString &manifestDigest, const QStringList &repoTags,
                          const std::function<Status(const char *data, qsizetype size)> &write,
                          std::stop_token stop);

} // namespace slipway::oci
