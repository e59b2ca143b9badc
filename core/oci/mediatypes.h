#pragma once

#include <QString>

namespace slipway::oci {

inline QString manifestMediaType()
{
    return QStringLiteral("application/vnd.oci.image.manifest.v1+json");
}
inline QString indexMediaType()
{
    return QStringLiteral("application/vnd.oci.image.index.v1+json");
}
inline QString configMediaType()
{
    return QStringLiteral("application/vnd.oci.image.config.v1+json");
}
inline QString refNameAnnotation()
{
    return QStringLiteral("org.opencontainers.image.ref.name");
}

} // namespace slipway::oci
