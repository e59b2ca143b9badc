#pragma once

#include "source/source.h"
#include "util/result.h"

#include <QString>

#include <memory>
#include <stop_token>

namespace slipway {

class EventSink;

struct SourceOptions
{
    // A git URL (https://, ssh://, git://, file://, user@host:path), a local repository (work
    // tree or bare), or a plain directory.
    QString location;
    // Branch, tag, full or short commit id; empty: HEAD (the remote's default branch for URLs).
    // Must be empty for a plain directory.
    QString ref;
    // Slipway's cache directory: URL sources are kept as bare mirrors in CACHE/git/<name>-<hash>.git
    // and fetched incrementally; directory sources keep their stat cache in CACHE/dirs/.
    QString cacheDir;
    EventSink *events = nullptr; // FetchEvent and LogEvent while cloning or fetching; may be null
    std::stop_token stop;        // cancels a clone or fetch
};

// Opens the source at `location`: a URL is cloned (or fetched) into the cache; a local git
// repository is read in place; a plain directory is walked (honouring .dockerignore).
// Errors name the location and the ref: unknown ref, unreachable URL, corrupt repository,
// submodules (not supported yet), a path that is not valid UTF-8.
Result<std::unique_ptr<Source>> openSource(const SourceOptions &options);

} // namespace slipway
