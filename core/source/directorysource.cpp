#include "source/directorysource.h"

#include "events/event.h"
#include "source/dockerignore.h"
#include "source/sourcepaths.h"
#include "source/statcache.h"
#include "util/logging.h"
#include "util/sha256.h"

#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace slipway {

namespace {

constexpr qsizetype kReadPiece = 1024 * 1024;
// Files modified this close to the scan may change again within the same timestamp tick;
// their hashes are not kept in the stat cache.
constexpr qint64 kRacyWindowNs = qint64(3) * 1000000000;

QString errnoText(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

// Owns a file descriptor.
class Fd
{
public:
    explicit Fd(int fd = -1)
        : m_fd(fd)
    {}
    Fd(Fd &&other) noexcept
        : m_fd(std::exchange(other.m_fd, -1))
    {}
    Fd &operator=(Fd &&other) noexcept
    {
        std::swap(m_fd, other.m_fd);
        return *this;
    }
    ~Fd()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    int get() const { return m_fd; }
    int release() { return std::exchange(m_fd, -1); }
    bool isValid() const { return m_fd >= 0; }

private:
    int m_fd;
};

struct DirCloser
{
    void operator()(DIR *dir) const { ::closedir(dir); }
};

int readSome(int fd, char *buffer, qsizetype size)
{
    for (;;) {
        const ssize_t got = ::read(fd, buffer, size_t(size));
        if (got >= 0 || errno != EINTR)
            return int(got);
    }
}

// Walks the directory tree and builds the file list.
class Walker
{
public:
    Walker(QString location, const DockerIgnore &ignore, const StatCache &previous, qint64 racyLimitNs,
           EventSink *events, std::stop_token stop)
        : m_location(std::move(location))
        , m_ignore(ignore)
        , m_previous(previous)
        , m_racyLimitNs(racyLimitNs)
        , m_events(events)
        , m_stop(std::move(stop))
        , m_buffer(kReadPiece, Qt::Uninitialized)
    {}

    Status walk(Fd directory, const QByteArray &prefix)
    {
        std::unique_ptr<DIR, DirCloser> dir(::fdopendir(directory.get()));
        if (!dir)
            return cannot(QStringLiteral("read"), prefix, errno);
        directory.release();
        QList<QByteArray> names;
        errno = 0;
        while (const dirent *entry = ::readdir(dir.get())) {
            const QByteArray name(entry->d_name);
            if (name != "." && name != "..")
                names.append(name);
            errno = 0;
        }
        if (errno != 0)
            return cannot(QStringLiteral("read"), prefix, errno);
        const int dirFd = ::dirfd(dir.get());
        for (const QByteArray &name : std::as_const(names)) {
            if (m_stop.stop_requested())
                return Error::cancelled(QStringLiteral("reading %1 was cancelled").arg(m_location));
            if (name == ".git" || (prefix.isEmpty() && name == ".dockerignore"))
                continue;
            const QByteArray relative = prefix + name;
            const std::optional<QString> path = decodeUtf8Path(relative);
            if (!path)
                return Error::badInput(QStringLiteral("%1: the file name '%2' is not valid UTF-8")
                                           .arg(m_location, escapedPath(relative)));
            struct stat st;
            if (::fstatat(dirFd, name.constData(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
                if (errno == ENOENT)
                    continue; // removed while we walk
                return cannot(QStringLiteral("read"), relative, errno);
            }
            const bool excluded = m_ignore.excludes(*path);
            if (S_ISDIR(st.st_mode)) {
                if (excluded && m_ignore.canSkipDirectory(*path))
                    continue;
                Fd sub(::openat(dirFd, name.constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
                if (!sub.isValid())
                    return cannot(QStringLiteral("read"), relative, errno);
                if (Status walked = walk(std::move(sub), relative + '/'); !walked)
                    return walked;
                continue;
            }
            if (excluded)
                continue;
            if (S_ISREG(st.st_mode)) {
                if (Status added = addFile(dirFd, name, relative, *path, st); !added)
                    return added;
            } else if (S_ISLNK(st.st_mode)) {
                if (Status added = addSymlink(dirFd, name, relative, *path, st); !added)
                    return added;
            } else {
                const QString text =
                    QStringLiteral("%1: skipping '%2', which is not a regular file, directory or "
                                   "symlink")
                        .arg(m_location, *path);
                qCWarning(lcSource).noquote() << text;
                if (m_events)
                    m_events->log(LogLevel::Warning, QStringLiteral("fetch"), text);
            }
        }
        return success();
    }

    QList<SourceFile> files;
    StatCache fresh;
    qsizetype hashed = 0;
    qint64 newest = 0;

private:
    Error cannot(const QString &verb, const QByteArray &relative, int error) const
    {
        const QString where = relative.isEmpty() ? m_location : m_location + u'/' + escapedPath(relative);
        return Error::failed(QStringLiteral("cannot %1 %2: %3").arg(verb, where, errnoText(error)));
    }

    Status addFile(int dirFd, const QByteArray &name, const QByteArray &relative, const QString &path,
                   const struct stat &listed)
    {
        StatCache::Entry entry = StatCache::Entry::fromStat(listed);
        const StatCache::Entry *known = m_previous.find(relative);
        if (known && known->sameStat(entry)) {
            entry.sha256 = known->sha256;
        } else {
            Fd fd(::openat(dirFd, name.constData(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
            struct stat opened;
            if (!fd.isValid() || ::fstat(fd.get(), &opened) != 0)
                return cannot(QStringLiteral("read"), relative, errno);
            if (!S_ISREG(opened.st_mode))
                return Error::failed(
                    QStringLiteral("%1: '%2' changed while it was read; try again").arg(m_location, path));
            entry = StatCache::Entry::fromStat(opened);
            Sha256 sha;
            qint64 total = 0;
            for (;;) {
                const int got = readSome(fd.get(), m_buffer.data(), m_buffer.size());
                if (got < 0)
                    return cannot(QStringLiteral("read"), relative, errno);
                if (got == 0)
                    break;
                sha.update(m_buffer.constData(), got);
                total += got;
            }
            if (total != entry.size)
                return Error::failed(
                    QStringLiteral("%1: '%2' changed while it was read; try again").arg(m_location, path));
            entry.sha256 = QByteArray::fromHex(sha.hexDigest().toLatin1());
            ++hashed;
        }
        if (entry.mtimeNs < m_racyLimitNs)
            fresh.insert(relative, entry);
        SourceFile file;
        file.path = path;
        file.kind = (entry.mode & S_IXUSR) ? SourceFile::Kind::Executable : SourceFile::Kind::Regular;
        file.id = entry.sha256.toHex();
        file.size = entry.size;
        files.append(std::move(file));
        newest = std::max(newest, qint64(listed.st_mtim.tv_sec));
        return success();
    }

    Status addSymlink(int dirFd, const QByteArray &name, const QByteArray &relative, const QString &path,
                      const struct stat &listed)
    {
        QByteArray target(qsizetype(std::max<off_t>(listed.st_size, 255)) + 1, Qt::Uninitialized);
        const ssize_t length = ::readlinkat(dirFd, name.constData(), target.data(), size_t(target.size()));
        if (length < 0)
            return cannot(QStringLiteral("read the symlink"), relative, errno);
        if (length >= target.size())
            return Error::failed(QStringLiteral("%1: the symlink '%2' changed while it was read; try again")
                                     .arg(m_location, path));
        target.truncate(length);
        const std::optional<QString> decoded = decodeUtf8Path(target);
        if (!decoded)
            return Error::badInput(QStringLiteral("%1: the target '%2' of symlink '%3' is not valid UTF-8")
                                       .arg(m_location, escapedPath(target), path));
        SourceFile file;
        file.path = path;
        file.kind = SourceFile::Kind::Symlink;
        file.linkTarget = *decoded;
        file.id = Sha256::hexOf(target).toLatin1();
        file.size = target.size();
        files.append(std::move(file));
        newest = std::max(newest, qint64(listed.st_mtim.tv_sec));
        return success();
    }

    QString m_location;
    const DockerIgnore &m_ignore;
    const StatCache &m_previous;
    qint64 m_racyLimitNs;
    EventSink *m_events;
    std::stop_token m_stop;
    QByteArray m_buffer;
};

// Opens `path` below `root` without following any symlink on the way.
Fd openBeneath(int root, const QByteArray &path)
{
    const QList<QByteArray> parts = path.split('/');
    Fd current;
    int at = root;
    for (qsizetype i = 0; i < parts.size(); ++i) {
        const bool last = i + 1 == parts.size();
        Fd next(
            ::openat(at, parts[i].constData(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (last ? 0 : O_DIRECTORY)));
        if (!next.isValid())
            return Fd();
        current = std::move(next);
        at = current.get();
    }
    return current;
}

class DirectoryReader final : public SourceReader
{
public:
    DirectoryReader(const QString &root, QString location)
        : m_location(std::move(location))
        , m_root(::open(QFile::encodeName(root).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC))
        , m_openErrno(errno)
        , m_buffer(kReadPiece, Qt::Uninitialized)
    {}

    Status read(const SourceFile &file, const ContentSink &sink) override
    {
        if (file.kind == SourceFile::Kind::Symlink)
            return success();
        if (!m_root.isValid())
            return Error::failed(
                QStringLiteral("cannot read %1: %2").arg(m_location, errnoText(m_openErrno)));
        const Fd fd = openBeneath(m_root.get(), file.path.toUtf8());
        if (!fd.isValid())
            return Error::failed(
                QStringLiteral("cannot read %1/%2: %3").arg(m_location, file.path, errnoText(errno)));
        Sha256 sha;
        qint64 total = 0;
        for (;;) {
            const int got = readSome(fd.get(), m_buffer.data(), m_buffer.size());
            if (got < 0)
                return Error::failed(
                    QStringLiteral("cannot read %1/%2: %3").arg(m_location, file.path, errnoText(errno)));
            if (got == 0)
                break;
            total += got;
            if (total > file.size)
                break;
            sha.update(m_buffer.constData(), got);
            if (Status sent = sink(m_buffer.constData(), got); !sent)
                return sent;
        }
        // What was listed must be what was read: ids and sizes went into the plan already.
        if (total != file.size || sha.hexDigest().toLatin1() != file.id)
            return Error::failed(
                QStringLiteral("%1: '%2' changed while it was read; try again").arg(m_location, file.path));
        return success();
    }

private:
    QString m_location;
    Fd m_root;
    int m_openErrno;
    QByteArray m_buffer;
};

} // namespace

Result<std::unique_ptr<DirectorySource>> DirectorySource::open(const QString &directory,
                                                               const QString &location,
                                                               const QString &cacheDir, EventSink *events,
                                                               std::stop_token stop)
{
    const QFileInfo info(directory);
    const QString root = info.canonicalFilePath();
    if (root.isEmpty() || !info.isDir())
        return Error::badInput(QStringLiteral("%1: no such directory").arg(location));

    DockerIgnore ignore;
    const QString ignorePath = root + QStringLiteral("/.dockerignore");
    if (QFileInfo::exists(ignorePath)) {
        QFile file(ignorePath);
        if (!file.open(QIODevice::ReadOnly))
            return Error::failed(
                QStringLiteral("cannot read %1/.dockerignore: %2").arg(location, file.errorString()));
        Result<DockerIgnore> parsed =
            DockerIgnore::parse(file.readAll(), location + QStringLiteral("/.dockerignore"));
        if (!parsed)
            return parsed.error();
        ignore = std::move(parsed).value();
    }

    std::unique_ptr<DirectorySource> source(new DirectorySource);
    source->m_root = root;
    source->m_location = location;
    StatCache previous;
    if (!cacheDir.isEmpty()) {
        source->m_statCachePath = StatCache::pathFor(cacheDir, root);
        previous.load(source->m_statCachePath);
    }

    timespec now{};
    ::clock_gettime(CLOCK_REALTIME, &now);
    const qint64 racyLimitNs = qint64(now.tv_sec) * 1000000000 + now.tv_nsec - kRacyWindowNs;

    Fd rootFd(::open(QFile::encodeName(root).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!rootFd.isValid())
        return Error::failed(QStringLiteral("cannot read %1: %2").arg(location, errnoText(errno)));
    Walker walker(location, ignore, previous, racyLimitNs, events, std::move(stop));
    if (Status walked = walker.walk(std::move(rootFd), QByteArray()); !walked)
        return walked.error();

    if (!source->m_statCachePath.isEmpty() && !(walker.fresh == previous)) {
        QString error;
        if (!walker.fresh.save(source->m_statCachePath, &error))
            qCWarning(lcSource) << "cannot write the stat cache" << source->m_statCachePath << error;
    }
    sortByUtf8Path(walker.files);
    source->m_files = std::move(walker.files);
    source->m_timestamp = walker.newest;
    source->m_hashed = walker.hashed;
    qCDebug(lcSource) << "opened" << location << "with" << source->m_files.size() << "files," << walker.hashed
                      << "hashed";
    return source;
}

std::unique_ptr<SourceReader> DirectorySource::openReader() const
{
    return std::make_unique<DirectoryReader>(m_root, m_location);
}

Result<QByteArray> DirectorySource::readRootFile(const QString &name) const
{
    const auto found = std::find_if(m_files.cbegin(), m_files.cend(),
                                    [&name](const SourceFile &file) { return file.path == name; });
    if (found != m_files.cend() && found->kind == SourceFile::Kind::Symlink)
        return Error::badInput(QStringLiteral("%1: %2 is a symlink, not a file").arg(m_location, name));
    if (found != m_files.cend()) {
        return readWholeFile(*openReader(), *found);
    }
    // Like Docker with its Dockerfile: a root file the .dockerignore leaves out of the layers can
    // still be read as configuration.
    if (name.isEmpty() || name.contains(u'/') || name == QLatin1String(".") || name == QLatin1String(".."))
        return Error::badInput(QStringLiteral("%1 has no %2").arg(m_location, name));
    QFile file(m_root + u'/' + name);
    const QFileInfo info(file.fileName());
    if (!info.exists() || info.isSymLink() || !info.isFile())
        return Error::badInput(QStringLiteral("%1 has no %2").arg(m_location, name));
    if (!file.open(QIODevice::ReadOnly))
        return Error::failed(
            QStringLiteral("cannot read %1/%2: %3").arg(m_location, name, file.errorString()));
    return file.readAll();
}

} // namespace slipway
