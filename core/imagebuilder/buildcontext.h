#pragma once

#include "archive/tarwriter.h"
#include "source/source.h"
#include "util/result.h"

#include <QString>

namespace slipway {

// The build context of a Dockerfile build, as the engine's POST /build takes it: a tar of the
// source's files (straight from the git objects, or the directory; nothing checked out),
// without what the root's .dockerignore leaves out. The Dockerfile and .dockerignore go in even
// when ignored, as Docker's own client sends them: the engine needs them. Entries are ordered,
// owned by root and stamped with the source's time, so the same commit gives the same bytes.
// A .dockerignore that cannot be read is a BadInput error naming it.
Status writeBuildContext(const Source &source, const QString &dockerfile, const TarSink &sink);

} // namespace slipway
