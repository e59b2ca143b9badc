#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QSet>
#include <QString>

#include <functional>

struct archive;
struct archive_entry;

namespace slipway {

// Receives the tar stream in order; returns an error to stop.
using TarSink = std::function<Status(const char *data, qsizetype size)>;

// Writes a deterministic tar stream (libarchive, restricted pax: plain ustar headers unless a
// long or non-ASCII name or link target needs a pax 'x' header; those are named
// "dir/PaxHeader/name", without a pid) straight to a sink, with no 10240-byte blocking: the
// stream is 512-byte records ending in two zero records, like Go's archive/tar writes.
//
// Every entry has uid/gid 0, no user or group name, the same mtime and no atime/ctime.
// Directories are 0755, files 0644 or 0755, symlinks 0777. Paths are relative UTF-8
// ("app/server"): no leading '/', no empty, "." or ".." components.
//
// Entries must arrive in order: each entry's sortKey() greater than the one before, which is
// byte order of the UTF-8 paths with a directory compared as "path/" (the order of a pre-order
// git tree walk; for files alone, plain byte order). Missing parent directories are written
// before the first entry under them. A path can appear only once.
//
// After an error the stream is unusable: every later call returns the same error.
// Not thread-safe; the sink is called from the calling thread.
class TarWriter final
{
public:
    // Hands a file's bytes to the tar stream; a file's pieces must add up to its declared size.
    using ContentSink = std::function<Status(const char *data, qsizetype size)>;
    using ContentProducer = std::function<Status(const ContentSink &sink)>;

    // mtime: seconds since the epoch for every entry (typically the commit time). Between 0 and
    // 2^31 - 2 it fits ustar; outside, every entry gets a pax header carrying it.
    TarWriter(TarSink sink, qint64 mtime);
    ~TarWriter();
    TarWriter(const TarWriter &) = delete;
    TarWriter &operator=(const TarWriter &) = delete;

    Status addDirectory(const QString &path);
    // `produceContents` must pass exactly `size` bytes to the sink it is given.
    Status addFile(const QString &path, bool executable, qint64 size, const ContentProducer &produceContents);
    Status addFile(const QString &path, bool executable, QByteArrayView contents);
    Status addSymlink(const QString &path, const QString &target);
    // Writes the end-of-archive records. Nothing can be added afterwards.
    Status finish();

    qint64 bytesWritten() const { return m_bytesWritten; }
    int entryCount() const { return m_entryCount; }

    // The key entries are ordered by: UTF-8 path, plus a trailing '/' for a directory.
    static QByteArray sortKey(const QString &path, bool directory);

private:
    enum class Type
    {
        Directory,
        File,
        Symlink
    };

    Status begin(const QString &path, Type type, bool executable, qint64 size, const QString &target,
                 QByteArray &utf8Path);
    Status writeHeader(const QByteArray &utf8Path, Type type, bool executable, qint64 size,
                       const QByteArray &utf8Target);
    Status ensureParents(const QByteArray &key, const QByteArray &utf8Path);
    Status fail(Error error);
    Status archiveError(const QByteArray &utf8Path, const char *what);
    Status deliver(const char *data, qsizetype size);
    friend struct TarWriterCallbacks;

    TarSink m_sink;
    qint64 m_mtime = 0;
    struct archive *m_archive = nullptr;
    struct archive_entry *m_entry = nullptr;
    QByteArray m_lastKey;
    QList<QByteArray> m_openDirectories; // keys ("a/", "a/b/") of the directories we are inside
    QSet<QByteArray> m_nonDirectories;   // so that "a/b" cannot also become a directory
    Error m_error;
    bool m_failed = false;
    bool m_finished = false;
    Error m_sinkError;
    bool m_sinkFailed = false;
    qint64 m_bytesWritten = 0;
    int m_entryCount = 0;
};

// A small tar of `files` (path, contents; 0644, in any order: sorted here) with `mtime`, whole
// in memory: what goes into a container with PUT /containers/{id}/archive.
Result<QByteArray> tarOfFiles(QList<std::pair<QString, QByteArray>> files, qint64 mtime);

} // namespace slipway
