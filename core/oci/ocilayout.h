#pragma once

#include "util/result.h"

#include <QString>
#include <QStringList>

namespace slipway {

class ContentStore;

namespace oci {

// "DIR[:TAG]" from the command line; the tag defaults to "latest".
struct LayoutReference
{
    QString directory;
    QString tag;

    // BadInput for an empty directory or a tag that is not [A-Za-z0-9_][A-Za-z0-9._-]{0,127}.
    static Result<LayoutReference> parse(const QString &text);
};

// Writes an image into an OCI image layout directory: the blobs (hard-linked from the store
// where the file system allows, copied otherwise, each renamed into place), `oci-layout`, and
// `index.json` with the manifest tagged as org.opencontainers.image.ref.name (replacing an
// earlier manifest of the same tag, keeping the others). index.json is written last and
// atomically; a directory this call created is removed again if it fails.
// manifestDigest may name an image manifest or an index (several platforms). Every blob it refers
// to in the store is written besides blobDigests (so a base image's layers need not be listed);
// mediaType, when empty, is read from the stored manifest.
Status writeLayout(const LayoutReference &layout, const ContentStore &store, const QString &manifestDigest,
                   qint64 manifestSize, const QStringList &blobDigests, const QString &mediaType = {});

} // namespace oci
} // namespace slipway
