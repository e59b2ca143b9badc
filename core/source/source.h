#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <functional>
#include <memory>

namespace slipway {

// One file of a source tree, as it goes into a layer.
struct SourceFile
{
    enum class Kind
    {
        Regular,
        Executable,
        Symlink
    };

    QString path; // relative, '/'-separated, no leading "./", valid UTF-8; sorted by its UTF-8 bytes
    Kind kind = Kind::Regular;
    QByteArray id;      // what identifies the content: the git blob id (hex), or for a directory
                        // source the sha256 (hex) of the contents
    qint64 size = 0;    // bytes of content (for a symlink: of its target)
    QString linkTarget; // symlinks only
};

// Receives a file's contents in pieces; returns an error to stop reading.
using ContentSink = std::function<Status(const char *data, qsizetype size)>;

// Reads file contents. One reader per thread: readers are not shared between threads.
class SourceReader
{
public:
    virtual ~SourceReader() = default;
    // Streams the file's contents (for a symlink: nothing) into sink.
    virtual Status read(const SourceFile &file, const ContentSink &sink) = 0;
};

// A source tree fixed at one revision: a git commit, or a directory as it is now.
class Source
{
public:
    virtual ~Source() = default;

    // For messages: the URL or path, and the ref ("https://example.com/app.git at main").
    virtual QString describe() const = 0;
    // The commit id (40 hex), empty for a directory.
    virtual QString revision() const = 0;
    // The commit's summary line (git::commitSummary), empty for a directory.
    virtual QString summary() const { return {}; }
    // Seconds since the epoch: the commit time, or for a directory the newest mtime.
    virtual qint64 timestamp() const = 0;
    // Every file, sorted by path (byte order of the UTF-8), directories implied by the paths.
    virtual const QList<SourceFile> &files() const = 0;
    // A reader for the calling thread.
    virtual std::unique_ptr<SourceReader> openReader() const = 0;
    // The contents of a file at the root (slipway.toml); an error names the source if missing.
    virtual Result<QByteArray> readRootFile(const QString &name) const = 0;
};

// Reads a whole file into memory (small files: slipway.toml, tests).
Result<QByteArray> readWholeFile(SourceReader &reader, const SourceFile &file);

} // namespace slipway
