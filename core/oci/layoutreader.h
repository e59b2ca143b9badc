#pragma once

#include "oci/ocilayout.h"
#include "util/result.h"

#include <QString>

namespace slipway::oci {

// An image found in an OCI image layout directory through its index.json.
struct LayoutImage
{
    QString directory;
    QString manifestDigest;
    qint64 manifestSize = 0;
    QString mediaType;
};

// Finds the manifest tagged layout.tag (org.opencontainers.image.ref.name) in
// layout.directory/index.json. BadInput naming the directory when it is not a layout or has no
// such tag.
Result<LayoutImage> resolveLayout(const LayoutReference &layout);

// DIR/blobs/sha256/<hex>; empty for a malformed digest.
QString layoutBlobPath(const QString &directory, const QString &digest);

} // namespace slipway::oci
