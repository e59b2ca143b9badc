#pragma once

#include "util/result.h"

#include <QString>

#include <memory>

namespace slipway {

class BlobWriter;

// Content-addressed blobs under ROOT/sha256/<hex>, written the way containerd does: into
// ROOT/ingest/<random>, fsynced, size- and digest-checked, then renamed into place. An existing
// blob wins; a crash never leaves a corrupt blob under its digest. Safe to use from several
// threads and processes at once.
class ContentStore
{
public:
    explicit ContentStore(QString root);

    QString root() const { return m_root; }
    // "sha256:<hex>" -> ROOT/sha256/<hex>; empty for a malformed digest.
    QString blobPath(const QString &digest) const;
    bool contains(const QString &digest) const;
    qint64 size(const QString &digest) const; // -1 if absent

    // Starts a new blob. Write to it, then commit() with the digest and size you expect.
    Result<std::unique_ptr<BlobWriter>> begin() const;
    // Stores bytes in one go (configs, manifests); returns the digest.
    Result<QString> put(const QByteArray &bytes) const;
    Result<QByteArray> read(const QString &digest) const;

    // Removes ingest files older than `seconds` (left by crashed writers).
    void removeStaleIngests(int seconds = 24 * 3600) const;

private:
    QString m_root;
};

// One blob being written. Destroying it without commit() removes the ingest file.
class BlobWriter
{
public:
    virtual ~BlobWriter() = default;
    virtual Status write(const char *data, qsizetype size) = 0;
    // fsync, check that what was written has this digest and size, rename into place (or, if
    // the blob exists already, drop the ingest file). A mismatch is an error and keeps nothing.
    virtual Status commit(const QString &expectedDigest, qint64 expectedSize) = 0;
    virtual qint64 written() const = 0;
};

} // namespace slipway
