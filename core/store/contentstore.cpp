#include "contentstore.h"

#include "util/sha256.h"

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace slipway {

namespace {

constexpr qsizetype WriteBufferSize = 256 * 1024;

QString systemError(int error)
{
    return qt_error_string(error);
}

// mkdir -p, keeping errno for the message.
int makeDirectory(const QByteArray &path)
{
    if (::mkdir(path.constData(), 0755) == 0)
        return 0;
    int error = errno;
    if (error == EEXIST) {
        struct stat info;
        if (::stat(path.constData(), &info) == 0 && S_ISDIR(info.st_mode))
            return 0;
        return ENOTDIR;
    }
    if (error != ENOENT)
        return error;
    const qsizetype slash = path.lastIndexOf('/');
    if (slash <= 0)
        return error;
    error = makeDirectory(path.left(slash));
    if (error != 0)
        return error;
    if (::mkdir(path.constData(), 0755) == 0 || errno == EEXIST)
        return 0;
    return errno;
}

Status ensureDirectory(const QString &path)
{
    const int error = makeDirectory(QFile::encodeName(path));
    if (error != 0)
        return Error::failed(QStringLiteral("cannot create directory %1: %2").arg(path, systemError(error)));
    return success();
}

// Makes a rename inside `directory` durable.
Status syncDirectory(const QString &directory)
{
    const int fd = ::open(QFile::encodeName(directory).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || ::fsync(fd) != 0) {
        const int error = errno;
        if (fd >= 0)
            ::close(fd);
        return Error::failed(
            QStringLiteral("cannot sync directory %1: %2").arg(directory, systemError(error)));
    }
    ::close(fd);
    return success();
}

class IngestWriter final : public BlobWriter
{
public:
    IngestWriter(ContentStore store, QString path, int fd)
        : m_store(std::move(store))
        , m_path(std::move(path))
        , m_fd(fd)
    {
        m_buffer.reserve(WriteBufferSize);
    }

    ~IngestWriter() override { discard(); }

    Status write(const char *data, qsizetype size) override
    {
        if (m_closed)
            return Error::failed(QStringLiteral("blob writer %1 is already closed").arg(m_path));
        if (size <= 0)
            return success();
        m_hash.update(data, size);
        m_written += size;
        if (m_buffer.size() + size > WriteBufferSize) {
            Status status = flush();
            if (!status.ok())
                return status;
        }
        if (size >= WriteBufferSize)
            return writeAll(data, size);
        m_buffer.append(data, size);
        return success();
    }

    Status commit(const QString &expectedDigest, qint64 expectedSize) override
    {
        if (m_closed)
            return Error::failed(QStringLiteral("blob writer %1 is already closed").arg(m_path));
        Status status = flush();
        if (status.ok() && ::fchmod(m_fd, 0444) != 0)
            status = Error::failed(QStringLiteral("cannot chmod %1: %2").arg(m_path, systemError(errno)));
        if (status.ok() && ::fsync(m_fd) != 0)
            status = Error::failed(QStringLiteral("cannot sync %1: %2").arg(m_path, systemError(errno)));
        if (::close(std::exchange(m_fd, -1)) != 0 && status.ok())
            status = Error::failed(QStringLiteral("cannot close %1: %2").arg(m_path, systemError(errno)));
        if (!status.ok()) {
            discard();
            return status;
        }

        const QString actualDigest = m_hash.digest();
        const QString target = m_store.blobPath(expectedDigest);
        if (target.isEmpty()) {
            discard();
            return Error::failed(
                QStringLiteral("cannot store blob under \"%1\": not a sha256 digest").arg(expectedDigest));
        }
        if (actualDigest != expectedDigest || m_written != expectedSize) {
            discard();
            return Error::failed(
                QStringLiteral("blob content does not match: expected %1 (%2 bytes), got %3 (%4 bytes)")
                    .arg(expectedDigest)
                    .arg(expectedSize)
                    .arg(actualDigest)
                    .arg(m_written));
        }

        const QByteArray from = QFile::encodeName(m_path);
        const QByteArray to = QFile::encodeName(target);
        // No replace: an existing blob wins, and it is never touched.
        if (::renameat2(AT_FDCWD, from.constData(), AT_FDCWD, to.constData(), RENAME_NOREPLACE) != 0) {
            int error = errno;
            if (error == EINVAL || error == ENOSYS) {
                // A file system without RENAME_NOREPLACE: the same content replaces the same
                // content, still atomically.
                error = QFileInfo::exists(target) ? EEXIST : 0;
                if (error == 0 && ::rename(from.constData(), to.constData()) != 0)
                    error = errno;
            }
            if (error == EEXIST) {
                discard();
                return success();
            }
            if (error != 0) {
                discard();
                return Error::failed(
                    QStringLiteral("cannot move %1 to %2: %3").arg(m_path, target, systemError(error)));
            }
        }
        m_closed = true;
        return syncDirectory(QFileInfo(target).path());
    }

    qint64 written() const override { return m_written; }

private:
    Status writeAll(const char *data, qsizetype size)
    {
        while (size > 0) {
            const ssize_t n = ::write(m_fd, data, size_t(size));
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                return Error::failed(QStringLiteral("cannot write %1: %2").arg(m_path, systemError(errno)));
            }
            data += n;
            size -= n;
        }
        return success();
    }

    Status flush()
    {
        if (m_buffer.isEmpty())
            return success();
        Status status = writeAll(m_buffer.constData(), m_buffer.size());
        m_buffer.clear(); // keeps the capacity
        return status;
    }

    // Drops the ingest file: after a failure, or when the writer goes away uncommitted.
    void discard()
    {
        if (m_closed)
            return;
        m_closed = true;
        if (m_fd >= 0)
            ::close(std::exchange(m_fd, -1));
        ::unlink(QFile::encodeName(m_path).constData());
    }

    const ContentStore m_store; // a copy: the writer may outlive the store object
    QString m_path;
    int m_fd = -1;
    bool m_closed = false;
    Sha256 m_hash;
    qint64 m_written = 0;
    QByteArray m_buffer;
};

} // namespace

