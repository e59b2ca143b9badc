#pragma once

#include <QString>

#include <chrono>
#include <optional>

namespace slipway {

// The chunked uploads a push left unfinished (killed, cancelled, or cut off from the registry),
// kept on disk so that the next push of the same blob goes on where the registry's session is
// instead of starting over. One small JSON file per registry, repository and blob, in a
// directory of its own (0700: a session's Location lets anyone who has it write to the session):
// the Location the registry gave with the last chunk it accepted, and how many bytes it held then.
// Written after every accepted chunk, removed when the blob is done or its session is of no more
// use. What it says is only a hint: the registry's answer to a GET on the Location decides where
// an upload resumes, or that it starts over.
//
// Files are written whole (QSaveFile), so two pushes at once never read a half-written entry;
// a failure to write one is logged and costs only the resume.
class UploadJournal final
{
public:
    struct Entry
    {
        QString location;  // absolute, as the registry gave it
        qint64 offset = 0; // bytes the registry held when it gave location
    };

    // Registries drop sessions left alone for a week (distribution's default upload purging);
    // older entries are forgotten.
    static constexpr std::chrono::hours maxAge{24 * 7};

    // directory: empty, and the journal remembers nothing.
    explicit UploadJournal(QString directory)
        : m_directory(std::move(directory))
    {}

    bool isEnabled() const { return !m_directory.isEmpty(); }
    // The entry for this blob of size bytes, if one is kept, younger than maxAge and for the same
    // registry, repository, digest and size.
    std::optional<Entry> find(const QString &registry, const QString &repository, const QString &digest,
                              qint64 size) const;
    void save(const QString &registry, const QString &repository, const QString &digest, qint64 size,
              const Entry &entry) const;
    void remove(const QString &registry, const QString &repository, const QString &digest) const;

private:
    QString pathFor(const QString &registry, const QString &repository, const QString &digest) const;
    // Removes the entries older than maxAge, so that sessions never resumed do not pile up.
    void forgetStale() const;

    QString m_directory;
};

} // namespace slipway
