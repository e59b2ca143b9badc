#pragma once

#include "source/source.h"
#include "util/result.h"

#include <QList>

#include <memory>

class QThreadPool;

namespace slipway {

// Reads a layer's files ahead of its tar writer, in order, on free threads of a pool: inflating
// and verifying git objects, or reading and hashing a directory's files, then runs beside the
// tar, its hash and the compression instead of in front of them. Files are read in batches; a
// batch no thread has started by the time the writer needs it is read on the writer's own thread,
// so a busy pool (or none) costs no waiting and cannot deadlock. What is read ahead is bounded
// in bytes whatever the tree, and a file larger than that bound is always read by the writer,
// streamed as before.
class ReadAhead final
{
public:
    // `reader` is the writer's own, for what it reads itself; `files` and `source` must outlive
    // this object. maxThreads: how many batches may be read at once.
    ReadAhead(const Source &source, const QList<SourceFile> &files, SourceReader &reader, QThreadPool *pool,
              int maxThreads);
    ~ReadAhead(); // waits for the batches still being read
    ReadAhead(const ReadAhead &) = delete;
    ReadAhead &operator=(const ReadAhead &) = delete;

    // Sends the content of files[index] to sink. Files are asked for in increasing order (symlinks,
    // which have no content, may be left out).
    Status read(qsizetype index, const ContentSink &sink);

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace slipway
