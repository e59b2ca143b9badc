#pragma once

#include "util/result.h"

#include <QString>

namespace slipway {

// An image in a registry, normalised the way Docker's distribution/reference does it:
// "busybox" is docker.io/library/busybox:latest, "localhost:5000/app@sha256:..." keeps its host
// and has no tag.
struct ImageReference
{
    QString registry;   // host[:port]; "docker.io" for Docker Hub
    QString repository; // path components, lower-case; "library/x" for official Hub images
    QString tag;        // empty only when a digest is given
    QString digest;     // "sha256:<64 hex>" or empty

    // registry/repository[:tag][@digest]
    QString toString() const;
    // What Docker prints: toString() without "docker.io/" and an official image's "library/".
    QString familiar() const;

    // host[:port]/path[:tag][@sha256:hex]. The first component is a host only if it contains
    // '.' or ':' or is "localhost"; otherwise the registry is docker.io. BadInput, one line
    // naming the reference and what is wrong with it.
    static Result<ImageReference> parse(const QString &text);
};

// True for registries reached over plain HTTP without the user saying so: loopback hosts
// (localhost, 127.x.x.x, [::1]), with or without a port.
bool isInsecureByDefault(const QString &registry);

} // namespace slipway
