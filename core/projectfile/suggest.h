#pragma once

#include "source/source.h"
#include "util/result.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <functional>
#include <stop_token>

namespace slipway {

// A slipway.toml written for a repository that has none, from what the repository holds.
struct SuggestedSpec
{
    QString text; // the file, with comments explaining each choice; parseSpec() accepts it
    QString
        why; // one line: "Found package.json with a start script: a Node.js app on node:20-alpine, port 3000"
    // "dockerfile" (its settings carried over into layers), "dockerfile-build" (built by an
    // engine), "node", "python", "go", "static" or "files"
    QString kind;
};

// Reads a file at the repository root by name; an error when it is missing or unreadable.
using RootFileReader = std::function<Result<QByteArray>(const QString &name)>;

// The suggestion works on the file list (every path, so that the layers it writes can be checked
// to take files, as a build would) and reads only the few root files that tell what the project
// is (Dockerfile, package.json, requirements.txt, pyproject.toml, go.mod). The same function
// serves a folder on disk and a commit of a git mirror, which have no directory to walk.
// `name` is the project's name, used for [deploy] name. Before returning, the text is parsed
// with parseSpec() and its layers assigned over `files`: a suggestion that would not build is
// never offered. BadInput when there are no files.
Result<SuggestedSpec> suggestSpec(const QList<SourceFile> &files, const RootFileReader &read,
                                  const QString &name);

// Over a source (a directory or a git commit): its files and its root files.
Result<SuggestedSpec> suggestSpec(const Source &source, const QString &name);

// Over a folder on disk, walked as a build would (.git and what .dockerignore excludes are left
// out; symlinks are not followed). The name is the folder's. Errors name the folder.
Result<SuggestedSpec> suggestSpec(const QString &directory, std::stop_token stop = {});

} // namespace slipway
