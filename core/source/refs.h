#pragma once

#include "source/opensource.h"
#include "util/result.h"

#include <QList>
#include <QString>

namespace slipway {

// A branch or tag of a repository and the commit it points at, for the window's ref picker.
struct GitRef
{
    enum class Kind
    {
        Branch,
        Tag
    };

    QString name; // "main", "v1.2" (without refs/heads/ or refs/tags/)
    Kind kind = Kind::Branch;
    QString commit;  // 40 hex
    QString summary; // the first line of the commit message
    QString author;
    qint64 time = 0;        // commit time, seconds since the epoch
    bool isDefault = false; // HEAD's branch (the remote's default branch for a URL)
};

// The branches and tags of the git repository at options.location: a local repository (work
// tree or bare) is read in place; a URL is first brought up to date in its mirror under
// options.cacheDir (FetchEvents to options.events, options.stop cancels). Sorted: the default
// branch first, then by commit time, newest first, then by name. Annotated tags show the commit
// they tag. A plain directory is an error naming it.
Result<QList<GitRef>> listRefs(const SourceOptions &options);

} // namespace slipway
