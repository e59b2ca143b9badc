#pragma once

#include "source/source.h"

#include <QList>
#include <QString>

#include <memory>
#include <stop_token>

namespace slipway {

class EventSink;

// A directory as it is now: every regular file, executable and symlink under it, minus what
// its root .dockerignore excludes (Docker's rules), minus .dockerignore itself and any .git.
// Symlinks are never followed; they become Symlink entries. Sockets, FIFOs and device nodes are
// skipped with a warning: they cannot be deployed as file contents, and an image should not
// carry them. File ids are sha256 of the contents; a stat cache under cacheDir (if given)
// avoids hashing unchanged files again.
class DirectorySource final : public Source
{
public:
    // `location` is what messages call the directory (as the user wrote it).
    static Result<std::unique_ptr<DirectorySource>> open(const QString &directory, const QString &location,
                                                         const QString &cacheDir, EventSink *events = nullptr,
                                                         std::stop_token stop = {});

    QString describe() const override { return m_location; }
    QString revision() const override { return {}; }
    qint64 timestamp() const override { return m_timestamp; }
    const QList<SourceFile> &files() const override { return m_files; }
    std::unique_ptr<SourceReader> openReader() const override;
    Result<QByteArray> readRootFile(const QString &name) const override;

    // How many files open() had to hash because the stat cache did not vouch for them.
    qsizetype hashedFileCount() const { return m_hashed; }
    // The stat cache file, empty without a cache directory.
    QString statCachePath() const { return m_statCachePath; }

private:
    DirectorySource() = default;

    QString m_root; // canonical absolute path
    QString m_location;
    QString m_statCachePath;
    qint64 m_timestamp = 0;
    qsizetype m_hashed = 0;
    QList<SourceFile> m_files;
};

} // namespace slipway
