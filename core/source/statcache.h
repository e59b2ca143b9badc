#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>

#include <sys/stat.h>

namespace slipway {

// Remembers the sha256 of the files of a directory source with the stat data they had when
// hashed, so that an unchanged file is not read again. Stored as a small binary file
// (CACHE/dirs/<sha256 of the directory's canonical path>.stat) written atomically.
//
// A file is taken as unchanged when size, mtime and ctime (ns), inode and mode all match.
// Entries whose mtime was within a few seconds of the scan ("racily clean", as git calls them:
// the file might change again within the same timestamp tick) are not kept, so they are hashed
// again next time.
class StatCache
{
public:
    struct Entry
    {
        qint64 size = 0;
        qint64 mtimeNs = 0;
        qint64 ctimeNs = 0;
        quint64 inode = 0;
        quint32 mode = 0;
        QByteArray sha256; // 32 raw bytes

        bool operator==(const Entry &) const = default;
        static Entry fromStat(const struct stat &st);
        bool sameStat(const Entry &other) const
        {
            return size == other.size && mtimeNs == other.mtimeNs && ctimeNs == other.ctimeNs &&
                   inode == other.inode && mode == other.mode;
        }
    };

    // The cache file for a directory, under cacheDir/dirs/.
    static QString pathFor(const QString &cacheDir, const QString &canonicalDirectory);

    // Loads the cache file; a missing, foreign or damaged file gives an empty cache.
    void load(const QString &file);
    // Writes the cache file atomically; false (with a reason) when that fails.
    bool save(const QString &file, QString *error) const;

    const Entry *find(const QByteArray &path) const;
    void insert(const QByteArray &path, const Entry &entry) { m_entries.insert(path, entry); }
    qsizetype size() const { return m_entries.size(); }
    bool operator==(const StatCache &other) const { return m_entries == other.m_entries; }

private:
    QHash<QByteArray, Entry> m_entries;
};

} // namespace slipway
