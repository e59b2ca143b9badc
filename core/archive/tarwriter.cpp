#include "tarwriter.h"

#include "util/text.h"

#include <archive.h>
#include <archive_entry.h>

#include <locale.h>

namespace slipway {

namespace {

// A path as messages quote it: cut to a readable length.
QString pathText(const QByteArray &utf8Path)
{
    return elide(QString::fromUtf8(utf8Path));
}

// What Linux takes: PATH_MAX (4096, with the NUL) and NAME_MAX (255) bytes. Longer entries would
// fail to extract on every engine; an error names the entry instead.
constexpr qsizetype maxPathBytes = 4095;
constexpr qsizetype maxNameBytes = 255;

// Empty, or why path is too long for a file system.
QString lengthProblem(const QByteArray &path)
{
    if (path.size() > maxPathBytes)
        return QStringLiteral("%1 bytes long, more than a path may be (%2)")
            .arg(path.size())
            .arg(maxPathBytes);
    for (qsizetype start = 0; start < path.size();) {
        qsizetype end = path.indexOf('/', start);
        if (end < 0)
            end = path.size();
        if (end - start > maxNameBytes)
            return QStringLiteral("it has a %1-byte component, more than a file name may be (%2)")
                .arg(end - start)
                .arg(maxNameBytes);
        start = end + 1;
    }
    return {};
}

// Relative, no empty, "." or ".." components, no NUL: what a layer may contain.
bool isValidEntryPath(const QByteArray &path)
{
    if (path.isEmpty() || path.startsWith('/') || path.contains('\0'))
        return false;
    qsizetype start = 0;
    while (start <= path.size()) {
        qsizetype end = path.indexOf('/', start);
        if (end < 0)
            end = path.size();
        const QByteArrayView component(path.constData() + start, end - start);
        if (component.isEmpty() || component == "." || component == "..")
            return false;
        start = end + 1;
    }
    return true;
}

// libarchive converts names from the locale's charset to UTF-8 (and caches that charset when it
// first converts). Names are UTF-8 already, so its conversions run in C.UTF-8 on this thread
// whatever the process locale is: in "C" a non-ASCII name would fail or become hdrcharset=BINARY,
// and the bytes would depend on the environment.
class Utf8LocaleScope
{
public:
    Utf8LocaleScope()
    {
        static const locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", locale_t(nullptr));
        if (utf8)
            m_previous = uselocale(utf8);
    }
    ~Utf8LocaleScope()
    {
        if (m_previous)
            uselocale(m_previous);
    }
    Utf8LocaleScope(const Utf8LocaleScope &) = delete;
    Utf8LocaleScope &operator=(const Utf8LocaleScope &) = delete;

private:
    locale_t m_previous = nullptr;
};

} // namespace

// libarchive calls back into the writer through this.
struct TarWriterCallbacks
{
    static la_ssize_t write(struct archive *, void *clientData, const void *buffer, size_t length)
    {
        auto *writer = static_cast<TarWriter *>(clientData);
        const Status status = writer->deliver(static_cast<const char *>(buffer), qsizetype(length));
        return status.ok() ? la_ssize_t(length) : -1;
    }
};

TarWriter::TarWriter(TarSink sink, qint64 mtime)
    : m_sink(std::move(sink))
    , m_mtime(mtime)
    , m_archive(archive_write_new())
    , m_entry(archive_entry_new())
{
    const Utf8LocaleScope utf8;
    // Restricted pax: ustar unless a name needs more. No blocking: libarchive hands every
    // header and data piece straight to the sink, and the stream ends after the two zero
    // records instead of being padded to 10240 bytes.
    if (!m_archive || !m_entry || archive_write_set_format_pax_restricted(m_archive) != ARCHIVE_OK ||
        archive_write_set_bytes_per_block(m_archive, 0) != ARCHIVE_OK ||
        archive_write_open2(m_archive, this, nullptr, &TarWriterCallbacks::write, nullptr, nullptr) !=
            ARCHIVE_OK) {
        m_failed = true;
        m_error = Error::failed(QStringLiteral("cannot start a tar stream: %1")
                                    .arg(m_archive ? QString::fromUtf8(archive_error_string(m_archive))
                                                   : QStringLiteral("out of memory")));
    }
}

TarWriter::~TarWriter()
{
    if (m_archive) {
        // An unfinished stream is abandoned: nothing more reaches the sink.
        if (!m_finished)
            m_failed = true;
        archive_write_free(m_archive);
    }
    if (m_entry)
        archive_entry_free(m_entry);
}

QByteArray TarWriter::sortKey(const QString &path, bool directory)
{
    QByteArray key = path.toUtf8();
    if (directory && !key.endsWith('/'))
        key.append('/');
    return key;
}

Status TarWriter::deliver(const char *data, qsizetype size)
{
    // Once failed (or abandoned by the destructor), libarchive's flushes go nowhere.
    if (m_sinkFailed || (m_failed && !m_finished))
        return Error::failed(QStringLiteral("tar stream already failed"));
    Status status = m_sink(data, size);
    if (!status.ok()) {
        m_sinkFailed = true;
        m_sinkError = status.error();
        return status;
    }
    m_bytesWritten += size;
    return success();
}

Status TarWriter::fail(Error error)
{
    if (!m_failed) {
        m_failed = true;
        m_error = std::move(error);
    }
    return m_error;
}

Status TarWriter::archiveError(const QByteArray &utf8Path, const char *what)
{
    // A failing sink is the real cause; libarchive only reports that its write failed.
    if (m_sinkFailed)
        return fail(m_sinkError);
    return fail(Error::failed(QStringLiteral("tar entry \"%1\": %2: %3")
                                  .arg(pathText(utf8Path), QString::fromLatin1(what),
                                       QString::fromUtf8(archive_error_string(m_archive)))));
}

Status TarWriter::writeHeader(const QByteArray &utf8Path, Type type, bool executable, qint64 size,
                              const QByteArray &utf8Target)
{
    archive_entry_clear(m_entry);
    // Plain (locale) strings, read as UTF-8 under Utf8LocaleScope; libarchive's _utf8 setters
    // crash on non-ASCII names outside a UTF-8 locale.
    switch (type) {
    case Type::Directory: {
        const QByteArray name = utf8Path + '/';
        archive_entry_copy_pathname(m_entry, name.constData());
        archive_entry_set_filetype(m_entry, AE_IFDIR);
        archive_entry_set_perm(m_entry, 0755);
        archive_entry_set_size(m_entry, 0);
        break;
    }
    case Type::File:
        archive_entry_copy_pathname(m_entry, utf8Path.constData());
        archive_entry_set_filetype(m_entry, AE_IFREG);
        archive_entry_set_perm(m_entry, executable ? 0755 : 0644);
        archive_entry_set_size(m_entry, size);
        break;
    case Type::Symlink:
        archive_entry_copy_pathname(m_entry, utf8Path.constData());
        archive_entry_set_filetype(m_entry, AE_IFLNK);
        archive_entry_set_perm(m_entry, 0777);
        archive_entry_copy_symlink(m_entry, utf8Target.constData());
        archive_entry_set_size(m_entry, 0);
        break;
    }
    archive_entry_set_uid(m_entry, 0);
    archive_entry_set_gid(m_entry, 0);
    archive_entry_set_mtime(m_entry, time_t(m_mtime), 0);
    // No atime, ctime, uname or gname: left unset, they are written as nothing.

    const Utf8LocaleScope utf8;
    const int result = archive_write_header(m_archive, m_entry);
    if (result != ARCHIVE_OK)
        return archiveError(utf8Path, "cannot write header");
    ++m_entryCount;
    return success();
}

Status TarWriter::ensureParents(const QByteArray &key, const QByteArray &utf8Path)
{
    // A directory's key ("a/b/") prefixes the keys of everything under it, and sorted keys keep
    // those together: the directories still open are the ancestors this entry shares with the
    // one before it.
    while (!m_openDirectories.isEmpty() && !key.startsWith(m_openDirectories.constLast()))
        m_openDirectories.removeLast();

    qsizetype depth = 0;
    for (qsizetype slash = utf8Path.indexOf('/'); slash >= 0;
         slash = utf8Path.indexOf('/', slash + 1), ++depth) {
        if (depth < m_openDirectories.size())
            continue;
        const QByteArray directory = utf8Path.left(slash);
        if (m_nonDirectories.contains(directory))
            return fail(
                Error::failed(QStringLiteral("tar entry \"%1\": \"%2\" is already in the layer as a file")
                                  .arg(pathText(utf8Path), pathText(directory))));
        Status status = writeHeader(directory, Type::Directory, false, 0, {});
        if (!status.ok())
            return status;
        m_openDirectories.append(utf8Path.left(slash + 1));
    }
    return success();
}

Status TarWriter::begin(const QString &path, Type type, bool executable, qint64 size, const QString &target,
                        QByteArray &utf8Path)
{
    if (m_failed)
        return m_error;
    utf8Path = path.toUtf8();
    if (m_finished)
        return fail(Error::failed(
            QStringLiteral("tar entry \"%1\": the tar stream is already finished").arg(pathText(utf8Path))));
    if (type == Type::Directory && utf8Path.endsWith('/') && utf8Path.size() > 1)
        utf8Path.chop(1);
    if (!isValidEntryPath(utf8Path))
        return fail(Error::failed(QStringLiteral("tar entry \"%1\": not a relative path without empty, "
                                                 "\".\" or \"..\" components")
                                      .arg(pathText(utf8Path))));
    if (const QString problem = lengthProblem(utf8Path); !problem.isEmpty())
        return fail(Error::failed(QStringLiteral("tar entry \"%1\": %2").arg(pathText(utf8Path), problem)));
    if (type == Type::Symlink && target.toUtf8().size() > maxPathBytes)
        return fail(
            Error::failed(QStringLiteral("tar entry \"%1\": the symlink target is %2 bytes, more than a "
                                         "path may be (%3)")
                              .arg(pathText(utf8Path))
                              .arg(target.toUtf8().size())
                              .arg(maxPathBytes)));
    QByteArray key = utf8Path;
    if (type == Type::Directory)
        key.append('/');
    if (key <= m_lastKey)
        return fail(Error::failed(QStringLiteral("tar entry \"%1\": out of order or repeated (after \"%2\")")
                                      .arg(pathText(utf8Path), pathText(m_lastKey))));
    if (size < 0)
        return fail(Error::failed(QStringLiteral("tar entry \"%1\": negative size %2").arg(path).arg(size)));
    if (type == Type::Symlink && (target.isEmpty() || target.contains(QChar(0))))
        return fail(
            Error::failed(QStringLiteral("tar entry \"%1\": empty or invalid symlink target").arg(path)));

    Status status = ensureParents(key, utf8Path);
    if (!status.ok())
        return status;
    if (type == Type::Directory && m_nonDirectories.contains(utf8Path))
        return fail(
            Error::failed(QStringLiteral("tar entry \"%1\": already in the layer as a file").arg(path)));

    status =
        writeHeader(utf8Path, type, executable, size, type == Type::Symlink ? target.toUtf8() : QByteArray());
    if (!status.ok())
        return status;
    if (type == Type::Directory)
        m_openDirectories.append(key);
    else
        m_nonDirectories.insert(utf8Path);
    m_lastKey = std::move(key);
    return success();
}

Status TarWriter::addDirectory(const QString &path)
{
    QByteArray utf8Path;
    return begin(path, Type::Directory, false, 0, {}, utf8Path);
}

Status TarWriter::addSymlink(const QString &path, const QString &target)
{
    QByteArray utf8Path;
    return begin(path, Type::Symlink, false, 0, target, utf8Path);
}

Status TarWriter::addFile(const QString &path, bool executable, QByteArrayView contents)
{
    return addFile(path, executable, contents.size(),
                   [contents](const ContentSink &sink) { return sink(contents.data(), contents.size()); });
}

Status TarWriter::addFile(const QString &path, bool executable, qint64 size,
                          const ContentProducer &produceContents)
{
    QByteArray utf8Path;
    Status status = begin(path, Type::File, executable, size, {}, utf8Path);
    if (!status.ok())
        return status;

    qint64 remaining = size;
    const ContentSink sink = [&](const char *data, qsizetype length) -> Status {
        if (m_failed)
            return m_error;
        if (length > remaining)
            return fail(Error::failed(QStringLiteral("tar entry \"%1\": more than the declared %2 bytes")
                                          .arg(pathText(utf8Path))
                                          .arg(size)));
        while (length > 0) {
            const la_ssize_t written = archive_write_data(m_archive, data, size_t(length));
            if (written <= 0)
                return archiveError(utf8Path, "cannot write contents");
            data += written;
            length -= written;
            remaining -= written;
        }
        return success();
    };
    if (produceContents) {
        status = produceContents(sink);
        if (!status.ok())
            return fail(status.error());
    }
    if (m_failed)
        return m_error;
    if (remaining != 0)
        return fail(Error::failed(QStringLiteral("tar entry \"%1\": %2 bytes declared but only %3 written")
                                      .arg(pathText(utf8Path))
                                      .arg(size)
                                      .arg(size - remaining)));
    // Pads the entry to a 512-byte record.
    if (archive_write_finish_entry(m_archive) != ARCHIVE_OK)
        return archiveError(utf8Path, "cannot finish entry");
    return success();
}

Status TarWriter::finish()
{
    if (m_failed)
        return m_error;
    if (m_finished)
        return success();
    m_finished = true;
    const Utf8LocaleScope utf8;
    if (archive_write_close(m_archive) != ARCHIVE_OK) {
        if (m_sinkFailed)
            return fail(m_sinkError);
        return fail(Error::failed(QStringLiteral("cannot finish the tar stream: %1")
                                      .arg(QString::fromUtf8(archive_error_string(m_archive)))));
    }
    return success();
}

Result<QByteArray> tarOfFiles(QList<std::pair<QString, QByteArray>> files, qint64 mtime)
{
    std::sort(files.begin(), files.end(), [](const auto &a, const auto &b) {
        return TarWriter::sortKey(a.first, false) < TarWriter::sortKey(b.first, false);
    });
    QByteArray tar;
    TarWriter writer(
        [&tar](const char *data, qsizetype size) {
            tar.append(data, size);
            return success();
        },
        mtime);
    for (const auto &[path, contents] : std::as_const(files))
        if (Status added = writer.addFile(path, false, contents); !added)
            return added.error();
    if (Status finished = writer.finish(); !finished)
        return finished.error();
    return tar;
}

} // namespace slipway