ContentStore::ContentStore(QString root)
    : m_root(QDir::cleanPath(root))
{}

QString ContentStore::blobPath(const QString &digest) const
{
    if (!isSha256Digest(digest))
        return {};
    return m_root + QStringLiteral("/sha256/") + QStringView(digest).mid(7);
}

bool ContentStore::contains(const QString &digest) const
{
    const QString path = blobPath(digest);
    return !path.isEmpty() && QFileInfo(path).isFile();
}

qint64 ContentStore::size(const QString &digest) const
{
    const QString path = blobPath(digest);
    if (path.isEmpty())
        return -1;
    const QFileInfo info(path);
    return info.isFile() ? info.size() : -1;
}

Result<std::unique_ptr<BlobWriter>> ContentStore::begin() const
{
    const QString ingest = m_root + QStringLiteral("/ingest");
    for (const QString &directory : {ingest, QString(m_root + QStringLiteral("/sha256"))}) {
        Status status = ensureDirectory(directory);
        if (!status.ok())
            return status.error();
    }
    for (;;) {
        quint64 random[2];
        QRandomGenerator::system()->fillRange(random);
        const QString path =
            ingest + QLatin1Char('/') +
            QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(random), sizeof random).toHex());
        const int fd =
            ::open(QFile::encodeName(path).constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd >= 0)
            return std::unique_ptr<BlobWriter>(std::make_unique<IngestWriter>(*this, path, fd));
        if (errno != EEXIST)
            return Error::failed(QStringLiteral("cannot create %1: %2").arg(path, systemError(errno)));
    }
}

Result<QString> ContentStore::put(const QByteArray &bytes) const
{
    const QString digest = Sha256::digestOf(bytes);
    if (contains(digest))
        return digest;
    auto writer = begin();
    if (!writer.ok())
        return writer.error();
    Status status = (*writer)->write(bytes.constData(), bytes.size());
    if (status.ok())
        status = (*writer)->commit(digest, bytes.size());
    if (!status.ok())
        return status.error();
    return digest;
}

Result<QByteArray> ContentStore::read(const QString &digest) const
{
    const QString path = blobPath(digest);
    if (path.isEmpty())
        return Error::failed(QStringLiteral("cannot read blob \"%1\": not a sha256 digest").arg(digest));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error::failed(
            QStringLiteral("cannot read blob %1 from %2: %3").arg(digest, path, file.errorString()));
    QByteArray bytes = file.readAll();
    if (file.error() != QFileDevice::NoError)
        return Error::failed(
            QStringLiteral("cannot read blob %1 from %2: %3").arg(digest, path, file.errorString()));
    const QString actual = Sha256::digestOf(bytes);
    if (actual != digest)
        return Error::failed(
            QStringLiteral("blob %1 is corrupt: %2 holds content with digest %3").arg(digest, path, actual));
    return bytes;
}

void ContentStore::removeStaleIngests(int seconds) const
{
    const QDateTime cutoff = QDateTime::currentDateTimeUtc().addSecs(-qint64(seconds));
    QDirIterator it(m_root + QStringLiteral("/ingest"), QDir::Files | QDir::Hidden | QDir::System);
    while (it.hasNext()) {
        const QFileInfo info(it.next());
        if (info.lastModified() < cutoff)
            QFile::remove(info.filePath());
    }
}

} // namespace slipway
